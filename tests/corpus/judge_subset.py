"""Judge command that grades only some items: `coursekit grade --judge-cmd "python THIS"`.

The batch grader runs `<judge-cmd> SUB RESULT_JSON --slot N`; this passes the same arguments to
`python -m coursekit.judge` with `--items` taken from $COURSEKIT_CORPUS_ITEMS (space separated).
Used to leave the (slow) overfit items out of the bug catalogue run. Per submission, items
may also come from $COURSEKIT_CORPUS_ITEMS_BY_DIGEST (JSON {digest of the student files: items},
see harness.grade), which wins over $COURSEKIT_CORPUS_ITEMS.
"""
import json
import os
import sys

from coursekit.judge.__main__ import main


def _items(sub: str) -> list[str]:
    by_digest = os.environ.get("COURSEKIT_CORPUS_ITEMS_BY_DIGEST")
    if by_digest:
        from harness import submission_digest    # this script's folder is on sys.path
        found = json.loads(by_digest).get(submission_digest(sub))
        if found is not None:
            return found.split()
    return os.environ.get("COURSEKIT_CORPUS_ITEMS", "").split()


if __name__ == "__main__":
    items = _items(sys.argv[1]) if len(sys.argv) > 1 else []
    sys.exit(main(sys.argv[1:] + (["--items", *items] if items else [])))

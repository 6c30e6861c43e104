"""Judge command that grades only some items: `coursekit grade --judge-cmd "python THIS"`.

The batch grader runs `<judge-cmd> SUB RESULT_JSON --slot N`; this passes the same arguments to
`python -m coursekit.judge` with `--items` taken from $COURSEKIT_CORPUS_ITEMS (space separated).
Used to leave the (slow) overfit items out of the bug catalogue run.
"""
import os
import sys

from coursekit.judge.__main__ import main

if __name__ == "__main__":
    items = os.environ.get("COURSEKIT_CORPUS_ITEMS", "").split()
    sys.exit(main(sys.argv[1:] + (["--items", *items] if items else [])))

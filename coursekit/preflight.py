"""Is the course consistent enough to grade, hand out or bundle? One place for the checks that
`grade`, `gradescope`, `handout` and `build` share:

- every key of KIT's points and extra_credit names an item of the hidden suite (a typo such as
  "rnn_bakward" would otherwise leave rnn_backward ungraded);
- release/ and solutions/ are up to date with source/ and KIT (build/stamp.py).
"""
from __future__ import annotations

import re
from pathlib import Path

ITEM_MARK = re.compile(r"""pytest\.mark\.item\(\s*["']([^"']+)["']""")


class PreflightError(Exception):
    """The course cannot be used as it is; str(exc) says what to change."""


def suite_items(suite_dir: Path) -> list[str]:
    """The items the hidden suite grades (its @pytest.mark.item ids), in file order."""
    found = []
    for path in sorted(Path(suite_dir).rglob("test_*.py")):
        found += ITEM_MARK.findall(path.read_text(errors="replace"))
    return list(dict.fromkeys(found))


def check_items(course) -> None:
    suite = course.dir("autograder")
    if not suite.is_dir():
        return
    known = suite_items(suite)
    for key, table in (("points", course.points.required), ("extra_credit", course.points.extra_credit)):
        unknown = [k for k in table if k not in known]
        if unknown:
            raise PreflightError(f"KIT['{key}'] names {', '.join(map(repr, unknown))}, which no hidden test "
                                 f"grades; the items are: {', '.join(known)}")


def check_built(course) -> None:
    from .build.stamp import FIX, stale
    problems = stale(course)
    if problems:
        raise PreflightError("release/ and solutions/ are out of date: " + "; ".join(problems) + f". Fix: {FIX}")


def preflight(course, *, built: bool = True) -> None:
    check_items(course)
    if built:
        check_built(course)

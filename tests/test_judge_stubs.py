"""No item earns points on stubs (issue 19, point 5), an invariant to keep while the grants
grow: every graded item, extra credit included, scores 0

- on the untouched handout (release/), and
- on the reference solution where ONLY the functions that item grades are put back to the
  handout's stubs (everything else correct: the grants, the own-forward rule and the retries
  have every building block they could lend).

The items come from the course's points (KIT), each mapped to the function it grades
(coursekit.judge.items.ITEMS), so a new item is enumerated here without a change; one batch of
`coursekit grade --jobs 2` grades every stub submission beside the handout."""
from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

from coursekit.judge.items import ITEMS
from coursekit.selftest import load_corpus

CORPUS = load_corpus(Path(__file__).resolve().parent / "corpus")
H = CORPUS.harness
HANDOUT = "untouched_handout"

pytestmark = pytest.mark.slow


def definition_lines(source: str, qualname: str) -> tuple[int, int]:
    """(first, last) 1-based lines of the def of `qualname` ("f" or "Class.method")."""
    body = ast.parse(source).body
    *owners, name = qualname.split(".")
    for owner in owners:
        body = next(n.body for n in body if isinstance(n, ast.ClassDef) and n.name == owner)
    node = next(n for n in body if isinstance(n, ast.FunctionDef) and n.name == name)
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    return first, node.end_lineno


def put_back_stub(sub: Path, handout: Path, rel: str, qualname: str) -> None:
    """Replace `qualname` in sub/rel by the handout's definition (its stub), line for line."""
    mine, theirs = (sub / rel).read_text(), (handout / rel).read_text()
    a, b = definition_lines(mine, qualname)
    c, d = definition_lines(theirs, qualname)
    lines, stub = mine.splitlines(keepends=True), theirs.splitlines(keepends=True)
    (sub / rel).write_text("".join(lines[:a - 1] + stub[c - 1:d] + lines[b:]))


def graded_function(item: str) -> tuple[str, str]:
    assert item in ITEMS, f"item {item} names no graded function in coursekit.judge.items.ITEMS"
    return ITEMS[item]


@pytest.fixture(scope="module")
def stub_run(course, tmp_path_factory):
    work = tmp_path_factory.mktemp("stubs")
    source, release = course.assignment_dir("source"), course.assignment_dir("release")
    functions = sorted({graded_function(i) for i in course.points.items})
    subs = {HANDOUT: work / "subs" / HANDOUT}
    shutil.copytree(release, subs[HANDOUT], ignore=shutil.ignore_patterns("__pycache__", "datasets"))
    for qualname, rel in functions:
        dest = work / "subs" / f"stub_{qualname.replace('.', '_')}"
        shutil.copytree(source, dest, ignore=shutil.ignore_patterns("__pycache__", "datasets"))
        put_back_stub(dest, release, rel, qualname)
        subs[qualname] = dest
    out = work / "out"
    proc = H.grade(list(subs.values()), out, jobs=2, timeout=1800)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    by_source = H.results_by_source(out)
    return {name: by_source.get(str(path.absolute())) for name, path in subs.items()}


def test_the_stubbed_copies_differ_from_the_reference_only_there(course, tmp_path):
    """put_back_stub changes exactly one definition (the check the grading below relies on)."""
    source, release = course.assignment_dir("source"), course.assignment_dir("release")
    for qualname, rel in sorted({graded_function(i) for i in course.points.items}):
        dest = tmp_path / qualname
        shutil.copytree(source / "cs231n", dest / "cs231n", ignore=shutil.ignore_patterns("__pycache__"))
        put_back_stub(dest, release, rel, qualname)
        text = (dest / rel).read_text()
        a, b = definition_lines(text, qualname)
        c, d = definition_lines((release / rel).read_text(), qualname)
        assert text.splitlines()[a - 1:b] == (release / rel).read_text().splitlines()[c - 1:d]
        assert "### BEGIN SOLUTION" in text, f"{qualname}: the rest of the reference is gone"


def test_every_item_scores_zero_on_the_untouched_handout(stub_run, course):
    result = stub_run[HANDOUT]
    assert result is not None and not result.error
    scored = {t.name: t.score for t in result.tests if t.score > 0}
    assert set(H.by_item(result)) == set(course.points.items)
    assert not scored, f"the untouched handout scored {scored}"


@pytest.mark.parametrize("item", sorted(ITEMS))
def test_an_item_scores_zero_when_its_own_functions_are_stubs(stub_run, course, item):
    if item not in course.points.items:
        pytest.skip(f"{item} is not graded by this course")
    qualname, _ = graded_function(item)
    result = stub_run[qualname]
    assert result is not None and not result.error, f"stub of {qualname}: not graded"
    test = H.by_item(result)[item]
    assert test.score == 0, f"{item} scored {test.score} with {qualname} a stub: {test.output[:600]}"

"""Provided code changed in a student file (tests/corpus/provided.py), graded in one
`coursekit grade --jobs 2` batch without the overfit items: every change is named; a change
that alters no graded result costs nothing and is a note at the top ("It changed no graded
result"); one that does costs points only on its items, whose failing checks name it."""
from __future__ import annotations

from pathlib import Path

import pytest

from coursekit.selftest import load_corpus

CORPUS = load_corpus(Path(__file__).resolve().parent / "corpus")
H = CORPUS.harness
CASES = {c.name: c for c in __import__(f"{CORPUS.__name__}.provided", fromlist=["x"]).PROVIDED_CHANGES}
EPS = 1e-6

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def results(course, tmp_path_factory):
    work = tmp_path_factory.mktemp("corpus-provided")
    reference = course.assignment_dir("source")
    paths = {n: CORPUS.spec.materialize(c, reference, work / "subs" / n) for n, c in CASES.items()}
    proc = H.grade(list(paths.values()), work / "out", jobs=2, items=H.fast_items(course), cwd=work)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    by_source = H.results_by_source(work / "out")
    return {n: by_source.get(str(p.absolute())) for n, p in paths.items()}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_changed_provided_function_is_named_and_costs_only_where_it_changes_results(name, results, points):
    case, result = CASES[name], results[name]
    assert result is not None and not result.error, f"{name}: {result and result.error}"
    tests = H.by_item(result)
    lost = {i for i, t in tests.items() if t.score < points[i] - EPS}
    assert lost == set(case.items), f"{name}: lost {sorted(lost)}, expected {sorted(case.items)}"
    named = f"the provided {case.function} was changed"
    if case.items:
        for item in case.items:
            assert named in tests[item].output, f"{name}: {item} does not name {case.function}:\n{tests[item].output}"
    else:
        assert named in result.output and "It changed no graded result" in result.output, result.output

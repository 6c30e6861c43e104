"""Real students' patterns of issue 11 (tests/corpus/variants.py INPLACE_BACKWARDS and
IMPORT_VARIANTS, tests/corpus/bugs.py SQUEEZE_BUGS and IMPORT_FAILURES), graded in one
`coursekit grade --jobs 2` batch without the overfit items:

- a backward that modifies its upstream gradient in place keeps full marks, as do a stray
  import of an existing module and the 2017-2020 handouts' `from cs231n.layers import *`;
- `np.squeeze` that breaks a batch of one (in rnn_step_backward, lstm_step_backward or sample)
  loses points on the N=1 cases of its items only;
- a model file that does not import (Python 2, a missing module) loses the model items, keeps
  the layer items, and the top-level output names the file (and says Python 2 for that one);
- a module the grader lacks (`import torch`) does not fail the file: never used, full marks;
  used by one function, only that function's items are lost, with ModuleNotFoundError naming
  the module there, and the top-level output names the file and the module either way."""
from __future__ import annotations

from pathlib import Path

import pytest

from coursekit.selftest import load_corpus

CORPUS = load_corpus(Path(__file__).resolve().parent / "corpus")
H, V, B = CORPUS.harness, CORPUS.variants, CORPUS.bugs
FULL = {c.name: c for c in V.INPLACE_BACKWARDS + V.IMPORT_VARIANTS}
BROKEN = {c.name: c for c in B.IMPORT_FAILURES}
SQUEEZE = {c.name: c for c in B.SQUEEZE_BUGS}
MISSING = {c.name: c for c in B.MISSING_MODULE_BUGS}
STAND_IN_VARIANTS = ("stray_missing_import",)
MISSING_MODULE = "torch"
MODEL_FILE = "classifiers/rnn.py"
EPS = 1e-6

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def pattern_results(course, tmp_path_factory):
    work = tmp_path_factory.mktemp("corpus-patterns")
    reference = course.assignment_dir("source")
    cases = [*FULL.values(), *BROKEN.values(), *SQUEEZE.values(), *MISSING.values()]
    paths = {c.name: CORPUS.spec.materialize(c, reference, work / "subs" / c.name) for c in cases}
    proc = H.grade(list(paths.values()), work / "out", jobs=2, items=H.fast_items(course), cwd=work)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    by_source = H.results_by_source(work / "out")
    return {name: by_source.get(str(p.absolute())) for name, p in paths.items()}


@pytest.fixture(scope="session")
def points(course):
    return {i: p for i, p in H.item_points(course).items() if i in H.fast_items(course)}


def _tests(results, name):
    result = results[name]
    assert result is not None, f"{name}: no result"
    assert not result.error, f"{name}: could not be graded: {result.error}"
    return H.by_item(result)


def _lost(tests, points, items):
    return {i: f"{tests[i].score:g}/{points[i]:g}: {tests[i].output[:300]}" for i in items
            if tests[i].score < points[i] - EPS}


@pytest.mark.parametrize("name", sorted(FULL))
def test_variant_keeps_full_marks(name, pattern_results, points):
    tests = _tests(pattern_results, name)
    assert set(tests) == set(points)
    lost = _lost(tests, points, points)
    assert not lost, f"{name} ({FULL[name].description}) lost points: {lost}"


@pytest.mark.parametrize("name", sorted(SQUEEZE))
def test_squeeze_loses_points_only_on_a_batch_of_one(name, pattern_results, points):
    tests, items = _tests(pattern_results, name), SQUEEZE[name].items
    others = _lost(tests, points, [i for i in points if i not in items])
    assert not others, f"the squeeze bug cost points outside {items}: {others}"
    for item in items:
        assert 0 < tests[item].score < points[item] - EPS, f"{item}: {tests[item].score:g}"
        failing = [line for line in tests[item].output.splitlines() if line.startswith("[FAIL]")]
        assert failing and all(B.N1_ONLY in line for line in failing), \
            f"{item}: a case other than N=1 failed, or N=1 is not named:\n{tests[item].output}"


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_model_file_that_does_not_import(name, pattern_results, points):
    case, result = BROKEN[name], pattern_results[name]
    tests = _tests(pattern_results, name)
    kept = _lost(tests, points, [i for i in points if i not in case.items])
    assert not kept, f"{name}: layer items lost points although rnn_layers.py is fine: {kept}"
    for item in case.items:
        assert tests[item].score == 0, f"{name}: {item} scored {tests[item].score:g}"
        assert MODEL_FILE in tests[item].output, f"{name}: {item} does not name {MODEL_FILE}"
    assert MODEL_FILE in result.output, f"{name}: the top-level output does not name {MODEL_FILE}"
    if "python2" in name:
        assert "Python 2" in result.output, f"{name}: the top-level output does not say Python 2"


@pytest.mark.parametrize("name", sorted(MISSING) + list(STAND_IN_VARIANTS))
def test_a_module_the_grader_lacks_costs_only_where_it_is_used(name, pattern_results, points):
    case = MISSING.get(name) or FULL[name]
    tests = _tests(pattern_results, name)
    others = _lost(tests, points, [i for i in points if i not in case.items])
    assert not others, f"{name}: the missing module cost points outside {case.items}: {others}"
    for item in case.items:
        assert tests[item].score == 0, f"{name}: {item} scored {tests[item].score:g}"
        assert f"No module named '{MISSING_MODULE}'" in tests[item].output, tests[item].output
    top = pattern_results[name].output
    assert "does not import" not in top
    assert f"imports {MISSING_MODULE}" in top and "stand-in" in top, top
    assert next(iter(case.files())) in top, top

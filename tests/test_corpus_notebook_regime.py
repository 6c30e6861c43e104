"""The grader's regime is never harsher than the notebook's (issue 18, point 2).

A correct variant whose model works in float32 end to end (tests/corpus/variants.py
FLOAT32_END_TO_END: __init__ casts the parameters to float32, loss and sample cast what they
use, so every layer computes in float32) is run twice:

- through the notebooks themselves (every check and grade cell of source/'s notebooks but the
  Colab cell and the optional character-level section, on the embedded dataset, with the
  variant's cs231n/): the grade cells that fail there must be exactly the case's
  `notebook_fails` (its float64 loss check, 9.83235591003 to 1e-10, and the numeric gradient
  check fail in float32), so that declaration is the notebook's verdict, not ours;
- through `coursekit grade` with every item, trainings included: every item the notebook
  passes keeps full marks -- the overfit trainings, the random-model and the trained-model
  samples (RNN and LSTM) among them. The items the notebook fails may cost points (today they
  do not: the grader's float64 tolerance is relative, 1e-6, and a float32 loss is within it).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from coursekit.selftest import load_corpus

CORPUS = load_corpus(Path(__file__).resolve().parent / "corpus")
H = CORPUS.harness
CASES = {c.name: c for c in CORPUS.variants.VARIANTS}
NAMES = ("float32_end_to_end",)
# trainings and samples: what the notebook passes for float32 code and the grader must too
TRAINING_AND_SAMPLING = ("overfit", "sample", "lstm_overfit", "lstm_sample")
EPS = 1e-6

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def verdicts(course, tmp_path_factory, points):
    work = tmp_path_factory.mktemp("notebook-regime")
    reference = course.assignment_dir("source")
    paths = {n: CORPUS.spec.materialize(CASES[n], reference, work / "subs" / n) for n in NAMES}
    proc = H.grade(list(paths.values()), work / "out", jobs=2, cwd=work)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    by_source = H.results_by_source(work / "out")
    out = {}
    for n, p in paths.items():
        cells = H.run_notebooks(course, p, work)["cells"]
        notebook_failed = {i for i in points if cells.get(i, "not run") is not None}
        out[n] = (notebook_failed, H.by_item(by_source[str(p.absolute())]), cells)
    return out


@pytest.mark.parametrize("name", NAMES)
def test_the_notebook_fails_exactly_the_declared_items(name, verdicts):
    notebook_failed, _, cells = verdicts[name]
    assert notebook_failed == set(CASES[name].notebook_fails), \
        {i: cells.get(i) for i in notebook_failed ^ set(CASES[name].notebook_fails)}
    assert not notebook_failed & set(TRAINING_AND_SAMPLING)


@pytest.mark.parametrize("name", NAMES)
def test_every_item_the_notebook_passes_keeps_full_marks(name, verdicts, points):
    notebook_failed, tests, _ = verdicts[name]
    assert set(tests) == set(points)
    lost = {i: f"{t.score:g}/{points[i]:g}: {t.output[:400]}" for i, t in tests.items()
            if t.score < points[i] - EPS and i not in notebook_failed}
    assert not lost, f"{name}: the grader is harsher than the notebook: {lost}"
    for item in TRAINING_AND_SAMPLING:
        assert "[PASS]" in tests[item].output and "[FAIL]" not in tests[item].output, tests[item].output

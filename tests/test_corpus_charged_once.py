"""Every bug charged once, where it lives, and named there (issue: fair where the grader's
regime differs from the notebook's), graded with EVERY item, trainings included, in one
`coursekit grade --jobs 2` batch:

- a missing `+ b` in rnn_step_forward costs rnn_step_forward only (rnn_step_backward is the
  reference's code and is judged where that forward computed; the training retries with the
  reference layers);
- a wrong tanh derivative costs rnn_step_backward only;
- a tanh written with np.exp (NaN in float32 on a trained model's pre-activations) costs
  rnn_step_forward only, with the overflow named there, and the training's and the trained
  sample's notes name rnn_step_forward;
- LSTM gates swapped cost lstm_step_forward only (its trained sample retries too);
- a forward that overwrites prev_h (held by its cache) costs rnn_step_forward only: the
  backward is judged on that cache with prev_h put back;
- `cell_type is "rnn"` keeps full marks (the strings the grader passes are interned)."""
from __future__ import annotations

from pathlib import Path

import pytest

from coursekit.judge.hints import CATALOGUE
from coursekit.selftest import load_corpus

CORPUS = load_corpus(Path(__file__).resolve().parent / "corpus")
H = CORPUS.harness
CASES = {c.name: c for c in CORPUS.bugs.BUGS + CORPUS.variants.VARIANTS}
ONLY = {"step_fwd_no_bias": {"rnn_step_forward"}, "step_bwd_no_tanh_derivative": {"rnn_step_backward"},
        "step_fwd_tanh_exp_overflow": {"rnn_step_forward"}, "lstm_gates_i_f_swapped": {"lstm_step_forward"},
        "cell_type_compared_with_is": set(), "step_fwd_inplace_prev_h": {"rnn_step_forward"}}
EPS = 1e-6

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def results(course, tmp_path_factory):
    work = tmp_path_factory.mktemp("charged-once")
    reference = course.assignment_dir("source")
    paths = {n: CORPUS.spec.materialize(CASES[n], reference, work / "subs" / n) for n in ONLY}
    proc = H.grade(list(paths.values()), work / "out", jobs=2, cwd=work)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    by_source = H.results_by_source(work / "out")
    return {n: H.by_item(by_source[str(p.absolute())]) for n, p in paths.items()}


@pytest.mark.parametrize("name", sorted(ONLY))
def test_charged_only_where_it_lives(name, results, points):
    tests = results[name]
    assert set(tests) == set(points)
    lost = {i for i, t in tests.items() if t.score < points[i] - EPS}
    assert lost == ONLY[name], {i: tests[i].output[:400] for i in lost ^ ONLY[name]}


def test_the_overflow_is_named_at_the_step_and_the_culprit_in_the_trainings(results):
    tests = results["step_fwd_tanh_exp_overflow"]
    step = tests["rnn_step_forward"].output
    assert "NaN or infinite for pre-activations around" in step
    assert CATALOGUE["tanh_exp_overflow"].mistake in step
    for item in ("overfit", "sample"):
        assert "with the reference" in tests[item].output and "rnn_step_forward" in tests[item].output, \
            tests[item].output

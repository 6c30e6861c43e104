"""The own-forward rule holds only what it can prove (issue 19, point 1).

- The tolerance follows the case, never the answer: a float32 output of a float64 case is
  held to the float64 tolerance.
- "Passes" and "wrong but credible" cannot overlap: a forward output within the forward
  check's tolerance is never `forward_is_wrong` (so its backward is judged against the
  reference alone), and one outside it always is.
- The forward that is differentiated is the one judged credible: the probing worker must
  answer the base point bit for bit as the earlier worker did.
- Workers are indistinguishable: a fresh worker imports the student's modules with the same
  calls as the first one (real sandbox).
Judge-side rules first (no sandbox), then the workers."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers_grading import appending, make_submission

from coursekit.judge.checks import TOL_FLOAT32, TOL_FLOAT64, CheckFailed, compare, rel_err
from coursekit.judge.gradcheck import check_against_own_forward, forward_is_wrong
from coursekit.judge.suite import check_outputs

LABELS = ["dx", "dprev_h", "dWx", "dWh", "db"]


def step_problem(seed=3, N=4, D=5, H=6):
    rng = np.random.default_rng(seed)
    args = [rng.standard_normal(s) * sc for s, sc in
            (((N, D), 1.0), ((N, H), 0.7), ((D, H), 0.5), ((H, H), 0.5), ((H,), 0.3))]
    return args, rng.standard_normal((N, H)), rng


def test_a_float32_answer_does_not_widen_a_float64_case():
    expected = np.random.default_rng(0).standard_normal((5, 7))
    scaled = (expected * (1 + 3e-4)).astype(np.float32)      # within 2e-4, far beyond 1e-6
    assert TOL_FLOAT64 < rel_err(scaled, expected) < TOL_FLOAT32
    with pytest.raises(CheckFailed, match="tolerance 1e-06"):
        compare(scaled, expected, "next_h")
    compare(expected.astype(np.float32), expected, "next_h")   # float32 rounding alone passes
    compare(scaled, expected.astype(np.float32), "next_h")     # a float32 case keeps its tolerance


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(scale=st.floats(-2e-3, 2e-3), case32=st.booleans(), out32=st.booleans(), seed=st.integers(0, 99))
def test_passes_and_wrong_never_overlap(scale, case32, out32, seed):
    expected = np.random.default_rng(seed).standard_normal((3, 4))
    expected = expected.astype(np.float32) if case32 else expected
    observed = expected.astype(np.float64) * (1 + scale)
    observed = observed.astype(np.float32) if out32 else observed
    try:
        check_outputs([observed], [expected], ["h"], what="rnn_step_forward")
        passes = True
    except CheckFailed:
        passes = False
    assert passes != forward_is_wrong(observed, expected)


def _verdict(forward, args, grads, dnext, anchor):
    def scalar(res):
        return float(np.sum(res[0] * dnext))
    try:
        check_against_own_forward(forward, args, range(5), grads, scalar, labels=LABELS,
                                  rng=np.random.default_rng(1), what="rnn_step_backward",
                                  forward_name="rnn_step_forward", reference=None, anchor=anchor,
                                  outputs_of=lambda r: [r[0]])
    except CheckFailed as exc:
        return str(exc)
    return None


def test_the_forward_probed_must_answer_the_base_point_as_the_one_judged(L):
    """A linear forward's exact gradient is credited only while that linear forward is the one
    judged (anchor): the same probes fail when the earlier worker answered otherwise."""
    args, dnext, _ = step_problem()

    def linear(x, prev_h, Wx, Wh, b):
        return x @ Wx + prev_h @ Wh + b, None
    da = dnext
    x, prev_h, Wx, Wh, _ = args
    grads = [da @ Wx.T, da @ Wh.T, x.T @ da, prev_h.T @ da, da.sum(axis=0)]
    assert _verdict(linear, args, grads, dnext, anchor=[linear(*args)[0]]) is None
    judged = [L.rnn_step_forward(*args)[0] * 1.5]           # what the earlier worker said
    message = _verdict(linear, args, grads, dnext, anchor=judged)
    assert message and "answered the same inputs differently" in message


STUDENT_IMPORT_FINGERPRINT = '''
def _ck_import_stack():
    import sys
    names, frame = [], sys._getframe(1)
    while frame is not None:
        names.append(frame.f_code.co_name)
        frame = frame.f_back
    return names


_CK_HOW = _ck_import_stack()


def ck_how_imported():
    return list(_CK_HOW)
'''


def test_a_fresh_worker_imports_the_students_modules_as_the_first_one(course, tmp_path):
    from coursekit.judge.codedir import build_code_dir
    from coursekit.judge.session import Session
    from coursekit.reference import reference, submodule
    sub = make_submission(tmp_path / "sub", course, appending({"rnn_layers.py": STUDENT_IMPORT_FINGERPRINT}))
    code = tmp_path / "code"
    build_code_dir(sub, code, course)
    session = Session(code, ref_layers=submodule(reference(course), "rnn_layers"),
                      student_files=course.student_files, sandbox=course.sandbox_spec())
    try:
        first = session.plain.call("cs231n.rnn_layers:ck_how_imported", what="x")
        with session.fresh() as fresh:
            again = fresh.call("cs231n.rnn_layers:ck_how_imported", what="x")
    finally:
        session.close()
    assert first == again and "import_module" in first

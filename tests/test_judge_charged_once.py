"""Every bug charged once, where it lives (judge-side rules, no sandbox):

- a correct backward whose forward has a known mistake (no bias, no tanh, a sigmoid) is
  judged at the point that forward computed (coursekit.judge.atpoint), and a wrong backward
  of such a forward is not;
- a correct backward whose forward overwrites an input its cache holds (prev_h) is judged on
  that cache with the input put back, and a wrong one is not (atpoint.credited_on_restored_cache);
- the step tests' trained-range inputs (coursekit.judge.training.ranges) reach the
  pre-activations where a tanh or sigmoid written with np.exp overflows in float32, and the
  overflow is named only when an exp-written form predicts exactly the NaN entries seen
  (coursekit.judge.overflow);
- a whole-model check's blocks are put back with the blocks that call them
  (coursekit.judge.blocks)."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from coursekit.judge.seed import course_seed
from coursekit.judge.atpoint import credited_at_mistake, credited_on_restored_cache, expected_at_mistake
from coursekit.judge.blocks import SAMPLING, TRAINING
from coursekit.judge.checks import CheckFailed
from coursekit.judge.context import JudgeContext
from coursekit.judge.hints import HINTS
from coursekit.judge.overflow import check_finite
from coursekit.judge.training.ranges import ROWS, preactivation, trained_step_inputs
from coursekit.reference import reference

GRADS = ["dx", "dprev_h", "dWx", "dWh", "db"]
LSTM_GRADS = ["dx", "dprev_h", "dprev_c", "dWx", "dWh", "db"]
FLOAT32_EXP_OVERFLOW = float(np.log(np.finfo(np.float32).max))   # ~88.7: np.exp(a) is inf above


@pytest.fixture(scope="module")
def judge(course):
    return JudgeContext(session=SimpleNamespace(plain=None), ref=reference(course), config=course,
                        base_seed=course_seed(course), missing_files=[])


def step_problem(seed=3, N=4, D=5, H=6):
    rng = np.random.default_rng(seed)
    args = [rng.standard_normal(s) * sc for s, sc in
            (((N, D), 1.0), ((N, H), 0.7), ((D, H), 0.5), ((H, H), 0.5), ((H,), 0.3))]
    return args, rng.standard_normal((N, H))


# The students' mistaken forwards, written out (not derived from atpoint's predictions): each
# returns (next_h, cache) with the reference's cache layout, as the corpus bugs do.
def forward_without_bias(x, prev_h, Wx, Wh, b):
    next_h = np.tanh(x @ Wx + prev_h @ Wh)
    return next_h, (x, prev_h, Wx, Wh, next_h)


def forward_without_tanh(x, prev_h, Wx, Wh, b):
    next_h = x @ Wx + prev_h @ Wh + b
    return next_h, (x, prev_h, Wx, Wh, next_h)


def forward_with_sigmoid(x, prev_h, Wx, Wh, b):
    next_h = 1 / (1 + np.exp(-(x @ Wx + prev_h @ Wh + b)))
    return next_h, (x, prev_h, Wx, Wh, next_h)


def backward_without_tanh_derivative(dnext_h, cache):
    x, prev_h, Wx, Wh, _ = cache
    return dnext_h @ Wx.T, dnext_h @ Wh.T, x.T @ dnext_h, prev_h.T @ dnext_h, dnext_h.sum(axis=0)


def verdict(L, forward, backward, args, dnext):
    """(credited, notes) of credited_at_mistake for the student's pair (forward, backward)."""
    notes = []
    out, cache = forward(*args)
    grads = backward(dnext, cache)
    judge = SimpleNamespace(layers=L, note=notes.append)
    return credited_at_mistake(judge, "rnn_step_forward", args, [out], [dnext], grads, GRADS), notes


@pytest.mark.parametrize("forward, key", [(forward_without_bias, "no_bias"),
                                          (forward_without_tanh, "no_tanh"),
                                          (forward_with_sigmoid, "sigmoid_not_tanh")])
def test_a_correct_backward_of_a_mistaken_forward_is_credited(L, forward, key):
    args, dnext = step_problem()
    credited, notes = verdict(L, forward, L.rnn_step_backward, args, dnext)
    assert credited and len(notes) == 1
    assert "rnn_step_forward" in notes[0] and "costs points at rnn_step_forward only" in notes[0]
    assert expected_at_mistake(L, "rnn_step_forward", args, [forward(*args)[0]], [dnext])[0] == key


@pytest.mark.parametrize("forward", [forward_without_bias, forward_without_tanh])
def test_a_wrong_backward_of_a_mistaken_forward_is_not_credited(L, forward):
    args, dnext = step_problem()
    assert verdict(L, forward, backward_without_tanh_derivative, args, dnext) == (False, [])


def test_a_forward_that_is_no_known_mistake_gets_no_point(L):
    args, dnext = step_problem()

    def shifted(*a):
        next_h, cache = L.rnn_step_forward(*a)
        return next_h + 0.01, cache
    assert expected_at_mistake(L, "rnn_step_forward", args, [shifted(*args)[0]], [dnext]) is None
    assert verdict(L, shifted, L.rnn_step_backward, args, dnext) == (False, [])


def test_lstm_backward_of_a_forward_without_bias_is_credited(L):
    rng = np.random.default_rng(8)
    N, D, H = 3, 4, 5
    args = [rng.standard_normal(s) * 0.6 for s in ((N, D), (N, H), (N, H), (D, 4 * H), (H, 4 * H), (4 * H,))]
    dnext = [rng.standard_normal((N, H)) for _ in range(2)]
    next_h, next_c, cache = L.lstm_step_forward(*args[:-1], np.zeros(4 * H))   # the student's: b left out
    grads = L.lstm_step_backward(*dnext, cache)
    notes = []
    judge = SimpleNamespace(layers=L, note=notes.append)
    assert credited_at_mistake(judge, "lstm_step_forward", args, [next_h, next_c], dnext, grads, LSTM_GRADS)
    wrong = list(grads)
    wrong[2] = wrong[2] * 0.5                     # a dprev_c that is not the reference's
    assert not credited_at_mistake(judge, "lstm_step_forward", args, [next_h, next_c], dnext, wrong, LSTM_GRADS)


def forward_with_Wh_transposed(x, prev_h, Wx, Wh, b):
    next_h = np.tanh(x @ Wx + prev_h @ Wh.T + b)
    return next_h, (x, prev_h, Wx, Wh, next_h)


def test_a_correct_backward_of_a_forward_with_Wh_transposed_is_credited(L):
    args, dnext = step_problem(H=5)
    credited, notes = verdict(L, forward_with_Wh_transposed, L.rnn_step_backward, args, dnext)
    assert credited and "Wh.T" in notes[0]


def forward_overwriting_prev_h(x, prev_h, Wx, Wh, b):
    """Right next_h, then the caller's prev_h (held by the cache) overwritten in place."""
    a = x @ Wx + prev_h @ Wh + b
    next_h = np.tanh(a)
    cache = (x, prev_h, Wx, Wh, next_h)
    prev_h[...] = a
    return next_h, cache


class InProcessRunner:
    """Answers calls as the worker would, with judge-side 'student' functions: the arguments
    are copies (they cross the boundary), the sandbox helper call_with_inputs is the real
    one's behaviour, or a lie (`reported`: the inputs it claims after the call)."""
    substituted = False

    def __init__(self, functions, reported=None):
        self.functions, self.reported = functions, reported

    def call(self, target, *args, what):
        import copy
        args = copy.deepcopy(args)
        name = target.partition(":")[2]
        if name == "call_with_inputs":
            _, forward, inputs = args
            result = self.functions[forward](*inputs)
            return [result, self.reported if self.reported is not None else inputs]
        return self.functions[name](*args)


def restored_verdict(L, forward, backward, args, dnext, reported=None):
    notes = []
    judge = SimpleNamespace(layers=L, note=notes.append)
    runner = InProcessRunner({"rnn_step_forward": forward, "rnn_step_backward": backward}, reported)
    expected = L.rnn_step_backward(dnext, L.rnn_step_forward(*args)[1])
    return credited_on_restored_cache(judge, runner, "rnn_step_forward", args, [dnext], expected, GRADS), notes


def test_a_correct_backward_of_a_forward_overwriting_prev_h_is_credited(L):
    args, dnext = step_problem()
    out, cache = forward_overwriting_prev_h(*[a.copy() for a in args])
    assert np.allclose(out, L.rnn_step_forward(*args)[0])         # the forward's output is right
    plain = L.rnn_step_backward(dnext, cache)                    # but its cache is overwritten:
    assert not np.allclose(plain[3], L.rnn_step_backward(dnext, L.rnn_step_forward(*args)[1])[3])  # dWh wrong
    credited, notes = restored_verdict(L, forward_overwriting_prev_h, L.rnn_step_backward, args, dnext)
    assert credited and len(notes) == 1
    assert "overwrites prev_h" in notes[0] and "costs points at rnn_step_forward only" in notes[0]


def test_a_wrong_backward_of_a_forward_overwriting_prev_h_is_not_credited(L):
    args, dnext = step_problem()
    assert restored_verdict(L, forward_overwriting_prev_h, backward_without_tanh_derivative,
                            args, dnext) == (False, [])


def test_a_lying_report_of_changed_inputs_buys_nothing(L):
    """The worker's report only picks arrays of the student's own cache to replace by the
    judge's inputs: a report of arrays the cache does not hold, or a wrong backward, earns nothing."""
    args, dnext = step_problem()
    lie = [a + 1.0 for a in args]
    assert restored_verdict(L, L.rnn_step_forward, backward_without_tanh_derivative, args, dnext,
                            reported=lie) == (False, [])
    assert restored_verdict(L, forward_overwriting_prev_h, backward_without_tanh_derivative, args, dnext,
                            reported=lie) == (False, [])


def sequence_problem(seed=4, N=3, T=4, D=5, H=6):
    rng = np.random.default_rng(seed)
    args = [rng.standard_normal(s) * sc for s, sc in
            (((N, T, D), 1.0), ((N, H), 0.7), ((D, H), 0.5), ((H, H), 0.5), ((H,), 0.3))]
    return args, rng.standard_normal((N, T, H))


def rnn_forward_with(L, x, h0, Wx, Wh, b, *, first, chain=True):
    """The students' rnn_forward mistakes, written out, with the reference's cache layout."""
    prev, hs, caches = first, [], []
    for t in range(x.shape[1]):
        nh, cache = L.rnn_step_forward(x[:, t], prev if chain else h0, Wx, Wh, b)
        hs.append(nh)
        caches.append(cache)
        prev = nh
    return np.stack(hs, axis=1), (x.shape, caches)


@pytest.mark.parametrize("key", ["h0_ignored", "no_chain_forward", "h0_tanh"])
def test_rnn_backward_of_a_mistaken_rnn_forward_is_credited(L, key):
    args, dh = sequence_problem()
    x, h0 = args[0], args[1]
    first = {"h0_ignored": np.zeros_like(h0), "h0_tanh": np.tanh(h0), "no_chain_forward": h0}[key]
    h, cache = rnn_forward_with(L, *args, first=first, chain=key != "no_chain_forward")
    notes = []
    judge = SimpleNamespace(layers=L, note=notes.append)
    grads = L.rnn_backward(dh, cache)
    assert expected_at_mistake(L, "rnn_forward", args, [h], [dh])[0] == key
    assert credited_at_mistake(judge, "rnn_forward", args, [h], [dh], grads, GRADS)
    wrong = list(grads)
    wrong[2] = wrong[2] * 1.5                                    # dWx off by half
    assert not credited_at_mistake(judge, "rnn_forward", args, [h], [dh], wrong, GRADS)


def test_lstm_backward_of_a_forward_with_gates_swapped_is_credited(L):
    """i and f read from each other's columns; the backward is the reference's code."""
    rng = np.random.default_rng(9)
    N, D, H = 3, 4, 5
    args = [rng.standard_normal(s) * 0.6 for s in ((N, D), (N, H), (N, H), (D, 4 * H), (H, 4 * H), (4 * H,))]
    dnext = [rng.standard_normal((N, H)) for _ in range(2)]
    x, prev_h, prev_c, Wx, Wh, b = args
    a = x @ Wx + prev_h @ Wh + b
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    i, f, o, g = sig(a[:, H:2 * H]), sig(a[:, :H]), sig(a[:, 2 * H:3 * H]), np.tanh(a[:, 3 * H:])
    next_c = f * prev_c + i * g
    next_h = o * np.tanh(next_c)
    grads = L.lstm_step_backward(*dnext, (x, prev_h, prev_c, Wx, Wh, i, f, o, g, np.tanh(next_c)))
    judge = SimpleNamespace(layers=L, note=[].append)
    assert credited_at_mistake(judge, "lstm_step_forward", args, [next_h, next_c], dnext, grads, LSTM_GRADS)


# ----------------------------------------------------------------------------- trained range
@pytest.mark.parametrize("cell", ["rnn", "lstm"])
def test_trained_inputs_reach_the_float32_overflow_of_exp(judge, cell):
    args = trained_step_inputs(judge, cell)
    assert all(a.dtype == np.float32 for a in args) and args[0].shape[0] == ROWS
    pre = preactivation(args)
    assert pre.max() > FLOAT32_EXP_OVERFLOW and pre.min() < -FLOAT32_EXP_OVERFLOW
    again = trained_step_inputs(judge, cell)
    assert all(np.array_equal(a, b) for a, b in zip(args, again))


def exp_tanh(a):
    with np.errstate(all="ignore"):
        return (np.exp(a) - np.exp(-a)) / (np.exp(a) + np.exp(-a))


def test_an_exp_written_tanh_is_named_on_trained_inputs(judge, L):
    args = trained_step_inputs(judge, "rnn")
    expected, _ = L.rnn_step_forward(*args)
    check_finite("rnn", args, [np.tanh(preactivation(args))], [expected], ["next_h"])   # no NaN: passes
    with pytest.raises(CheckFailed) as failed:
        check_finite("rnn", args, [exp_tanh(preactivation(args))], [expected], ["next_h"])
    message = str(failed.value)
    assert "next_h is NaN or infinite for pre-activations around" in message
    assert "(the range a trained model reaches)" in message and HINTS["tanh_exp_overflow"] in message


def test_nan_that_no_exp_form_predicts_gets_no_hint(judge, L):
    args = trained_step_inputs(judge, "rnn")
    expected, _ = L.rnn_step_forward(*args)
    out = np.tanh(preactivation(args))
    out[0, 0] = np.nan
    with pytest.raises(CheckFailed) as failed:
        check_finite("rnn", args, [out], [expected], ["next_h"])
    assert "NaN or infinite" in str(failed.value) and "Hint" not in str(failed.value)


def test_an_exp_written_sigmoid_in_the_lstm_is_named(judge, L):
    args = trained_step_inputs(judge, "lstm")
    exp_h, exp_c, _ = L.lstm_step_forward(*args)
    x, prev_h, prev_c, Wx, Wh, b = args
    H = prev_h.shape[1]
    a = preactivation(args)
    with np.errstate(all="ignore"):
        i, f, o = (np.exp(a[:, k * H:(k + 1) * H]) / (1 + np.exp(a[:, k * H:(k + 1) * H])) for k in range(3))
        c = f * prev_c + i * np.tanh(a[:, 3 * H:])
        h = o * np.tanh(c)
    with pytest.raises(CheckFailed) as failed:
        check_finite("lstm", args, [h, c], [exp_h, exp_c], ["next_h", "next_c"])
    assert HINTS["sigmoid_exp_overflow"] in str(failed.value)


# ----------------------------------------------------------------------------- blocks
def test_a_step_is_put_back_inside_the_students_sequence_layer():
    rnn = TRAINING["rnn"]
    assert set(rnn.everything().names) == set(rnn.names)
    kept = set(rnn.put_back(["rnn_step_forward"]).names)
    assert kept == {"word_embedding_forward", "word_embedding_backward", "rnn_step_backward"}
    assert set(rnn.put_back(("rnn_forward", "rnn_backward")).names) == \
        {"word_embedding_forward", "word_embedding_backward", "rnn_step_forward", "rnn_step_backward"}
    assert set(SAMPLING["lstm"].put_back(["lstm_step_forward"]).names) == {"word_embedding_forward"}


# ----------------------------------------------------------------------------- culprits
class FakeRunner:
    """A runner lending `names` (None: the student's code alone)."""

    def __init__(self, names=None):
        self.names = set(names or ())

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def fake_judge():
    from coursekit.judge.plugin import Outcome  # noqa: F401  (the outcomes resolve() adds)
    session = SimpleNamespace(granted=lambda grant: FakeRunner(grant.names))
    return SimpleNamespace(plain=FakeRunner(), session=session, shared={}, notes={}, current="overfit-node",
                           record=lambda *a: None, granted={})


def outcome(item, passed):
    from coursekit.judge.plugin import Outcome
    return Outcome(item, f"{item}-node", f"{item} check", passed, "" if passed else "wrong")


def trains_unless_students(name):
    """A training that diverges whenever the student's `name` runs (everything else is fine)."""
    def check(runner):
        if name not in runner.names:
            raise CheckFailed("grads['W_embed'] contains NaN or infinite values.")
    return check


def test_a_culprit_that_passes_its_own_checks_gets_one_failing_check_there():
    from coursekit.judge.culprits import either_model, resolve
    judge = fake_judge()
    either_model(judge, trains_unless_students("rnn_step_forward"), TRAINING["rnn"])   # keeps its points
    outcomes = [outcome("rnn_step_forward", True), outcome("rnn_step_backward", True), outcome("overfit", True)]
    resolve(outcomes, judge)
    added = [o for o in outcomes if o.nodeid == "culprit:rnn_step_forward"]
    assert len(added) == 1 and not added[0].passed and added[0].item == "rnn_step_forward"
    assert "NaN" in added[0].message
    assert [o.item for o in outcomes if not o.passed] == ["rnn_step_forward"]     # nothing else charged
    note, = judge.notes["overfit-node"]
    assert "keeps its points" in note and "rnn_step_forward put back" in note


def test_a_culprit_failing_its_own_checks_is_named_and_not_charged_again():
    from coursekit.judge.culprits import either_model, resolve
    judge = fake_judge()
    either_model(judge, trains_unless_students("rnn_step_forward"), TRAINING["rnn"])
    outcomes = [outcome("rnn_step_forward", False), outcome("overfit", True)]
    resolve(outcomes, judge)
    assert len(outcomes) == 2
    note, = judge.notes["overfit-node"]
    assert ("With your rnn_step_forward put back it fails again; rnn_step_forward loses points in its "
            "own tests, not here: fix it first." in note)
    assert judge.granted["overfit-node"].given == "layers"   # its title says so (plugin)


def test_wrong_model_code_keeps_the_plain_failure():
    from coursekit.judge.culprits import either_model

    def never_trains(runner):
        raise CheckFailed("after training, the loss on the 50 training captions is 2.100")
    judge = fake_judge()
    with pytest.raises(CheckFailed, match="2.100"):
        either_model(judge, never_trains, TRAINING["rnn"])
    assert not judge.shared.get("culprit_searches")

"""Judge code validates before it touches (issue 19, point 4): a property-based fuzz test.

The real hidden suite and the real judge code run against a stand-in worker
(tests/judge_fake.py) whose student is the reference, except for ONE graded function or
method: every call of it returns, instead of its honest result, a value hypothesis draws --
wrong types, shapes and dtypes, NaN / inf / huge numbers, big integers, strings, nested
containers, missing or extra tuple items and dict keys, array subclasses and object arrays
(which cross the wire as handles), and near misses. The values cross the real wire format,
so they are exactly what a worker can send. Asserted, for every example:

- no check raises anything but CheckFailed (the hidden suite's plugin records anything else
  as an internal grader error, "course staff will review them");
- every check of an item whose functions the student did not touch still passes (nothing the
  tampered function returns leaks into other items' verdicts);
- in the "wrong" mode (every graded output of the function made structurally or numerically
  wrong), every check of the items that grade that function fails: 0 for what is wrong.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import judge_fake as F
from coursekit.judge.seed import course_seed
from coursekit.judge.context import JudgeContext
from coursekit.judge.items import ITEMS
from coursekit.judge.training import reference_run
from coursekit.reference import reference

DTYPES = [np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint32, np.uint64,
          np.float16, np.float32, np.float64, np.longdouble]
FLOAT_EDGES = [float("nan"), float("inf"), -float("inf"), 1e308, -1e308, 5e-324, 0.0, -0.0]
TRAINING = ("overfit", "lstm_overfit")
EXAMPLES = {"fast": 20, "training": 6}      # examples per function (training items are slow)
# No shrinking: a failure prints the drawn values as they were (shrinking a whole suite run
# takes minutes); derandomized, so every run draws the same examples.
PHASES = (Phase.explicit, Phase.generate)


class LyingArray(np.ndarray):
    """An array subclass claiming to equal anything (it crosses the wire as a handle)."""

    def __eq__(self, other):
        return True

    def __bool__(self):
        return True


# ----------------------------------------------------------------------------- strategies
def scalars():
    return st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70),
                     st.integers(-10**400, 10**400), st.floats(allow_nan=True, allow_infinity=True),
                     st.sampled_from(FLOAT_EDGES), st.text(max_size=12),
                     st.sampled_from(DTYPES).map(lambda d: np.ones((), d)[()]))


def _arrays(dtype, shape):
    """hypothesis arrays of any of DTYPES (long doubles drawn as float64, then converted)."""
    if dtype is np.longdouble:
        return hnp.arrays(np.float64, shape).map(lambda a: a.astype(np.longdouble))
    return hnp.arrays(dtype, shape)


def arrays():
    shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)
    return st.sampled_from(DTYPES).flatmap(lambda d: _arrays(d, shapes))


def odd_objects():
    """Values that stay in the worker and reach the judge as handles."""
    return st.sampled_from([
        lambda: np.ones((2, 3)).view(LyingArray), lambda: np.ma.masked_array(np.ones(3)),
        lambda: np.matrix(np.ones((2, 2))), lambda: np.array([1, "a"], dtype=object),
        lambda: np.ones(3, dtype=np.complex128), lambda: object(), lambda: {1: "int key"},
        lambda: (lambda: 0)]).map(lambda make: make())


def junk():
    leaves = st.one_of(scalars(), arrays(), odd_objects())
    return st.recursive(leaves, lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.lists(inner, max_size=4).map(tuple),
        st.dictionaries(st.text(max_size=6), inner, max_size=3)), max_leaves=6)


def array_changes(a: np.ndarray):
    """Arrays derived from the honest one: other dtypes, shapes, values, subclasses."""
    def inject(value):
        def f(x):
            x = np.array(x, dtype=np.float64 if x.dtype.kind not in "f" else x.dtype)
            if x.size:
                x.flat[x.size // 2] = value
            return x
        return f
    changes = [lambda x, d=d: x.astype(d) for d in DTYPES]
    changes += [inject(v) for v in FLOAT_EDGES[:4]]
    changes += [lambda x: x.reshape(-1), lambda x: x[None], lambda x: x.T, lambda x: x[:-1],
                lambda x: x[..., :0], lambda x: x.tolist(), lambda x: x.view(LyingArray),
                lambda x: np.ma.masked_array(x), lambda x: x * (1 + 3e-4), lambda x: x * 1.5 + 1,
                lambda x: x.flat[0] if x.size else x, lambda x: np.full_like(x, 1e300, dtype=float)]
    same_shape = st.sampled_from(DTYPES).flatmap(lambda d: _arrays(d, a.shape))
    return st.one_of(st.sampled_from(changes).map(lambda f: f(a)), same_shape)


def changed(value, depth=0):
    """A strategy of values derived from `value` (anything may change, anywhere in it)."""
    options = [junk()]
    if isinstance(value, np.ndarray):
        options.append(array_changes(value))
    if isinstance(value, (tuple, list)) and value and depth < 3:     # some items changed
        items = st.tuples(*[st.one_of(st.just(v), changed(v, depth + 1)) for v in value])
        options += [items.map(type(value)), st.just(value[:-1]),
                    st.just(type(value)([*value, None])), st.just(list(value))]
    if isinstance(value, dict) and value and depth < 3:
        keys = sorted(value)
        options += [st.fixed_dictionaries({k: st.one_of(st.just(v), changed(v, depth + 1))
                                           for k, v in value.items()}),
                    st.sampled_from(keys).map(lambda k: {q: v for q, v in value.items() if q != k})]
    if isinstance(value, (float, np.floating)):
        options.append(st.sampled_from(FLOAT_EDGES))
    return st.one_of(options)


# "wrong" mode: what each graded function's graded outputs become (always wrong).
def wrong_array(a: np.ndarray):
    non_arrays = st.one_of(scalars(), odd_objects(), st.just(a.tolist()))
    structural = st.sampled_from([lambda x: x.reshape(-1)[:-1], lambda x: x[None],
                                  lambda x: x.astype(np.bool_), lambda x: x.view(LyingArray),
                                  lambda x: np.where(np.ones(x.shape, bool), np.nan, 0.0)])
    return st.one_of(non_arrays, structural.map(lambda f: f(a)))


def wrong_number():
    return st.one_of(st.none(), st.text(max_size=5), st.sampled_from([float("nan"), float("inf")]),
                     odd_objects(), arrays().filter(lambda x: x.size != 1))


def wrong(name: str, value):
    """Every graded part of `name`'s result made wrong (caches and the like left alone)."""
    if name == "CaptioningRNN.__init__":
        return junk()
    if name == "CaptioningRNN.loss":
        grads = st.fixed_dictionaries({k: wrong_array(v) for k, v in value[1].items()})
        return st.tuples(wrong_number(), st.one_of(grads, junk().filter(lambda g: not isinstance(g, dict))))
    if isinstance(value, np.ndarray):
        return wrong_array(value) if name != "CaptioningRNN.sample" else \
            st.one_of(wrong_array(value), st.just(value.astype(np.float64)), st.just(value + 10**6))
    n_graded = 2 if name == "lstm_step_forward" else (1 if name.endswith("_forward") else len(value))
    parts = [wrong_array(v) for v in value[:n_graded]] + [st.just(v) for v in value[n_graded:]]
    return st.one_of(st.tuples(*parts), st.just(value[:-1]), junk())


# ----------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def suite(course):
    """Every hidden check, which graded functions each one calls (an honest run records
    them), and the reference's trainings (cached once for every example)."""
    checks = F.hidden_checks(course)
    calls = {}
    for check in checks:
        student = F.honest_student(course)
        outcome, = F.run_checks(course, student, [check])
        assert outcome.passed, f"the honest stand-in fails {check.nodeid}: {outcome.internal_error}"
        calls[check.nodeid] = frozenset(student.called)
    judge = JudgeContext(session=F.FakeSession(F.honest_student(course), course),
                         ref=reference(course), config=course, base_seed=course_seed(course), missing_files=[])
    for cell in ("rnn", "lstm"):
        reference_run(judge, cell)
    shared = {k: v for k, v in judge.shared.items() if k.startswith(("reference:", "small_data"))}
    return {"checks": checks, "calls": calls, "shared": shared}


def owned_items(name: str) -> set[str]:
    """The items that grade `name` (for __init__: every item that builds a model)."""
    if name == "CaptioningRNN.__init__":
        return {i for i, (fn, _) in ITEMS.items() if fn.startswith("CaptioningRNN.")}
    return {i for i, (fn, _) in ITEMS.items() if fn == name}


def fuzz(course, suite, name, data):
    mode = data.draw(st.sampled_from(["any", "wrong"]), label="mode")
    trains = name in ("CaptioningRNN.loss", "CaptioningRNN.__init__")
    checks = [c for c in suite["checks"] if trains or c.item not in TRAINING]

    def tamper(fn_name, honest):
        strategy = changed(honest) if mode == "any" else wrong(fn_name, honest)
        return data.draw(strategy, label=fn_name)
    student = F.honest_student(course, tampered=frozenset({name}), tamper=tamper)
    outcomes = F.run_checks(course, student, checks, shared=suite["shared"])
    internal = [f"{o.check.nodeid}: {o.internal_error}" for o in outcomes if o.internal_error]
    assert not internal, "internal grader errors:\n" + "\n".join(internal)
    untouched = [o.check.nodeid for o in outcomes
                 if name not in suite["calls"][o.check.nodeid] and not o.passed]
    assert not untouched, f"checks that never call {name} failed: {untouched}"
    if mode == "wrong":
        owned = owned_items(name)
        passed = [o.check.nodeid for o in outcomes if o.check.item in owned and o.passed]
        assert not passed, f"checks passed on a wrong {name}: {passed}"


def _settings(name):
    slow = name in ("CaptioningRNN.loss", "CaptioningRNN.__init__")
    return settings(max_examples=EXAMPLES["training" if slow else "fast"], deadline=None,
                    derandomize=True, database=None, phases=PHASES,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


@pytest.mark.slow      # about 2.5 minutes for every function
@pytest.mark.parametrize("name", F.GRADED)
def test_values_from_the_worker_are_validated_before_use(course, suite, name):
    @_settings(name)
    @given(data=st.data())
    def prop(data):
        fuzz(course, suite, name, data)
    prop()


def test_the_fuzzed_functions_are_every_graded_function(course):
    """Every function or method an item grades is fuzzed (a new item cannot be forgotten)."""
    graded = {ITEMS[i][0] for i in course.points.items}
    assert graded <= set(F.GRADED), sorted(graded - set(F.GRADED))


@pytest.mark.parametrize("grads", [np.zeros(3), np.zeros((2, 2)), [np.zeros(2)], 10**400])
def test_a_stub_loss_of_zero_and_an_array_fails_its_checks(course, suite, grads):
    """The stub of issue 19: `return 0.0, <an ndarray>` was an internal grader error on all 10
    loss checks (a truth test of an array); it is a failed check, as every wrong value is."""
    student = F.honest_student(course, tampered=frozenset({"CaptioningRNN.loss"}),
                               tamper=lambda name, honest: (0.0, grads))
    checks = [c for c in suite["checks"] if c.item in owned_items("CaptioningRNN.loss")]
    outcomes = F.run_checks(course, student, checks, shared=suite["shared"])
    assert [o.internal_error for o in outcomes if o.internal_error] == []
    assert outcomes and not [o.check.nodeid for o in outcomes if o.passed]

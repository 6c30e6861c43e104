"""Judge callbacks are bounded: only float arrays (within a size cap), numbers, None and this
worker's handles reach the judge function; their time counts against the call; each has its
own deadline. Runs at every isolation level available here."""
import time

import numpy as np
import pytest

from coursekit.sandbox import Callback, StudentError, WorkerTimeout
from test_sandbox_worker import LEVELS, make_code, start

MAX_ELEMENTS = 1000
CALL_SECONDS = 3
SLOW_SECONDS = 0.5
STUDENT = '''
import numpy as np

def through(*args, **kwargs):
    return ref(*args, **kwargs)

def flood(n):
    for _ in range(n):
        ref(np.ones(3))
    return n

def keep_pair(x):
    out, cache = ref_forward(x)
    return ref_backward(out, cache)
'''


class Cache:            # judge-side, never enters the sandbox
    def __init__(self, x):
        self.x = x


def slow(x):
    time.sleep(SLOW_SECONDS)
    return x


def shapes_like_a_vector(x):
    if np.ndim(x) != 1:
        raise ValueError(f"x must be a vector, not shape {np.shape(x)}")


CALLBACKS = {"echo": lambda *a, **k: len(a) + len(k), "slow": slow,
             "late": Callback(slow, seconds=SLOW_SECONDS / 5),
             "vector": Callback(lambda x: x, check_args=shapes_like_a_vector),
             "ints": Callback(lambda x: x, dtypes=("int64",)),
             "ref_forward": lambda x: (x * 2, Cache(x)), "ref_backward": lambda out, c: c.x}


@pytest.fixture(params=LEVELS)
def worker(request, tmp_path):
    w = start(make_code(tmp_path, STUDENT), request.param, callbacks=CALLBACKS,
              limits={"call_seconds": CALL_SECONDS, "wall_seconds": 120,
                      "callback_max_elements": MAX_ELEMENTS})
    yield w
    w.close()


def through(worker, name, *args, **kwargs):
    worker.substitute("student", "ref", name)
    return worker.call("student:through", *args, **kwargs)


@pytest.mark.parametrize("args", [(np.ones(4),), (np.ones(3, np.float32), 2.5, 7, None, True),
                                  ((np.ones(2), [np.zeros(1), 1.0]),)])
def test_float_arrays_numbers_and_sequences_of_them_are_accepted(worker, args):
    assert through(worker, "echo", *args) == len(args)


@pytest.mark.parametrize("value, reason", [
    (np.ones(4, np.int8), "int8 array"), (np.ones(4, bool), "bool array"),
    (np.ones(MAX_ELEMENTS + 1), f"{MAX_ELEMENTS + 1} elements"),
    ("text", "is a str"), ({"a": 1.0}, "is a dict"), (10 ** 12, "integer too large"),
    ([[[[[1.0]]]]], "nested deeper")])
def test_anything_else_is_refused_in_the_worker_with_the_reason(worker, value, reason):
    with pytest.raises(StudentError, match="CallbackError") as info:
        through(worker, "echo", np.ones(2), value)
    assert "'echo' refused its arguments" in info.value.message
    assert reason in info.value.message
    assert worker.ping()        # refused, not killed


def test_a_refused_keyword_argument_is_named(worker):
    with pytest.raises(StudentError, match="argument 'mask' is a int8 array"):
        through(worker, "echo", np.ones(2), mask=np.ones(2, np.int8))


def test_a_callback_can_accept_other_dtypes_and_check_shapes(worker):
    assert through(worker, "ints", np.arange(3)).tolist() == [0, 1, 2]
    with pytest.raises(StudentError, match="float64 array"):
        through(worker, "ints", np.ones(3))
    assert through(worker, "vector", np.ones(3)).shape == (3,)
    with pytest.raises(StudentError, match=r"x must be a vector, not shape \(2, 2\)"):
        through(worker, "vector", np.ones((2, 2)))


def test_judge_objects_issued_to_this_worker_come_back(worker):
    worker.substitute("student", "ref_forward", "ref_forward")
    worker.substitute("student", "ref_backward", "ref_backward")
    assert worker.call("student:keep_pair", np.ones(2)).tolist() == [1.0, 1.0]


@pytest.mark.slow
def test_callback_time_counts_against_the_call(worker):
    calls = int(CALL_SECONDS / SLOW_SECONDS) + 2        # more than the call's time in callbacks
    worker.substitute("student", "ref", "slow")
    with pytest.raises(WorkerTimeout, match=f"killed after {CALL_SECONDS:g} s"):
        worker.call("student:flood", calls)
    assert not worker.alive


def test_a_callback_past_its_own_deadline_kills_the_worker(worker):
    with pytest.raises(WorkerTimeout, match="judge function 'late'.*did not finish within"):
        through(worker, "late", np.ones(2))
    assert not worker.alive


@pytest.mark.slow
def test_a_flood_of_small_callbacks_is_bounded_by_the_call_limit(worker):
    worker.substitute("student", "ref", "echo")
    began = time.monotonic()
    with pytest.raises(WorkerTimeout):
        worker.call("student:flood", 10 ** 9)
    assert time.monotonic() - began < CALL_SECONDS + 30     # it did stop (loose bound)


# ----------------------------------------------------------------------------- issue 19, point 2
SPIN_SECONDS = 0.3


def spin(seconds):
    """Judge CPU for `seconds` (a callback asking for work)."""
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass
    return seconds


def _alive(pid) -> bool:
    import os
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as fh:
        return fh.read().rsplit(")", 1)[1].split()[0] != "Z"


def test_a_late_callback_is_stopped_not_abandoned(tmp_path):
    """The callback runs in a process of its own, killed at its deadline: nothing of it goes
    on in the judge after the worker gave up (it used to be an abandoned thread)."""
    w = start(make_code(tmp_path, STUDENT), LEVELS[0],
              callbacks={"spin": Callback(spin, seconds=SPIN_SECONDS)},
              limits={"call_seconds": CALL_SECONDS, "wall_seconds": 60})
    try:
        with pytest.raises(WorkerTimeout, match="'spin'.*did not finish"):
            through(w, "spin", 30.0)
        pid = w.callback_process.pid
        assert pid is None or not _alive(pid)
        assert 0 < w.callback_cpu < SPIN_SECONDS + 0.5          # its CPU was counted (machine load)
    finally:
        w.close()


def test_the_judge_cpu_of_callbacks_is_accounted_and_capped(tmp_path):
    from coursekit.sandbox import CallbackBudgetExceeded
    w = start(make_code(tmp_path, STUDENT), LEVELS[0], callbacks={"spin": spin},
              limits={"call_seconds": CALL_SECONDS, "wall_seconds": 60,
                      "callback_cpu_seconds": 2.5 * SPIN_SECONDS})
    try:
        assert through(w, "spin", SPIN_SECONDS) == SPIN_SECONDS
        assert through(w, "spin", SPIN_SECONDS) == SPIN_SECONDS
        assert 2 * SPIN_SECONDS - 0.05 < w.callback_cpu < 2.5 * SPIN_SECONDS
        with pytest.raises(CallbackBudgetExceeded, match="judge CPU"):
            through(w, "spin", 10.0)                  # stopped at the budget, not after 10 s of CPU
        assert w.callback_cpu < 2.5 * SPIN_SECONDS + 0.2
        assert not w.alive
    finally:
        w.close()


def test_a_worker_without_callback_budget_runs_no_callback(tmp_path):
    w = start(make_code(tmp_path, STUDENT), LEVELS[0], callbacks={"spin": spin},
              limits={"call_seconds": CALL_SECONDS, "wall_seconds": 60, "callback_cpu_seconds": 1e-9})
    try:
        with pytest.raises(StudentError, match="is used up"):
            through(w, "spin", 0.0)
        assert w.ping()
    finally:
        w.close()

"""The sandbox worker through the public API: values, handles, errors, substitution.

Runs at every isolation level available here (detected at run time)."""
import os
import textwrap
from pathlib import Path

import numpy as np
import pytest

from coursekit.sandbox import (Handle, IsolationUnavailable, StudentError, Worker, WorkerDied,
                               course_hide)

SLOT = 7  # a slot of its own, so that these tests never touch another grader's worker
LEVELS = ["bwrap", "setuid", "setuid-perms", "rlimits"]
HIDE = course_hide(Path(__file__).resolve().parents[1])    # as the judge hides this course

STUDENT = '''
import numpy as np

class Model:
    def __init__(self, n):
        self.params = {"W": np.ones((n, n)), "b": np.zeros(n)}
        self.calls = 0
    def loss(self, x):
        self.calls += 1
        return float((x @ self.params["W"] + self.params["b"]).sum())

def step(x, h, w):
    out = np.tanh(x @ w + h)
    return out, (x, h, w, out)

def step_backward(dout, cache):
    x, h, w, out = cache
    return dout * (1 - out ** 2)

def with_object(x):
    return x * 2, Model(2)

def nested(v):
    return v

def fails(n):
    if n > 0:
        return fails(n - 1)
    raise ValueError("no negative sizes here")

def layer(x):
    return helper(x) + 1

def helper(x):
    raise AssertionError("the student helper must not run")

def literal_identity(cell_type, params):
    # real students' habit: works in the notebook, where both sides are interned literals
    return cell_type is "rnn", sorted(k for k in params if k is "W_embed" or k is "b")

def forward_backward(x):
    out, cache = helper_forward(x)
    kinds = (type(helper_forward).__name__, type(cache).__name__)
    return out, helper_backward(out, cache), kinds
'''


def make_code(tmp_path, source=STUDENT, name="student"):
    code = tmp_path / "code"
    code.mkdir(exist_ok=True)
    (code / f"{name}.py").write_text(textwrap.dedent(source))
    return code


def start(code, level, **kwargs):
    kwargs.setdefault("limits", {"call_seconds": 20, "wall_seconds": 60})
    kwargs.setdefault("hide", HIDE)
    try:
        return Worker.start(code, slot=SLOT, isolation=level, **kwargs)
    except IsolationUnavailable as exc:
        pytest.skip(f"isolation level {level} is not available here: {exc}")


@pytest.fixture(params=LEVELS)
def worker(request, tmp_path):
    w = start(make_code(tmp_path), request.param,
              callbacks={"ref_forward": ref_forward, "ref_backward": ref_backward,
                         "plus_one": lambda x: x + 1})
    yield w
    w.close()


class RefCache:  # a judge-side object that must never enter the sandbox
    def __init__(self, x):
        self.x = x


def ref_forward(x):
    return x * 3, RefCache(x)


def ref_backward(dout, cache):
    assert isinstance(cache, RefCache)
    return dout + cache.x


def test_isolation_is_the_level_asked_for(worker, request):
    assert worker.isolation == request.node.callspec.params["worker"]
    assert worker.ping()


def test_arrays_and_nested_values_round_trip(worker):
    x, h, w = np.ones((2, 3)), np.zeros((2, 4)), np.full((3, 4), 0.1)
    out, cache = worker.call("student:step", x, h, w)
    np.testing.assert_allclose(out, np.tanh(x @ w + h))
    assert isinstance(cache, tuple) and len(cache) == 4
    dx = worker.call("student:step_backward", np.ones_like(out), cache)
    np.testing.assert_allclose(dx, 1 - out ** 2)
    value = {"a": [1, 2.5, "s", None, True], "b": (np.int32(3), np.arange(3, dtype=np.uint8))}
    back = worker.call("student:nested", value)
    assert back["a"] == value["a"] and back["b"][0] == 3 and type(back["b"][0]) is np.int32
    np.testing.assert_array_equal(back["b"][1], value["b"][1])


def test_strings_arrive_interned_as_the_notebooks_literals(worker):
    """`cell_type is "rnn"` is True in the notebook (both are interned literals); the strings
    the judge sends are interned by the worker, so it is True here too (dict keys alike)."""
    same, keys = worker.call("student:literal_identity", "".join(["r", "nn"]),
                             {"W_embed": 1, "b": 2, "Wx": 3})
    assert same is True and keys == ["W_embed", "b"]


def test_unencodable_results_stay_in_the_worker_as_handles(worker):
    doubled, model = worker.call("student:with_object", np.arange(3))
    np.testing.assert_array_equal(doubled, [0, 2, 4])
    assert isinstance(model, Handle) and model.type_name == "Model"
    params = worker.getattr(model, "params")
    np.testing.assert_array_equal(params["W"], np.ones((2, 2)))
    worker.setitem(params_handle := worker.call_handle("student:nested", {"k": 1}), "k", 5)
    assert worker.getitem(params_handle, "k") == 5
    worker.setattr(model, "calls", 10)
    loss = worker.getattr(model, "loss")
    assert isinstance(loss, Handle)
    assert worker.call(loss, np.ones((1, 2))) == pytest.approx(4.0)
    assert worker.getattr(model, "calls") == 11
    worker.release(model)
    with pytest.raises(StudentError, match="unknown or released handle"):
        worker.getattr(model, "calls")


def test_handles_of_another_worker_are_refused(worker, tmp_path):
    _, model = worker.call("student:with_object", np.arange(2))
    other = start(make_code(tmp_path / "o" if (tmp_path / "o").mkdir() is None else None),
                  worker.isolation)
    with other:
        with pytest.raises(ValueError, match="not a handle of this worker"):
            other.getattr(model, "params")


def test_student_exception_carries_type_message_and_traceback(worker):
    with pytest.raises(StudentError) as info:
        worker.call("student:fails", 2)
    err = info.value
    assert err.type_name == "ValueError" and err.message == "no negative sizes here"
    assert "student.py" in err.traceback and "in fails" in err.traceback
    assert "worker.py" not in err.traceback
    assert worker.ping()  # the worker lives on


def test_import_errors_are_student_errors(tmp_path):
    code = make_code(tmp_path, "def broken(:\n")
    with start(code, None) as w:
        with pytest.raises(StudentError) as info:
            w.call("student:broken")
        assert info.value.type_name == "SyntaxError"


def test_substitution_runs_the_reference_in_the_judge(worker):
    worker.substitute("student", "helper", "plus_one")
    np.testing.assert_array_equal(worker.call("student:layer", np.arange(3.0)), [2, 3, 4])


def test_judge_objects_cross_only_as_opaque_proxies(worker):
    worker.substitute("student", "helper_forward", "ref_forward")
    worker.substitute("student", "helper_backward", "ref_backward")
    x = np.arange(3.0)
    out, dx, kinds = worker.call("student:forward_backward", x)
    np.testing.assert_array_equal(out, 3 * x)
    np.testing.assert_array_equal(dx, 4 * x)
    assert kinds == ("JudgeFunction", "JudgeObject")


def test_failing_callback_is_raised_in_student_code(worker):
    worker.substitute("student", "helper_forward", "ref_forward")
    worker.substitute("student", "helper_backward", "ref_backward")
    with pytest.raises(StudentError, match="CallbackError|TypeError"):
        worker.call("student:forward_backward", None)  # None * 3 fails in the judge


def test_unknown_callback_names_are_refused(worker):
    with pytest.raises(ValueError, match="no callback named"):
        worker.substitute("student", "helper", "nope")


def test_bad_targets_are_clear_errors(worker):
    with pytest.raises(ValueError, match="module:qualname"):
        worker.call("student.step")
    with pytest.raises(StudentError, match="ModuleNotFoundError|No module"):
        worker.call("no_such_module:f")


def test_closed_worker_refuses_calls(worker):
    worker.close()
    worker.close()  # idempotent
    with pytest.raises(WorkerDied, match="no longer running"):
        worker.ping()


def test_missing_code_dir_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        Worker.start(tmp_path / "nope", slot=SLOT)


def test_student_prints_are_captured_separately(worker, tmp_path):
    worker.call("builtins:print", "hello", "judge")
    worker.call("builtins:exec", "import sys; sys.stderr.write('oops\\n')")
    out, err = worker.output()
    assert out == "hello judge\n" and err == "oops\n"


def test_sandbox_python_cannot_see_the_kit(worker):
    with pytest.raises(StudentError, match="ModuleNotFoundError"):
        worker.call("coursekit.config:load")
    assert os.path.isdir(os.path.dirname(__file__))

"""Worker start-up: its own time budget, infrastructure failures told apart from the
student's, student code imported only by the first call, code folders staged safely."""
import os
import shutil
import textwrap

import pytest

from coursekit.sandbox import (SandboxStartError, StudentError, Worker, WorkerDied,
                               WorkerTimeout)
from coursekit.sandbox import staging
from coursekit.sandbox.staging import Stage
from test_sandbox_worker import SLOT

TINY_CALL_SECONDS = 0.05     # far below what a worker needs to start on any machine
IMPOSSIBLE_STARTUP_SECONDS = 0.001

EXITS_AT_IMPORT = "import os\nos._exit(0)\n\ndef f():\n    return 1\n"
FINE = "def f():\n    return 1\n"


def make_code(tmp_path, **modules):
    code = tmp_path / "code"
    code.mkdir()
    for name, source in modules.items():
        (code / f"{name}.py").write_text(textwrap.dedent(source))
    return code


def start(code, isolation, **kwargs):
    """Worker.start that fails the test when the worker does not start (no skip)."""
    if isolation == "bwrap" and not shutil.which("bwrap"):
        pytest.skip("bwrap is not installed")
    return Worker.start(code, slot=SLOT, isolation=isolation, **kwargs)


def test_start_up_does_not_count_against_call_seconds(tmp_path):
    code = make_code(tmp_path, student=FINE)
    with start(code, None, limits={"call_seconds": TINY_CALL_SECONDS}) as w:
        assert w.alive


def test_a_start_up_failure_is_an_infrastructure_error(tmp_path):
    code = make_code(tmp_path, student=FINE)
    with pytest.raises(SandboxStartError) as info:
        Worker.start(code, slot=SLOT, limits={"startup_seconds": IMPOSSIBLE_STARTUP_SECONDS})
    assert "could not start" in str(info.value) and "start-up time limit" in str(info.value)
    assert info.value.timed_out
    assert not isinstance(info.value, (WorkerDied, WorkerTimeout, StudentError))


def test_an_exit_while_importing_student_code_is_worker_died_on_the_first_call(tmp_path):
    code = make_code(tmp_path, evil=EXITS_AT_IMPORT)
    with start(code, None) as w:        # start-up imports no student code: it succeeds
        with pytest.raises(WorkerDied, match="exited with code 0 during a call of evil:f"):
            w.call("evil:f")
        assert not w.alive


def test_student_site_hooks_are_not_run_at_start_up(tmp_path):
    code = make_code(tmp_path, sitecustomize=EXITS_AT_IMPORT, usercustomize=EXITS_AT_IMPORT,
                     student=FINE)
    with start(code, None) as w:
        assert w.call("student:f") == 1


def test_a_private_code_folder_is_used_in_place_and_kept(tmp_path):
    code = make_code(tmp_path, student=FINE)
    stage = Stage(code, share=True)
    assert stage.shared and stage.code == code
    stage.remove()
    assert (code / "student.py").is_file()
    with start(code, "bwrap") as w:
        assert w.call("student:f") == 1
        with pytest.raises(StudentError, match="OSError|PermissionError"):
            w.call("builtins:open", "/sandbox/code/student.py", "w")
    assert (code / "student.py").read_text() == FINE


@pytest.mark.parametrize("spoil", ["symlink", "group_writable"])
def test_other_code_folders_are_copied(tmp_path, spoil):
    code = make_code(tmp_path, student=FINE)
    if spoil == "symlink":
        os.symlink("/etc/passwd", code / "passwd")
    else:
        os.chmod(code / "student.py", 0o664)
    stage = Stage(code, share=True)
    try:
        assert not stage.shared and stage.code != code
        assert (stage.code / "student.py").read_text() == FINE
        assert not (stage.code / "passwd").exists()
    finally:
        stage.remove()
    assert not stage.root.exists() and (code / "student.py").is_file()
    with start(code, "bwrap") as w:
        assert w.call("student:f") == 1


def test_the_shared_kit_is_reused_and_a_tampered_one_is_not(tmp_path, monkeypatch):
    monkeypatch.setattr(staging, "_shared", {})
    monkeypatch.setattr(staging.tempfile, "tempdir", str(tmp_path))
    kit = staging.shared_kit()
    assert staging.shared_kit() == kit and kit.parent == tmp_path
    expected = (staging.HERE / "worker.py").read_bytes()
    (kit / "worker.py").write_text("import os\nos._exit(0)\n")
    other = staging.shared_kit()
    assert other != kit and (other / "worker.py").read_bytes() == expected

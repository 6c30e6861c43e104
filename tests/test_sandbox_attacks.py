"""Hostile student code: every attack must be contained, and the judge (this test
process) must survive. Runs at each isolation level available here."""
import os
import re
import signal
import socket
import textwrap

import numpy as np
import pytest

from coursekit.sandbox import StudentError, Worker, WorkerDied, WorkerTimeout
from coursekit.sandbox.launcher import live_processes_of as processes_of
from test_sandbox_worker import LEVELS, start

ATTACKS = '''
import gc, os, signal, socket, struct, sys, time
import numpy as np

def exit_hard():
    os._exit(0)

def exit_soft():
    sys.exit(3)

def spin():
    while True:
        pass

def sleep():
    time.sleep(1000)

def memory_bomb():
    blocks = []
    while True:
        blocks.append(np.empty(1 << 24))

def fork_bomb(n):
    made = 0
    for _ in range(n):
        try:
            if os.fork() == 0:
                time.sleep(1000)
                os._exit(0)
            made += 1
        except OSError:
            break
    return made

def daemon():
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            time.sleep(1000)
        os._exit(0)
    os.wait()
    return "spawned"

def connect(port):
    with socket.create_connection(("127.0.0.1", port), timeout=2):
        return "connected"

def read(path):
    if os.path.isdir(path):
        return os.listdir(path)
    with open(path, "rb") as f:
        return len(f.read())

def write(path):
    with open(path, "w") as f:
        f.write("pwned")
    return path

def shout(n):
    sys.stdout.write("x" * n)

def reply_fd():
    server = [o for o in gc.get_objects() if type(o).__name__ == "Server"][0]
    return server.rep_fd

def send_raw(hex_data):
    os.write(reply_fd(), bytes.fromhex(hex_data))
    time.sleep(1000)

def kill_parent():
    os.kill(os.getppid(), signal.SIGKILL)
    time.sleep(2)

def patch_numpy():
    np.dot = lambda *a, **k: "patched"
    return np.dot(1, 2)
'''

LIMITS = {"call_seconds": 3, "wall_seconds": 60, "memory_mb": 1024, "max_processes": 24}


@pytest.fixture(params=LEVELS)
def worker(request, tmp_path):
    code = tmp_path / "code"
    code.mkdir()
    (code / "attack.py").write_text(textwrap.dedent(ATTACKS))
    w = start(code, request.param, limits=LIMITS)
    yield w
    w.close()


def sandbox_uid(worker):
    if os.geteuid() != 0:
        pytest.skip("processes of the sandbox can only be told apart by uid when run as root")
    return worker.uid  # the uid leased for this worker's life


def test_os_exit_during_a_call_is_worker_died(worker):
    with pytest.raises(WorkerDied, match="exited with code 0 during a call"):
        worker.call("attack:exit_hard")
    assert not worker.alive


def test_sys_exit_is_a_student_error_and_the_worker_lives(worker):
    with pytest.raises(StudentError, match="SystemExit"):
        worker.call("attack:exit_soft")
    assert worker.ping()


@pytest.mark.parametrize("attack", ["spin", "sleep"])
def test_endless_calls_time_out_and_leave_no_process(worker, attack):
    uid = sandbox_uid(worker)
    with pytest.raises(WorkerTimeout, match=f"killed after {LIMITS['call_seconds']} s"):
        worker.call(f"attack:{attack}")
    assert processes_of(uid) == []


def test_memory_bomb_is_worker_died_with_a_memory_message(worker):
    with pytest.raises(WorkerDied, match=f"out of memory \\(limit {LIMITS['memory_mb']} MB\\)"):
        worker.call("attack:memory_bomb")


def test_fork_bomb_is_bounded_and_cleaned_up(worker):
    uid = sandbox_uid(worker)
    made = worker.call("attack:fork_bomb", 10 * LIMITS["max_processes"])
    assert 0 < made < LIMITS["max_processes"]
    worker.close()
    assert processes_of(uid) == []


def test_detached_background_process_dies_with_the_worker(worker):
    uid = sandbox_uid(worker)
    assert worker.call("attack:daemon") == "spawned"
    assert len(processes_of(uid)) >= 2  # the worker and the daemon
    worker.close()
    assert processes_of(uid) == []


def test_network_is_unreachable(worker):
    if worker.isolation not in ("bwrap", "setuid"):
        pytest.skip("only the bwrap and setuid levels have a network namespace")
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with pytest.raises(StudentError, match="OSError|ConnectionRefused|Network"):
            worker.call("attack:connect", server.getsockname()[1])


def test_private_folders_are_invisible(worker, course):
    if worker.isolation == "rlimits":
        pytest.skip("the rlimits level hides nothing")
    secrets = [course.root / "autograder", course.root / "solutions", course.root / "source",
               "/root"]
    secrets += [os.path.join("/root", name) for name in os.listdir("/root")
                if name != ".pyenv"]
    for path in secrets:
        try:
            seen = worker.call("attack:read", str(path))
        except StudentError as exc:
            assert exc.type_name in ("FileNotFoundError", "PermissionError"), exc
        else:
            assert str(path) == "/root" and seen in ([], [".pyenv"]), (path, seen)


def test_writes_outside_tmp_fail_and_change_nothing(worker, tmp_path, course):
    # The read-only system and the code folder refuse writes outright.
    for target in ["/usr/pwned.txt", "pwned.txt"]:
        with pytest.raises(StudentError, match="PermissionError|FileNotFoundError|OSError"):
            worker.call("attack:write", str(target))
    # Host folders either do not exist in the sandbox or (when they lie under /tmp, e.g. a kit
    # cloned there) only as folders of the sandbox's private /tmp: the host never sees a write.
    for target in [tmp_path / "outside.txt", course.root / "pwned.txt"]:
        try:
            worker.call("attack:write", str(target))
        except StudentError as exc:
            assert re.search("PermissionError|FileNotFoundError|OSError", str(exc))
    assert not (tmp_path / "outside.txt").exists()
    assert not (course.root / "pwned.txt").exists()
    assert not os.path.exists("/usr/pwned.txt")


def test_huge_output_is_capped_with_a_note(worker):
    cap = worker.limits.max_output_bytes
    worker.call("attack:shout", 3 * cap)
    out, _ = worker.output()
    assert out.startswith("x" * cap) and "output truncated" in out
    assert len(out) < cap + 200
    assert worker.ping()


def frame(body):
    return len(body).to_bytes(8, "little") + body


def ok_reply_with(value_bytes):
    return frame(b"l" + (2).to_bytes(4, "little") + b"s" + (2).to_bytes(4, "little") + b"ok"
                 + value_bytes)


def array_header(dtype, shape, nbytes):
    d = dtype.encode()
    dims = b"".join(n.to_bytes(8, "little") for n in shape)
    return b"a" + bytes([len(d)]) + d + bytes([len(shape)]) + dims + nbytes.to_bytes(8, "little")


@pytest.mark.parametrize("raw, reason", [
    (b"\xff" * 64, "exceeds the limit"),
    (frame(b"garbage!"), "broke the protocol"),
    (ok_reply_with(array_header("|O8", (1,), 8) + b"\0" * 8), "not allowed"),
    (ok_reply_with(array_header("<f8", (1 << 28,), 1 << 31)), "does not match"),
    (frame(b"N") + b"\0" * 4, "broke the protocol"),
])
def test_forged_replies_kill_the_worker_not_the_judge(worker, raw, reason):
    with pytest.raises(WorkerDied, match=reason):
        worker.call("attack:send_raw", raw.hex())
    assert not worker.alive


# What kill(getppid(), SIGKILL) gives inside a worker, by isolation level: under bwrap the parent
# is the namespace's init, which ignores signals from inside (the call returns); under the
# setuid levels the judge runs as another uid, so the kill is refused.
KILL_PARENT_REFUSED_WITH = {"bwrap": None, "setuid": "PermissionError", "setuid-perms": "PermissionError"}


def test_killing_the_parent_does_not_kill_the_judge(worker):
    if worker.isolation not in KILL_PARENT_REFUSED_WITH:
        pytest.skip(f"{worker.isolation} runs the worker as the judge's own uid (no defence here)")
    try:
        worker.call("attack:kill_parent")
        refused = None
    except StudentError as exc:
        refused = exc.type_name
    assert refused == KILL_PARENT_REFUSED_WITH[worker.isolation]
    assert worker.call("numpy:add", 1, 2) == 3       # the worker, and the judge, carry on


def test_monkeypatching_numpy_in_the_worker_does_not_reach_the_judge(worker):
    assert worker.call("attack:patch_numpy") == "patched"
    assert np.dot(2, 3) == 6
    assert worker.call("numpy:dot", 2, 3) == "patched"


def test_worker_time_limit_is_for_the_whole_submission(tmp_path):
    code = tmp_path / "code"
    code.mkdir()
    (code / "attack.py").write_text(textwrap.dedent(ATTACKS))
    w = start(code, None, limits={"call_seconds": 30, "wall_seconds": 2})
    with w, pytest.raises(WorkerTimeout, match="submission time limit"):
        w.call("attack:sleep")

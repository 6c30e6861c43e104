"""Sandbox uids: each live worker holds its own uid of the machine-wide pool, so workers of
one judge, and of several graders on one machine, never kill each other."""
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from coursekit.sandbox import IsolationUnavailable, Worker
from coursekit.sandbox import uids
from coursekit.sandbox.launcher import DEFAULT_UID_BASE
from test_sandbox_worker import SLOT

LIMITS = {"call_seconds": 20, "wall_seconds": 120}
OTHER_PROCESS_STARTS = 3
SUBPROCESS_SECONDS = 120

# A child process that starts (and closes) workers with the same slot hint as ours.
STARTER = """
import sys
from coursekit.sandbox import Worker
code, slot, starts = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for _ in range(starts):
    with Worker.start(code, slot=slot, limits={"call_seconds": 20, "wall_seconds": 120}) as w:
        assert w.ping()
print("done", flush=True)
"""

# A child process that starts one worker, reports its uid, then waits to be killed.
HOLDER = """
import sys, time
from coursekit.sandbox import Worker
w = Worker.start(sys.argv[1], slot=int(sys.argv[2]))
print(w.uid, flush=True)
time.sleep(1000)
"""


def child(script, *args):
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(script), *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture
def code(tmp_path):
    folder = tmp_path / "code"
    folder.mkdir()
    (folder / "student.py").write_text("def twice(x):\n    return 2 * x\n")
    return folder


@pytest.fixture
def spare_pool(course):
    """(base, size) of a uid range outside the kit's pool: lease tests never take a uid a
    real worker could want."""
    base, size = course.sandbox.uid_base, course.sandbox.uid_pool
    return base + size + 100, 3


def needs_root():
    if os.geteuid() != 0:
        pytest.skip("workers run as a leased uid only as root")


def test_two_workers_with_one_slot_hint_live_together(code):
    with Worker.start(code, slot=SLOT, limits=LIMITS) as first, \
            Worker.start(code, slot=SLOT, limits=LIMITS) as second:
        assert first.call("student:twice", 2) == 4
        assert second.call("student:twice", 3) == 6
        assert first.ping() and first.alive    # starting the second one did not kill it
        if os.geteuid() == 0:
            assert first.uid != second.uid


def test_another_process_starting_workers_does_not_disturb_ours(code):
    with Worker.start(code, slot=SLOT, limits=LIMITS) as ours:
        other = child(STARTER, code, SLOT, OTHER_PROCESS_STARTS)
        answers, deadline = 0, time.monotonic() + SUBPROCESS_SECONDS
        while other.poll() is None and time.monotonic() < deadline:
            assert ours.call("student:twice", answers) == 2 * answers
            answers += 1
            time.sleep(0.01)
        out, err = other.communicate(timeout=SUBPROCESS_SECONDS)
        assert other.returncode == 0 and out.strip() == "done", err
        assert answers > 0 and ours.ping()


def test_close_gives_the_uid_back(code):
    needs_root()
    worker = Worker.start(code, slot=SLOT, limits=LIMITS)
    assert uids.in_use(worker.uid)
    worker.close()
    assert not uids.in_use(worker.uid)


def test_a_killed_owner_gives_its_uid_back(code):
    needs_root()
    holder = child(HOLDER, code, SLOT)
    try:
        uid = int(holder.stdout.readline())
        assert uids.in_use(uid)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.communicate(timeout=SUBPROCESS_SECONDS)
    assert not uids.in_use(uid)
    with Worker.start(code, slot=SLOT, limits=LIMITS) as again:  # leftovers are swept
        assert again.call("student:twice", 5) == 10


def test_leases_are_exclusive_and_follow_the_hint(spare_pool):
    base, size = spare_pool
    first = uids.UidLease.acquire(base, size, hint=1)
    try:
        assert first.uid == base + 1
        second = uids.UidLease.acquire(base, size, hint=1)
        third = uids.UidLease.acquire(base, size, hint=1)
        assert (second.uid, third.uid) == (base + 2, base)   # next ones, wrapping around
        with pytest.raises(IsolationUnavailable, match=f"all {size} sandbox uids"):
            uids.UidLease.acquire(base, size)
        second.release()
        second.release()    # idempotent
        assert uids.UidLease.acquire(base, size).uid == base + 2
    finally:
        first.release()
    assert not uids.in_use(base + 1)


@pytest.mark.parametrize("base, size", [(0, 4), (DEFAULT_UID_BASE, 0)])
def test_bad_pools_are_refused(base, size):
    with pytest.raises(ValueError, match="bad sandbox uid pool"):
        uids.UidLease.acquire(base, size)


def test_a_lock_folder_others_can_write_is_refused(tmp_path, monkeypatch, spare_pool):
    unsafe = tmp_path / "locks"
    unsafe.mkdir()
    unsafe.chmod(0o777)
    monkeypatch.setattr(uids, "RUN_DIR", str(unsafe))
    monkeypatch.setattr(uids.tempfile, "tempdir", str(tmp_path))
    (tmp_path / f"coursekit-uids-{os.geteuid()}").mkdir(mode=0o777)
    (tmp_path / f"coursekit-uids-{os.geteuid()}").chmod(0o777)
    with pytest.raises(IsolationUnavailable, match="writable by nobody else"):
        uids.UidLease.acquire(*spare_pool)


def test_an_unusable_run_folder_falls_back_to_the_temp_folder(tmp_path, monkeypatch,
                                                               spare_pool):
    if os.geteuid() != 0:
        pytest.skip("only root uses /run")
    monkeypatch.setattr(uids, "RUN_DIR", "/proc/coursekit-locks")   # mkdir fails there
    monkeypatch.setattr(uids.tempfile, "tempdir", str(tmp_path))
    assert uids.lock_dir() == str(tmp_path / "coursekit-uids-0")
    lease = uids.UidLease.acquire(*spare_pool)
    try:
        assert os.path.dirname(lease.path) == str(tmp_path / "coursekit-uids-0")
    finally:
        lease.release()

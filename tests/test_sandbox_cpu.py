"""CPU and processes between workers: a cgroup per worker uid (where this machine has one), few
processes per worker, every process killed at close (new sessions too), and a call that timed
out while the machine was overloaded reported as WorkerStarved. Root only (the uid tells the
sandbox's processes apart)."""
import os
import subprocess
import sys

import pytest

from coursekit.sandbox import SandboxLimits, WorkerStarved, WorkerTimeout
from coursekit.sandbox.launcher import live_processes_of as processes_of
from test_sandbox_worker import LEVELS, make_code, start

STUDENT = '''
import os, time
import numpy as np

def busy_sessions(n):
    made = 0
    for _ in range(n):
        try:
            if os.fork() == 0:
                os.setsid()
                while True:
                    pass
            made += 1
        except OSError:
            break
    return made

def spin():
    while True:
        pass

def sleep():
    time.sleep(1000)

def matmul(n):
    a = np.ones((n, n))
    return float((a @ a).sum())
'''
CALL_SECONDS = 2
LIMITS = {"call_seconds": CALL_SECONDS, "wall_seconds": 120}
MAX_PROCESSES = SandboxLimits().max_processes
COMPETITORS = 3

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (sandbox uids)")


@pytest.fixture(params=LEVELS)
def worker(request, tmp_path):
    w = start(make_code(tmp_path, STUDENT), request.param, limits=LIMITS)
    yield w
    w.close()


def cgroup_of(pid):
    with open(f"/proc/{pid}/cgroup") as f:
        return f.read()


def test_default_limits_allow_few_processes():
    assert MAX_PROCESSES <= 8


def test_single_thread_numpy_runs_within_the_process_limit(worker):
    assert worker.call("student:matmul", 300) == 300.0 ** 3
    with open(f"/proc/{worker.worker_pid}/status") as f:
        threads = [line for line in f if line.startswith("Threads:")]
    assert threads == ["Threads:\t1\n"]


def test_busy_processes_in_new_sessions_are_few_share_one_cgroup_and_die_at_close(worker):
    made = worker.call("student:busy_sessions", 10 * MAX_PROCESSES)
    assert 0 < made < MAX_PROCESSES
    pids = processes_of(worker.uid)
    assert len(pids) > made
    if worker.cgroup is not None:
        group = "/" + os.path.relpath(worker.cgroup.path, "/sys/fs/cgroup").split("/", 1)[1]
        assert all(group in cgroup_of(pid) for pid in pids), group
    worker.close()
    assert processes_of(worker.uid) == []


def test_the_worker_cgroup_is_capped_and_removed_at_close(worker):
    if worker.cgroup is None:
        pytest.skip("no writable cgroup with a cpu controller here")
    path = worker.cgroup.path
    if worker.cgroup.kind == "v1":
        with open(os.path.join(path, "cpu.cfs_quota_us")) as f:
            quota = int(f.read())
        with open(os.path.join(path, "cpu.cfs_period_us")) as f:
            period = int(f.read())
        assert quota == int(SandboxLimits().cpu_cores * period)
    worker.close()
    assert not os.path.exists(path)


@pytest.mark.slow
def test_a_sleeping_call_is_a_plain_timeout(worker):
    with pytest.raises(WorkerTimeout) as info:
        worker.call("student:sleep")
    assert not isinstance(info.value, WorkerStarved)
    assert info.value.cpu_seconds is not None and info.value.cpu_seconds < CALL_SECONDS


@pytest.mark.slow
def test_a_call_starved_by_other_processes_is_reported_as_such(worker):
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(worker.worker_pid, {cpu})
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"],
                             preexec_fn=lambda: (os.sched_setaffinity(0, {cpu}), os.nice(-20)))
            for _ in range(COMPETITORS)]
    try:
        with pytest.raises(WorkerStarved, match="while the machine was overloaded") as info:
            worker.call("student:spin")
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
    assert info.value.wait_seconds >= SandboxLimits().starved_fraction * info.value.wall_seconds

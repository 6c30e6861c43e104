"""Processes of a sandbox uid: find them, kill them all, reap their zombies.

Root only, and only ever called for a uid whose lease (uids.py) the caller holds, so no
live worker of anyone else can be hit. Processes are matched by their real uid, read from
/proc/PID/status (the owner of /proc/PID is not enough: a process can make itself
non-dumpable, and /proc/PID then belongs to root).
"""
from __future__ import annotations

import os
import signal
import time

SWEEP_WAIT_SECONDS = 2
POLL_SECONDS = 0.002


def _field(data, name):
    at = data.find(b"\n" + name + b":")
    if at < 0:
        return None
    words = data[at + len(name) + 2:at + len(name) + 64].split()
    return words[0] if words else None


def _statuses():
    """(pid, contents of /proc/PID/status) of every process that can still be read."""
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/status", "rb") as f:
                    yield int(entry), f.read()
            except OSError:
                continue


def _scan(uid):
    """(live pids, zombie pids re-parented to us) whose real uid is ``uid``."""
    live, zombies, me = [], [], str(os.getpid()).encode()
    for pid, data in _statuses():
        real_uid, state = _field(data, b"Uid"), _field(data, b"State")
        if real_uid is None or state is None or int(real_uid) != uid:
            continue
        if not state.startswith(b"Z"):
            live.append(pid)
        elif _field(data, b"PPid") == me:
            zombies.append(pid)
    return live, zombies


def live_processes_of(uid):
    """Pids of the processes (zombies excepted) whose real uid is ``uid``."""
    return _scan(uid)[0]


def sweep_uid(uid):
    """SIGKILL every process of ``uid`` and reap the zombies left to us. kill(-1) as that uid
    is atomic, so even a fork bomb cannot escape it. Skipped when nothing of ``uid`` lives:
    then nothing can appear (only root can become ``uid``)."""
    live, zombies = _scan(uid)
    if live:
        _kill_all_of(uid)
        deadline = time.monotonic() + SWEEP_WAIT_SECONDS
        while live and time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
            live, zombies = _scan(uid)
    for pid in zombies:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass


def _kill_all_of(uid):
    for _ in range(2):
        pid = os.fork()
        if pid == 0:
            try:
                os.setgroups([])
                os.setgid(uid)
                os.setuid(uid)
                os.kill(-1, signal.SIGKILL)
            finally:
                os._exit(0)
        os.waitpid(pid, 0)


def count_own_processes():
    uid, count = os.getuid(), 0
    for entry in os.listdir("/proc"):
        try:
            if entry.isdigit() and os.stat(f"/proc/{entry}").st_uid == uid:
                count += 1
        except OSError:
            pass
    return count


def namespaced_descendant(ancestor, ns_pid, max_depth=4):
    """Host pid of the process below ``ancestor`` (at most ``max_depth`` generations) whose
    pid in its own, nested pid namespace is ``ns_pid`` (a bwrap worker), or None."""
    parents, found = {}, []
    for pid, data in _statuses():
        parents[pid] = int(_field(data, b"PPid") or 0)
        at = data.find(b"\nNSpid:")
        ids = data[at + 7:data.find(b"\n", at + 1)].split() if at >= 0 else []
        if len(ids) >= 2 and int(ids[-1]) == ns_pid:
            found.append(pid)
    for pid in found:
        up = pid
        for _ in range(max_depth):
            up = parents.get(up, 0)
            if up == ancestor:
                return pid
    return None

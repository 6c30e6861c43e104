"""The mechanisms the isolation levels (levels.py) are made of.

The bwrap command line, the environment and the pre-exec function of a worker process. As
root, the pre-exec function runs in the forked child before exec: it may create a private
mount namespace (to make a Python installation under an untraversable folder such as /root
reachable, and to hide folders), joins the worker's CPU cgroup (cpu.py), sets the rlimits,
and drops to the leased uid. Where no mount namespace can be made
(mount_namespace_available), the setuid-perms level hides by permissions instead (perms.py).
"""
from __future__ import annotations

import ctypes
import functools
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile

from . import perms

_libc = ctypes.CDLL(None, use_errno=True)
_CLONE_NEWNS = 0x20000
_CLONE_NEWNET = 0x40000000
_MS_BIND, _MS_REC, _MS_PRIVATE = 4096, 16384, 1 << 18
_PR_SET_PDEATHSIG = 1
_PR_SET_CHILD_SUBREAPER = 36

SANDBOX_KIT = "/sandbox/kit"
SANDBOX_CODE = "/sandbox/code"
# numpy in a worker (and in the judge) computes on one thread: BLAS pools would only compete
# for the cores the other workers need (and each thread counts against RLIMIT_NPROC).
SINGLE_THREAD_ENV = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                            "MKL_NUM_THREADS")}
TMPFS_MB = 64


def rlimits(limits, extra_processes: int = 0) -> list:
    """(resource, (soft, hard)) pairs of a worker with ``limits`` (SandboxLimits)."""
    mb = 1 << 20
    cpu = int(limits.cpu_seconds)
    return [
        (resource.RLIMIT_CPU, (cpu, cpu + 5)),
        (resource.RLIMIT_AS, (int(limits.memory_mb) * mb,) * 2),
        (resource.RLIMIT_NPROC, (int(limits.max_processes) + extra_processes,) * 2),
        (resource.RLIMIT_FSIZE, (int(limits.max_file_mb) * mb,) * 2),
        (resource.RLIMIT_NOFILE, (int(limits.max_open_files),) * 2),
        (resource.RLIMIT_CORE, (0, 0)),
    ]


def _check(ret, what):
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def use_single_thread_blas() -> None:
    """Make this process's numpy single-threaded unless the environment says otherwise
    (effective only before numpy loads)."""
    for name, value in SINGLE_THREAD_ENV.items():
        os.environ.setdefault(name, value)


def die_with_parent(sig=signal.SIGKILL):
    """Ask the kernel to send ``sig`` to this process when its parent dies (best effort)."""
    _libc.prctl(_PR_SET_PDEATHSIG, sig, 0, 0, 0)


def plan_covers(needed, hide, uid, gid):
    """Folders to cover with an empty tmpfs (hidden + untraversable ancestors) and, per
    cover, the needed folders below it that must be bound back."""
    covers = {os.path.realpath(h) for h in hide if os.path.isdir(h)}
    covers |= {b for b in (perms.closed_folder(d, uid, gid) for d in needed) if b}
    top = sorted(c for c in covers if not any(_under(c, o) and c != o for o in covers))
    plan = []
    for cover in top:
        inside = [os.path.realpath(d) for d in needed if _under(os.path.realpath(d), cover)]
        plan.append((cover, sorted(set(inside))))
    return plan


def _under(path, folder):
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def make_preexec(limits, uid=None, gid=None, cover_plan=(), chdir=None, extra_processes=0,
                 cgroup=None):
    """The function run in the child between fork and exec (keep it to plain syscalls):
    covers, the CPU cgroup, rlimits, the uid, the parent-death signal."""
    limit_list = rlimits(limits, extra_processes)

    def preexec():
        if cover_plan:
            _apply_covers(cover_plan)
        if cgroup is not None:
            cgroup.join()
        for which, value in limit_list:
            resource.setrlimit(which, value)
        if uid is not None:
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)
        die_with_parent()
        if chdir:
            os.chdir(chdir)

    return preexec


@functools.lru_cache(maxsize=1)
def mount_namespace_available() -> bool:
    """Can this process make a private mount namespace and mount a tmpfs in it (what the
    setuid level's covers need)? Tried once per process in a forked child, so the parent is
    untouched; a child killed by seccomp counts as "no". False when not root."""
    if os.geteuid() != 0:
        return False
    target = os.fsencode(tempfile.gettempdir())
    pid = os.fork()
    if pid == 0:
        ok = (_libc.unshare(_CLONE_NEWNS) == 0
              and _libc.mount(b"none", b"/", None, _MS_REC | _MS_PRIVATE, None) == 0
              and _libc.mount(b"tmpfs", target, b"tmpfs", 0, b"size=64k") == 0)
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def _apply_covers(plan):
    _check(_libc.unshare(_CLONE_NEWNS), "unshare(CLONE_NEWNS)")
    # A fresh network namespace has only a loopback that is down: no network at all. Best
    # effort (the mount namespace above is what the level requires).
    _libc.unshare(_CLONE_NEWNET)
    _check(_libc.mount(b"none", b"/", None, _MS_REC | _MS_PRIVATE, None), "make / private")
    fds = {d: os.open(d, os.O_PATH | os.O_DIRECTORY) for _, inside in plan for d in inside}
    for cover, inside in plan:
        _check(_libc.mount(b"tmpfs", cover.encode(), b"tmpfs", 0, b"mode=755,size=1m"),
               f"tmpfs on {cover}")
        for d in inside:
            os.makedirs(d, mode=0o755, exist_ok=True)
            src = f"/proc/self/fd/{fds[d]}".encode()
            _check(_libc.mount(src, d.encode(), None, _MS_BIND | _MS_REC, None), f"bind {d}")
    for fd in fds.values():
        os.close(fd)


def become_subreaper():
    """Orphaned sandbox processes are re-parented to us (and reaped by the launcher)
    instead of to an init that may never reap them."""
    _libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


_DIRS_SCRIPT = ("import json, os, sys, numpy; print(json.dumps([sys.base_prefix, sys.prefix, "
                "os.path.realpath(sys.executable), numpy.__file__]))")


def python_dirs(executable=None) -> list:
    """Folders the interpreter and numpy need (read-only): those of this process, or of
    another ``executable`` (asked once, in a subprocess)."""
    if executable is None:
        import numpy
        found = [sys.base_prefix, sys.prefix, sys.executable, numpy.__file__]
    else:
        out = subprocess.run([executable, "-I", "-c", _DIRS_SCRIPT], capture_output=True,
                             text=True, timeout=60, check=True).stdout
        found = json.loads(out)
    dirs = {os.path.realpath(found[0]), os.path.realpath(found[1]),
            os.path.dirname(os.path.realpath(found[2])),
            os.path.dirname(os.path.dirname(os.path.realpath(found[3])))}
    return sorted(d for d in dirs if not any(_under(d, o) and d != o for o in dirs))


def sandbox_env(home: str, tmp: str) -> dict:
    return {"PATH": "/usr/bin:/bin", "HOME": home, "TMPDIR": tmp, "LANG": "C.UTF-8",
            **SINGLE_THREAD_ENV}


def bwrap_command(bwrap, kit_dir, code_dir, python_args, python_folders=None) -> list:
    """bubblewrap command line: no network, new pid/ipc/uts/user namespaces, read-only
    system + Python, the kit and code folders, a private /tmp; nothing else."""
    cmd = [bwrap, "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent",
           "--new-session", "--clearenv", "--hostname", "sandbox"]
    for key, value in sandbox_env("/tmp", "/tmp").items():
        cmd += ["--setenv", key, value]
    cmd += ["--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64"):
        if os.path.islink(top):
            cmd += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            cmd += ["--ro-bind", top, top]
    cmd += ["--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache"]
    # The private /tmp comes before the Python binds: a venv that lives under /tmp (a course
    # cloned there) must be bound on top of it, not hidden by it.
    cmd += ["--size", str(TMPFS_MB << 20), "--tmpfs", "/tmp"]
    for d in python_dirs() if python_folders is None else python_folders:
        cmd += ["--ro-bind", d, d]
    cmd += ["--ro-bind", kit_dir, SANDBOX_KIT, "--ro-bind", code_dir, SANDBOX_CODE,
            "--proc", "/proc", "--dev", "/dev",
            "--remount-ro", "/", "--chdir", SANDBOX_CODE]
    return cmd + python_args

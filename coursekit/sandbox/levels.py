"""The isolation levels as small strategies (after DMOJ's executors): each knows whether it
can run here and how to launch the worker (command line, pre-exec function, environment,
working folder). Strongest first: bwrap, setuid, setuid-perms, rlimits. See
docs/ARCHITECTURE.md ("Sandbox") and docs/SECURITY.md.
"""
from __future__ import annotations

import functools
import os
import shutil
import sys
from dataclasses import dataclass
from typing import Callable

from . import isolation as iso
from . import perms
from .errors import IsolationUnavailable
from .procs import count_own_processes


@dataclass
class Launch:
    argv: list
    preexec: Callable
    env: dict
    cwd: str


class Level:
    """One isolation level. ``launch(w, req_fd, rep_fd)`` gets the worker being started
    (its ``stage``, ``spec``, ``limits``, ``uid``/``gid`` and ``cgroup``)."""
    name = ""
    share_stage = False     # bind the code folder in place (read-only) instead of copying
    root = None             # True: root only; False: never as root; None: both

    def refuse(self, is_root):
        """Why this level cannot be asked for here, or None."""
        if self.root is True and not is_root:
            return f"the {self.name} level needs root"
        if self.root is False and is_root:
            return "refusing to run student code as root with rlimits only"
        return None

    def launch(self, w, req_fd, rep_fd) -> Launch:
        raise NotImplementedError

    @staticmethod
    def python_argv(w, kit_dir, code_dir, req_fd, rep_fd):
        return [python_of(w.spec), "-I", "-B", f"{kit_dir}/worker.py", str(req_fd), str(rep_fd),
                str(code_dir)]


class Bwrap(Level):
    """Namespaces: no network, private /tmp, read-only system, nothing else visible."""
    name, share_stage = "bwrap", True

    def launch(self, w, req_fd, rep_fd):
        bwrap = shutil.which("bwrap")
        if not bwrap:
            raise IsolationUnavailable("bwrap is not installed")
        folders = python_dirs(python_of(w.spec))
        python = self.python_argv(w, iso.SANDBOX_KIT, iso.SANDBOX_CODE, req_fd, rep_fd)
        argv = iso.bwrap_command(bwrap, str(w.stage.kit), str(w.stage.code), python, folders)
        plan = []
        if w.uid is not None:
            plan = iso.plan_covers(folders + w.stage.needed, [], w.uid, w.gid)
            if plan and not iso.mount_namespace_available():
                raise IsolationUnavailable(f"the sandbox uid cannot enter {plan[0][0]} (on the "
                                           "way to Python) and no mount namespace can be made")
        preexec = iso.make_preexec(w.limits, w.uid, w.gid, plan, cgroup=w.cgroup)
        return Launch(argv, preexec, iso.sandbox_env("/tmp", "/tmp"), "/")


class Setuid(Level):
    """Leased uid, rlimits, tmpfs covers over the hidden folders in a private mount
    namespace, and a fresh network namespace where the kernel allows it."""
    name, root = "setuid", True

    def launch(self, w, req_fd, rep_fd):
        if not iso.mount_namespace_available():
            raise IsolationUnavailable("no mount namespace can be made here (no CAP_SYS_ADMIN, "
                                       "or seccomp/AppArmor forbids it)")
        plan = iso.plan_covers(self.needed(w), w.spec.hide, w.uid, w.gid)
        preexec = iso.make_preexec(w.limits, w.uid, w.gid, plan, chdir=str(w.stage.code),
                                   cgroup=w.cgroup)
        return self.copied_launch(w, req_fd, rep_fd, preexec)

    def copied_launch(self, w, req_fd, rep_fd, preexec, cwd="/"):
        env = iso.sandbox_env(str(w.stage.scratch), str(w.stage.scratch))
        return Launch(self.python_argv(w, w.stage.kit, w.stage.code, req_fd, rep_fd), preexec,
                      env, cwd)

    @staticmethod
    def needed(w):
        return python_dirs(python_of(w.spec)) + w.stage.needed


class SetuidPerms(Setuid):
    """Setuid without covers (Docker without CAP_SYS_ADMIN): starts only after checking
    that permissions alone hide every hidden path (perms.py)."""
    name = "setuid-perms"

    def launch(self, w, req_fd, rep_fd):
        perms.check(w.spec.hide, self.needed(w), w.uid, w.gid)
        preexec = iso.make_preexec(w.limits, w.uid, w.gid, chdir=str(w.stage.code),
                                   cgroup=w.cgroup)
        return self.copied_launch(w, req_fd, rep_fd, preexec)


class Rlimits(Setuid):
    """Non-root only: the caller's uid with rlimits (never student code as root)."""
    name, root = "rlimits", False

    def launch(self, w, req_fd, rep_fd):
        preexec = iso.make_preexec(w.limits, extra_processes=count_own_processes())
        return self.copied_launch(w, req_fd, rep_fd, preexec, cwd=str(w.stage.code))


LEVELS = {level.name: level for level in (Bwrap(), Setuid(), SetuidPerms(), Rlimits())}
NAMES = tuple(LEVELS)


def levels_to_try(isolation):
    """The levels to try in order: the one asked for, or every level allowed here."""
    is_root = os.geteuid() == 0
    if isolation is None:
        return [lv for lv in LEVELS.values() if lv.refuse(is_root) is None]
    if isolation not in LEVELS:
        raise ValueError(f"isolation must be one of {NAMES}, not {isolation!r}")
    why = LEVELS[isolation].refuse(is_root)
    if why:
        raise IsolationUnavailable(why)
    return [LEVELS[isolation]]


def python_of(spec):
    return spec.python or sys.executable


@functools.lru_cache(maxsize=4)
def python_dirs(executable):
    return iso.python_dirs(None if executable == sys.executable else executable)

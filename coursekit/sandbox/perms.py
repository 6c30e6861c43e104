"""Hiding by permissions: the setuid-perms level, for a root judge that cannot make a mount
namespace (e.g. a Docker container without CAP_SYS_ADMIN, such as Gradescope's).

Without covers the worker's uid sees the real file system, so before every start we verify,
for a uid without supplementary groups (as the worker runs), that
* every hidden path (the folder holding the course, /root, /home, the caller's list) is out
  of its reach: some folder on the way, or the path itself, grants it neither read nor search;
* every needed path (Python, venv, staged kit and code) is searchable and readable.
First by the permission bits (owner, group, others) of each folder down the path, which
names the culprit; then for real, in a forked child that has become the uid (ACLs, odd file
systems). Any problem refuses the start: student code never runs with secrets readable.
"""
from __future__ import annotations

import os
import stat

from .errors import SandboxStartError

HIDE_FIX = "make it mode 0700 owned by root"
NEED_FIX = "make it and the folders above it readable and searchable by others (e.g. mode " \
           "0755), or move it out of the hidden folders"


def allows(st, uid, gid, bits) -> bool:
    """Do the mode bits of ``st`` grant ``bits`` (a mix of 4=read, 2=write, 1=search) to
    uid/gid without supplementary groups?"""
    if st.st_uid == uid:
        shift = 6
    elif st.st_gid == gid:
        shift = 3
    else:
        shift = 0
    return (st.st_mode >> shift) & bits == bits


def _steps(path):
    """The real folders on the way to ``path`` (not ``path`` itself), top first."""
    parts = os.path.realpath(path).split(os.sep)[1:]
    return ["/" + "/".join(parts[:i]) for i in range(len(parts))]


def closed_folder(path, uid, gid):
    """The first folder on the way to ``path`` (not ``path`` itself) that uid/gid, without
    supplementary groups, cannot search (enter), or None."""
    for folder in _steps(path):
        if not allows(os.stat(folder), uid, gid, 1):
            return folder
    return None


def exposure(path, uid, gid):
    """Why uid/gid can reach ``path`` (a text), or None if it cannot."""
    if closed_folder(path, uid, gid):
        return None
    st = os.stat(path)
    if stat.S_ISDIR(st.st_mode):
        grants = [w for w, b in (("list", 4), ("enter", 1)) if allows(st, uid, gid, b)]
    else:
        grants = ["read"] if allows(st, uid, gid, 4) else []
    if not grants:
        return None
    return f"the sandbox uid can {' and '.join(grants)} it (mode {stat.S_IMODE(st.st_mode):04o}" \
           f", owner {st.st_uid}, group {st.st_gid})"


def obstacle(path, uid, gid):
    """The first folder on the way to ``path`` (or ``path``) that uid/gid cannot use, or None."""
    folder = closed_folder(path, uid, gid)
    if folder:
        return folder
    st = os.stat(path)
    return None if allows(st, uid, gid, 5 if stat.S_ISDIR(st.st_mode) else 4) else path


def check(hide, needed, uid, gid):
    """Raise SandboxStartError unless every hidden path is out of reach of uid/gid and every
    needed one is usable (see the module's docstring)."""
    hide = sorted({os.path.realpath(h) for h in hide if os.path.exists(h)})
    needed = sorted({os.path.realpath(n) for n in needed})
    problems = []
    for path in hide:
        why = exposure(path, uid, gid)
        if why:
            problems.append(f"hidden path {path} is reachable: {why}; {HIDE_FIX}")
    for path in needed:
        blocked = obstacle(path, uid, gid)
        if blocked:
            problems.append(f"needed path {path} is not usable by the sandbox uid (blocked at "
                            f"{blocked}); {NEED_FIX}")
    if not problems:
        problems = _verify_as(uid, gid, hide, needed)
    if problems:
        raise SandboxStartError("refusing to start a worker hidden by permissions only "
                                "(setuid-perms): " + "; ".join(problems))


def _verify_as(uid, gid, hide, needed):
    """Check for real, as uid/gid in a forked child: what the kernel says, ACLs included."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 3
        try:
            os.close(read_fd)
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)
            seen = [os.access(p, os.R_OK) or (os.path.isdir(p) and os.access(p, os.X_OK))
                    for p in hide]
            usable = [os.access(p, os.R_OK | (os.X_OK if os.path.isdir(p) else 0))
                      for p in needed]
            os.write(write_fd, bytes(int(x) for x in seen + usable))
            code = 0
        finally:
            os._exit(code)
    os.close(write_fd)
    answer = b""
    try:
        while chunk := os.read(read_fd, 4096):
            answer += chunk
    finally:
        os.close(read_fd)
        os.waitpid(pid, 0)
    if len(answer) != len(hide) + len(needed):
        return [f"could not check the permissions as sandbox uid {uid} (cannot switch to it?)"]
    problems = [f"hidden path {p} is reachable by the sandbox uid (ACL?); {HIDE_FIX}"
                for p, bad in zip(hide, answer) if bad]
    problems += [f"needed path {p} is not usable by the sandbox uid (ACL?); {NEED_FIX}"
                 for p, ok in zip(needed, answer[len(hide):]) if not ok]
    return problems

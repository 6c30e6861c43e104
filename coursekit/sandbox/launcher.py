"""Judge-side handle on one sandbox worker process (see docs/ARCHITECTURE.md, "Sandbox")."""
from __future__ import annotations

import functools
import itertools
import os
import shutil
import signal
import subprocess
import sys
import time

from . import isolation as iso
from . import perms
from .channel import Channel, Closed
from .errors import (IsolationUnavailable, SandboxError, SandboxStartError, StudentError,
                     WorkerDied, WorkerTimeout)
from .procs import count_own_processes, live_processes_of, sweep_uid  # noqa: F401 (re-export)
from .protocol import ProtocolError, Ref, decode, encode
from .staging import Stage
from .uids import DEFAULT_POOL_SIZE, UidLease

Handle = Ref
DEFAULT_LIMITS = {"wall_seconds": 300, "call_seconds": 60, "cpu_seconds": 240,
                  "memory_mb": 3072, "max_processes": 64, "max_file_mb": 16,
                  "max_open_files": 256, "max_output_bytes": 1 << 20, "max_message_mb": 256}
DEFAULT_UID_BASE = 64000
DEFAULT_STARTUP_SECONDS = 30    # start-up budget: max(this, call_seconds) unless set
STARTUP_STDERR_CHARS = 400
LEVELS = ("bwrap", "setuid", "setuid-perms", "rlimits")
WORKER_PYTHON = None        # interpreter of the workers; None: the judge's own (sys.executable)
_tokens = itertools.count(1)


@functools.lru_cache(maxsize=1)
def _kit_settings():
    try:
        from coursekit import config
        course = config.load()
        return course.kit, course.root
    except Exception:  # no course_config.py: the sandbox still works with defaults
        return {}, None


def default_hide(course_root):
    """Folders hidden in setuid modes: the folder holding the course (its siblings too),
    root's and users' homes (covered by a tmpfs, or checked unreachable in setuid-perms)."""
    hide = ["/root", "/home"]
    if course_root is not None:
        hide.append(os.path.dirname(os.path.realpath(course_root)))
    return hide


class Worker:
    """One sandboxed worker. Create with ``Worker.start(...)``; always ``close()``."""

    @classmethod
    def start(cls, code_dir, slot=0, limits=None, callbacks=None, isolation=None, hide=None):
        """Start a worker at the strongest available isolation level. As root it runs as a
        sandbox uid leased from the machine-wide pool for its whole life; ``slot`` is only
        the hint for the first uid tried (base + slot). Raises SandboxStartError if no
        worker could start (an infrastructure problem)."""
        if not os.path.isdir(code_dir):
            raise FileNotFoundError(f"code folder {code_dir} does not exist")
        kit, course_root = _kit_settings()
        merged = {**DEFAULT_LIMITS, **kit.get("limits", {}), **(limits or {})}
        pool = (int(kit.get("sandbox_uid_base", DEFAULT_UID_BASE)),
                int(kit.get("sandbox_uid_pool", DEFAULT_POOL_SIZE)))
        hide = default_hide(course_root) if hide is None else list(hide)
        failures, timed_out = [], False
        for level in _levels(isolation):
            worker = cls(code_dir, slot, merged, callbacks or {}, level, pool, hide)
            try:
                worker._launch()
                return worker
            except (IsolationUnavailable, OSError, subprocess.SubprocessError) as exc:
                worker.close()
                failures.append(f"{level}: {exc}")
                timed_out = getattr(exc, "timed_out", False)
                if timed_out:
                    break   # a loaded machine: a weaker level would be no faster
            except BaseException:
                worker.close()
                raise
        raise SandboxStartError("the sandbox could not start a worker: " + "; ".join(failures),
                                timed_out=timed_out)

    def __init__(self, code_dir, slot, limits, callbacks, level, uid_pool, hide):
        self.code_dir, self.slot, self.limits, self.callbacks = code_dir, slot, limits, callbacks
        self.isolation, self.hide, self._uid_pool = level, hide, uid_pool
        self.uid = self.gid = None          # the leased uid (root only), set at launch
        self.lease = None
        self._token = next(_tokens)
        self._judge_objects, self._judge_ids = {}, {}
        self.proc = self.channel = self.stage = None
        self.dead = None           # reason, once the worker is gone
        self.closed = False
        self.started = None

    # ------------------------------------------------------------------ start-up
    def _launch(self):
        if os.geteuid() == 0:
            self.lease = UidLease.acquire(*self._uid_pool, hint=self.slot)
            self.uid = self.gid = self.lease.uid
            iso.become_subreaper()
            sweep_uid(self.uid)     # leftovers of a dead owner of this uid (we hold it now)
        self.stage = Stage(self.code_dir, self.uid, self.gid, share=self.isolation == "bwrap")
        req_r, req_w = os.pipe()
        rep_r, rep_w = os.pipe()
        argv, preexec, env, cwd = self._command(req_r, rep_w)
        try:
            self.proc = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                pass_fds=(req_r, rep_w), preexec_fn=preexec, env=env, cwd=cwd,
                start_new_session=True)
        except BaseException:
            os.close(req_w)
            os.close(rep_r)
            raise
        finally:
            os.close(req_r)
            os.close(rep_w)
        self.channel = Channel(req_w, rep_r, self.proc.stdout.fileno(), self.proc.stderr.fileno(),
                               int(self.limits["max_message_mb"]) << 20,
                               int(self.limits["max_output_bytes"]))
        self._await_hello()
        self.started = time.monotonic()     # the time limits count from here

    def _await_hello(self):
        """Wait for the worker's greeting within the start-up budget (not call_seconds)."""
        budget = startup_seconds(self.limits)
        timed_out = False
        try:
            hello = decode(self.channel.receive(time.monotonic() + budget), self._resolve)
        except TimeoutError:
            timed_out, reason = True, f"no greeting within {budget:g} s (start-up time limit)"
        except Closed:
            reason = _describe_exit(self._exit_code(), "during start-up", self.isolation,
                                    self.limits)
        except ProtocolError as exc:
            reason = f"the worker broke the protocol during start-up: {exc}"
        else:
            if isinstance(hello, list) and hello[:1] == ["hello"]:
                return
            reason = "the worker broke the protocol during start-up"
        self.channel.drain_outputs()
        self._kill_all()
        self.dead = reason
        detail = self.channel.stderr.text().strip()[-STARTUP_STDERR_CHARS:]
        raise SandboxStartError(f"{reason}" + (f" [stderr: {detail}]" if detail else ""),
                                timed_out=timed_out)

    def _command(self, req_fd, rep_fd):
        stage, level = self.stage, self.isolation
        if level == "bwrap":
            bwrap = shutil.which("bwrap")
            if not bwrap:
                raise IsolationUnavailable("bwrap is not installed")
            kit_dir, code_dir = iso.SANDBOX_KIT, iso.SANDBOX_CODE
        else:
            kit_dir, code_dir = str(stage.kit), str(stage.code)
        executable = WORKER_PYTHON or sys.executable
        python = [executable, "-I", "-B", f"{kit_dir}/worker.py", str(req_fd), str(rep_fd),
                  code_dir]
        needed = _python_dirs(executable) + stage.needed
        if level == "bwrap":
            argv = iso.bwrap_command(bwrap, str(stage.kit), str(stage.code), python,
                                     _python_dirs(executable))
            plan = iso.plan_covers(needed, [], self.uid, self.gid) if self.uid is not None else []
            if plan and not iso.mount_namespace_available():
                raise IsolationUnavailable(f"the sandbox uid cannot enter {plan[0][0]} (on the "
                                           "way to Python) and no mount namespace can be made")
            preexec = iso.make_preexec(self.limits, self.uid, self.gid, plan)
            return argv, preexec, iso.sandbox_env("/tmp", "/tmp"), "/"
        env = iso.sandbox_env(str(stage.scratch), str(stage.scratch))
        if level.startswith("setuid"):
            return python, self._setuid_preexec(needed, code_dir), env, "/"
        preexec = iso.make_preexec(self.limits, extra_processes=count_own_processes())
        return python, preexec, env, code_dir

    def _setuid_preexec(self, needed, code_dir):
        """setuid: covers in a private mount namespace; setuid-perms: none, but only after
        checking that the permissions alone hide what must be hidden."""
        if self.isolation == "setuid-perms":
            perms.check(self.hide, needed, self.uid, self.gid)
            return iso.make_preexec(self.limits, self.uid, self.gid, chdir=code_dir)
        if not iso.mount_namespace_available():
            raise IsolationUnavailable("no mount namespace can be made here (no CAP_SYS_ADMIN, "
                                       "or seccomp/AppArmor forbids it)")
        plan = iso.plan_covers(needed, self.hide, self.uid, self.gid)
        return iso.make_preexec(self.limits, self.uid, self.gid, plan, chdir=code_dir)

    # ------------------------------------------------------------------ operations
    def call(self, target, *args, **kwargs):
        """Call "module:qualname" or a callable Handle in the worker; the result comes back
        as values, with non-encodable parts as Handles."""
        return self._request("call", self._target(target), list(args), kwargs)

    def call_handle(self, target, *args, **kwargs):
        """Like call, but the whole result stays in the worker and comes back as a Handle."""
        return self._request("call_handle", self._target(target), list(args), kwargs)

    def getattr(self, obj, name):
        return self._request("getattr", self._target(obj), _name(name))

    def setattr(self, obj, name, value):
        self._request("setattr", self._target(obj), _name(name), value)

    def getitem(self, obj, key):
        return self._request("getitem", self._target(obj), key)

    def setitem(self, obj, key, value):
        self._request("setitem", self._target(obj), key, value)

    def substitute(self, module, attr, callback):
        """Replace ``module.attr`` in the worker by a proxy that calls ``callbacks[callback]``
        here in the judge (its code never enters the sandbox)."""
        if callback not in self.callbacks:
            raise ValueError(f"no callback named {callback!r} was given to Worker.start")
        self._request("substitute", _name(module), _name(attr), callback)

    def release(self, *handles):
        self._request("release", [self._own(h).id for h in handles])

    def ping(self):
        return self._request("ping") == "pong"

    def output(self):
        """(stdout, stderr) of the worker so far, each capped, with a truncation note."""
        if self.channel is None:
            return "", ""
        if not self.closed:
            self.channel.drain_outputs()
        return self.channel.stdout.text(), self.channel.stderr.text()

    @property
    def alive(self):
        return self.dead is None and not self.closed

    def close(self):
        """Kill the worker's whole process group (and, as root, every process of its uid),
        then give the uid back to the pool; idempotent."""
        if self.closed:
            return
        self.closed = True
        try:
            if self.channel is not None and self.dead is None:
                self.channel.drain_outputs()
            self._kill_all()
        finally:
            if self.dead is None:
                self.dead = "the worker was closed"
            self._free_resources()

    def _free_resources(self):
        if self.proc is not None:
            for stream in (self.proc.stdout, self.proc.stderr):
                stream.close()
        if self.channel is not None:
            os.close(self.channel.req_fd)
            os.close(self.channel.rep_fd)
        if self.stage is not None:
            self.stage.remove()
        if self.lease is not None:
            # after the sweep; should it have failed, the uid's next owner sweeps at start
            self.lease.release()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    # ------------------------------------------------------------------ plumbing
    def _target(self, target):
        if isinstance(target, str):
            if ":" not in target:
                raise ValueError(f"target {target!r} must look like 'module:qualname'")
            return target
        return self._own(target)

    def _own(self, handle):
        if not isinstance(handle, Ref) or handle.side != "h" or handle.owner != self._token:
            raise ValueError(f"{handle!r} is not a handle of this worker")
        return handle

    def _opaque(self, obj):
        """Encoding requests: our Handles go back by id; other judge objects stay here."""
        if isinstance(obj, Ref) and obj.side == "h":
            self._own(obj)
            return "h", obj.id, obj.type_name
        key = id(obj)
        if key not in self._judge_ids:
            ident = len(self._judge_objects) + 1
            self._judge_objects[ident], self._judge_ids[key] = obj, ident
        return "o", self._judge_ids[key], type(obj).__name__

    def _resolve(self, side, ident, type_name):
        if side == "h":
            return Ref("h", ident, type_name, self._token)
        if ident not in self._judge_objects:
            raise ProtocolError(f"the worker referred to an unknown judge object {ident}")
        return self._judge_objects[ident]

    def _deadline(self):
        limit = self.started + float(self.limits["wall_seconds"])
        return min(time.monotonic() + float(self.limits["call_seconds"]), limit)

    def _request(self, op, *fields):
        if not self.alive:
            raise WorkerDied(f"the worker is no longer running ({self.dead})")
        deadline = self._deadline()
        when = _during(op, fields)
        self._send([op, *fields], deadline, when)
        while True:
            msg = self._receive(deadline, when)
            kind = msg[0] if isinstance(msg, list) and msg else None
            if kind == "ok" and len(msg) == 2:
                return msg[1]
            if kind == "err" and len(msg) == 4 and all(type(x) is str for x in msg[1:]):
                if msg[1] == "MemoryError":
                    self._die(f"the worker ran out of memory (limit {self.limits['memory_mb']}"
                              f" MB): {msg[2][:200]}")
                raise StudentError(*msg[1:])
            if kind == "cb" and len(msg) == 4 and type(msg[1]) is str:
                began = time.monotonic()
                self._send(self._run_callback(*msg[1:]), deadline, when)
                deadline = min(deadline + time.monotonic() - began,
                               self.started + float(self.limits["wall_seconds"]))
                continue
            self._die("the worker broke the protocol (unexpected reply)")

    def _run_callback(self, name, args, kwargs):
        fn = self.callbacks.get(name)
        if fn is None or not isinstance(args, list) or not isinstance(kwargs, dict):
            return ["cberr", f"no judge callback {name!r}"]
        try:
            return ["cbok", fn(*args, **kwargs)]
        except Exception as exc:  # the reference failed on the student's inputs
            return ["cberr", f"{type(exc).__name__}: {exc}"]

    def _send(self, value, deadline, when):
        data = encode(value, self._opaque)
        try:
            self.channel.send(data, deadline)
        except TimeoutError:
            self._timeout()
        except Closed:
            self._died_on_its_own(when)

    def _receive(self, deadline, when):
        try:
            return decode(self.channel.receive(deadline), self._resolve)
        except TimeoutError:
            self._timeout()
        except Closed:
            self._died_on_its_own(when)
        except ProtocolError as exc:
            self._die(f"the worker broke the protocol: {exc}")

    def _timeout(self):
        overall = time.monotonic() >= self.started + float(self.limits["wall_seconds"]) - 0.01
        which = ("wall_seconds", "submission time limit") if overall else \
            ("call_seconds", "time limit")
        self._kill_all()
        self.dead = f"the worker was killed after {self.limits[which[0]]:g} s ({which[1]})"
        raise WorkerTimeout(self.dead)

    def _exit_code(self):
        try:
            return self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return None

    def _died_on_its_own(self, when):
        self._die(_describe_exit(self._exit_code(), when, self.isolation, self.limits))

    def _die(self, reason):
        self._kill_all()
        self.dead = reason
        raise WorkerDied(reason)

    def _kill_all(self):
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self.uid is not None:
            sweep_uid(self.uid)     # detached processes too; we hold the uid's lease
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass


def startup_seconds(limits):
    """Start-up budget of a worker: ``limits["startup_seconds"]`` if set, else
    max(DEFAULT_STARTUP_SECONDS, call_seconds). It never counts against the call limits."""
    if limits.get("startup_seconds"):
        return float(limits["startup_seconds"])
    return max(float(DEFAULT_STARTUP_SECONDS), float(limits["call_seconds"]))


@functools.lru_cache(maxsize=4)
def _python_dirs(executable):
    return iso.python_dirs(None if executable == sys.executable else executable)


def _levels(isolation):
    root = os.geteuid() == 0
    if isolation is None:
        return ["bwrap", "setuid", "setuid-perms"] if root else ["bwrap", "rlimits"]
    if isolation not in LEVELS:
        raise ValueError(f"isolation must be one of {LEVELS}, not {isolation!r}")
    if isolation == "rlimits" and root:
        raise IsolationUnavailable("refusing to run student code as root with rlimits only")
    if isolation.startswith("setuid") and not root:
        raise IsolationUnavailable(f"the {isolation} level needs root")
    return [isolation]


def _during(op, fields):
    """'during a call ...' text for a death in the middle of a request. Student modules are
    imported by the first call that names them, so an exit at import is reported here."""
    if op in ("call", "call_handle") and type(fields[0]) is str:
        return f"during a call of {fields[0][:200]} (running or importing student code)"
    return f"during a call ({op})"


def _name(value):
    if type(value) is not str or not value:
        raise ValueError(f"expected a non-empty name, got {value!r}")
    return value


def _describe_exit(code, when, level, limits):
    if code is None:
        return f"the worker stopped answering {when}"
    if level == "bwrap" and code > 128:   # bwrap reports a signal as 128 + signal number
        code = -(code - 128)
    if code >= 0:
        return f"the worker exited with code {code} {when}"
    sig = -code
    name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
    if sig == signal.SIGXCPU:
        return f"the worker exceeded its CPU time limit ({limits['cpu_seconds']} s) {when}"
    if sig == signal.SIGKILL:
        return f"the worker was killed by {name} {when} (possibly out of memory)"
    return f"the worker was killed by signal {name} {when}"

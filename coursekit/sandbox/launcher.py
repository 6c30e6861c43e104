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
from .channel import Channel, Closed
from .errors import IsolationUnavailable, SandboxError, StudentError, WorkerDied, WorkerTimeout
from .protocol import ProtocolError, Ref, decode, encode
from .staging import Stage

Handle = Ref
DEFAULT_LIMITS = {"wall_seconds": 300, "call_seconds": 60, "cpu_seconds": 240,
                  "memory_mb": 3072, "max_processes": 64, "max_file_mb": 16,
                  "max_open_files": 256, "max_output_bytes": 1 << 20, "max_message_mb": 256}
DEFAULT_UID_BASE = 64000
LEVELS = ("bwrap", "setuid", "rlimits")
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
    """Folders hidden in setuid mode: the folder holding the course (its siblings too),
    root's and users' homes."""
    hide = ["/root", "/home"]
    if course_root is not None:
        hide.append(os.path.dirname(os.path.realpath(course_root)))
    return hide


class Worker:
    """One sandboxed worker. Create with ``Worker.start(...)``; always ``close()``."""

    @classmethod
    def start(cls, code_dir, slot=0, limits=None, callbacks=None, isolation=None, hide=None):
        if not os.path.isdir(code_dir):
            raise FileNotFoundError(f"code folder {code_dir} does not exist")
        kit, course_root = _kit_settings()
        merged = {**DEFAULT_LIMITS, **kit.get("limits", {}), **(limits or {})}
        uid_base = int(kit.get("sandbox_uid_base", DEFAULT_UID_BASE))
        hide = default_hide(course_root) if hide is None else list(hide)
        levels = _levels(isolation)
        failures = []
        for level in levels:
            worker = cls(code_dir, slot, merged, callbacks or {}, level, uid_base + slot, hide)
            try:
                worker._launch()
                return worker
            except (WorkerDied, OSError, subprocess.SubprocessError) as exc:
                worker.close()
                failures.append(f"{level}: {exc}")
        raise IsolationUnavailable("could not start a sandbox worker: " + "; ".join(failures))

    def __init__(self, code_dir, slot, limits, callbacks, level, uid, hide):
        self.code_dir, self.slot, self.limits, self.callbacks = code_dir, slot, limits, callbacks
        self.isolation, self.hide = level, hide
        self.uid = self.gid = uid if os.geteuid() == 0 else None
        self._token = next(_tokens)
        self._judge_objects, self._judge_ids = {}, {}
        self.proc = self.channel = self.stage = None
        self.dead = None           # reason, once the worker is gone
        self.closed = False

    # ------------------------------------------------------------------ start-up
    def _launch(self):
        if self.uid is not None:
            iso.become_subreaper()
        self.stage = Stage(self.code_dir, self.uid, self.gid)
        if self.uid is not None:
            _kill_uid(self.uid)     # leftovers of an earlier worker of this slot
        req_r, req_w = os.pipe()
        rep_r, rep_w = os.pipe()
        argv, preexec, env, cwd = self._command(req_r, rep_w)
        try:
            self.proc = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                pass_fds=(req_r, rep_w), preexec_fn=preexec, env=env, cwd=cwd,
                start_new_session=True)
        finally:
            os.close(req_r)
            os.close(rep_w)
        self.channel = Channel(req_w, rep_r, self.proc.stdout.fileno(), self.proc.stderr.fileno(),
                               int(self.limits["max_message_mb"]) << 20,
                               int(self.limits["max_output_bytes"]))
        self.started = time.monotonic()
        hello = self._receive(self._deadline(), "during start-up")
        if not (isinstance(hello, list) and hello[:1] == ["hello"]):
            self._die("the worker broke the protocol during start-up")

    def _command(self, req_fd, rep_fd):
        stage, level = self.stage, self.isolation
        if level == "bwrap":
            bwrap = shutil.which("bwrap")
            if not bwrap:
                raise IsolationUnavailable("bwrap is not installed")
            kit_dir, code_dir = iso.SANDBOX_KIT, iso.SANDBOX_CODE
        else:
            kit_dir, code_dir = str(stage.kit), str(stage.code)
        python = [sys.executable, "-I", "-B", f"{kit_dir}/worker.py", str(req_fd), str(rep_fd),
                  code_dir]
        needed = iso.python_dirs() + [str(stage.root)]
        if level == "bwrap":
            argv = iso.bwrap_command(bwrap, str(stage.kit), str(stage.code), python)
            plan = iso.plan_covers(needed, [], self.uid, self.gid) if self.uid is not None else []
            preexec = iso.make_preexec(self.limits, self.uid, self.gid, plan)
            return argv, preexec, iso.sandbox_env("/tmp", "/tmp"), "/"
        env = iso.sandbox_env(str(stage.scratch), str(stage.scratch))
        if level == "setuid":
            plan = iso.plan_covers(needed, self.hide, self.uid, self.gid)
            preexec = iso.make_preexec(self.limits, self.uid, self.gid, plan, chdir=code_dir)
            return python, preexec, env, "/"
        preexec = iso.make_preexec(self.limits, extra_processes=_count_own_processes())
        return python, preexec, env, code_dir

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
        """Kill the worker's whole process group (and, as root, every process of the slot's
        uid); idempotent."""
        if self.closed:
            return
        if self.channel is not None and self.dead is None:
            self.channel.drain_outputs()
        self._kill_all()
        self.closed = True
        if self.dead is None:
            self.dead = "the worker was closed"
        if self.proc is not None:
            for stream in (self.proc.stdout, self.proc.stderr):
                stream.close()
            os.close(self.channel.req_fd)
            os.close(self.channel.rep_fd)
        if self.stage is not None:
            self.stage.remove()

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
        self._send([op, *fields], deadline)
        while True:
            msg = self._receive(deadline, "during a call")
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
                self._send(self._run_callback(*msg[1:]), deadline)
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

    def _send(self, value, deadline):
        data = encode(value, self._opaque)
        try:
            self.channel.send(data, deadline)
        except TimeoutError:
            self._timeout()
        except Closed:
            self._died_on_its_own("during a call")

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

    def _died_on_its_own(self, when):
        try:
            code = self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            code = None
        self._die(_describe_exit(code, when, self.isolation, self.limits))

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
            _kill_uid(self.uid)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass


def _levels(isolation):
    root = os.geteuid() == 0
    if isolation is None:
        return ["bwrap", "setuid"] if root else ["bwrap", "rlimits"]
    if isolation not in LEVELS:
        raise ValueError(f"isolation must be one of {LEVELS}, not {isolation!r}")
    if isolation == "rlimits" and root:
        raise IsolationUnavailable("refusing to run student code as root with rlimits only")
    if isolation == "setuid" and not root:
        raise IsolationUnavailable("the setuid level needs root")
    return [isolation]


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


def _kill_uid(uid):
    """SIGKILL every process of ``uid`` (kill(-1) as that uid is atomic, so even a fork bomb
    cannot escape it). Root only."""
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
    deadline = time.monotonic() + 2
    while live_processes_of(uid) and time.monotonic() < deadline:
        time.sleep(0.01)
    _reap_orphans(uid)


def _reap_orphans(uid):
    """Reap zombies of ``uid`` re-parented to this process (we are a child subreaper, so
    that killed sandbox processes do not linger as zombies counting against RLIMIT_NPROC)."""
    me = str(os.getpid())
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            owner = os.stat(f"/proc/{entry}").st_uid
        except (OSError, IndexError):
            continue
        if fields[0] == "Z" and fields[1] == me and owner == uid:
            try:
                os.waitpid(int(entry), os.WNOHANG)
            except ChildProcessError:
                pass


def live_processes_of(uid):
    """Pids of the processes (zombies excepted) whose real uid is ``uid``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as f:
                fields = dict(line.split(":", 1) for line in f if ":" in line)
        except OSError:
            continue
        if int(fields["Uid"].split()[0]) == uid and not fields["State"].strip().startswith("Z"):
            found.append(int(entry))
    return found


def _count_own_processes():
    uid, count = os.getuid(), 0
    for entry in os.listdir("/proc"):
        try:
            if entry.isdigit() and os.stat(f"/proc/{entry}").st_uid == uid:
                count += 1
        except OSError:
            pass
    return count

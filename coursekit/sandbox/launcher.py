"""Judge-side handle on one sandbox worker process (see docs/ARCHITECTURE.md, "Sandbox")."""
from __future__ import annotations

import os
import signal
import subprocess
import time

from . import isolation as iso
from .callbacks import ArgumentCheck, CallbackRefused, CallbackTimeout, as_callback
from .channel import Channel, Closed
from .cpu import CallMeter, CpuGroup
from .errors import (CallbackBudgetExceeded, IsolationUnavailable, SandboxStartError, StudentError,
                     WorkerDied, WorkerStarved, WorkerTimeout, describe_exit, during)
from .handles import HandleTable
from .levels import levels_to_try
from .procs import live_processes_of, namespaced_descendant, sweep_uid  # noqa: F401 (re-export)
from .protocol import ProtocolError, Ref, decode, encode
from .refproc import CallbackFailed, CallbackProcess
from .spec import SandboxSpec
from .staging import Stage
from .uids import UidLease

Handle = Ref
DEFAULT_UID_BASE = SandboxSpec.uid_base
STARTUP_STDERR_CHARS = 400
MIN_CALLBACK_CPU = 1e-3     # a worker with less callback CPU left than this runs no callback


class Worker:
    """One sandboxed worker. Create with ``Worker.start(...)``; always ``close()``."""

    @classmethod
    def start(cls, code_dir, spec=None, *, slot=0, limits=None, callbacks=None,
              isolation=None, hide=None, python=None):
        """Start a worker at the strongest available isolation level. ``spec`` (a
        SandboxSpec) holds the limits, hidden folders, uid pool and interpreter; ``limits``
        (a SandboxLimits or a mapping of some limits), ``hide`` and ``python`` override it.
        ``callbacks`` maps names to functions or Callbacks (callbacks.py). As root the worker
        runs as a sandbox uid leased for its whole life; ``slot`` is only the hint for the
        first uid tried. Raises SandboxStartError if no worker could start."""
        if not os.path.isdir(code_dir):
            raise FileNotFoundError(f"code folder {code_dir} does not exist")
        spec = (spec or SandboxSpec()).with_changes(limits=limits, hide=hide, python=python)
        callbacks = {name: as_callback(fn) for name, fn in (callbacks or {}).items()}
        failures, timed_out = [], False
        for level in levels_to_try(isolation):
            worker = cls(code_dir, slot, spec, callbacks, level)
            try:
                worker._launch()
                return worker
            except (IsolationUnavailable, OSError, subprocess.SubprocessError) as exc:
                worker.close()
                failures.append(f"{level.name}: {exc}")
                timed_out = getattr(exc, "timed_out", False)
                if timed_out:
                    break   # a loaded machine: a weaker level would be no faster
            except BaseException:
                worker.close()
                raise
        raise SandboxStartError("the sandbox could not start a worker: " + "; ".join(failures),
                                timed_out=timed_out)

    def __init__(self, code_dir, slot, spec, callbacks, level):
        self.code_dir, self.slot, self.spec, self.callbacks = code_dir, slot, spec, callbacks
        self.limits, self.level, self.isolation = spec.limits, level, level.name
        self.uid = self.gid = None          # the leased uid (root only), set at launch
        self.lease = self.cgroup = self.meter = None
        self.handles = HandleTable()
        self._checks = {name: ArgumentCheck(cb, self.limits, self.handles.issued)
                        for name, cb in callbacks.items()}
        self.callback_process = CallbackProcess({name: cb.fn for name, cb in callbacks.items()})
        self.callback_cpu = 0.0     # judge CPU seconds its callbacks used
        self.proc = self.channel = self.stage = None
        self.dead = None           # reason, once the worker is gone
        self.closed = False
        self.started = self.worker_pid = None

    # ------------------------------------------------------------------ start-up
    def _launch(self):
        if os.geteuid() == 0:
            self.lease = UidLease.acquire(self.spec.uid_base, self.spec.uid_pool, hint=self.slot)
            self.uid = self.gid = self.lease.uid
            iso.become_subreaper()
            sweep_uid(self.uid)     # leftovers of a dead owner of this uid (we hold it now)
            self.cgroup = CpuGroup.create(self.uid, self.limits.cpu_cores)
        self.stage = Stage(self.code_dir, self.uid, self.gid, share=self.level.share_stage)
        req_r, req_w = os.pipe()
        rep_r, rep_w = os.pipe()
        try:
            launch = self.level.launch(self, req_r, rep_w)
            self.proc = subprocess.Popen(
                launch.argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, pass_fds=(req_r, rep_w), preexec_fn=launch.preexec,
                env=launch.env, cwd=launch.cwd, start_new_session=True)
        except BaseException:
            os.close(req_w)
            os.close(rep_r)
            raise
        finally:
            os.close(req_r)
            os.close(rep_w)
        self.channel = Channel(req_w, rep_r, self.proc.stdout.fileno(), self.proc.stderr.fileno(),
                               int(self.limits.max_message_mb) << 20,
                               int(self.limits.max_output_bytes))
        hello = self._await_hello()
        self.started = time.monotonic()     # the time limits count from here
        self.worker_pid = self.proc.pid
        if self.level.share_stage:          # bwrap: the worker is a child in its own pid ns
            self.worker_pid = namespaced_descendant(self.proc.pid, hello.get("pid", -1))
        self.meter = CallMeter(self.worker_pid, self.cgroup)

    def _await_hello(self):
        """Wait for the worker's greeting within the start-up budget (not call_seconds)."""
        budget = self.limits.startup_budget()
        timed_out = False
        try:
            hello = decode(self.channel.receive(time.monotonic() + budget), self.handles.resolve)
        except TimeoutError:
            timed_out, reason = True, f"no greeting within {budget:g} s (start-up time limit)"
        except Closed:
            reason = describe_exit(self._exit_code(), "during start-up", self.isolation,
                                   self.limits)
        except ProtocolError as exc:
            reason = f"the worker broke the protocol during start-up: {exc}"
        else:
            if (isinstance(hello, list) and len(hello) == 2 and hello[0] == "hello"
                    and isinstance(hello[1], dict)):
                return hello[1]
            reason = "the worker broke the protocol during start-up"
        self.channel.drain_outputs()
        self._kill_all()
        self.dead = reason
        detail = self.channel.stderr.text().strip()[-STARTUP_STDERR_CHARS:]
        raise SandboxStartError(f"{reason}" + (f" [stderr: {detail}]" if detail else ""),
                                timed_out=timed_out)

    # ------------------------------------------------------------------ operations
    def call(self, target, *args, **kwargs):
        """Call "module:qualname" or a callable Handle in the worker; the result comes back
        as values, with non-encodable parts as Handles."""
        return self._request("call", self.handles.target(target), list(args), kwargs)

    def call_handle(self, target, *args, **kwargs):
        """Like call, but the whole result stays in the worker and comes back as a Handle."""
        return self._request("call_handle", self.handles.target(target), list(args), kwargs)

    def getattr(self, obj, name):
        return self._request("getattr", self.handles.target(obj), _name(name))

    def setattr(self, obj, name, value):
        self._request("setattr", self.handles.target(obj), _name(name), value)

    def getitem(self, obj, key):
        return self._request("getitem", self.handles.target(obj), key)

    def setitem(self, obj, key, value):
        self._request("setitem", self.handles.target(obj), key, value)

    def substitute(self, module, attr, callback):
        """Replace ``module.attr`` in the worker by a proxy that calls ``callbacks[callback]``
        here in the judge (its code never enters the sandbox)."""
        if callback not in self.callbacks:
            raise ValueError(f"no callback named {callback!r} was given to Worker.start")
        self._request("substitute", _name(module), _name(attr), callback)

    def release(self, *handles):
        self._request("release", [self.handles.own(h).id for h in handles])

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
        self.callback_process.close()
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
        if self.cgroup is not None:
            self.cgroup.close()
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
    def _deadline(self):
        limit = self.started + float(self.limits.wall_seconds)
        return min(time.monotonic() + float(self.limits.call_seconds), limit)

    def _request(self, op, *fields):
        if not self.alive:
            raise WorkerDied(f"the worker is no longer running ({self.dead})")
        deadline = self._deadline()
        when = during(op, fields)
        self.meter.start()
        self._send([op, *fields], deadline, when)
        while True:
            began = time.process_time()     # the judge's own CPU handling a callback counts too
            msg = self._receive(deadline, when)
            kind = msg[0] if isinstance(msg, list) and msg else None
            if kind == "ok" and len(msg) == 2:
                return msg[1]
            if kind == "err" and len(msg) == 4 and all(type(x) is str for x in msg[1:]):
                if msg[1] == "MemoryError":
                    self._die(f"the worker ran out of memory (limit {self.limits.memory_mb}"
                              f" MB): {msg[2][:200]}")
                raise StudentError(*msg[1:])
            if kind == "cb" and len(msg) == 4 and type(msg[1]) is str:
                # the callback's time counts against this call's deadline, and the judge CPU
                # of its handling here (decoding, checks, encoding) against the budget
                self._send(self._run_callback(*msg[1:], deadline), deadline, when)
                self.callback_cpu += time.process_time() - began
                self._over_budget(float(self.limits.callback_cpu_seconds))
                continue
            self._die("the worker broke the protocol (unexpected reply)")

    def _run_callback(self, name, args, kwargs, deadline):
        callback = self.callbacks.get(name)
        if callback is None or not isinstance(args, list) or not isinstance(kwargs, dict):
            return ["cberr", f"no judge callback {name!r}"]
        try:
            self._checks[name](args, kwargs)
        except CallbackRefused as exc:
            return ["cberr", f"judge function {name!r} refused its arguments: {exc}"]
        own = callback.seconds if callback.seconds is not None else self.limits.callback_seconds
        seconds = deadline - time.monotonic()
        seconds = min(seconds, own) if own else seconds
        budget = float(self.limits.callback_cpu_seconds)
        if budget:
            left = budget - self.callback_cpu
            if left < MIN_CALLBACK_CPU:
                return ["cberr", f"judge function {name!r} refused: the judge CPU its callbacks "
                                 f"may use ({budget:g} s) is used up"]
        try:
            value, cpu = self.callback_process.call(name, args, kwargs, seconds,
                                                    cpu_limit=(budget - self.callback_cpu) if budget else None)
        except CallbackTimeout as exc:
            self.callback_cpu += exc.cpu
            self._over_budget(budget)
            if time.monotonic() >= deadline:
                self._timeout()
            self._kill_all()
            self.dead = (f"the worker was killed: judge function {name!r}, called with its "
                         f"arguments, did not finish within {seconds:.3g} s (its time limit)")
            raise WorkerTimeout(self.dead) from None
        except CallbackFailed as exc:  # the reference failed on the student's inputs
            return ["cberr", str(exc)]
        self.callback_cpu += cpu
        self._over_budget(budget)
        return ["cbok", value]

    def _over_budget(self, budget):
        """Kill the worker once its callbacks used their judge CPU (CallbackBudgetExceeded),
        or all but less than MIN_CALLBACK_CPU of it (the next callback would only be refused,
        and the overrun never said); a worker given no budget to speak of (< MIN_CALLBACK_CPU)
        only has them refused."""
        if budget >= MIN_CALLBACK_CPU and self.callback_cpu > budget - MIN_CALLBACK_CPU:
            self._kill_all()
            self.dead = (f"the worker was killed: its calls of judge functions used "
                         f"{self.callback_cpu:.2f} s of judge CPU (allowed: {budget:g} s)")
            raise CallbackBudgetExceeded(self.dead)

    def _send(self, value, deadline, when):
        data = encode(value, self.handles.opaque)
        try:
            self.channel.send(data, deadline)
        except TimeoutError:
            self._timeout()
        except Closed:
            self._died_on_its_own(when)

    def _receive(self, deadline, when):
        try:
            return decode(self.channel.receive(deadline), self.handles.resolve)
        except TimeoutError:
            self._timeout()
        except Closed:
            self._died_on_its_own(when)
        except ProtocolError as exc:
            self._die(f"the worker broke the protocol: {exc}")

    def _timeout(self):
        wall, cpu, wait = self.meter.reading()
        overall = time.monotonic() >= self.started + float(self.limits.wall_seconds) - 0.01
        limit, what = ((self.limits.wall_seconds, "submission time limit") if overall else
                       (self.limits.call_seconds, "time limit"))
        self._kill_all()
        self.dead = f"the worker was killed after {limit:g} s ({what})"
        starved = wait is not None and wait >= self.limits.starved_fraction * wall
        if starved:
            self.dead += (f" while the machine was overloaded: it got {cpu:.1f} s of CPU and "
                          f"waited {wait:.1f} s for one")
        raise (WorkerStarved if starved else WorkerTimeout)(self.dead, wall, cpu, wait)

    def _exit_code(self):
        try:
            return self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return None

    def _died_on_its_own(self, when):
        self._die(describe_exit(self._exit_code(), when, self.isolation, self.limits))

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


def _name(value):
    if type(value) is not str or not value:
        raise ValueError(f"expected a non-empty name, got {value!r}")
    return value

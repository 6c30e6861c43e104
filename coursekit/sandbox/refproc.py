"""Judge callbacks run in a killable process: a deadline stops them, and their CPU is measured.

A callback runs trusted code (the reference) on arguments the student chose. On a thread of
the judge, a late callback could only be abandoned and went on burning the judge's CPU; here
it runs in a child forked from the judge (the same code and objects, nothing to import or
pickle but the arguments and the result), which is killed at the deadline: nothing outlives
it. The child's CPU time is read from /proc before and after each call, so the caller can
account and cap it.

    proc = CallbackProcess(callbacks)          # {name: function}; forked on first use
    value, cpu = proc.call(name, args, kwargs, seconds, cpu_limit)
                                               # CallbackTimeout(cpu) when late or over cpu_limit
    proc.close()                               # kills the child; idempotent

One child serves one worker's callbacks in turn (a new one is forked after a kill). It asks
the kernel to kill it when the judge dies.
"""
from __future__ import annotations

import os
import pickle
import signal
import struct

from .callbacks import CallbackTimeout

_LEN = struct.Struct("<Q")
_TICK = os.sysconf("SC_CLK_TCK")
POLL_SECONDS = 0.05       # how often the child's CPU is read while a call with a CPU limit runs


class CallbackFailed(Exception):
    """The callback raised; the text is its type and message (shown to the worker)."""


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process `pid` so far (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


class CallbackProcess:
    def __init__(self, functions: dict):
        self.functions = functions
        self.pid = None
        self._send = self._receive = self._reader = None

    def call(self, name, args, kwargs, seconds, cpu_limit=None):
        """functions[name](*args, **kwargs) in the child, waited for `seconds` at most and
        stopped once it used `cpu_limit` CPU seconds (None: no limit): (value, cpu seconds
        it took). Raises CallbackFailed for its exception, and CallbackTimeout (with `cpu`)
        after killing the child when it is late or over its CPU."""
        import time
        if self.pid is None:
            self._fork()
        before = cpu_seconds(self.pid)
        _write(self._send, pickle.dumps((name, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL))
        deadline = time.monotonic() + max(seconds, 0.0)
        while True:
            wait = min(deadline - time.monotonic(), POLL_SECONDS if cpu_limit is not None else seconds)
            reply = self._reader.message(max(wait, 0.0))
            cpu = max(cpu_seconds(self.pid) - before, 0.0)
            if reply is not None:
                break
            if time.monotonic() >= deadline or (cpu_limit is not None and cpu >= cpu_limit):
                self.close()
                raise CallbackTimeout(f"did not finish within {seconds:.3g} s" if time.monotonic() >= deadline
                                      else f"used its {cpu_limit:.3g} s of judge CPU", cpu)
        kind, value = pickle.loads(reply)
        if kind == "err":
            raise CallbackFailed(value)
        return value, cpu

    def _fork(self):
        from .isolation import die_with_parent
        req_r, req_w = os.pipe()
        rep_r, rep_w = os.pipe()
        pid = os.fork()
        if pid == 0:   # the child: serve until the pipe closes or the judge dies
            try:
                die_with_parent()
                os.close(req_w)
                os.close(rep_r)
                _serve(self.functions, req_r, rep_w)
            finally:
                os._exit(0)
        os.close(req_r)
        os.close(rep_w)
        self.pid, self._send, self._receive = pid, req_w, rep_r
        self._reader = _Reader(rep_r)

    def close(self):
        if self.pid is None:
            return
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)
        os.close(self._send)
        os.close(self._receive)
        self.pid = self._send = self._receive = self._reader = None


def _serve(functions, req_fd, rep_fd):
    reader = _Reader(req_fd)
    while True:
        body = reader.message(None)
        if body is None:
            return
        name, args, kwargs = pickle.loads(body)
        try:
            reply = ("ok", functions[name](*args, **kwargs))
            data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # noqa: BLE001 -- the reference failed on the student's inputs
            data = pickle.dumps(("err", f"{type(exc).__name__}: {exc}"))
        _write(rep_fd, data)


def _write(fd, data: bytes) -> None:
    view = memoryview(_LEN.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


class _Reader:
    """Length-prefixed messages from a pipe; a partial message is kept across waits."""

    def __init__(self, fd):
        self.fd, self.buf = fd, bytearray()

    def message(self, seconds):
        """The next message, or None when `seconds` pass first (None: wait) or at end of file."""
        import select
        import time
        deadline = None if seconds is None else time.monotonic() + seconds
        while True:
            if len(self.buf) >= _LEN.size:
                need = _LEN.size + _LEN.unpack(bytes(self.buf[:_LEN.size]))[0]
                if len(self.buf) >= need:
                    body = bytes(self.buf[_LEN.size:need])
                    del self.buf[:need]
                    return body
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                    return None
            chunk = os.read(self.fd, 1 << 20)
            if not chunk:
                return None
            self.buf += chunk

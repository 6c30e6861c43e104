"""Judge-side pipes to one worker: framed replies (size-capped), captured stdout/stderr."""
from __future__ import annotations

import os
import select
import time

from .protocol import HEADER, ProtocolError

CHUNK = 1 << 20


class Capture:
    """Bytes of one output stream, kept up to ``limit``; the rest is counted, not kept."""

    def __init__(self, limit):
        self.limit, self.data, self.dropped = limit, bytearray(), 0

    def feed(self, chunk):
        room = self.limit - len(self.data)
        self.data += chunk[:max(room, 0)]
        self.dropped += max(len(chunk) - max(room, 0), 0)

    def text(self):
        text = self.data.decode("utf-8", "replace")
        if self.dropped:
            text += (f"\n[output truncated: {self.dropped} more bytes not shown"
                     f" (limit {self.limit} bytes)]\n")
        return text


class Closed(Exception):
    """The worker closed its reply pipe (it exited or was killed)."""


class Channel:
    def __init__(self, req_fd, rep_fd, out_fd, err_fd, max_message, max_output):
        self.req_fd, self.rep_fd = req_fd, rep_fd
        self.stdout, self.stderr = Capture(max_output), Capture(max_output)
        self.outputs = {out_fd: self.stdout, err_fd: self.stderr}  # open output pipes
        self.max_message = max_message
        self.inbuf = bytearray()
        for fd in (req_fd, rep_fd, out_fd, err_fd):
            os.set_blocking(fd, False)

    def send(self, data, deadline):
        view = memoryview(data)
        while view:
            self._wait(deadline, write=True)
            try:
                view = view[os.write(self.req_fd, view):]
            except BlockingIOError:
                continue
            except (BrokenPipeError, OSError) as exc:
                raise Closed(str(exc)) from None

    def receive(self, deadline):
        """Body bytes of the next reply. Raises TimeoutError, Closed or ProtocolError."""
        while True:
            body = self._frame()
            if body is not None:
                return body
            self._wait(deadline)
            self._read_reply()

    def _frame(self):
        if len(self.inbuf) < HEADER.size:
            return None
        size = HEADER.unpack_from(self.inbuf)[0]
        if size > self.max_message:
            raise ProtocolError(f"reply of {size} bytes exceeds the limit of "
                                f"{self.max_message} bytes")
        end = HEADER.size + size
        if len(self.inbuf) < end:
            return None
        body = bytes(self.inbuf[HEADER.size:end])
        del self.inbuf[:end]
        return body

    def _read_reply(self):
        try:
            chunk = os.read(self.rep_fd, CHUNK)
        except BlockingIOError:
            return
        if not chunk:
            raise Closed("reply pipe closed")
        self.inbuf += chunk

    def _wait(self, deadline, write=False):
        """Block until the reply pipe is readable (or request pipe writable), draining
        stdout/stderr meanwhile."""
        target = self.req_fd if write else self.rep_fd
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            readers = [fd for fd in self.outputs] + ([] if write else [target])
            r, w, _ = select.select(readers, [target] if write else [], [], remaining)
            for fd in r:
                if fd in self.outputs:
                    self._drain(fd)
            if (target in w) if write else (target in r):
                return

    def _drain(self, fd):
        try:
            chunk = os.read(fd, CHUNK)
        except (BlockingIOError, OSError):
            return
        if chunk:
            self.outputs[fd].feed(chunk)
        else:
            del self.outputs[fd]

    def drain_outputs(self):
        for fd in list(self.outputs):
            for _ in range(64):
                if fd not in self.outputs or not select.select([fd], [], [], 0)[0]:
                    break
                self._drain(fd)

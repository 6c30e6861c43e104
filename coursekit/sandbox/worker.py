"""The sandbox worker: serves the judge's requests next to the student's code.

Runs inside the sandbox (stdlib + numpy only; never imports coursekit). Usage:
    python -I -B worker.py REQUEST_FD REPLY_FD CODE_DIR
Requests and replies are protocol.py messages on two dedicated pipes; the student's prints
go to stdout/stderr, which the judge captures separately. Everything this process says is
untrusted by the judge: the student's code runs in this very process.
"""
import importlib
import importlib.util
import os
import sys
import traceback

MAX_ERROR_TEXT = 64 * 1024
_HERE = os.path.dirname(os.path.abspath(__file__))


def _load_protocol():
    spec = importlib.util.spec_from_file_location("_coursekit_protocol",
                                                  os.path.join(_HERE, "protocol.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


protocol = _load_protocol()


class CallbackError(Exception):
    """The judge-side function behind a substituted attribute failed."""


class JudgeObject:
    """An object that lives in the judge (e.g. a reference cache): opaque here."""

    def __init__(self, ident, type_name):
        self._ident, self._type_name = ident, type_name

    def __repr__(self):
        return f"<judge-side {self._type_name}>"


class JudgeFunction:
    """Replaces a module attribute: each call is answered by the judge."""

    def __init__(self, server, name):
        self._server, self._name = server, name

    def __call__(self, *args, **kwargs):
        return self._server.callback(self._name, args, kwargs)

    def __repr__(self):
        return f"<judge function {self._name}>"


class Keep:
    """Marks a result that must stay in the worker (sent as a handle, even if encodable)."""

    def __init__(self, obj):
        self.obj = obj


class Server:
    def __init__(self, req_fd, rep_fd):
        self.req_fd, self.rep_fd = req_fd, rep_fd
        self.objects, self.next_id = {}, 1
        self.reserve = bytearray(1 << 20)  # freed on MemoryError so that we can still reply

    # -- references
    def opaque(self, obj):
        if isinstance(obj, JudgeObject):
            return "o", obj._ident, obj._type_name
        if isinstance(obj, Keep):
            obj = obj.obj
        ident, self.next_id = self.next_id, self.next_id + 1
        self.objects[ident] = obj
        return "h", ident, type(obj).__name__

    def resolve(self, side, ident, type_name):
        if side == "o":
            return JudgeObject(ident, type_name)
        if ident not in self.objects:
            raise LookupError(f"unknown or released handle {ident} ({type_name})")
        return self.objects[ident]

    # -- messages
    def read_exact(self, n):
        chunks = []
        while n:
            chunk = os.read(self.req_fd, min(n, 1 << 20))
            if not chunk:
                return None
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)

    def receive(self):
        """Body of the next message from the judge (None at end of input)."""
        head = self.read_exact(protocol.HEADER.size)
        if head is None:
            return None
        return self.read_exact(protocol.HEADER.unpack(head)[0])

    def send(self, value):
        _flush_std()
        data = memoryview(protocol.encode(value, self.opaque))
        while data:
            data = data[os.write(self.rep_fd, data):]

    def decode(self, body):
        """Strings come interned, as the literals of the notebook's calls would be."""
        return protocol.decode(body, self.resolve, max_str=1 << 30, intern=True)

    # -- serving
    def serve_forever(self):
        self.send(["hello", {"pid": os.getpid(), "uid": os.getuid()}])
        while True:
            body = self.receive()
            if body is None:
                return
            self.answer(lambda: self.dispatch(self.decode(body)))

    def answer(self, compute):
        """Send ["ok", result] or, whatever the student code raised, ["err", ...]."""
        try:
            result = compute()
            self.send(["ok", result])
        except BaseException as exc:  # noqa: BLE001 -- student code may raise anything
            self.reserve = None
            self.send(["err", *describe(exc)])
            self.reserve = bytearray(1 << 20)

    def dispatch(self, msg):
        op, *fields = msg
        if op == "ping":
            return "pong"
        if op == "call":
            target, args, kwargs = fields
            return self.target(target)(*args, **kwargs)
        if op == "call_handle":
            target, args, kwargs = fields
            return Keep(self.target(target)(*args, **kwargs))
        if op == "getattr":
            return getattr(self.target(fields[0]), fields[1])
        if op == "setattr":
            return setattr(self.target(fields[0]), fields[1], fields[2])
        if op == "getitem":
            return self.target(fields[0])[fields[1]]
        if op == "setitem":
            self.target(fields[0])[fields[1]] = fields[2]
            return None
        if op == "substitute":
            module, attr, name = fields
            setattr(importlib.import_module(module), attr, JudgeFunction(self, name))
            return None
        if op == "release":
            for ident in fields[0]:
                self.objects.pop(ident, None)
            return None
        raise ValueError(f"unknown operation {op!r}")

    def target(self, target):
        """"module:qualname" (or "module:" for the module itself), else the object."""
        if type(target) is not str:
            return target
        module_name, _, qualname = target.partition(":")
        obj = importlib.import_module(module_name)
        for part in filter(None, qualname.split(".")):
            obj = getattr(obj, part)
        return obj

    def callback(self, name, args, kwargs):
        """Ask the judge to run ``name``; serve nested requests while waiting."""
        self.send(["cb", name, list(args), dict(kwargs)])
        while True:
            body = self.receive()
            if body is None:
                os._exit(0)
            try:
                msg = self.decode(body)
            except BaseException as exc:  # noqa: BLE001 -- e.g. a released handle
                self.send(["err", *describe(exc)])
                continue
            if msg[0] == "cbok":
                return msg[1]
            if msg[0] == "cberr":
                raise CallbackError(msg[1])
            self.answer(lambda: self.dispatch(msg))


def describe(exc):
    """(type name, message, traceback) of a student exception, capped, worker frames cut."""
    try:
        message = str(exc)
    except BaseException:  # noqa: BLE001
        message = "<unprintable exception>"
    try:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename != __file__]
        text = "".join(traceback.format_list(frames))
        text += "".join(traceback.format_exception_only(type(exc), exc))
    except BaseException:  # noqa: BLE001
        text = ""
    return (type(exc).__name__[:200], message[:MAX_ERROR_TEXT],
            "Traceback (most recent call last):\n" + text[-MAX_ERROR_TEXT:])


def _flush_std():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:  # noqa: BLE001
            pass


def main(argv):
    req_fd, rep_fd, code_dir = int(argv[1]), int(argv[2]), argv[3]
    sys.path.insert(0, code_dir)
    sys.argv = ["student"]
    sys.stdin = None
    Server(req_fd, rep_fd).serve_forever()
    _flush_std()
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv)

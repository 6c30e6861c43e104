"""Wire format between the judge and the sandbox worker (stdlib + numpy only, no pickle).

This file is copied next to worker.py into the sandbox, so it must not import coursekit.

A message is an 8-byte little-endian length followed by one encoded value. Values are
tagged: None, bool, int, float, str, list, tuple, dict with str keys, numpy arrays and
scalars of dtype kind b/i/u/f, and references to objects that stay on one side:
``h`` = an object living in the worker, ``o`` = an object living in the judge.
The decoder is defensive: it never trusts a length, a depth, a dtype or a string size.
The worker decodes with ``intern=True``: its strings (and dict keys) are the interned objects
a literal with the same text would be, so student code comparing them with ``is`` (e.g.
``cell_type is "rnn"``, which works in the notebook) sees what it would see there.
"""
import re
import struct
import sys

import numpy as np

HEADER = struct.Struct("<Q")
_U32 = struct.Struct("<I")
_I64 = struct.Struct("<q")
_U64 = struct.Struct("<Q")
_F64 = struct.Struct("<d")

MAX_DEPTH = 64
MAX_STR = 1 << 20
MAX_NDIM = 32
MAX_BIGINT_DIGITS = 1000
MAX_INTERNED = 256          # longer strings are never identifiers or keys: left as they are
_DTYPE_RE = re.compile(r"^[<>|=][biuf](1|2|4|8|16)$")


class ProtocolError(Exception):
    """A message that does not follow the wire format (or exceeds a limit)."""


class Ref:
    """An object that stays on its side; ``side`` is "h" (worker) or "o" (judge)."""

    __slots__ = ("side", "id", "type_name", "owner")

    def __init__(self, side, id, type_name, owner=None):
        self.side, self.id, self.type_name, self.owner = side, id, type_name, owner

    def __repr__(self):
        return f"Handle(id={self.id}, type={self.type_name!r})"

    def __eq__(self, other):
        return (isinstance(other, Ref) and (self.side, self.id, self.owner)
                == (other.side, other.id, other.owner))

    def __hash__(self):
        return hash((self.side, self.id))


# ----------------------------------------------------------------------------- encoding
def encode(value, opaque):
    """Bytes of one framed message. ``opaque(obj)`` -> (side, id, type_name) for objects
    that cannot cross as values (and for refs, to map them back to the peer's ids)."""
    out = bytearray(HEADER.size)
    _enc(value, out, opaque, 0)
    HEADER.pack_into(out, 0, len(out) - HEADER.size)
    return out


def _enc_str(s, out):
    b = s.encode("utf-8", "surrogatepass")
    out += _U32.pack(len(b))
    out += b


def _enc(v, out, opaque, depth):
    t = type(v)
    if depth > MAX_DEPTH:
        raise ProtocolError(f"value nested deeper than {MAX_DEPTH}")
    if v is None:
        out += b"N"
    elif t is bool:
        out += b"T" if v else b"F"
    elif t is int:
        if -(1 << 63) <= v < (1 << 63):
            out += b"i" + _I64.pack(v)
        else:
            digits = str(v)
            if len(digits) > MAX_BIGINT_DIGITS:
                raise ProtocolError("integer too large to send")
            out += b"I"
            _enc_str(digits, out)
    elif t is float:
        out += b"f" + _F64.pack(v)
    elif t is str and len(v) <= MAX_STR // 4:
        out += b"s"
        _enc_str(v, out)
    elif t in (list, tuple):
        out += (b"l" if t is list else b"t") + _U32.pack(len(v))
        for item in v:
            _enc(item, out, opaque, depth + 1)
    elif t is dict and all(type(k) is str for k in v):
        out += b"d" + _U32.pack(len(v))
        for k, item in v.items():
            _enc_str(k, out)
            _enc(item, out, opaque, depth + 1)
    elif isinstance(v, np.ndarray) and t is np.ndarray and v.dtype.kind in "biuf":
        arr = v if v.flags.c_contiguous else v.copy(order="C")
        out += b"a"
        _enc_dtype(arr.dtype, out)
        out += bytes([arr.ndim])
        for n in arr.shape:
            out += _U64.pack(n)
        out += _U64.pack(arr.nbytes)
        out += arr.tobytes()
    elif isinstance(v, np.generic) and v.dtype.kind in "biuf":
        out += b"g"
        _enc_dtype(v.dtype, out)
        out += v.tobytes()
    else:
        side, ident, tname = opaque(v)
        out += side.encode("ascii") + _U64.pack(ident)
        _enc_str(tname[:200], out)


def _enc_dtype(dt, out):
    s = dt.str.encode("ascii")
    out += bytes([len(s)]) + s


# ----------------------------------------------------------------------------- decoding
class _Reader:
    __slots__ = ("buf", "pos", "resolve", "max_str", "intern")

    def __init__(self, buf, resolve, max_str, intern=False):
        self.buf, self.pos, self.resolve, self.max_str = memoryview(buf), 0, resolve, max_str
        self.intern = intern

    def take(self, n):
        end = self.pos + n
        if n < 0 or end > len(self.buf):
            raise ProtocolError("truncated message")
        chunk = self.buf[self.pos:end]
        self.pos = end
        return chunk

    def unpack(self, st):
        return st.unpack(self.take(st.size))[0]

    def string(self):
        n = self.unpack(_U32)
        if n > self.max_str:
            raise ProtocolError(f"string of {n} bytes exceeds the limit of {self.max_str}")
        try:
            text = bytes(self.take(n)).decode("utf-8", "surrogatepass")
        except UnicodeDecodeError as exc:
            raise ProtocolError(f"invalid utf-8 in string: {exc}") from None
        return sys.intern(text) if self.intern and len(text) <= MAX_INTERNED else text

    def dtype(self):
        n = self.take(1)[0]
        s = bytes(self.take(n)).decode("ascii", "replace")
        if not _DTYPE_RE.match(s):
            raise ProtocolError(f"dtype {s!r} not allowed (only bool/int/uint/float)")
        return np.dtype(s)


def decode(body, resolve, max_str=MAX_STR, intern=False):
    """The value of one message body. ``resolve(side, id, type_name)`` maps a reference
    to an object; ``intern``: strings up to MAX_INTERNED characters come back interned
    (sys.intern). Raises ProtocolError for anything malformed or over a limit."""
    r = _Reader(body, resolve, max_str, intern)
    value = _dec(r, 0)
    if r.pos != len(r.buf):
        raise ProtocolError("trailing bytes after the message")
    return value


def _dec(r, depth):
    if depth > MAX_DEPTH:
        raise ProtocolError(f"message nested deeper than {MAX_DEPTH}")
    tag = bytes(r.take(1))
    simple = {b"N": None, b"T": True, b"F": False}
    if tag in simple:
        return simple[tag]
    if tag == b"i":
        return r.unpack(_I64)
    if tag == b"I":
        digits = r.string()
        if len(digits) > MAX_BIGINT_DIGITS or not re.fullmatch(r"-?[0-9]+", digits):
            raise ProtocolError("malformed big integer")
        return int(digits)
    if tag == b"f":
        return r.unpack(_F64)
    if tag == b"s":
        return r.string()
    if tag in (b"l", b"t"):
        n = r.unpack(_U32)
        if n > len(r.buf) - r.pos:
            raise ProtocolError("container longer than the message")
        items = [_dec(r, depth + 1) for _ in range(n)]
        return items if tag == b"l" else tuple(items)
    if tag == b"d":
        n = r.unpack(_U32)
        if n > len(r.buf) - r.pos:
            raise ProtocolError("dict longer than the message")
        out = {}
        for _ in range(n):
            k = r.string()
            out[k] = _dec(r, depth + 1)
        return out
    if tag == b"a":
        return _dec_array(r)
    if tag == b"g":
        dt = r.dtype()
        return np.frombuffer(r.take(dt.itemsize), dtype=dt)[0]
    if tag in (b"h", b"o"):
        ident = r.unpack(_U64)
        return r.resolve(tag.decode(), ident, r.string())
    raise ProtocolError(f"unknown tag {tag!r}")


def _dec_array(r):
    dt = r.dtype()
    ndim = r.take(1)[0]
    if ndim > MAX_NDIM:
        raise ProtocolError(f"array with {ndim} dimensions")
    shape = tuple(r.unpack(_U64) for _ in range(ndim))
    count = 1
    for n in shape:
        count *= n
    nbytes = r.unpack(_U64)
    if nbytes != count * dt.itemsize or nbytes > len(r.buf) - r.pos:
        raise ProtocolError(f"array header {shape} {dt} does not match its {nbytes} data bytes"
                            " or the message size")
    data = r.take(nbytes)
    if count == 0:
        return np.zeros(shape, dtype=dt)
    return np.frombuffer(data, dtype=dt, count=count).reshape(shape).copy()

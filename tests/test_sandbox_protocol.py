"""The wire format: round trips and defensive decoding (no sandbox needed)."""
import struct

import numpy as np
import pytest

from coursekit.sandbox.protocol import HEADER, MAX_DEPTH, ProtocolError, Ref, decode, encode


def no_opaque(obj):
    raise AssertionError(f"unexpected opaque object {obj!r}")


def roundtrip(value, opaque=no_opaque, resolve=None):
    data = encode(value, opaque)
    assert HEADER.unpack_from(data)[0] == len(data) - HEADER.size
    return decode(bytes(data[HEADER.size:]), resolve or (lambda *a: Ref(*a)))


def test_plain_values_round_trip():
    value = {"a": [1, -2, 2**70, 1.5, "é", None, True, False], "t": (1, (2, [])), "": {}}
    assert roundtrip(value) == value


@pytest.mark.parametrize("array", [
    np.arange(12, dtype=np.float32).reshape(3, 4),
    np.asfortranarray(np.arange(6.0).reshape(2, 3)),
    np.arange(5, dtype=">i4"),
    np.array(3.5),
    np.zeros((0, 4)),
    np.array([True, False]),
    np.arange(10, dtype=np.uint8)[::3],
])
def test_arrays_round_trip_with_dtype_and_shape(array):
    back = roundtrip(array)
    assert back.dtype == array.dtype and back.shape == array.shape
    np.testing.assert_array_equal(back, array)
    assert back.flags.writeable


def test_numpy_scalars_keep_their_type():
    back = roundtrip([np.float32(1.5), np.int64(-3), np.bool_(True)])
    assert [type(x) for x in back] == [np.float32, np.int64, np.bool_]


def test_unencodable_objects_become_references():
    seen = []

    def opaque(obj):
        seen.append(obj)
        return "h", 7, type(obj).__name__

    marker = object()
    back = roundtrip([1, marker, {3: 4}, np.array([None])], opaque)
    assert back[0] == 1 and [type(x) for x in back[1:]] == [Ref, Ref, Ref]
    assert back[1].type_name == "object" and seen[0] is marker


def body(*parts):
    return b"".join(parts)


def s(text):
    raw = text.encode()
    return struct.pack("<I", len(raw)) + raw


def array_header(dtype, shape, nbytes):
    d = dtype.encode()
    dims = b"".join(struct.pack("<Q", n) for n in shape)
    return b"a" + bytes([len(d)]) + d + bytes([len(shape)]) + dims + struct.pack("<Q", nbytes)


@pytest.mark.parametrize("raw, fragment", [
    (array_header("|O8", (1,), 8) + b"\0" * 8, "not allowed"),
    (array_header("<U4", (1,), 16) + b"\0" * 16, "not allowed"),
    (array_header("<f8", (2**28,), 2**31), "does not match"),
    (array_header("<f8", (2,), 8) + b"\0" * 8, "does not match"),
    (b"s" + struct.pack("<I", 2**31), "exceeds the limit"),
    (b"s" + struct.pack("<I", 2) + b"\xff\xfe", "utf-8"),
    (b"l" + struct.pack("<I", 2**31), "longer than the message"),
    ((b"l" + struct.pack("<I", 1)) * (MAX_DEPTH + 5) + b"N", "nested deeper"),
    (b"N" + b"N", "trailing"),
    (b"i\x01", "truncated"),
    (b"Q", "unknown tag"),
    (b"I" + s("12x"), "big integer"),
])
def test_malformed_messages_are_rejected(raw, fragment):
    with pytest.raises(ProtocolError, match=fragment):
        decode(raw, lambda *a: Ref(*a))


def test_string_cap_is_configurable():
    with pytest.raises(ProtocolError, match="exceeds the limit of 4"):
        decode(b"s" + s("hello"), lambda *a: None, max_str=4)


def test_encoder_refuses_too_deep_values():
    value = []
    for _ in range(MAX_DEPTH + 2):
        value = [value]
    with pytest.raises(ProtocolError, match="deeper"):
        encode(value, no_opaque)


def test_interned_decoding_gives_the_literals_objects():
    """With intern=True (the worker's side) short strings and dict keys are the interned
    objects a literal of the same text is; long strings are left alone, and without the flag
    (the judge's side) nothing changes."""
    text = "".join(["ls", "tm"])
    body = bytes(encode({"".join(["W_", "embed"]): [text, "x" * 300]}, no_opaque)[HEADER.size:])
    (key, (short, long_)), = decode(body, lambda *a: None, intern=True).items()
    assert key is "W_embed" and short is "lstm"  # noqa: F632 -- identity is what is tested
    assert long_ == "x" * 300
    (key, (short, _)), = decode(body, lambda *a: None).items()
    assert key == "W_embed" and short is not "lstm"  # noqa: F632

"""The judge's side of the objects that cross as references, for one worker.

Worker objects come to the judge as Handles (``Ref`` with side "h") stamped with this
table's token, so a handle of one worker can never be used with another. Judge objects
(e.g. a reference cache returned by a callback) stay here and go to the worker as ids; the
worker can only refer back to ids issued to it.
"""
from __future__ import annotations

import itertools

from .protocol import ProtocolError, Ref

_tokens = itertools.count(1)


class HandleTable:
    def __init__(self):
        self.token = next(_tokens)
        self._objects, self._ids = {}, {}

    def target(self, target):
        """A request's target: "module:qualname" or a handle of this worker."""
        if isinstance(target, str):
            if ":" not in target:
                raise ValueError(f"target {target!r} must look like 'module:qualname'")
            return target
        return self.own(target)

    def own(self, handle):
        if not isinstance(handle, Ref) or handle.side != "h" or handle.owner != self.token:
            raise ValueError(f"{handle!r} is not a handle of this worker")
        return handle

    def opaque(self, obj):
        """Encoding requests: our Handles go back by id; other judge objects stay here."""
        if isinstance(obj, Ref) and obj.side == "h":
            self.own(obj)
            return "h", obj.id, obj.type_name
        key = id(obj)
        if key not in self._ids:
            ident = len(self._objects) + 1
            self._objects[ident], self._ids[key] = obj, ident
        return "o", self._ids[key], type(obj).__name__

    def resolve(self, side, ident, type_name):
        if side == "h":
            return Ref("h", ident, type_name, self.token)
        if ident not in self._objects:
            raise ProtocolError(f"the worker referred to an unknown judge object {ident}")
        return self._objects[ident]

    def issued(self, obj):
        """Was ``obj`` issued to this worker as a judge object?"""
        return self._objects.get(self._ids.get(id(obj))) is obj

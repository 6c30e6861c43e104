"""Last guard of every pipeline: no region marker may survive into an output file."""
from __future__ import annotations

from ..errors import BuildError
from .markers import Markers


class AssertNoMarkers:
    def __init__(self, nbgrader_config):
        self.markers = Markers.from_config(nbgrader_config)

    def __call__(self, text: str, path: str) -> str:
        for number, line in enumerate(text.split("\n"), start=1):
            for marker in self.markers.all():
                if marker in line:
                    raise BuildError(f"{path}:{number}: marker '{marker}' left after the transforms")
        return text

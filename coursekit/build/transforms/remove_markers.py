"""Drop the marker lines and keep what is between them (for the instructor solutions)."""
from __future__ import annotations

from .markers import Markers


class RemoveMarkerLines:
    def __init__(self, nbgrader_config):
        self.markers = Markers.from_config(nbgrader_config)

    def __call__(self, text: str, path: str) -> str:
        return "\n".join(line for line in text.split("\n") if not self.has_marker(line))

    def has_marker(self, line: str) -> bool:
        return any(marker in line for marker in self.markers.all())

"""Check that every region is well formed; report the file and line of the first problem."""
from __future__ import annotations

from ..errors import BuildError
from .markers import Markers


class CheckRegions:
    def __init__(self, nbgrader_config):
        self.markers = Markers.from_config(nbgrader_config)

    def __call__(self, text: str, path: str) -> str:
        open_region = None  # (name, line number) of the region being read
        for number, line in enumerate(text.split("\n"), start=1):
            for begin, end, name in self.markers.pairs():
                if begin in line:
                    if open_region:
                        raise BuildError(f"{path}:{number}: '{begin}' inside the {open_region[0]} "
                                         f"region opened at line {open_region[1]} (nested region)")
                    open_region = (name, number)
                elif end in line:
                    if not open_region or open_region[0] != name:
                        raise BuildError(f"{path}:{number}: '{end}' without a matching '{begin}'")
                    open_region = None
        if open_region:
            raise BuildError(f"{path}:{open_region[1]}: unterminated {open_region[0]} region "
                             f"(no end marker before the end of the file)")
        return text

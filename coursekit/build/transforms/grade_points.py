"""KIT is the one source of points: write them into the notebooks' nbgrader grade cells.

    SetGradePoints(settings)(folder, notebook_names)    # rewrites the staged notebooks in place

Every grade cell whose grade id is a key of KIT["points"], KIT["extra_credit"] or
KIT["manual_points"] gets those points. A grade cell the kit does not know must carry 0
points (a check on provided code), and every manual question of KIT must have its grade cell
somewhere; otherwise the build fails with a message saying what to change.
"""
from __future__ import annotations

from pathlib import Path

from .. import nbio
from ..errors import BuildError


def kit_points(settings) -> dict[str, float]:
    p = settings.points
    return {**p.required, **p.extra_credit, **p.manual}


class SetGradePoints:
    def __init__(self, settings):
        self.points = kit_points(settings)
        self.manual = set(settings.points.manual)
        self.seen: set[str] = set()

    def __call__(self, folder: Path, names: list[str]) -> None:
        for name in names:
            nbio.write(self.set_points(nbio.read(Path(folder) / name), name), Path(folder) / name)
        self.check_complete()

    def set_points(self, nb, path: str):
        for index, cell in enumerate(nb.cells):
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if not meta.get("grade"):
                continue
            gid = meta.get("grade_id", "")
            self.seen.add(gid)
            if gid in self.points:
                meta["points"] = self.points[gid]
            elif meta.get("points"):
                raise BuildError(f"{path} cell {index}: grade cell {gid!r} has {meta['points']} points "
                                 "but course_config.py KIT has no entry for it: add it to KIT "
                                 "(points, extra_credit or manual_points) or give the cell 0 points")
        return nb

    def check_complete(self) -> None:
        """After every notebook: each manual question of KIT has a grade cell."""
        lost = sorted(self.manual - self.seen)
        if lost:
            raise BuildError(f"KIT manual_points lists {', '.join(lost)} but no notebook has a "
                             "grade cell with that grade id")

"""The whole calibration set, written into a folder as submission folders.

    build(release_dir, dest) -> CalibrationSet

dest/independent/<solution>/   every solution in its own year's handout layout
dest/copies/<kind>/<copy>/      one disguised copy of every solution per disguise kind
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import disguise, handouts, overlay
from .solution import SOLUTIONS_DIR, Solution, load_all


@dataclass
class CalibrationSet:
    independent: dict[str, Path] = field(default_factory=dict)         # solution -> folder
    copies: dict[str, dict[str, Path]] = field(default_factory=dict)    # kind -> {source: folder}
    notes: dict[str, str] = field(default_factory=dict)                # copy folder name -> note
    solutions: list[Solution] = field(default_factory=list)


def submission(solution: Solution, release_dir: Path, dest: Path, *, moved=(), reorder_seed=None) -> Path:
    files = overlay.overlay(solution, handouts.handout(release_dir, solution.layout), moved=moved)
    if reorder_seed is not None:
        files = disguise.reorder(files, reorder_seed)
    return overlay.write(files, dest)


def build(release_dir: Path, dest: Path, *, kinds=disguise.KINDS, solutions_dir: Path = SOLUTIONS_DIR) -> CalibrationSet:
    release_dir, dest = Path(release_dir), Path(dest)
    solutions = load_all(solutions_dir)
    current = handouts.handout(release_dir, disguise.COPY_LAYOUT)
    out = CalibrationSet(solutions=solutions)
    for sol in solutions:
        out.independent[sol.name] = submission(sol, release_dir, dest / "independent" / sol.name)
    for kind in kinds:
        out.copies[kind] = {}
        for sol in solutions:
            if kind == "vectorised" and sol.vectorised is None:
                continue
            copy = disguise.make(kind, sol, solutions, current)
            folder = submission(copy.solution, release_dir, dest / "copies" / kind / copy.name,
                                moved=copy.moved, reorder_seed=copy.reorder_seed)
            out.copies[kind][sol.name] = folder
            out.notes[copy.name] = copy.note
    return out

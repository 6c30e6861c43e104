"""Notebook reading and byte-stable writing."""
from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

from .errors import BuildError


def read(path: Path):
    """The notebook at path, as nbformat v4, with stable ids for cells that had none."""
    import nbformat

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        give_stable_ids(data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return nbformat.reads(json.dumps(data), as_version=4)
    except Exception as exc:  # unreadable JSON, wrong schema ...
        raise BuildError(f"{path}: not a readable notebook ({type(exc).__name__}: {exc})") from exc


def dumps(nb) -> str:
    """nbformat's canonical JSON (sorted keys, indent 1), one trailing newline."""
    import nbformat

    return nbformat.writes(nb, version=4).rstrip("\n") + "\n"


def write(nb, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(dumps(nb).encode("utf-8"))


def give_stable_ids(nb: dict) -> None:
    """Cells of nbformat >= 4.5 need ids; nbformat invents random ones when they are missing
    (on reading), which would make two builds differ. Missing ids become the cell's nbgrader grade_id (when
    it is a valid id and unused) or `cell-<index>`."""
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list) or (nb.get("nbformat"), nb.get("nbformat_minor", 0) >= 5) != (4, True):
        return
    used = {cell.get("id") for cell in cells if isinstance(cell, dict) and cell.get("id")}
    for index, cell in enumerate(cells):
        if cell.get("id"):
            continue
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
        candidate = grade_id if re.fullmatch(r"[A-Za-z0-9_-]{1,64}", grade_id or "") else ""
        if not candidate or candidate in used:
            candidate = f"cell-{index}"
        cell["id"] = candidate
        used.add(candidate)


def strip_outputs(nb):
    """The notebook without outputs and execution counts (for comparing executed notebooks
    across machines: outputs depend on the CPU's floating point kernels)."""
    import copy

    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


# Cells whose outputs depend on the machine's speed (the optional section of the RNN notebook
# trains for a wall-clock budget): two executions on one machine differ there, and only there.
TIMING_TAG = "timing-dependent"


def strip_timing_outputs(nb):
    """The notebook without the outputs of the cells tagged TIMING_TAG."""
    import copy

    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code" and TIMING_TAG in cell.metadata.get("tags", []):
            cell.outputs = []
            cell.execution_count = None
    return nb


def coalesce_streams(nb) -> None:
    """Merge consecutive stdout/stderr outputs of a cell: how the kernel's output is cut into
    messages depends on timing, the merged text does not."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        merged = []
        for output in cell.outputs:
            if (output.get("output_type") == "stream" and merged
                    and merged[-1].get("output_type") == "stream" and merged[-1].get("name") == output.get("name")):
                merged[-1]["text"] = _text(merged[-1]["text"]) + _text(output["text"])
            else:
                merged.append(output)
        cell.outputs = merged


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else value

"""Helpers shared by the corpus tests and `coursekit selftest`: build submissions, run
`coursekit grade` as a subprocess, read its results, make a temporary course root with smaller
limits, and snapshot folders that must not change."""
from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from coursekit.report.results import GradingResult

HERE = Path(__file__).resolve().parent
SLOW_ITEMS = ("overfit", "lstm_overfit")
LINKED = ("release", "source", "solutions", "autograder", "datasets")


def item_points(settings) -> dict[str, float]:
    """Full points of every graded item, extra credit included."""
    from coursekit.grading.policy import item_points as points
    return points(settings)


def fast_items(settings) -> list[str]:
    return [i for i in item_points(settings) if i not in SLOW_ITEMS]


def grade(subs: list[Path], out: Path, *, jobs: int = 2, env: dict | None = None,
          items: list[str] | None = None, timeout: float | None = None,
          cwd: Path | None = None,
          items_by_sub: dict | None = None) -> subprocess.CompletedProcess:
    """Run `coursekit grade SUB... --out OUT --jobs N`; `items` restricts the judge's items
    (`grade --items`); `items_by_sub` ({submission folder: items}) adds the items each
    submission needs (the batch grades their union)."""
    cmd = [sys.executable, "-m", "coursekit.cli", "grade", *map(str, subs), "--out", str(out),
           "--jobs", str(jobs)]
    full_env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", **(env or {})}
    if items_by_sub:    # one batch: every submission gets the union of the items asked for
        items = sorted({*(items or []), *(i for its in items_by_sub.values() for i in its)})
    if items:
        cmd += ["--items", *items]
    return subprocess.run(cmd, env=full_env, cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


def _stored(out: Path):
    from coursekit.gradebook import Gradebook
    from coursekit.grading.batch import gradebook_url
    gb = Gradebook.open(gradebook_url(Path(out)))
    try:
        return gb.current_results()
    finally:
        gb.close()


def load_results(out: Path) -> dict[str, GradingResult]:
    """name -> GradingResult of every graded submission of a batch (from its gradebook)."""
    return {s.name: s.result for s in _stored(out)}


def source_names(out: Path) -> dict[str, str]:
    """Absolute submission path -> the name (and folder) the batch gave it ({} before any run)."""
    if not (Path(out) / "gradebook.db").is_file():
        return {}
    return {s.source: s.name for s in _stored(out)}


def results_by_source(out: Path) -> dict[str, GradingResult]:
    """Absolute submission path -> GradingResult, as the gradebook recorded each source."""
    return {s.source: s.result for s in _stored(out)}


def grade_rows(out: Path) -> list[dict]:
    with open(Path(out) / "grades.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def by_item(result: GradingResult) -> dict:
    return {t.name: t for t in result.tests}


def make_course_root(dest: Path, repo_root: Path, limits: dict | None = None,
                     copy: tuple = ()) -> Path:
    """A course root whose course_config.py is the real one plus `KIT["limits"].update(limits)`,
    and whose release/, source/, solutions/, autograder/, datasets/ are symlinks to the repo's
    (or copies, for the names in `copy`)."""
    dest.mkdir(parents=True, exist_ok=True)
    text = (repo_root / "course_config.py").read_text()
    if limits:
        text += f"\n\n# corpus tests: smaller limits\nKIT['limits'].update({limits!r})\n"
    (dest / "course_config.py").write_text(text)
    for name in LINKED:
        if (repo_root / name).exists() and not (dest / name).exists():
            if name in copy:
                shutil.copytree(repo_root / name, dest / name, symlinks=True,
                                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                os.symlink(repo_root / name, dest / name)
    return dest


def snapshot(paths: list[Path]) -> dict[str, tuple]:
    """(mtime_ns, size, sha256) of every file under `paths` (symlinks not followed), plus the
    listing of each folder, so that added, removed and changed files all show."""
    state: dict[str, tuple] = {}
    for root in map(Path, paths):
        if not root.exists() and not root.is_symlink():
            state[str(root)] = ("absent",)
            continue
        items = [root] if not root.is_dir() or root.is_symlink() else \
            [root, *sorted(root.rglob("*"))]
        for p in items:
            if "__pycache__" in p.parts:
                continue
            if p.is_symlink():
                state[str(p)] = ("link", os.readlink(p))
            elif p.is_dir():
                state[str(p)] = ("dir", tuple(sorted(c.name for c in p.iterdir()
                                                     if c.name != "__pycache__")))
            elif p.is_file():
                st = p.stat()
                state[str(p)] = ("file", st.st_mtime_ns, st.st_size,
                                 hashlib.sha256(p.read_bytes()).hexdigest())
    return state


def diff_snapshots(before: dict, after: dict) -> list[str]:
    keys = sorted(set(before) | set(after))
    return [k for k in keys if before.get(k) != after.get(k)]


# ----------------------------------------------------------------------------- output integrity
def _reject_constant(name: str):
    raise ValueError(f"not strict JSON: {name}")


def strict_json(path: Path):
    """Parse `path` as strict JSON (NaN, Infinity and -Infinity rejected, as Gradescope does)."""
    return json.loads(Path(path).read_text(encoding="utf-8"), parse_constant=_reject_constant)


def output_fields(gradescope: dict) -> dict[str, str]:
    """Every `output` text of a results.json: {"(top)": ..., test name: ...}."""
    fields = {"(top)": gradescope.get("output", "")}
    for t in gradescope.get("tests", []):
        fields[str(t.get("name"))] = t.get("output", "")
    return fields


VERDICT_STARTS = ("[PASS]", "Hidden test suite")


def unquoted_forgeries(text: str, forged: tuple) -> list[str]:
    """Forged verdict lines shown as if the judge wrote them. A line, once ANSI escape
    sequences, carriage returns and leading blanks are dropped, that begins like a verdict
    (VERDICT_STARTS) and holds one of the `forged` lines the student printed was not written by
    the judge; quoted student text starts with the quote prefix instead, so never matches."""
    import re
    bad = []
    for raw in text.splitlines():
        line = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", raw).replace("\r", "").lstrip()
        if line.startswith(VERDICT_STARTS) and any(f in line for f in forged):
            bad.append(raw)
    return bad


# ----------------------------------------------------------------------------- notebook cells
SKIPPED_CELLS = ("colab-setup",)          # and the optional, ungraded "charword-" section
_RUN_CELLS = """
import json, sys
import matplotlib; matplotlib.use("Agg")
results = {}
for path in sys.argv[1:]:
    env = {}
    for cell_id, source in json.load(open(path)):
        code = "\\n".join(l for l in source.splitlines() if not l.lstrip().startswith("%"))
        try:
            exec(compile(code, cell_id, "exec"), env)
            results[cell_id] = None
        except Exception as exc:
            results[cell_id] = "%s: %s" % (type(exc).__name__, exc)
"""


def notebook_cells(folder: Path, name: str) -> list[tuple[str, str]]:
    """(grade id or cell id, source) of a notebook's code cells, the Colab cell and the
    optional character-level section left out."""
    import nbformat
    nb = nbformat.read(str(Path(folder) / name), as_version=4)
    cells = [(c.metadata.get("nbgrader", {}).get("grade_id") or c.get("id", ""), c.source)
             for c in nb.cells if c.cell_type == "code"]
    return [(i, s) for i, s in cells if i not in SKIPPED_CELLS and not i.startswith("charword")]


def run_notebooks(course, folder: Path, work: Path, epilogue: str = "") -> dict:
    """Run every notebook's cells (notebook_cells) with `folder`'s cs231n/ on the embedded
    dataset, in one process; {"cells": {cell id: None or the exception it raised}, "epilogue":
    the value of the expression `epilogue`, evaluated at the end (JSON), or None}."""
    paths = []
    for name in course.notebooks:
        path = Path(work) / f"{Path(name).stem}.cells.json"
        path.write_text(json.dumps(notebook_cells(folder, name)))
        paths.append(str(path))
    program = _RUN_CELLS + 'print("CK-RESULTS " + json.dumps(results))\n'
    if epilogue:
        program += f'print("CK-EPILOGUE " + json.dumps({epilogue}))\n'
    env = dict(os.environ, CS231N_DATA_DIR=str(course.embedded_dataset), MPLBACKEND="Agg",
               OPENBLAS_NUM_THREADS="1")
    done = subprocess.run([sys.executable, "-c", program, *paths], cwd=folder, capture_output=True,
                          text=True, env=env, timeout=900)
    if done.returncode != 0:
        raise RuntimeError(f"the notebooks' cells did not run: {done.stderr[-2000:]}")
    found = {}
    for line in done.stdout.splitlines():
        tag, _, rest = line.partition(" ")
        if tag in ("CK-RESULTS", "CK-EPILOGUE"):
            found[tag] = json.loads(rest)
    return {"cells": found["CK-RESULTS"], "epilogue": found.get("CK-EPILOGUE")}

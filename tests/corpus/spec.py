"""Corpus cases as data: small edits applied to a copy of the reference solution.

A case never stores a whole file. It is a list of edits on the reference package
(source/<assignment>/, whose `### BEGIN/END SOLUTION` lines are plain comments):

- `Replace(file, old, new, within=None)`: `old` must occur exactly once in the file (or in the
  top-level function / class named `within`), and is replaced by `new`;
- `Append(file, code)`: code appended at the end of the file; a `def` there overrides the earlier
  definition of the same name, and `Class.method = f` overrides a method.

`materialize(case, reference_dir, dest)` copies the reference folder to `dest` and applies the
edits, giving a submission folder shaped like release/<assignment>/.
"""
from __future__ import annotations

import re
import shutil
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

LAYERS = "cs231n/rnn_layers.py"
MODEL = "cs231n/classifiers/rnn.py"
# Copying the reference leaves out build debris.
_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "datasets")


class EditError(Exception):
    """An edit does not apply to the reference (the reference changed, or the edit is wrong)."""


@dataclass(frozen=True)
class Replace:
    file: str
    old: str
    new: str
    within: str | None = None      # top-level `def`/`class` name the edit is confined to

    def apply(self, text: str) -> str:
        start, end = _span(text, self.within) if self.within else (0, len(text))
        region = text[start:end]
        count = region.count(self.old)
        if count != 1:
            where = f" in {self.within}" if self.within else ""
            raise EditError(f"{self.file}{where}: expected {self.old!r} exactly once, found {count}")
        return text[:start] + region.replace(self.old, self.new) + text[end:]


@dataclass(frozen=True)
class Append:
    file: str
    code: str

    def apply(self, text: str) -> str:
        return text.rstrip("\n") + "\n\n\n" + textwrap.dedent(self.code).strip("\n") + "\n"


@dataclass(frozen=True)
class Case:
    """One corpus submission.

    items: graded items (keys of KIT["points"] / KIT["extra_credit"]) the case must lose points
      on (bugs) or must score 0 on (attacks); empty for variants (full marks everywhere).
    function: the student function the feedback of a losing item must name.
    notebook_fails: variants only: items whose notebook check fails for this code too (it is
      not code that passes the notebook there), so the grader may take those points; every
      other item must keep full marks.
    """
    name: str
    description: str
    edits: tuple = ()
    items: tuple = ()
    function: str = ""
    tags: tuple = field(default=())
    notebook_fails: tuple = ()

    def files(self) -> set[str]:
        return {e.file for e in self.edits}


def _span(text: str, name: str) -> tuple[int, int]:
    """Start and end offsets of the top-level `def name(` or `class name` block."""
    m = re.search(rf"^(?:def|class) {re.escape(name)}\b", text, flags=re.M)
    if not m:
        raise EditError(f"no top-level def/class {name!r}")
    nxt = re.search(r"^(?:def|class) \w", text[m.end():], flags=re.M)
    return m.start(), (m.end() + nxt.start()) if nxt else len(text)


def apply_edits(case: Case, root: Path) -> None:
    """Apply the case's edits, in order, to the package files under `root`."""
    for edit in case.edits:
        path = root / edit.file
        if not path.is_file():
            raise EditError(f"{case.name}: {edit.file} does not exist under {root}")
        text = path.read_text(encoding="utf-8")
        try:
            new = edit.apply(text)
        except EditError as exc:
            raise EditError(f"{case.name}: {exc}") from None
        path.write_text(new, encoding="utf-8")


def materialize(case: Case, reference_dir: Path, dest: Path) -> Path:
    """Write the submission for `case` to `dest` (a copy of `reference_dir` with the edits)."""
    dest = Path(dest)
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(reference_dir, dest, ignore=_IGNORE, symlinks=False)
    apply_edits(case, dest)
    return dest


def check_unique(cases: list[Case]) -> None:
    names = [c.name for c in cases]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"duplicate corpus case names: {dupes}")

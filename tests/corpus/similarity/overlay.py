"""A solution written into a handout: the two student files as the student hands them in.

Each handout function with a stub gets the solution's body in place of the stub's `pass` (or
below it, KEEP_PASS); the handout's docstring, TODO banner, the lines around the stub and the
provided functions stay as they are. Helpers go where the solution says (solution.py).
`moved` names layer functions the student wrote in classifiers/rnn.py instead (module level,
below the imports): the stubs in rnn_layers.py stay, and its last line imports the moved
functions back from classifiers/rnn.py (which works: that module star-imports rnn_layers first).
"""
from __future__ import annotations

import re
import textwrap
from pathlib import Path

from .handouts import LAYERS, MODEL, _blocks
from .solution import Solution

LAYER_FUNCTIONS = ("rnn_step_forward", "rnn_step_backward", "rnn_forward", "rnn_backward",
                   "word_embedding_forward", "word_embedding_backward", "lstm_step_forward",
                   "lstm_step_backward", "lstm_forward", "lstm_backward")
MODEL_METHODS = ("loss", "sample")
CLASS = "CaptioningRNN"


def _span(lines: list[str], name: str, indent: str) -> tuple[int, int]:
    """Line range [start, end) of `def name` at `indent`."""
    head = re.compile(rf"^{indent}def {name}\(")
    start = next((i for i, line in enumerate(lines) if head.match(line)), None)
    if start is None:
        raise ValueError(f"the handout has no def {name}")
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or lines[end].startswith(indent + " ")
                                or lines[end].startswith(indent + "\t")):
        end += 1
    return start, end


def _fill(text: str, name: str, indent: str, body: str, keep_pass: bool) -> str:
    lines = text.splitlines(keepends=True)
    start, end = _span(lines, name, indent)
    stub = next(i for i in range(start, end) if lines[i].strip() == "pass")
    pad = re.match(r"\s*", lines[stub]).group(0)
    code = textwrap.indent(body, pad).splitlines(keepends=True)
    lines[stub:stub + 1] = ([lines[stub]] if keep_pass else []) + code
    return "".join(lines)


def _definition(solution: Solution, name: str, indent: str = "") -> str:
    fn = solution.functions[name]
    return textwrap.indent(fn.signature.strip() + "\n" + textwrap.indent(fn.body, "    "), indent)


def _insert_after_imports(text: str, code: str) -> str:
    lines = text.splitlines(keepends=True)
    cls = next(i for i, line in enumerate(lines) if line.startswith(f"class {CLASS}"))
    return "".join(lines[:cls]) + code.rstrip("\n") + "\n\n\n" + "".join(lines[cls:])


def _append_to_class(text: str, code: str) -> str:
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith(f"class {CLASS}"))
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or lines[end][0] in " \t"):
        end += 1
    return "".join(lines[:end]).rstrip("\n") + "\n\n" + code.rstrip("\n") + "\n" + "".join(lines[end:])


def _filled_blocks(solution: Solution, layers: str, names) -> str:
    """The handout's functions `names`, filled with the solution's code, as one text."""
    filled = layers
    for name in names:
        filled = _fill(filled, name, "", solution.functions[name].body, solution.keep_pass)
    _, blocks = _blocks(filled)
    return "".join(b.rstrip("\n") + "\n\n\n" for b in blocks if re.match(r"def (\w+)", b).group(1) in names)


def overlay(solution: Solution, handout: dict[str, str], *, moved: tuple = ()) -> dict[str, str]:
    files = dict(handout)
    moved = tuple(n for n in moved if n in solution.functions)
    moved_code = _filled_blocks(solution, files[LAYERS], moved) if moved else ""
    used = [n for n in solution.functions if n not in LAYER_FUNCTIONS + MODEL_METHODS and n not in solution.methods
            and n not in solution.model_helpers and re.search(rf"\b{n}\b", moved_code)]
    moved_code = "".join(_definition(solution, n) + "\n\n" for n in used) + moved_code      # helpers go along
    for name in LAYER_FUNCTIONS:
        if name in solution.functions and name not in moved:
            files[LAYERS] = _fill(files[LAYERS], name, "", solution.functions[name].body, solution.keep_pass)
    for name in MODEL_METHODS:
        if name in solution.functions:
            files[MODEL] = _fill(files[MODEL], name, "    ", solution.functions[name].body, solution.keep_pass)
    handout_names = set(LAYER_FUNCTIONS) | set(MODEL_METHODS)
    helpers = [n for n in solution.functions if n not in handout_names]
    for name in helpers:
        if name in solution.methods:
            files[MODEL] = _append_to_class(files[MODEL], _definition(solution, name, "    "))
    code = "\n\n".join(_definition(solution, n) for n in helpers if n in solution.model_helpers)
    if code or moved_code:
        files[MODEL] = _insert_after_imports(files[MODEL], (code + "\n\n\n" if code else "") + moved_code)
    at_end = [n for n in helpers if n not in solution.methods and n not in solution.model_helpers]
    for name in at_end:
        files[LAYERS] = files[LAYERS].rstrip("\n") + "\n\n\n" + _definition(solution, name)
    if moved:
        files[LAYERS] = files[LAYERS].rstrip("\n") + f"\n\n\nfrom .classifiers.rnn import {', '.join(moved)}  # noqa\n"
    if solution.model_import:
        files[MODEL] = files[MODEL].replace("import numpy as np\n", f"import numpy as np\n{solution.model_import}\n", 1)
    return files


def write(files: dict[str, str], dest: Path, release_dir: Path | None = None) -> Path:
    """Write the student files under `dest` (with the rest of the handout when `release_dir`)."""
    import shutil
    dest = Path(dest)
    if release_dir is not None:
        shutil.copytree(Path(release_dir) / "cs231n", dest / "cs231n", dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__", "datasets"))
    for rel, text in files.items():
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        (dest / rel).write_text(text, encoding="utf-8")
    return dest

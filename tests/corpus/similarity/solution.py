"""One calibration solution: the code a student writes, read from solutions/<name>.py.

A solution file holds top-level `def`s only, plus these constants:

- LAYOUT: the handout layout the student worked in (handouts.LAYOUTS), default "2021";
- KEEP_PASS: True when the student left the stub's `pass` above the code;
- METHODS: the functions that are CaptioningRNN methods (default loss and sample; helper methods
  too); MODEL_HELPERS: helper functions that live at the top of classifiers/rnn.py (other helpers
  go to the end of rnn_layers.py);
- MODEL_IMPORT: a stray import line the student's editor added to classifiers/rnn.py;
- VECTORISED: (old, new): one loop of this solution and the vectorised code that replaces it
  (the "one loop vectorised" disguise); a text replacement on the solution file.

Each function's body is written as the student types it into the handout: it may use the
variables the handout defines above the stub (captions_in, W_proj ... in loss) and leave the
result in the variables the handout returns (next_h, cache ...).
"""
from __future__ import annotations

import ast
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOLUTIONS_DIR = HERE / "solutions"
OPTIONS = {"LAYOUT": "2021", "KEEP_PASS": False, "METHODS": ("loss", "sample"), "MODEL_HELPERS": (),
           "VECTORISED": None, "MODEL_IMPORT": ""}


@dataclass
class Function:
    name: str
    signature: str          # the `def ...:` line
    body: str               # dedented to column 0, ends with a newline


@dataclass
class Solution:
    name: str
    text: str
    doc: str
    functions: dict[str, Function] = field(default_factory=dict)
    options: dict = field(default_factory=dict)

    def __getattr__(self, key):
        options = self.__dict__.get("options", {})
        if key.lower() in {k.lower() for k in options}:
            return options[key.upper()]
        raise AttributeError(key)


def parse(name: str, text: str) -> Solution:
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    options = dict(OPTIONS)
    functions = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            first = node.body[0].lineno - 1
            if isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant):
                first = node.body[0].end_lineno          # a docstring in the solution file: dropped
            signature = "".join(lines[node.lineno - 1:node.body[0].lineno - 1]).rstrip("\n")
            signature = signature.split("\n")[0]
            body = textwrap.dedent("".join(lines[first:node.end_lineno]))
            functions[node.name] = Function(node.name, signature, body)
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            key = node.targets[0].id
            if key not in OPTIONS:
                raise ValueError(f"{name}: unknown option {key}")
            options[key] = ast.literal_eval(node.value)
    return Solution(name, text, ast.get_docstring(tree) or "", functions, options)


def load(path: Path) -> Solution:
    return parse(Path(path).stem, Path(path).read_text(encoding="utf-8"))


def load_all(folder: Path = SOLUTIONS_DIR) -> list[Solution]:
    return [load(p) for p in sorted(Path(folder).glob("*.py"))]

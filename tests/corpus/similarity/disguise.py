"""Disguised copies: one solution copied and changed the ways students change a copy.

Every kind is a program transformation of the copied solution (deterministic, seeded by the
copy's name). The copy is handed in on the current handout ("2021"), whatever the year of the
solution it copies, with `xrange` turned into `range` so that it runs there.

- renamed: every variable the student introduced gets another name (parameters and the
  handout's own variables stay, or the handout's code around the stub would break);
- reordered: the functions of rnn_layers.py and the model's methods in another order;
- comments: the comments removed and new ones written;
- rewritten: the longer of loss and sample replaced by another student's version of it;
- vectorised: one loop replaced by vectorised code (the solution's VECTORISED);
- moved: half of the layer functions written in classifiers/rnn.py instead of rnn_layers.py;
- respelled: the same operations written another way everywhere (`np.dot(a, b)` and `a.dot(b)`
  as `a @ b`, or `@` as np.dot where the solution uses it; `np.sum(x, axis=0)` as
  `x.sum(axis=0)` and back; `np.square(x)` as `x ** 2`; `x ** 2` as `x * x`), the code
  re-printed by ast.unparse (so its layout and comments change too);
- combined: renamed, comments and reordered together;
- half (STRESS): every other group of functions (functions that share caches go together: the
  embedding layers, and the LSTM layers where the solution has them) written by another student:
  a partial copy.

A solution without a loop that could be vectorised (VECTORISED = None) has no "vectorised" copy.
"""
from __future__ import annotations

import ast
import io
import random
import re
import tokenize
import zlib
from dataclasses import dataclass, field

from .handouts import LAYERS, MODEL, _blocks
from .overlay import LAYER_FUNCTIONS, MODEL_METHODS
from .solution import Solution, parse

KINDS = ("renamed", "reordered", "comments", "rewritten", "vectorised", "moved", "respelled", "combined")
STRESS = ("half",)      # beyond what the done-when asks: measured by the benchmark, not held by a test
GROUPS = (("rnn_step_forward", "rnn_step_backward", "rnn_forward", "rnn_backward"),   # caches pass between them
          ("word_embedding_forward", "word_embedding_backward"), ("loss",),
          ("lstm_step_forward", "lstm_step_backward", "lstm_forward", "lstm_backward"), ("sample",))
COPY_LAYOUT = "2021"
NAME_POOL = ("tmp", "val", "res", "acc", "arr", "buf", "cur", "nxt", "grad", "part", "mat", "vec",
             "step", "state", "prod", "term", "item", "block", "piece", "delta", "total", "inp", "hid",
             "upd", "mem", "lay", "node", "unit", "seq", "pos")
COMMENTS = ("compute the forward step", "backprop through this step", "accumulate the gradients",
            "loop over the time steps", "store what the backward pass needs", "initialise with zeros",
            "chain rule", "get the shapes", "apply the nonlinearity", "the update for this step",
            "save for later", "combine the pieces", "go backwards in time", "pick the best word")


@dataclass
class Copy:
    name: str
    kind: str
    source: str                      # the copied solution's name
    solution: Solution
    moved: tuple = ()
    reorder_seed: int | None = None
    note: str = ""
    extra: dict = field(default_factory=dict)


def _rng(*parts: str) -> random.Random:
    return random.Random(zlib.crc32(":".join(parts).encode()))


def _with_options(text: str, **options) -> str:
    """The solution text with its option assignments replaced."""
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    for node in reversed(tree.body):
        if isinstance(node, ast.Assign) and node.targets[0].id in options:
            del lines[node.lineno - 1:node.end_lineno]
    head = "".join(f"{k} = {v!r}\n" for k, v in options.items())
    return head + "".join(lines)


def _copyable(text: str) -> str:
    text = re.sub(r"\bxrange\b", "range", text)
    return _with_options(text, LAYOUT=COPY_LAYOUT, KEEP_PASS=False)


# ----------------------------------------------------------------------------- renaming
def handout_names(handout_text: str) -> dict[str, set[str]]:
    """Per handout function (or method) name: every name its handout code uses."""
    names = {}
    for node in ast.walk(ast.parse(handout_text)):
        if isinstance(node, ast.FunctionDef):
            names[node.name] = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
            names[node.name] |= {a.arg for a in node.args.args}
    return names


def _bound(fn: ast.FunctionDef) -> set[str]:
    """Names the function's own code binds (assignment, loop and comprehension targets)."""
    bound = set()
    for node in ast.walk(fn):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
    return bound - {a.arg for a in fn.args.args}


def _mapping(fn: ast.FunctionDef, keep: set[str], rng: random.Random) -> dict[str, str]:
    used = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name)} | keep
    mapping = {}
    for old in sorted(_bound(fn) - keep):
        for attempt in range(100):
            new = rng.choice(NAME_POOL) + (str(attempt) if attempt else "")
            if new not in used:
                break
        mapping[old] = new
        used.add(new)
    return mapping


def renamed(text: str, handout: dict[str, set[str]], rng: random.Random) -> str:
    tree = ast.parse(text)
    spans = []
    for fn in tree.body:
        if isinstance(fn, ast.FunctionDef):
            keep = handout.get(fn.name, set()) | {"np"}
            spans.append((fn.lineno, fn.end_lineno, _mapping(fn, keep, rng)))
    lines = text.splitlines(keepends=True)
    toks = [t for t in tokenize.generate_tokens(io.StringIO(text).readline)
            if t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT)]
    edits, depth = [], 0
    for i, tok in enumerate(toks):
        depth += (tok.string in "([{") - (tok.string in ")]}") if tok.type == tokenize.OP else 0
        attribute = i > 0 and toks[i - 1].string == "."
        keyword = depth > 0 and i + 1 < len(toks) and toks[i + 1].string == "="
        if tok.type != tokenize.NAME or attribute or keyword:
            continue
        for first, last, mapping in spans:
            if first <= tok.start[0] <= last and tok.string in mapping:
                edits.append((tok.start, tok.end, mapping[tok.string]))
    for (row, col), (_, end), new in reversed(edits):
        line = lines[row - 1]
        lines[row - 1] = line[:col] + new + line[end:]
    return "".join(lines)


# ----------------------------------------------------------------------------- comments
def recommented(text: str, rng: random.Random) -> str:
    """Comments removed from the functions, new ones written above some of their lines."""
    tree = ast.parse(text)
    inside = {row for fn in tree.body if isinstance(fn, ast.FunctionDef)
              for row in range(fn.lineno + 1, fn.end_lineno + 1)}
    out = []
    for row, line in enumerate(text.splitlines(keepends=True), 1):
        if row not in inside:
            out.append(line)
            continue
        code = _without_comment(line)
        if not code.strip():
            continue
        if rng.random() < 0.3:
            pad = re.match(r"\s*", code).group(0)
            out.append(f"{pad}# {rng.choice(COMMENTS)}\n")
        if rng.random() < 0.15 and not code.rstrip().endswith(("(", ",", "[", "{", "\\")):
            code = code.rstrip("\n") + f"  # {rng.choice(COMMENTS)}\n"
        out.append(code)
    return "".join(out)


def _without_comment(line: str) -> str:
    try:
        toks = list(tokenize.generate_tokens(io.StringIO(line).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return line
    comment = next((t for t in toks if t.type == tokenize.COMMENT), None)
    return line if comment is None else line[:comment.start[1]].rstrip() + "\n"


# ----------------------------------------------------------------------------- others
REWRITABLE = ("loss", "sample")     # their interface is the handout's: a rewrite keeps the copy correct


def rewritten(solution: Solution, others: list[Solution]) -> tuple[str, str, str]:
    """The longer of loss and sample replaced by the next student's version of it (a student
    without helpers of their own, who wrote the LSTM too when this one did)."""
    target = max(REWRITABLE, key=lambda n: (solution.functions[n].body.count("\n"), n))
    lstm = "lstm_forward" in solution.functions
    start = others.index(solution) if solution in others else -1
    order = others[start + 1:] + others[:max(start, 0)]
    handout_names = set(LAYER_FUNCTIONS) | set(MODEL_METHODS)
    other = next(o for o in order if o is not solution and ("lstm_forward" in o.functions or not lstm)
                 and set(o.functions) <= handout_names)          # no helpers of their own
    tree = ast.parse(solution.text)
    node = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == target)
    lines = solution.text.splitlines(keepends=True)
    replacement = other.functions[target].signature + "\n" + "".join(
        "    " + line if line.strip() else line for line in other.functions[target].body.splitlines(True))
    lines[node.lineno - 1:node.end_lineno] = [replacement]
    return "".join(lines), target, other.name


def vectorised(solution: Solution) -> str:
    if solution.vectorised is None:
        raise ValueError(f"{solution.name} has no loop to vectorise")
    old, new = solution.vectorised
    if solution.text.count(old) != 1:
        raise ValueError(f"{solution.name}: VECTORISED's loop must occur exactly once in the solution")
    return solution.text.replace(old, new)


class _Respell(ast.NodeTransformer):
    def __init__(self, to_matmul: bool):
        self.to_matmul = to_matmul

    def visit_Call(self, node):
        self.generic_visit(node)
        f = node.func
        if not isinstance(f, ast.Attribute) or node.keywords and f.attr != "sum":
            return node
        is_np = isinstance(f.value, ast.Name) and f.value.id == "np"
        if self.to_matmul and f.attr in ("dot", "matmul") and is_np and len(node.args) == 2:
            return ast.BinOp(node.args[0], ast.MatMult(), node.args[1])
        if self.to_matmul and f.attr == "dot" and not is_np and len(node.args) == 1:
            return ast.BinOp(f.value, ast.MatMult(), node.args[0])
        if f.attr == "sum" and is_np and len(node.args) == 1:
            return ast.Call(ast.Attribute(node.args[0], "sum", ast.Load()), [], node.keywords)
        if f.attr == "sum" and not is_np and not node.args:
            return ast.Call(ast.Attribute(ast.Name("np", ast.Load()), "sum", ast.Load()), [f.value], node.keywords)
        if f.attr == "square" and is_np and len(node.args) == 1:
            return ast.BinOp(node.args[0], ast.Pow(), ast.Constant(2))
        return node

    def visit_BinOp(self, node):
        self.generic_visit(node)
        if not self.to_matmul and isinstance(node.op, ast.MatMult):
            return ast.Call(ast.Attribute(ast.Name("np", ast.Load()), "dot", ast.Load()), [node.left, node.right], [])
        if (isinstance(node.op, ast.Pow) and isinstance(node.right, ast.Constant) and node.right.value == 2
                and isinstance(node.left, ast.Name)):
            return ast.BinOp(node.left, ast.Mult(), ast.Name(node.left.id, ast.Load()))
        return node


def respelled(text: str) -> str:
    tree = ast.parse(text)
    products = sum(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in ("dot", "matmul")
                   for n in ast.walk(tree))
    matmuls = sum(isinstance(n, ast.BinOp) and isinstance(n.op, ast.MatMult) for n in ast.walk(tree))
    tree = ast.fix_missing_locations(_Respell(to_matmul=products >= matmuls).visit(tree))
    return "\n\n\n".join(ast.unparse(node) for node in tree.body) + "\n"


def half(solution: Solution, others: list[Solution]) -> tuple[str, str]:
    """Every other group of functions replaced by another student's (one without helpers who
    wrote at least what this one did)."""
    names = set(LAYER_FUNCTIONS) | set(MODEL_METHODS)
    start = others.index(solution)
    other = next(o for o in others[start + 1:] + others[:start]
                 if set(o.functions) <= names and set(solution.functions) & names <= set(o.functions))
    groups = [g for g in GROUPS if all(n in solution.functions for n in g)]
    tree = ast.parse(solution.text)
    lines = solution.text.splitlines(keepends=True)
    nodes = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    for name in sorted((n for g in groups[1::2] for n in g), key=lambda n: -nodes[n].lineno):
        fn = other.functions[name]
        body = "".join("    " + line if line.strip() else line for line in fn.body.splitlines(True))
        lines[nodes[name].lineno - 1:nodes[name].end_lineno] = [fn.signature + "\n" + body]
    return "".join(lines), other.name


def moved_functions(solution: Solution, rng: random.Random) -> tuple:
    layers = [n for n in LAYER_FUNCTIONS if n in solution.functions]
    return tuple(sorted(rng.sample(layers, len(layers) // 2)))


def reorder(files: dict[str, str], seed: int) -> dict[str, str]:
    """Top-level functions of rnn_layers.py and the model's methods shuffled."""
    rng = random.Random(seed)
    head, blocks = _blocks(files[LAYERS])
    blocks = [b.rstrip("\n") + "\n\n\n" for b in blocks]
    rng.shuffle(blocks)
    out = dict(files)
    out[LAYERS] = head + "".join(blocks).rstrip("\n") + "\n"
    out[MODEL] = _shuffle_methods(files[MODEL], rng)
    return out


def _shuffle_methods(text: str, rng: random.Random) -> str:
    starts = [m.start() for m in re.finditer(r"^    def \w", text, re.M)]
    end = re.search(r"^\S", text[starts[-1]:], re.M)
    stop = starts[-1] + end.start() if end else len(text)
    bounds = starts + [stop]
    methods = [text[a:b].rstrip("\n") + "\n\n" for a, b in zip(bounds, bounds[1:])]
    first, rest = methods[0], methods[1:]            # __init__ stays first
    rng.shuffle(rest)
    return text[:starts[0]] + first + "".join(rest).rstrip("\n") + "\n" + text[stop:]


# ----------------------------------------------------------------------------- the copies
def make(kind: str, solution: Solution, others: list[Solution], handout_text: dict[str, str]) -> Copy:
    """The copy of `solution` disguised the way `kind` says; `others` are the other students."""
    name = f"copy_{kind}_{solution.name}"
    rng = _rng(kind, solution.name)
    text, note, moved, seed = solution.text, "", (), None
    names = {}
    for rel in (LAYERS, MODEL):
        names.update(handout_names(handout_text[rel]))
    if kind in ("renamed", "combined"):
        text = renamed(text, names, rng)
    if kind in ("comments", "combined"):
        text = recommented(text, rng)
    if kind in ("reordered", "combined"):
        seed = rng.randrange(1 << 30)
    if kind == "rewritten":
        text, fn, other = rewritten(solution, others)
        note = f"{fn} taken from {other}"
    if kind == "vectorised":
        text = vectorised(solution)
    if kind == "half":
        text, other = half(solution, others)
        note = f"every other group of functions from {other}"
    if kind == "respelled":
        text = respelled(text)
    if kind == "moved":
        moved = moved_functions(solution, rng)
        note = "moved to classifiers/rnn.py: " + ", ".join(moved)
    if kind not in KINDS + STRESS:
        raise ValueError(f"unknown disguise {kind!r}")
    return Copy(name, kind, solution.name, parse(name, _copyable(text)), moved, seed, note)

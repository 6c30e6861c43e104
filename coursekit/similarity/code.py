"""What a student wrote: the bodies of the functions of a student file, found by name.

Any handout year's layout is read the same way, Python 2 files too (tokens.py never fails): a
file is cut into units, its top-level functions and the methods of its top-level
classes (nested functions stay in their unit). A unit keeps only its body's code lines:
docstrings, comments and blank lines go, and so does every line the handout's version of the
function also has (the stub's `pass`, `next_h, cache = None, None`, the handout's code around
the stub). Provided functions (the ones the handout's solution does not change) go whole, and
when a file defines a name twice the last definition wins, as in Python.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .tokens import CLOSE, DOC, KEYWORD, NAME, OP, OPEN, Token, tokens
_IMPORT = re.compile(r"^(?:import\s+([\w.]+)(?:\s+as\s+(\w+))?|from\s+\S+\s+import\s+(.+))", re.M)


@dataclass
class CodeLine:
    number: int             # 1-based line of the file
    text: str               # the line as written (comments included, for the page)
    tokens: list[Token]

    @property
    def key(self) -> str:
        """The line's code without layout: what handout lines are recognised by."""
        return " ".join(t.value for t in self.tokens)


@dataclass
class Unit:
    file: str
    name: str               # "rnn_forward", or "CaptioningRNN.loss" for a method
    lines: list[CodeLine] = field(default_factory=list)

    @property
    def base(self) -> str:
        return self.name.rsplit(".", 1)[-1]


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _indent(line: str) -> int:
    return len(line) - len(line.expandtabs(8).lstrip()) if line.strip() else 0


def _logical_starts(toks: list[Token], lines: list[str]) -> list[int]:
    """Indices of the tokens that begin a logical line (bracket depth 0, not continued)."""
    starts, depth, last_line = [], 0, 0
    for i, tok in enumerate(toks):
        if tok.line != last_line and depth == 0:
            previous = lines[last_line - 1].rstrip() if last_line else ""
            if not previous.endswith("\\"):
                starts.append(i)
        last_line = tok.line + tok.value.count("\n")
        if tok.kind == OP:
            depth = max(depth + (tok.value in OPEN) - (tok.value in CLOSE), 0)
    return starts


@dataclass
class _Block:
    name: str
    keyword: str
    indent: int
    first: int              # index of the header token
    stop: int               # index after the last token of the block


def _blocks(toks, lines, starts, lo, hi, indent) -> list[_Block]:
    """def / class blocks whose header starts a logical line at `indent`, within toks[lo:hi]."""
    heads = [i for i in starts if lo <= i < hi]
    blocks = []
    for n, i in enumerate(heads):
        tok = toks[i]
        if _indent(lines[tok.line - 1]) != indent or tok.kind != KEYWORD or tok.value not in ("def", "class"):
            continue
        stop = next((j for j in heads[n + 1:] if _indent(lines[toks[j].line - 1]) <= indent), hi)
        if i + 1 < len(toks) and toks[i + 1].kind == NAME:
            blocks.append(_Block(toks[i + 1].value, tok.value, indent, i, stop))
    return blocks


def _body_start(toks: list[Token], first: int, stop: int) -> int:
    """Index of the first token after the header's closing `:`."""
    depth = 0
    for j in range(first, stop):
        value = toks[j].value
        if toks[j].kind == OP:
            depth += (value in OPEN) - (value in CLOSE)
            if value == ":" and depth == 0:
                return j + 1
    return stop


def _unit(file: str, name: str, toks, lines, lo, hi) -> Unit:
    unit = Unit(file, name)
    for tok in toks[_body_start(toks, lo, hi):hi]:
        if tok.kind == DOC:
            continue
        if not unit.lines or unit.lines[-1].number != tok.line:
            unit.lines.append(CodeLine(tok.line, lines[tok.line - 1].rstrip(), []))
        unit.lines[-1].tokens.append(tok)
    return unit


def units(file: str, text: str) -> list[Unit]:
    """Top-level functions and methods of top-level classes, in file order (last of a name wins)."""
    text = normalise_newlines(text)
    lines = text.split("\n")
    toks = tokens(text)
    starts = _logical_starts(toks, lines)
    found: dict[str, Unit] = {}
    for block in _blocks(toks, lines, starts, 0, len(toks), 0):
        if block.keyword == "def":
            found.pop(block.name, None)
            found[block.name] = _unit(file, block.name, toks, lines, block.first, block.stop)
            continue
        body = _body_start(toks, block.first, block.stop)
        inner = body if body < block.stop else block.stop
        if inner >= block.stop:
            continue
        method_indent = _indent(lines[toks[inner].line - 1])
        if method_indent <= block.indent:
            continue
        for method in _blocks(toks, lines, starts, inner, block.stop, method_indent):
            if method.keyword == "def":
                qualified = f"{block.name}.{method.name}"
                found.pop(qualified, None)
                found[qualified] = _unit(file, qualified, toks, lines, method.first, method.stop)
    return list(found.values())


def module_names(text: str) -> set[str]:
    """Names a file defines or imports at module level (its functions, classes, `np` ...)."""
    text = normalise_newlines(text)
    names = {u.name.split(".")[0] for u in units("", text)}
    for m in _IMPORT.finditer(text):
        if m.group(3):
            names |= {part.split(" as ")[-1].strip(" ()") for part in m.group(3).split(",")} - {"*"}
        else:
            names.add(m.group(2) or m.group(1).split(".")[0])
    return names


@dataclass
class Handout:
    """What the handout gives every student: provided functions, the handout's lines of each
    function students write, and its module-level names."""
    provided: set[str] = field(default_factory=set)               # unit names
    lines: dict[str, set[str]] = field(default_factory=dict)      # unit name -> line keys
    names: set[str] = field(default_factory=set)

    @classmethod
    def from_files(cls, handout: dict[str, str], solved: dict[str, str]) -> "Handout":
        """`handout` and `solved`: {student file: text} of the handout and of its solution."""
        out = cls()
        for rel, text in handout.items():
            solved_units = {u.name: u for u in units(rel, solved.get(rel, ""))}
            for unit in units(rel, text):
                keys = [line.key for line in unit.lines]
                other = solved_units.get(unit.name)
                if other is not None and [line.key for line in other.lines] == keys:
                    out.provided.add(unit.name)
                else:
                    out.lines[unit.name] = set(keys)
            out.names |= module_names(text)
        return out

    def written(self, unit: Unit) -> Unit | None:
        """The unit without handout lines; None for a provided function or an empty unit."""
        if unit.name in self.provided or unit.base in self.provided:
            return None
        handout = self.lines.get(unit.name) or self.lines.get(unit.base) or set()
        kept = [line for line in unit.lines if line.key not in handout]
        return Unit(unit.file, unit.name, kept) if kept else None


def student_code(files: dict[str, str], handout: Handout) -> list[Unit]:
    """The student-written units of a submission's student files, in file order."""
    out = []
    for rel, text in files.items():
        for unit in units(rel, text):
            written = handout.written(unit)
            if written is not None:
                out.append(written)
    return out

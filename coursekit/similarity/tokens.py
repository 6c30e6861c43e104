"""Python source as tokens, for Python 3 and Python 2 files alike.

One regular expression that never fails: Python's own tokenizer stops at a Python 2 file's first
quirk (and at any syntax error), and pygments is 25 times slower. A string that is a statement
of its own (a docstring, or a string used as a comment) is a DOC token.
"""
from __future__ import annotations

import bisect
import keyword
import re
from dataclasses import dataclass

STRING, DOC, NAME, KEYWORD, NUMBER, OP = "string", "doc", "name", "keyword", "number", "op"
OPEN, CLOSE = "([{", ")]}"
KEYWORDS = (set(keyword.kwlist) | {"print", "exec"}) - {"True", "False", "None"}    # Python 2's too

_TOKEN = re.compile(r"""
    (?P<string>[rRbBuUfF]{0,2}(?:'''[\s\S]*?'''|\"\"\"[\s\S]*?\"\"\"|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"))
  | (?P<comment>\#[^\n]*)
  | (?P<number>0[xXoObB][\da-fA-F_]+[lL]?|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?[jJlL]?)
  | (?P<name>[^\W\d]\w*)
  | (?P<op>\*\*=?|//=?|>>=?|<<=?|->|:=|<>|[-+*/%&|^@=<>!]=|[-+*/%&|^~<>@=.,:;()\[\]{}`])
  | (?P<space>\s+|\\\n)
  | (?P<other>.)
""", re.X)


@dataclass(frozen=True)
class Token:
    kind: str               # STRING, DOC, NAME, KEYWORD, NUMBER or OP
    value: str
    line: int               # 1-based line of the file
    col: int                # start and end column in that line (of its first line)
    end: int


def tokens(text: str) -> list[Token]:
    """The significant tokens of `text` (no whitespace, no comments), with positions."""
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    out = []
    for m in _TOKEN.finditer(text):
        kind, value = m.lastgroup, m.group()
        if kind in ("space", "comment"):
            continue
        if kind == NAME and value in KEYWORDS:
            kind = KEYWORD
        elif kind == "other":
            kind = OP
        line = bisect.bisect_right(starts, m.start())
        col = m.start() - starts[line - 1]
        out.append(Token(kind, value, line, col, col + len(value.split("\n", 1)[0])))
    return _docstrings(out)


def _last_line(tok: Token) -> int:
    return tok.line + tok.value.count("\n")


def _docstrings(toks: list[Token]) -> list[Token]:
    """A string alone on its logical line becomes a DOC token."""
    out = list(toks)
    for i, tok in enumerate(toks):
        if tok.kind != STRING:
            continue
        before = toks[i - 1] if i else None
        after = toks[i + 1] if i + 1 < len(toks) else None
        first = before is None or _last_line(before) < tok.line or before.value in (":", ";")
        last = after is None or after.line > _last_line(tok) or after.value == ";"
        if first and last:
            out[i] = Token(DOC, tok.value, tok.line, tok.col, tok.end)
    return out

"""Text a student controls (exception messages, source lines, file names) made safe to show.

Student text is quoted: every line starts with QUOTE, so it can never pass for a line the
grader wrote ("[PASS] ...", "Hidden test suite: 70 / 70"). Escape sequences, control and
bidirectional-override characters are removed and the length is capped.
"""
from __future__ import annotations

import re

QUOTE = "| "
MAX_CHARS = 2000          # one quoted block (an exception message, a traceback tail)
MAX_LINES = 25            # lines of one quoted block
MAX_LINE_CHARS = 300      # one line of source, a file name, a case label

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?")
# C0 (except \t and \n), DEL, C1, zero-width and bidirectional controls, line/paragraph separators
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
# what a line the grader writes looks like: a verdict, the score line, a not-graded banner
VERDICT = re.compile(r"\[(PASS|FAIL)\]|hidden test suite|^\W*(score|extra credit|not graded)\b",
                     re.IGNORECASE)


def clean(text, max_chars: int = MAX_CHARS, keep: str = "tail") -> str:
    """Printable text: no escape sequences or control characters, at most `max_chars`."""
    text = _ANSI.sub("", str(text)).replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    text = _CONTROL.sub("", text)
    if len(text) > max_chars:
        cut = len(text) - max_chars
        text = (f"[{cut} characters cut] ..." + text[-max_chars:] if keep == "tail"
                else text[:max_chars] + f" ... [{cut} characters cut]")
    return text


def one_line(text, max_chars: int = MAX_LINE_CHARS) -> str:
    """Student text squeezed onto one line (file names, source lines, labels)."""
    return " ".join(clean(text, max_chars, keep="head").split())


def lines(text) -> list[str]:
    """The lines of a quoted block (without the QUOTE prefix), at most MAX_LINES."""
    out = [line.rstrip() for line in clean(text).strip("\n").split("\n")]
    if len(out) > MAX_LINES:
        out = [f"[{len(out) - MAX_LINES + 1} lines cut] ...", *out[-(MAX_LINES - 1):]]
    return out


def quote(text, indent: str = "") -> str:
    """`text` as a quoted block: each line prefixed with `indent` + QUOTE."""
    return "\n".join(f"{indent}{QUOTE}{line}".rstrip() for line in lines(text))


def looks_like_verdict(line: str) -> bool:
    return bool(VERDICT.search(line))

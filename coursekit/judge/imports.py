"""Student files that do not import, and where in a student file an exception happened.

`probe_imports` imports each student module once in the first worker. A module that raises
(syntax error, Python 2 code, a missing module, an exception at import) is described once,
with its file, line and line text: the feedback shows one banner, and every check that needs
the module says "not graded: <file> does not import" instead of repeating the error. A module
that exits or hangs its worker is `fatal`: nothing can be graded.

The file, line and line text come from the worker's traceback text (untrusted: only used to
point at a line; the line text is read judge-side from the student's own file).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_FRAME = re.compile(r'File "([^"\n]+)", line (\d+)')
MAX_MESSAGE = 300


@dataclass
class ImportProblem:
    module: str
    file: str            # student file (relative), "" when the error is not in a student file
    line: int
    text: str            # the source line, read judge-side
    message: str         # "SyntaxError: invalid syntax" (capped)
    fatal: bool = False  # the worker died or hung while importing

    def not_graded(self) -> str:
        where = self.file or self.module
        return f"not graded: {where} does not import ({self.summary()})."

    def summary(self) -> str:
        loc = f", line {self.line}" if self.file and self.line else ""
        return f"{self.message}{loc}"

    def to_dict(self) -> dict:
        return {"file": self.file or self.module, "line": self.line, "text": self.text,
                "message": self.message}


def module_file(module: str) -> str:
    return module.replace(".", "/") + ".py"


def student_modules(student_files: list[str]) -> list[str]:
    """cs231n/rnn_layers.py -> cs231n.rnn_layers (the hidden suite's modules, from KIT)."""
    return [f[:-3].replace("/", ".") for f in student_files if f.endswith(".py")]


def probe_imports(worker, code_dir: Path, student_files: list[str], call_seconds) -> dict:
    from coursekit.sandbox import StudentError, WorkerDied, WorkerTimeout
    problems: dict[str, ImportProblem] = {}
    for module in student_modules(student_files):
        try:
            worker.call("importlib:import_module", module)
        except StudentError as exc:
            problems[module] = describe_import_error(module, exc, code_dir, student_files)
        except WorkerDied:
            problems[module] = ImportProblem(module, module_file(module), 0, "",
                                             "the process exited while importing it (os._exit, "
                                             "a crash or the memory limit)", fatal=True)
        except WorkerTimeout:
            problems[module] = ImportProblem(module, module_file(module), 0, "",
                                             f"importing it did not finish within the time limit "
                                             f"({call_seconds} s)", fatal=True)
        if module in problems and problems[module].fatal:
            break
    return problems


def describe_import_error(module, exc, code_dir: Path, student_files) -> ImportProblem:
    file, line = last_student_frame(exc.traceback, student_files)
    text = source_line(code_dir, file, line)
    message = f"{exc.type_name}: {exc.message}".strip()[:MAX_MESSAGE]
    if exc.type_name in ("SyntaxError", "TabError", "IndentationError") and _python2(exc.message, text):
        message = (f"{exc.type_name}: this looks like Python 2 code "
                   f"({_python2(exc.message, text)}); the assignment uses Python 3")
    return ImportProblem(module, file or module_file(module), line, text, message)


def _python2(message: str, text: str) -> str:
    stripped = text.strip()
    if "Missing parentheses in call to 'print'" in message or re.match(r"print\s+[^(\s=]", stripped):
        return "a print statement"
    if re.match(r"except\s+[\w.]+\s*,\s*\w+\s*:", stripped):
        return "'except E, e:'"
    if "xrange" in stripped or re.match(r"raise\s+\w+\s*,", stripped):
        return "Python 2 syntax"
    return ""


def last_student_frame(traceback_text: str, student_files) -> tuple[str, int]:
    """(relative student file, line) of the deepest traceback frame in a student file."""
    found = ("", 0)
    for path, line in _FRAME.findall(traceback_text or ""):
        rel = next((f for f in student_files if path.replace("\\", "/").endswith("/" + f)), "")
        if rel:
            found = (rel, int(line))
    return found


def source_line(code_dir: Path, rel: str, line: int) -> str:
    if not rel or line < 1:
        return ""
    try:
        lines = (Path(code_dir) / rel).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    return lines[line - 1].strip()[:200] if line <= len(lines) else ""


def student_frame(traceback_text: str, code_dir: Path, student_files) -> dict | None:
    """{"file", "line", "text"} of an exception's deepest frame in a student file."""
    file, line = last_student_frame(traceback_text, student_files)
    if not file:
        return None
    return {"file": file, "line": line, "text": source_line(code_dir, file, line)}

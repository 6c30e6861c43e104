"""Student files that do not import, and where in a student file an exception happened.

`probe_imports` imports each student module once in the first worker. A module that raises
(syntax error, Python 2 code, a missing module, an exception at import) is described once,
with its file, line and line text: the feedback shows one banner, and every check that needs
the module says "not graded: <file> does not import" instead of repeating the error. A module
that exits or hangs its worker is `fatal`: nothing can be graded.

A module the grader does not have (`import torch` at the top, never used) does not make the
file fail: `probe_imports` installs a stand-in for it (sandbox_helpers.stand_in_module: the
import works, any use raises ModuleNotFoundError naming it) and imports the file again, so
only the functions that use it fail; `StandIn.note()` names it in the feedback. The course's
own package (cs231n.*) never gets a stand-in: a missing cs231n module stays an import error.

The file, line and line text come from the worker's traceback text (untrusted: only used to
point at a line; the line text is read judge-side from the student's own file).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_FRAME = re.compile(r'File "([^"\n]+)", line (\d+)')
_MISSING = re.compile(r"^No module named '([A-Za-z_][\w.]*)'")
MAX_MESSAGE = 300
COURSE_PACKAGE = "cs231n"     # its modules are the handout's: never stood in for
MAX_STAND_INS = 5             # missing modules stood in for per submission


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


@dataclass
class StandIn:
    """A module the grader lacks, imported by a student file: graded with a stand-in."""
    missing: str         # "torch"
    file: str            # the student file whose import needed it
    line: int

    def note(self) -> str:
        at = f" (line {self.line})" if self.line else ""
        return (f"Note: {self.file} imports {self.missing}{at}, which the grader does not have. "
                f"It was graded with a stand-in for {self.missing}: functions that do not use it "
                f"are graded as usual, a function that uses it fails with ModuleNotFoundError. "
                f"Only numpy and the handout's modules can be used.")


def probe_imports(worker, code_dir: Path, student_files: list[str], call_seconds,
                  stand_ins: list | None = None) -> dict:
    """{module: ImportProblem} of the student modules that do not import; the modules stood in
    for (missing_module) are appended to `stand_ins`."""
    from coursekit.sandbox import StudentError, WorkerDied, WorkerTimeout
    problems: dict[str, ImportProblem] = {}
    stand_ins = [] if stand_ins is None else stand_ins
    for module in student_modules(student_files):
        try:
            _import_standing_in(worker, module, student_files, stand_ins)
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


def _import_standing_in(worker, module: str, student_files, stand_ins: list) -> None:
    """Import `module`; while it fails on a missing module that may be stood in for, install
    the stand-in (in this worker) and import it again."""
    from coursekit.sandbox import StudentError
    from .session import HELPERS
    while True:
        try:
            worker.call("importlib:import_module", module)
            return
        except StudentError as exc:
            missing = missing_module(exc)
            if not missing or len(stand_ins) >= MAX_STAND_INS or any(s.missing == missing for s in stand_ins):
                raise
            file, line = last_student_frame(exc.traceback, student_files)
            worker.call(f"{HELPERS}:stand_in_module", missing)
            stand_ins.append(StandIn(missing, file or module_file(module), line))


def missing_module(exc) -> str:
    """The module a ModuleNotFoundError names, when it may be stood in for ("" otherwise):
    never the course's own package, never a relative or student module."""
    if exc.type_name != "ModuleNotFoundError":
        return ""
    m = _MISSING.match(exc.message or "")
    if not m:
        return ""
    name = m.group(1)
    top = name.split(".")[0]
    return "" if top in (COURSE_PACKAGE, "ck_judge_helpers") else name


def install_stand_ins(worker, stand_ins) -> None:
    """A later worker: the same stand-ins, before any student module is imported."""
    from .session import HELPERS
    for s in stand_ins:
        worker.call(f"{HELPERS}:stand_in_module", s.missing)


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

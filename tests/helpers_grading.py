"""Helpers shared by the tests: a fake fast judge and submission makers (every student file
list comes from the settings' student_files).

The fake judge honours the judge's command-line contract (SUBMISSION_DIR RESULT_JSON
--early-trainings K; K is echoed in its result's extra_data)
and reads its behaviour from a `# FAKE: <mode>` line in the submitted cs231n/rnn_layers.py:
full (default), half, crash, hang, garbage, nothing, sleep=<seconds>.
"""
from __future__ import annotations

import sys
import zipfile
from pathlib import Path

FAKE_JUDGE = r'''
import json, os, re, sys, time
sub, out = sys.argv[1], sys.argv[2]
early = int(sys.argv[sys.argv.index("--early-trainings") + 1])
points = json.loads(os.environ["FAKE_POINTS"])
extra = json.loads(os.environ["FAKE_EXTRA"])
src = open(os.path.join(sub, "cs231n", "rnn_layers.py"), errors="replace").read()
m = re.search(r"# FAKE: (\S+)", src)
mode = m.group(1) if m else "full"
if mode == "crash":
    print("Traceback: judge exploded", file=sys.stderr); sys.exit(3)
if mode == "hang":
    time.sleep(3600)
if mode.startswith("sleep="):
    time.sleep(float(mode.split("=")[1]))
if mode == "nothing":
    sys.exit(0)
if mode == "garbage":
    open(out, "w").write("{not json"); sys.exit(0)
frac = 0.5 if mode == "half" else 1.0
tests = [dict(name=n, number=f"1.{i}", score=p * frac, max_score=p, output=f"<b>{n}</b> & ok",
              function=n) for i, (n, p) in enumerate(points.items(), 1)]
tests += [dict(name=n, number=f"2.{i}", score=p, max_score=0, output="", extra_credit=True)
          for i, (n, p) in enumerate(extra.items(), 1)]
res = dict(submission=sub, execution_time=0.01, output="graded", error=None, tests=tests,
           extra_data={"isolation": "fake", "early_trainings": early,
                       "overfit": {"loss_history": [3.0, 1.0, 0.2], "reference_loss_history": [3.0, 0.9, 0.1],
                                   "final_loss": 0.2}})
tmp = out + ".tmp"
open(tmp, "w").write(json.dumps(res)); os.replace(tmp, out)
'''


def fake_judge(tmp_path: Path, settings, monkeypatch) -> list[str]:
    """Install the fake judge; returns the judge command."""
    import json
    script = tmp_path / "fake_judge.py"
    script.write_text(FAKE_JUDGE)
    monkeypatch.setenv("FAKE_POINTS", json.dumps(dict(settings.points.required)))
    monkeypatch.setenv("FAKE_EXTRA", json.dumps(dict(settings.points.extra_credit)))
    return [sys.executable, str(script)]


def notebook_json(answers: dict[str, str]) -> str:
    """A minimal notebook with one nbgrader answer cell per grade_id."""
    import json
    cells = [{"cell_type": "markdown", "metadata": {}, "source": ["# Title"]}]
    for gid, text in answers.items():
        cells.append({"cell_type": "markdown", "source": text.splitlines(keepends=True),
                      "metadata": {"nbgrader": {"solution": True, "grade": True, "grade_id": gid,
                                                "points": 1}}})
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def make_dir_submission(root: Path, settings, mode: str = "full", answer: str = "My answer") -> Path:
    root.mkdir(parents=True)
    for rel in settings.student_files:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"# FAKE: {mode}\nx = 1\n")
    for nb in settings.notebooks:
        (root / nb).write_text(notebook_json({f"{Path(nb).stem}-q1": answer}))
    return root


def make_zip_submission(path: Path, settings, mode: str = "full", top: str = "", extra=()) -> Path:
    """A .zip of a submission, optionally under one top-level folder, plus extra (name, data)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for rel in settings.student_files:
            zf.writestr(top + rel, f"# FAKE: {mode}\n")
        for nb in settings.notebooks:
            zf.writestr(top + nb, notebook_json({f"{Path(nb).stem}-q1": f"answer in {path.name}"}))
        for name, data in extra:
            zf.writestr(name, data)
    return path


def make_submission(folder: Path, course, edit=None, strip=False) -> Path:
    """`folder` holding the course's student files (course.student_files) as the reference in
    source/ has them (with `strip`, as the handout's stubs), each passed through
    `edit(rel, text) -> text` when given."""
    from coursekit.judge.codedir import strip_solutions

    for rel in course.student_files:
        text = (course.assignment_dir("source") / rel).read_text()
        text = strip_solutions(text) if strip else text
        text = edit(rel, text) if edit else text
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text)
    return folder


def replacing(*edits):
    """An `edit` for make_submission: (file suffix, old, new) replacements, each old text
    found exactly once."""
    def edit(rel, text):
        for suffix, old, new in edits:
            if rel.endswith(suffix):
                assert text.count(old) == 1, old
                text = text.replace(old, new)
        return text
    return edit


def appending(code_by_suffix: dict):
    """An `edit` for make_submission: code appended to the files ending with each suffix."""
    return lambda rel, text: text + "".join(c for s, c in code_by_suffix.items() if rel.endswith(s))

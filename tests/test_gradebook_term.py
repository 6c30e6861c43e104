"""A whole term on one gradebook, through the CLI, as an instructor and TAs work (issue 17):
spreadsheet-saved review.csv (BOM, `;`, decimal comma, deleted and reordered columns), rejected
points, a changed answer, manual points reaching the student, an --items run into the live
folder, a reference fix, a KIT typo, a stale build, two runs at once, Ctrl-C, same-named zips
in student folders and a roster with a missing student: nothing typed or computed is lost and
no view is stale at any point. The fast fake judge stands in for the real one."""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from helpers_grading import fake_judge, make_zip_submission, notebook_json

from coursekit import cli, config
from coursekit.gradebook import Gradebook
from coursekit.grading.batch import gradebook_url

pytestmark = pytest.mark.slow
QUESTION = "inline_question_1"


@pytest.fixture
def term(tmp_path, course, monkeypatch, gradebook_backend):
    """A copy of the course (so its source/ and KIT can change), the fake judge, and three
    students' uploads as collect_submission.py names them, each in the student's folder."""
    clone = tmp_path / "course"
    clone.mkdir()
    shutil.copy(course.root / "course_config.py", clone / "course_config.py")
    for part in ("source", "release", "solutions", "autograder"):
        shutil.copytree(course.root / part, clone / part,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints",
                                                      "embedded", "coco_captioning", "*.zip"))
    monkeypatch.setenv("COURSEKIT_ROOT", str(clone))
    settings = config.load(clone)
    judge = fake_judge(tmp_path, settings, monkeypatch)
    subs = {}
    for name, mode in (("alice", "full"), ("bob", "half"), ("aaron", "full")):
        folder = tmp_path / "uploads" / name
        folder.mkdir(parents=True)
        subs[name] = _upload(folder / "rnn_captioning_submission.zip", settings, mode, f"{name}'s answer")
    return {"root": clone, "settings": settings, "judge": judge, "subs": subs, "out": tmp_path / "grades",
            "tmp": tmp_path, "gradebook": gradebook_backend}


def _upload(path, settings, mode, answer):
    make_zip_submission(path, settings, mode)
    import zipfile
    with zipfile.ZipFile(path, "a") as zf:      # the real question's grade id, the student's answer
        data = zf.read("RNN_Captioning.ipynb")
    members = {n: zipfile.ZipFile(path).read(n) for n in zipfile.ZipFile(path).namelist()}
    members["RNN_Captioning.ipynb"] = notebook_json({QUESTION: answer}).encode()
    with zipfile.ZipFile(path, "w") as zf:
        for n, d in members.items():
            zf.writestr(n, d)
    assert data
    return path


def grade(t, *extra, subs=None, expect=0):
    argv = ["grade", *map(str, subs or t["subs"].values()), "--out", str(t["out"]),
            "--judge-cmd", " ".join(t["judge"]), *extra]
    if t["gradebook"]:
        argv += ["--gradebook", t["gradebook"]]
    rc = cli.main(argv)
    assert rc == expect, argv
    return rc


def rows(t, name="grades.csv"):
    with open(t["out"] / name, newline="", encoding="utf-8") as fh:
        return {r["submission"] + ("/" + r["question"] if "question" in r else ""): r for r in csv.DictReader(fh)}


def results(t, name):
    return json.loads((t["out"] / name / "results.json").read_text())


def save_like_a_spreadsheet(t, edits: dict[str, tuple[str, str]]):
    """review.csv as Excel saves "CSV UTF-8" in a European locale: BOM, CRLF, `;`, decimal
    commas, the answer, answer_id and flags columns deleted, the rest reordered."""
    sheet = list(csv.DictReader(io.StringIO((t["out"] / "review.csv").read_text(encoding="utf-8"))))
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Comment", "Points", "question", "submission", "max_points"])
    for r in sheet:
        points, comment = r["points"], r["comment"]
        if r["question"] == QUESTION and r["submission"] in edits:
            points, comment = edits[r["submission"]]
        writer.writerow([comment, points.replace(".", ","), r["question"], r["submission"], r["max_points"]])
    (t["out"] / "review.csv").write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))


def test_a_term_on_one_gradebook(term, capsys):
    t = term
    total_max = t["settings"].points.max_score + t["settings"].points.manual_max
    required = t["settings"].points.max_score

    # 1. First grading: names from the students' folders, manual question pending everywhere
    grade(t)
    g = rows(t)
    assert sorted(g) == ["aaron", "alice", "bob"]
    assert g["alice"]["manual_pending"] == QUESTION and g["alice"][QUESTION] == ""
    assert float(g["alice"]["total"]) == required and float(g["alice"]["total_max"]) == total_max
    res = results(t, "alice")
    assert "Inline question 1: 4 points, graded by your course staff (not graded yet)" in res["output"]
    assert res["extra_data"]["totals"]["total"] == {"score": required, "max": total_max}
    page = (t["out"] / "alice" / "feedback.html").read_text()
    assert "not graded yet" in page and f"{required:g} / {total_max:g}" in page
    index = (t["out"] / "index.html").read_text()
    assert "alice/feedback.html" in index and "to grade" in index

    # 2. TAs grade in a spreadsheet; one typo is rejected but kept as typed
    save_like_a_spreadsheet(t, {"alice": ("3.5", "clear and measured"), "bob": ("four", "typo"),
                                "aaron": ("5", "too many")})
    grade(t)
    g = rows(t)
    assert float(g["alice"][QUESTION]) == 3.5 and float(g["alice"]["total"]) == required + 3.5
    assert g["bob"][QUESTION] == "" and g["aaron"][QUESTION] == ""
    sheet = rows(t, "review.csv")
    assert sheet[f"alice/{QUESTION}"]["points"] == "3.5"
    assert sheet[f"alice/{QUESTION}"]["comment"] == "clear and measured"
    assert sheet[f"bob/{QUESTION}"]["points"] == "four" and "rejected" in sheet[f"bob/{QUESTION}"]["flags"]
    html = (t["out"] / "review.html").read_text()
    assert "four (rejected)" in html and "clear and measured" in html
    res = results(t, "alice")
    manual = [x for x in res["tests"] if x["name"] == "Inline question 1"]
    assert manual and manual[0]["score"] == 3.5 and "clear and measured" in manual[0]["output"]
    assert "clear and measured" in (t["out"] / "alice" / "feedback.html").read_text()
    assert res["score"] <= required + 4 + sum(t["settings"].points.extra_credit.values())

    # 3. alice resubmits with a new answer: her old points stay in the history, flagged until regraded
    _upload(t["subs"]["alice"], t["settings"], "full", "a different answer")
    for _ in range(2):                                    # flagged at every run, not just the next
        grade(t)
        assert rows(t)["alice"][QUESTION] == ""
        assert "answer changed since it was graded (earlier grade: 3.5" in rows(t, "review.csv")[f"alice/{QUESTION}"]["flags"]
    gb = Gradebook.open(t["gradebook"] or gradebook_url(t["out"]))
    kept = gb.manual_current()[("alice", QUESTION)]
    assert kept.points == 3.5 and kept.raw_points == "3,5" and kept.comment == "clear and measured"
    save_like_a_spreadsheet(t, {"alice": ("4", "better")})
    grade(t)
    assert float(rows(t)["alice"][QUESTION]) == 4

    # 4. --items into the live folder: the other items are kept, and said to be stale
    _upload(t["subs"]["bob"], t["settings"], "full", "bob's answer")
    grade(t, "--items", "rnn_step_forward")
    g = rows(t)
    assert all(g["bob"][item] != "" for item in t["settings"].points.items)   # no blank column
    assert float(g["bob"]["rnn_step_forward"]) == t["settings"].points.required["rnn_step_forward"]
    assert float(g["bob"]["rnn_backward"]) == t["settings"].points.required["rnn_backward"] / 2
    assert "stale: " in g["bob"]["status"] and "rnn_backward" in g["bob"]["status"]
    assert float(results(t, "bob")["extra_data"]["totals"]["required"]["max"]) == required
    grade(t)                                             # the full run brings everything up to date
    assert rows(t)["bob"]["status"] == "graded"

    # 5. a reference fix: grade refuses the stale build, then regrades after `coursekit build`
    ref = t["root"] / "source" / "rnn_captioning" / "cs231n" / "rnn_layers.py"
    ref.write_text(ref.read_text() + "\n# fixed\n")
    capsys.readouterr()
    grade(t, expect=2)
    assert "coursekit build" in capsys.readouterr().err
    assert cli.main(["handout", "--out", str(t["tmp"] / "h.zip")]) == 1
    assert cli.main(["build", "--no-execute"]) == 0
    capsys.readouterr()
    grade(t)
    assert "judged 3 submission(s)" in capsys.readouterr().err

    # 6. a typo in KIT's points is refused by grade, gradescope and build, with the items
    cfg = t["root"] / "course_config.py"
    good = cfg.read_text()
    cfg.write_text(good.replace('"rnn_backward": 10', '"rnn_bakward": 10'))
    grade(t, expect=2)
    err = capsys.readouterr().err
    assert "'rnn_bakward'" in err and "rnn_backward" in err
    assert cli.main(["gradescope", "--out", str(t["tmp"] / "ag.zip")]) == 2
    assert cli.main(["build", "--no-execute"]) == 1
    cfg.write_text(good)

    # 7. a roster with a student who never submitted; the Canvas export says so
    roster = t["tmp"] / "roster.csv"
    roster.write_text("submission,student_id,name,email\nalice,1,Alice,a@x\nbob,2,Bob,b@x\n"
                      "aaron,3,Aaron,c@x\ndora,4,Dora,d@x\n")
    capsys.readouterr()
    grade(t, "--roster", str(roster))
    err = capsys.readouterr().err
    assert "without a submission, left empty: Dora" in err
    assert "2 submission(s) whose manual questions are not graded yet, total left empty: bob, aaron" in err
    canvas = list(csv.reader(io.StringIO((t["out"] / "canvas_grades.csv").read_text())))
    by_id = {r[2]: r for r in canvas[2:]}
    assert float(by_id["1"][5]) == float(rows(t)["alice"]["total"]) and by_id["4"][5] == ""

    # 8. nothing lost on the way: every manual entry and every run is in the gradebook
    history = [e["detail"] for e in gb.events() if e["kind"] == "manual grade"]
    assert any("'four'" in d for d in history) and any("points 3,5" in d for d in history)
    assert all(r["status"] == "complete" for r in gb.runs())
    gb.close()


def test_two_runs_at_once_and_ctrl_c(term):
    t = term
    slow = t["tmp"] / "slow"
    subs = []
    for i in range(6):
        (slow / f"s{i}").mkdir(parents=True)
        subs.append(make_zip_submission(slow / f"s{i}" / "rnn_captioning_submission.zip", t["settings"], "sleep=0.4"))
    env = {**os.environ, "COURSEKIT_ROOT": str(t["root"])}
    cmd = [sys.executable, "-m", "coursekit.cli", "grade", *map(str, subs), "--out", str(t["out"]),
           "--jobs", "1", "--judge-cmd", " ".join(t["judge"])]
    if t["gradebook"]:
        cmd += ["--gradebook", t["gradebook"]]
    first = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(t["out"].glob("*/results.json")):
        time.sleep(0.05)
    second = subprocess.run(cmd, env=env, capture_output=True, text=True)
    assert second.returncode == 2 and "being written by another grading run" in second.stderr
    if t["gradebook"]:                  # another output folder, the same server gradebook
        elsewhere = [c if c != str(t["out"]) else str(t["tmp"] / "other") for c in cmd]
        third = subprocess.run(elsewhere, env=env, capture_output=True, text=True)
        assert third.returncode == 2 and "gradebook" in third.stderr and "another grading run" in third.stderr
    first.send_signal(signal.SIGINT)
    out, err = first.communicate(timeout=60)
    assert first.returncode == 130
    assert "run the same command again" in err and "kept" in err
    kept = sorted(p.parent.name for p in t["out"].glob("*/results.json"))
    assert 1 <= len(kept) < len(subs)
    g = rows(t)
    assert sorted(g) == kept                               # views rewritten when interrupted
    again = subprocess.run(cmd, env=env, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert f"{len(subs) - len(kept)} submission(s)" in again.stderr
    assert sorted(rows(t)) == [f"s{i}" for i in range(6)]

"""The instructor's term with the fast fake judge: regrades are never stale (changed submission,
changed points, --force), manual points round trip through review.csv, the Canvas export
reads back, the outputs follow the umask, and the command prints the score table."""
from __future__ import annotations

import csv
import dataclasses
import io
import os
import stat

import pytest
from helpers_grading import fake_judge, make_dir_submission

from coursekit import cli
from coursekit.gradebook.canvas import RosterError, read_roster
from coursekit.grading.batch import BatchSummary, grade_batch
from coursekit.grading.pipeline import GradeOptions
from coursekit.grading.progress import Progress

QUESTION = "RNN_Captioning-q1"        # the answer cell's grade id in the fake submissions
QUESTION_POINTS = 4


def _quiet(n=1):
    return Progress(n, enabled=False)


def _rows(out):
    with open(out / "grades.csv", newline="") as fh:
        return {r["submission"]: r for r in csv.DictReader(fh)}


def _kit(course, points=None):
    """The course with one manual question (and, given, other required points)."""
    changed = dataclasses.replace(course.points, manual={QUESTION: QUESTION_POINTS},
                                  required=points or course.points.required)
    return dataclasses.replace(course, points=changed)


def _opts(course, kit, judge):
    return GradeOptions(settings=kit, judge_cmd=judge)


def test_changed_submission_is_regraded_the_others_reused(tmp_path, course, monkeypatch):
    kit = _kit(course)
    judge = fake_judge(tmp_path, kit, monkeypatch)
    subs = [make_dir_submission(tmp_path / "alice", kit, "full"),
            make_dir_submission(tmp_path / "bob", kit, "full")]
    out = tmp_path / "out"
    grade_batch(subs, out, _opts(course, kit, judge), progress=_quiet(2))
    (subs[1] / kit.student_files[0]).write_text("# FAKE: half\n")       # bob resubmits
    again = grade_batch(subs, out, _opts(course, kit, judge), progress=_quiet())
    assert (again.graded, again.skipped) == (1, 1)
    full = sum(kit.points.required.values())
    assert float(_rows(out)["bob"]["score"]) == full / 2
    assert float(_rows(out)["alice"]["score"]) == full


def test_files_grading_does_not_take_do_not_cause_a_regrade(tmp_path, course, monkeypatch):
    kit = _kit(course)
    judge = fake_judge(tmp_path, kit, monkeypatch)
    sub = make_dir_submission(tmp_path / "alice", kit)
    out = tmp_path / "out"
    grade_batch([sub], out, _opts(course, kit, judge), progress=_quiet())
    (sub / "scratch.npz").write_bytes(b"\0" * 1000)
    assert grade_batch([sub], out, _opts(course, kit, judge), progress=_quiet()).graded == 0


def test_changed_points_regrade_everything_and_cap_the_scores(tmp_path, course, monkeypatch):
    kit = _kit(course)
    judge = fake_judge(tmp_path, kit, monkeypatch)        # the judge keeps awarding the old points
    subs = [make_dir_submission(tmp_path / "alice", kit, "full")]
    out = tmp_path / "out"
    grade_batch(subs, out, _opts(course, kit, judge), progress=_quiet())
    first = next(iter(kit.points.required))
    lowered = _kit(course, points={**kit.points.required, first: kit.points.required[first] - 2})
    again = grade_batch(subs, out, _opts(course, lowered, judge), progress=_quiet())
    assert (again.graded, again.skipped) == (1, 0)
    row = _rows(out)["alice"]
    assert float(row[first]) == lowered.points.required[first]           # never above the current points
    assert float(row["score"]) == float(row["max_score"]) == sum(lowered.points.required.values())


def test_force_regrades_everything(tmp_path, course, monkeypatch):
    kit = _kit(course)
    judge = fake_judge(tmp_path, kit, monkeypatch)
    subs = [make_dir_submission(tmp_path / f"s{i}", kit) for i in range(2)]
    out = tmp_path / "out"
    grade_batch(subs, out, _opts(course, kit, judge), progress=_quiet(2))
    assert grade_batch(subs, out, _opts(course, kit, judge), progress=_quiet()).graded == 0
    assert grade_batch(subs, out, _opts(course, kit, judge), force=True, progress=_quiet(2)).graded == 2


def _fill_review(out, points: dict[str, str], comment="clear"):
    with open(out / "review.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        if r["question"] == QUESTION and r["submission"] in points:
            r["points"], r["comment"] = points[r["submission"]], comment
    with open(out / "review.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_manual_points_round_trip_without_regrading(tmp_path, course, monkeypatch):
    kit = _kit(course)
    judge = fake_judge(tmp_path, kit, monkeypatch)
    subs = [make_dir_submission(tmp_path / "alice", kit, answer="Fewer parameters; longer sequences."),
            make_dir_submission(tmp_path / "bob", kit, answer="*Your answer here.*"),
            make_dir_submission(tmp_path / "carol", kit, answer="junk")]
    out = tmp_path / "out"
    grade_batch(subs, out, _opts(course, kit, judge), progress=_quiet(3))
    assert _rows(out)["alice"][QUESTION] == ""                       # not graded by a TA yet
    _fill_review(out, {"alice": "3.5", "bob": "0", "carol": "9"})      # carol's is out of range
    again = grade_batch(subs, out, _opts(course, kit, judge), progress=_quiet())
    assert again.graded == 0
    rows = _rows(out)
    auto = sum(kit.points.required.values())                 # extra credit is apart from the total
    assert float(rows["alice"][QUESTION]) == 3.5 and float(rows["alice"]["total"]) == auto + 3.5
    assert float(rows["alice"]["extra_credit"]) == sum(kit.points.extra_credit.values())
    assert float(rows["bob"][QUESTION]) == 0
    assert rows["carol"][QUESTION] == "" and any("carol" in w for w in again.warnings)
    assert float(rows["alice"]["total_max"]) == sum(kit.points.required.values()) + QUESTION_POINTS
    review = {r["submission"]: r for r in csv.DictReader(io.StringIO((out / "review.csv").read_text()))
              if r["question"] == QUESTION}
    assert review["alice"]["points"] == "3.5" and review["alice"]["comment"] == "clear"  # kept
    assert "blank" in review["bob"]["flags"]
    assert review["carol"]["points"] == "9" and "rejected" in review["carol"]["flags"]   # kept as typed


def test_changed_answer_drops_its_manual_points(tmp_path, course, monkeypatch):
    kit = _kit(course)
    judge = fake_judge(tmp_path, kit, monkeypatch)
    sub = make_dir_submission(tmp_path / "alice", kit, answer="first answer")
    out = tmp_path / "out"
    grade_batch([sub], out, _opts(course, kit, judge), progress=_quiet())
    _fill_review(out, {"alice": "4"})
    (sub / "RNN_Captioning.ipynb").unlink()
    make_dir_submission(tmp_path / "new", kit, answer="second answer")
    os.replace(tmp_path / "new" / "RNN_Captioning.ipynb", sub / "RNN_Captioning.ipynb")
    grade_batch([sub], out, _opts(course, kit, judge), progress=_quiet())
    assert _rows(out)["alice"][QUESTION] == ""
    assert "answer changed" in (out / "review.csv").read_text()


def test_review_html_groups_identical_answers_and_links_feedback(tmp_path, course, monkeypatch):
    kit = _kit(course)
    judge = fake_judge(tmp_path, kit, monkeypatch)
    subs = [make_dir_submission(tmp_path / n, kit, answer=a)
            for n, a in (("a1", "Same answer."), ("a2", "same   answer."), ("a3", "<b>other</b>"))]
    out = tmp_path / "out"
    grade_batch(subs, out, _opts(course, kit, judge), progress=_quiet(3))
    html = (out / "review.html").read_text()
    assert 'href="a1/feedback.html"' in html
    section = html.split(f'<h2 id="{QUESTION}">')[1].split("<h2")[0]
    assert section.count("identical to 1 other(s)") == 1              # one group of two
    assert section.index("a1/feedback") < section.index("a2/feedback") < section.index("a3/feedback")
    assert "&lt;b&gt;other&lt;/b&gt;" in html and "<b>other</b>" not in html


def test_roster_export_reads_back(tmp_path, course, monkeypatch):
    kit = _kit(course)
    judge = fake_judge(tmp_path, kit, monkeypatch)
    subs = [make_dir_submission(tmp_path / n, kit, m) for n, m in (("alice", "full"), ("bob", "half"),
                                                                   ("stray", "full"))]
    out = tmp_path / "out"
    grade_batch(subs, out, _opts(course, kit, judge), progress=_quiet(3))
    _fill_review(out, {"alice": "4"})                       # bob's question is not graded yet
    roster_csv = tmp_path / "roster.csv"
    roster_csv.write_text("Submission,Student_ID,Name,Email\nalice,s1,\"Doe, Alice\",a@x.org\n"
                          "bob,s2,Bob,b@x.org\ndan,s3,Dan,d@x.org\n")
    summary = grade_batch(subs, out, _opts(course, kit, judge), progress=_quiet(),
                          roster=read_roster(roster_csv))
    warnings = " | ".join(summary.warnings)
    assert "stray is not in the roster" in warnings
    assert "without a submission, left empty: Dan" in warnings
    assert "not graded yet, total left empty: bob" in warnings
    rows = list(csv.reader(io.StringIO((out / "canvas_grades.csv").read_text())))
    assert rows[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert rows[0][6] == f"{kit.assignment} (extra credit)"
    assert rows[1][0].strip() == "Points Possible"
    assert float(rows[1][5]) == sum(kit.points.required.values()) + QUESTION_POINTS and rows[1][6] == "0"
    by_id = {r[2]: r for r in rows[2:]}
    totals = {name: float(r["total"]) for name, r in _rows(out).items()}
    assert by_id["s1"][0] == "Doe, Alice" and float(by_id["s1"][5]) == totals["alice"]
    assert float(by_id["s1"][5]) <= float(rows[1][5])         # never above its maximum
    assert by_id["s1"][3] == ""                                # no SIS login column chosen
    assert by_id["s2"][5] == "" and by_id["s3"][5] == ""       # pending manual; no submission
    again = grade_batch(subs, out, _opts(course, kit, judge), progress=_quiet())   # roster kept
    assert "Dan" in " ".join(again.warnings) and (out / "canvas_grades.csv").is_file()


def test_the_sis_login_column_is_the_instructors_choice(tmp_path, course, monkeypatch):
    kit = dataclasses.replace(_kit(course), export=dataclasses.replace(course.export, sis_login_column="login"))
    judge = fake_judge(tmp_path, kit, monkeypatch)
    sub = make_dir_submission(tmp_path / "alice", kit)
    roster_csv = tmp_path / "roster.csv"
    roster_csv.write_text("submission,student_id,name,email,login\nalice,s1,Alice,a@x.org,alice7\n")
    grade_batch([sub], tmp_path / "out", _opts(course, kit, judge), progress=_quiet(),
                roster=read_roster(roster_csv, "login"))
    rows = list(csv.reader(io.StringIO((tmp_path / "out" / "canvas_grades.csv").read_text())))
    assert rows[2][3] == "alice7"
    with pytest.raises(RosterError, match="no column 'sis'"):
        read_roster(roster_csv, "sis")


def test_roster_errors_are_clear(tmp_path):
    bad = tmp_path / "r.csv"
    bad.write_text("name,email\nA,a@x\n")
    with pytest.raises(RosterError, match="missing column"):
        read_roster(bad)
    bad.write_text("submission,student_id,name,email\nx,1,A,a\nx,2,B,b\n")
    with pytest.raises(RosterError, match="listed twice"):
        read_roster(bad)
    assert isinstance(BatchSummary(0, 0, 0).warnings, list)


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600)])
def test_outputs_follow_the_umask(tmp_path, course, monkeypatch, umask, mode):
    kit = _kit(course)
    judge = fake_judge(tmp_path, kit, monkeypatch)
    sub = make_dir_submission(tmp_path / "alice", kit)
    old = os.umask(umask)
    try:
        grade_batch([sub], tmp_path / "out", _opts(course, kit, judge), progress=_quiet())
    finally:
        os.umask(old)
    for rel in ("grades.csv", "review.html", "alice/results.json", "alice/feedback.html"):
        assert stat.S_IMODE((tmp_path / "out" / rel).stat().st_mode) == mode, rel
    log = tmp_path / "out" / "_private" / "alice" / "judge.log"
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


def test_grade_command_prints_the_score_table_and_exports(tmp_path, course, monkeypatch, capsys):
    judge = fake_judge(tmp_path, course, monkeypatch)
    sub = make_dir_submission(tmp_path / "alice", course)
    roster = tmp_path / "roster.csv"
    roster.write_text("submission,student_id,name,email\nalice,s1,Alice,a@x.org\n")
    out = tmp_path / "out"
    rc = cli.main(["grade", str(sub), "--out", str(out), "--judge-cmd", " ".join(judge),
                   "--roster", str(roster)])
    printed = capsys.readouterr().out
    assert rc == 0
    assert "submission" in printed and "alice" in printed and "total" in printed
    assert (out / "canvas_grades.csv").is_file()


def test_grade_help_and_usage_errors(tmp_path, capsys):
    with pytest.raises(SystemExit):
        cli.main(["grade", "--help"])
    helptext = " ".join(capsys.readouterr().out.split())
    assert "--force" in helptext and "reuses an item's stored result only when" in helptext
    (tmp_path / "s").mkdir()
    assert cli.main(["grade", str(tmp_path / "s"), "--out", str(tmp_path / "o"), "--items", "nope"]) == 2
    assert "unknown item(s) nope" in capsys.readouterr().err


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--version"])
    assert exit_info.value.code == 0
    from coursekit import __version__
    assert __version__ in capsys.readouterr().out

"""What instructors read on the terminal: each long command says its stages, the batch's last
line says one thing per clause, and the score table wraps a long status instead of cutting it."""
from __future__ import annotations

from helpers_grading import fake_judge, make_dir_submission

from coursekit import cli


def test_build_says_each_stage(tmp_path, capsys):
    assert cli.main(["build", "--no-execute", "--out", str(tmp_path / "b")]) == 0
    err = capsys.readouterr().err
    stages = [line for line in err.splitlines() if line.startswith("build: ")]
    assert len(stages) == 3 and "nbgrader generate_assignment" in stages[1]
    assert "writing release/" in stages[-1]


def test_the_batch_line_and_the_table(tmp_path, course, monkeypatch, capsys):
    judge = fake_judge(tmp_path, course, monkeypatch)
    sub = make_dir_submission(tmp_path / "alice", course)
    broken = tmp_path / "broken_upload.zip"
    broken.write_bytes(b"this is not a zip at all")
    assert cli.main(["grade", str(sub), str(broken), "--out", str(tmp_path / "o"), "--judge-cmd", " ".join(judge)]) == 0
    captured = capsys.readouterr()
    assert "judged 2 submission(s)" in captured.err and "1 graded, 1 could not be graded" in captured.err
    table = captured.out.splitlines()
    assert len(table) > 4 and all(len(line) <= 100 for line in table), captured.out
    whole = " ".join(" ".join(line.split()) for line in table)
    assert "collect_submission.py in your assignment folder and upload the zip it writes" in whole  # wrapped, not cut


def test_the_loss_chart_has_round_iteration_ticks():
    import re
    from coursekit.report.svgplot import iteration_ticks, loss_chart_svg
    assert iteration_ticks(40) == [1, 10, 20, 30, 40]
    assert iteration_ticks(7) == [1, 2, 4, 6] and iteration_ticks(1) == [1]
    for n in range(2, 300):
        ticks = iteration_ticks(n)
        assert ticks[0] == 1 and ticks[-1] <= n and len(ticks) <= 7
        step = ticks[2] - ticks[1] if len(ticks) > 2 else None
        assert step is None or re.fullmatch(r"[125]0*", str(step))
    svg = loss_chart_svg([3.0 - 0.05 * i for i in range(40)], [3.0 - 0.07 * i for i in range(40)], "t")
    labels = re.findall(r'text-anchor="middle">(\d+)</text>', svg)
    assert labels == ["1", "10", "20", "30", "40"]


# A training that breaks off: from iteration BREAKS_AFTER on, the student's gradients hold NaN.
BREAKS_AFTER = 12
NAN_AFTER_SOME_CALLS = ("rnn.py", "        return loss, grads\n",
                        "        self._calls = getattr(self, '_calls', 0) + 1\n"
                        f"        if self._calls > {BREAKS_AFTER}:\n"
                        "            grads['W_vocab'] = grads['W_vocab'] * np.nan\n"
                        "        return loss, grads\n")


def test_a_training_that_breaks_off_gets_its_chart(tmp_path, course):
    import re
    from helpers_grading import make_submission, replacing
    from coursekit.judge import judge_submission
    from coursekit.judge.training import RECIPES
    from coursekit.report.feedback import render_feedback

    sub = make_submission(tmp_path / "sub", course, replacing(NAN_AFTER_SOME_CALLS))
    result = judge_submission(sub, config=course, items=["overfit"])
    overfit = next(t for t in result.tests if t.name == "overfit")
    assert overfit.score == 0 and "training diverged or broke" in overfit.output, overfit.output
    curve = result.extra_data["overfit"]
    assert len(curve["loss_history"]) == BREAKS_AFTER + 1 and curve["final_loss"] is None
    html = render_feedback(result)
    section = html[html.index('id="test-overfit"'):]
    assert "<svg" in section and 'class="threshold"' in section
    assert f"pass threshold {RECIPES['rnn'].threshold:g}" in section
    assert f"the training broke off at iteration {BREAKS_AFTER + 1}" in section
    ticks = re.findall(r'text-anchor="middle">(\d+)</text>', section)
    assert ticks and all(t == "1" or int(t) % 5 == 0 for t in ticks), ticks


# rnn_step_forward forgets the bias: rnn_forward, right itself, passes only with the reference steps.
NO_BIAS_IN_STEP = ("rnn_layers.py", "    next_h = np.tanh(x @ Wx + prev_h @ Wh + b)\n",
                   "    next_h = np.tanh(x @ Wx + prev_h @ Wh)\n")


def test_a_pass_granted_with_reference_steps_says_so(tmp_path, course):
    from helpers_grading import make_submission, replacing
    from coursekit.judge import judge_submission

    sub = make_submission(tmp_path / "sub", course, replacing(NO_BIAS_IN_STEP))
    result = judge_submission(sub, config=course, items=["rnn_step_forward", "rnn_forward"])
    tests = {t.name: t for t in result.tests}
    assert tests["rnn_step_forward"].score == 0 and tests["rnn_forward"].score == tests["rnn_forward"].max_score
    feedback = tests["rnn_forward"].output
    passed = [line for line in feedback.splitlines() if line.startswith("[PASS]")]
    assert len(passed) == 5 and all(", with the reference step functions in place of yours" in line
                                    for line in passed), feedback      # 4 cases + inputs untouched
    assert ("Note: This check passed only with the reference step functions (see rnn_step_forward / "
            "rnn_step_backward) in place of yours; with your own it failed: rnn_forward: h:") in feedback
    assert "plain run, or given" not in feedback and "Correct given correct" not in feedback


def test_a_plain_pass_states_what_was_checked(tmp_path, course):
    from helpers_grading import make_submission
    from coursekit.judge import judge_submission

    result = judge_submission(make_submission(tmp_path / "sub", course), config=course,
                              items=["rnn_forward", "rnn_backward"])
    for test in result.tests:
        assert "[FAIL]" not in test.output and "with the reference" not in test.output, test.output
    titles = "\n".join(t.output for t in result.tests)
    assert "[PASS] h matches the reference" in titles
    assert "[PASS] all five gradients match the reference (or your own forward, when that one is wrong)" in titles


def test_selftest_says_its_stages_and_what_fast_left_out(capsys):
    """The real command on one bug of TRAINING_CATCHES and one variant (about 20 s)."""
    from coursekit.config import load
    from coursekit.grading.policy import item_points
    bug, variant = "mask_ignored", "loops"
    assert cli.main(["selftest", "--fast", "--only", bug, variant]) == 0
    captured = capsys.readouterr()
    stages = [line for line in captured.err.splitlines() if line.startswith("selftest: ")]
    assert stages[0].startswith("selftest: writing the submissions to grade")
    assert stages[1] == ("selftest: grading 4 submissions (solutions/, release/, 1 bug, 1 variant) with "
                         "--jobs 2, without overfit and lstm_overfit (--fast) ...")
    assert stages[-2].startswith("selftest: 4/4 graded: solutions/ and release/, 1/1 bugs, 1/1 variants (")
    assert stages[-1] == "selftest: checking every verdict ..."
    assert set(item_points(load())) > {"overfit", "lstm_overfit"}
    assert ("not checked (--fast): the items overfit and lstm_overfit (graded for no submission), and "
            "with them whether they still fail the 1 bug of bugs.TRAINING_CATCHES") in captured.out
    assert captured.out.rstrip().endswith("selftest: OK (with --fast: see 'not checked' above)")


def test_the_selftest_progress_line_counts_each_kind():
    from coursekit import selftest
    names = [selftest.SOLUTIONS, selftest.RELEASE, "bug__a", "bug__b", "variant__v"]
    assert selftest.progress_line(names, set()) == "0/5 graded: 0/2 bugs, 0/1 variants"
    assert (selftest.progress_line(names, {selftest.RELEASE, "bug__b"})
            == "2/5 graded: release/, 1/2 bugs, 0/1 variants")


def test_similarity_says_each_stage(tmp_path, course, capsys):
    from helpers_grading import make_submission, replacing
    subs = [make_submission(tmp_path / "a", course), make_submission(tmp_path / "b", course),
            make_submission(tmp_path / "c", course, replacing(NO_BIAS_IN_STEP))]
    out = tmp_path / "similarity"
    assert cli.main(["similarity", *map(str, subs), "--out", str(out)]) == 0
    stages = [line for line in capsys.readouterr().err.splitlines() if line.startswith("similarity: ")]
    assert stages == ["similarity: reading 3 submissions ...",
                      "similarity: tokenising 3 documents and finding the code common to many of them ...",
                      "similarity: comparing 3 pairs ...",
                      f"similarity: writing similarity.csv, similarity.html and the pages of the pairs worth "
                      f"reading to {out} ..."]
    assert (out / "similarity.html").is_file()


def test_handout_says_each_stage(tmp_path, capsys):
    zip_path = tmp_path / "handout.zip"
    assert cli.main(["handout", "--out", str(zip_path)]) == 0
    captured = capsys.readouterr()
    stages = [line for line in captured.err.splitlines() if line.startswith("handout: ")]
    assert [s.split(" ")[1] for s in stages] == ["checking", "reading", "compressing", "checking", "writing"]
    assert stages[1] == "handout: reading the handout tree release/rnn_captioning/ ..."
    assert stages[-1] == f"handout: writing {zip_path} ..."
    assert zip_path.is_file() and captured.out.startswith(f"wrote {zip_path}: ")

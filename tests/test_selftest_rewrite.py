"""`coursekit selftest` after the instructor rewrites the reference solution (README step 1
invites it): the corpus bugs are edits of the code's structure or behaviour, so they apply
to a rewritten reference and do the same there; a case that no longer applies is one line
saying what to update (exit 1), never a traceback."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from coursekit import selftest
from coursekit.reference import load_package, submodule

REPO = Path(__file__).resolve().parents[1]
CORPUS = selftest.load_corpus(REPO / "tests" / "corpus")
LAYERS, MODEL = "cs231n/rnn_layers.py", "cs231n/classifiers/rnn.py"

# An instructor's rewrites of the reference, each keeping it correct (every occurrence).
REWRITES = [
    (LAYERS, "    next_h = np.tanh(x @ Wx + prev_h @ Wh + b)\n",
     "    a = prev_h @ Wh + x @ Wx + b      # pre-activation first\n    next_h = np.tanh(a)\n"),
    (LAYERS, "    da = dnext_h * (1.0 - next_h ** 2)\n", "    da = (1 - next_h**2) * dnext_h\n"),
    (LAYERS, "        dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t\n    dh0 = dprev_h\n",
     "        dWx = dWx + dWx_t\n        dWh = dWh + dWh_t\n        db = db + db_t\n    dh0 = dprev_h\n"),
    (MODEL, "            scores = h @ W_vocab + b_vocab\n", "            scores = (h @ W_vocab\n                      + b_vocab)\n"),
]
# A rewrite that the bug step_fwd_no_tanh cannot follow (no np.tanh left to remove).
NO_TANH_CALL = (LAYERS, "    next_h = np.tanh(x @ Wx + prev_h @ Wh + b)\n",
                "    e = np.exp(2 * (x @ Wx + prev_h @ Wh + b))\n    next_h = 1 - 2 / (e + 1)\n")
STEP_BUGS = [c.name for c in CORPUS.bugs.RNN_STEP if c.name not in CORPUS.bugs.SHARED_COSTS]


def rewritten_reference(course, dest: Path, rewrites) -> Path:
    shutil.copytree(course.assignment_dir("source"), dest, ignore=shutil.ignore_patterns("__pycache__", "datasets"))
    for rel, old, new in rewrites:
        text = (dest / rel).read_text()
        assert old in text, (rel, old)
        (dest / rel).write_text(text.replace(old, new))
    return dest


def behaviour(pkg) -> dict:
    """Outputs of every graded function of a cs231n package on fixed random inputs (an
    exception counts as its type and message)."""
    L, M = submodule(pkg, "rnn_layers"), submodule(pkg, "classifiers.rnn")
    rng = np.random.default_rng(0)
    N, T, D, H, V = 3, 4, 5, 6, 7
    r = lambda *s: rng.standard_normal(s) * 0.5  # noqa: E731
    x, h, c, words = r(N, T, D), r(N, H), r(N, H), rng.integers(0, V, (N, T))
    out = {}

    def record(name, fn):
        try:
            out[name] = fn()
        except Exception as exc:   # noqa: BLE001 -- a bug that raises must raise alike
            out[name] = f"{type(exc).__name__}: {exc}"
    record("rnn_step", lambda: L.rnn_step_backward(r(N, H), L.rnn_step_forward(x[:, 0], h, r(D, H), r(H, H), r(H))[1])
           + (L.rnn_step_forward(x[:, 0], h, r(D, H), r(H, H), r(H))[0],))
    record("rnn", lambda: L.rnn_backward(r(N, T, H), L.rnn_forward(x, h, r(D, H), r(H, H), r(H))[1])
           + (L.rnn_forward(x, h, r(D, H), r(H, H), r(H))[0],))
    record("embedding", lambda: (L.word_embedding_forward(words, r(V, D))[0],
                                 L.word_embedding_backward(r(N, T, D), L.word_embedding_forward(words, r(V, D))[1])))
    record("lstm_step", lambda: L.lstm_step_backward(r(N, H), r(N, H), L.lstm_step_forward(
        x[:, 0], h, c, r(D, 4 * H), r(H, 4 * H), r(4 * H))[2]))
    record("lstm", lambda: L.lstm_backward(r(N, T, H), L.lstm_forward(x, h, r(D, 4 * H), r(H, 4 * H), r(4 * H))[1]))
    w2i = {"<NULL>": 0, "<START>": 1, "<END>": 2, **{f"w{k}": k for k in range(3, V)}}
    for cell in ("rnn", "lstm"):
        model = M.CaptioningRNN(w2i, input_dim=D, wordvec_dim=4, hidden_dim=H, cell_type=cell, dtype=np.float64)
        model.params = {k: r(*v.shape) for k, v in model.params.items()}
        feats, caps = r(N, D), rng.integers(0, V, (N, T + 1))
        record(f"{cell}_loss", lambda: model.loss(feats, caps))
        record(f"{cell}_sample", lambda: model.sample(feats, max_length=5))
    return out


def same(a, b) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, (np.ndarray, float, np.floating)) and isinstance(b, (np.ndarray, float, np.floating)):
        return np.shape(a) == np.shape(b) and np.allclose(a, b, rtol=1e-10, atol=1e-12)
    return type(a) is type(b) and a == b


def test_every_case_applies_to_a_rewritten_reference_and_behaves_the_same(course, tmp_path):
    original = course.assignment_dir("source")
    rewritten = rewritten_reference(course, tmp_path / "rewritten", REWRITES)
    imports_only = {c.name for c in CORPUS.variants.IMPORT_VARIANTS}   # need the real cs231n name
    imports_only |= {c.name for c in CORPUS.bugs.MISSING_MODULE_BUGS}  # import torch: the grader's stand-in
    cases = CORPUS.bugs.BUGS + CORPUS.variants.VARIANTS
    for k, case in enumerate(cases):
        subs = [CORPUS.spec.materialize(case, ref, tmp_path / where / case.name)
                for where, ref in (("a", original), ("b", rewritten))]
        if case.name in imports_only:
            continue
        got = [behaviour(load_package(sub, f"ck_rewrite_{w}_{k}")) for w, sub in zip("ab", subs)]
        assert same(*got), f"{case.name} behaves differently on the rewritten reference"


def test_a_case_that_no_longer_applies_is_one_clear_line(course, tmp_path, capsys):
    stale_ref = rewritten_reference(course, tmp_path / "ref", [NO_TANH_CALL])
    fake_course = type("C", (), {"assignment_dir": lambda self, kind: stale_ref if kind == "source"
                                 else course.assignment_dir(kind)})()
    bugs, _, paths, stale = selftest._prepare(fake_course, CORPUS, {"step_fwd_no_tanh", "step_fwd_no_bias"},
                                              tmp_path / "work")
    assert [b.name for b in bugs] == ["step_fwd_no_bias"] and "bug__step_fwd_no_tanh" not in paths
    why = stale["step_fwd_no_tanh"]
    assert "rnn_step_forward" in why and "no call of np.tanh" in why and "tests/corpus/bugs.py" in why
    assert selftest._report([], [], {}, {}, set(), stale=stale) == 1
    fails = [line for line in capsys.readouterr().out.splitlines() if "step_fwd_no_tanh" in line]
    assert fails == [f"FAIL corpus case does not apply: {why}"]


def _selftest_in(tmp_path, course, rewrites, only) -> subprocess.CompletedProcess:
    """The instructor's steps in a copy of the course: rewrite the reference in source/,
    `coursekit build` (selftest refuses a stale build, saying so), then `coursekit selftest`."""
    root = CORPUS.harness.make_course_root(tmp_path / "course", REPO, copy=("release", "solutions"))
    (root / "source").unlink()
    (root / "source").mkdir()
    rewritten_reference(course, root / "source" / course.assignment, rewrites)
    env = {**__import__("os").environ, "COURSEKIT_ROOT": str(root)}
    selftest_cmd = [sys.executable, "-m", "coursekit.cli", "selftest", "--fast", "--corpus",
                    str(REPO / "tests" / "corpus"), "--only", *only]
    stale = subprocess.run(selftest_cmd, cwd=root, capture_output=True, text=True, env=env)
    assert stale.returncode == 2 and "run `coursekit build`" in stale.stderr, stale.stderr[-2000:]
    assert "Traceback" not in stale.stderr
    built = subprocess.run([sys.executable, "-m", "coursekit.cli", "build", "--no-execute"], cwd=root,
                           capture_output=True, text=True, env=env)
    assert built.returncode == 0, built.stderr[-2000:]
    return subprocess.run(selftest_cmd, cwd=root, capture_output=True, text=True, env=env)


@pytest.mark.slow
def test_selftest_passes_after_a_rewrite_of_the_step_forward(course, tmp_path):
    proc = _selftest_in(tmp_path, course, REWRITES, STEP_BUGS)
    assert proc.returncode == 0 and "selftest: OK" in proc.stdout, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "Traceback" not in proc.stdout + proc.stderr


@pytest.mark.slow
def test_selftest_names_a_stale_case_and_grades_the_rest(course, tmp_path):
    proc = _selftest_in(tmp_path, course, [NO_TANH_CALL], ["step_fwd_no_tanh", "step_fwd_no_bias"])
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1 and "Traceback" not in out, out[-3000:]
    assert [line for line in out.splitlines() if "step_fwd_no_tanh" in line] == [
        "FAIL corpus case does not apply: step_fwd_no_tanh: cs231n/rnn_layers.py, rnn_step_forward: "
        "no call of np.tanh (update it in tests/corpus/bugs.py)"]
    assert "rnn_step_forward  1     1       100%" in out

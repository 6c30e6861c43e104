"""Every attack of tests/corpus/attacks.py scores 0 on every graded item, the grader survives
(one complete row per attack, exit 0), and nothing outside the output folder changes.

One `coursekit grade --jobs 2` batch over all attacks, with a temporary course root (copies of
autograder/, source/, release/, solutions/; smaller time limits so hangs cost seconds) and
without the slow overfit items. Watched during the batch: the course root copy, the
submissions, the grader's cwd, a canary folder in /tmp, /autograder, a TCP listener the
network attack aims at, and leftover processes."""
from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from coursekit.selftest import load_corpus

CORPUS = load_corpus(Path(__file__).resolve().parent / "corpus")
H = CORPUS.harness
A = __import__(f"{CORPUS.__name__}.attacks", fromlist=["ATTACKS"])
ATTACKS = {c.name: c for c in A.ATTACKS}
LIMITS = {"wall_seconds": 30, "call_seconds": 10, "cpu_seconds": 30, "memory_mb": 1536}
LATE_WAIT = 6            # the detached attack writes 3 s after it forked
SECRET = "LEAKED-HIDDEN-TEST"

pytestmark = pytest.mark.slow


class Listener:
    """Counts TCP connections to 127.0.0.1:LISTEN_PORT while the batch runs."""

    def __init__(self, port: int):
        self.connections = 0
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(16)
        self.sock.settimeout(0.5)
        self.stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
                self.connections += 1
                conn.close()
            except OSError:
                continue

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close()


def _leftover_processes(mark: str) -> list[int]:
    pids = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if mark.encode() in (d / "cmdline").read_bytes():
                    pids.append(int(d.name))
            except OSError:
                pass
    return pids


@pytest.fixture(scope="session")
def attack_run(course, tmp_path_factory):
    work = tmp_path_factory.mktemp("corpus-attacks")
    root = H.make_course_root(work / "course", course.root, LIMITS,
                              copy=("autograder", "source", "release", "solutions"))
    canary = Path(A.CANARY_DIR)
    shutil.rmtree(canary, ignore_errors=True)
    canary.mkdir(mode=0o755)
    (canary / "canary.txt").write_text("do not touch\n")
    out, cwd = work / "out", work / "cwd"
    for d in (root, canary, out, cwd):
        d.mkdir(exist_ok=True)
        (d / A.TARGET_MARKER).write_text("attack target\n")
    subs = {name: CORPUS.spec.materialize(case, course.assignment_dir("source"), work / "subs" / name)
            for name, case in ATTACKS.items()}
    # The trusted judge keeps its caches in <course root>/build/: everything else is watched.
    (root / "build").mkdir(exist_ok=True)
    watched = [p for p in root.iterdir() if p.name != "build"]
    watched += [canary, cwd, work / "subs", Path("/autograder"), course.root / "course_config.py"]
    root_listing = sorted(p.name for p in root.iterdir())
    before = H.snapshot(watched)
    listener = Listener(A.LISTEN_PORT)
    start = time.monotonic()
    try:
        proc = H.grade(list(subs.values()), out, jobs=2, items=H.fast_items(course),
                       env={"COURSEKIT_ROOT": str(root)}, cwd=cwd, timeout=1800)
        elapsed = time.monotonic() - start
        time.sleep(LATE_WAIT)
    finally:
        listener.close()
    after = H.snapshot(watched)
    changed = H.diff_snapshots(before, after)
    if sorted(p.name for p in root.iterdir()) != root_listing:
        changed.append(f"{root} (files added or removed)")
    manifest = H.source_names(out)
    by_source = H.results_by_source(out) if manifest else {}
    yield {"proc": proc, "out": out, "elapsed": elapsed, "changed": changed,
           "connections": listener.connections, "leftover": _leftover_processes(A.SLEEP_MARK),
           "results": {n: by_source.get(str(p.absolute())) for n, p in subs.items()},
           "folders": {n: out / manifest.get(str(p.absolute()), n) for n, p in subs.items()}}
    shutil.rmtree(canary, ignore_errors=True)


def test_grader_survives_the_batch(attack_run):
    proc = attack_run["proc"]
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    rows = H.grade_rows(attack_run["out"])
    assert sorted(r["submission"] for r in rows) == sorted(ATTACKS), "one row per attack"
    print(f"\nattack batch: {len(ATTACKS)} attacks in {attack_run['elapsed']:.0f} s")


def test_nothing_outside_the_output_folder_changed(attack_run):
    assert attack_run["changed"] == []


def test_no_network_connection_reached_the_host(attack_run):
    assert attack_run["connections"] == 0


def test_no_process_outlives_the_batch(attack_run):
    assert attack_run["leftover"] == []


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attack_scores_zero_everywhere(name, attack_run):
    result = attack_run["results"][name]
    assert result is not None, f"{name}: no complete result"
    scored = {t.name: t.score for t in result.tests if t.score > 0}
    assert not scored, f"{name} ({ATTACKS[name].description}) scored: {scored}"
    assert result.score == 0


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attack_outputs_stay_small_and_clean(name, attack_run):
    from coursekit.report.results import MAX_RESULTS_BYTES
    folder = attack_run["folders"][name]
    total = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    assert total < 8 * (1 << 20), f"{name}: {total} bytes in its output folder"
    assert (folder / "results.json").stat().st_size < MAX_RESULTS_BYTES, f"{name}: results.json over 1 MB"
    for student_file in ("results.json", "feedback.html"):
        text = (folder / student_file).read_text(errors="replace")
        assert SECRET not in text, f"{name}: hidden test text shown to the student"

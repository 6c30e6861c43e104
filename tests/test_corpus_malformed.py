"""Every malformed submission of tests/corpus/malformed.py gets a clear error row (or a clear
per-test failure), while the rest of its batch -- a correct control submission -- is graded
normally. One `coursekit grade --jobs 2` batch, without the slow overfit items."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from coursekit.selftest import load_corpus

CORPUS = load_corpus(Path(__file__).resolve().parent / "corpus")
H = CORPUS.harness
M = __import__(f"{CORPUS.__name__}.malformed", fromlist=["MALFORMED"])
CASES = {c.name: c for c in M.MALFORMED}
CONTROL = "control_correct"
EPS = 1e-6

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def malformed_run(course, tmp_path_factory):
    work = tmp_path_factory.mktemp("corpus-malformed")
    reference = course.assignment_dir("source")
    subs = {}
    for name, case in CASES.items():
        (work / "build" / name).mkdir(parents=True)
        subs[name] = case.build(work / "build" / name, reference)
    subs[CONTROL] = CORPUS.spec.materialize(CORPUS.spec.Case(CONTROL, "reference"), reference,
                                            work / "build" / CONTROL)
    items = H.fast_items(course)
    start = time.monotonic()
    proc = H.grade(list(subs.values()), work / "out", jobs=2, items=items, cwd=work, timeout=1800)
    elapsed = time.monotonic() - start
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    by_source = H.results_by_source(work / "out")
    manifest = H.source_names(work / "out")
    return {"work": work, "items": items, "elapsed": elapsed, "out": work / "out",
            "results": {n: by_source.get(str(p.absolute())) for n, p in subs.items()},
            "folders": {n: work / "out" / manifest[str(p.absolute())] for n, p in subs.items()
                        if str(p.absolute()) in manifest}}



def _full_on(result, items, points, exclude=()):
    return {t.name: t.score for t in result.tests
            if t.name in items and t.name not in exclude and t.score < points[t.name] - EPS}


def test_one_row_per_submission(malformed_run):
    rows = H.grade_rows(malformed_run["out"])
    assert len(rows) == len(CASES) + 1
    print(f"\nmalformed batch: {len(CASES)} + control in {malformed_run['elapsed']:.0f} s")


def test_control_submission_is_graded_normally(malformed_run, points):
    result = malformed_run["results"][CONTROL]
    assert result is not None and not result.error
    assert _full_on(result, malformed_run["items"], points) == {}


@pytest.mark.parametrize("name", sorted(CASES))
def test_malformed_submission_gets_a_clear_outcome(name, malformed_run, points):
    case, result = CASES[name], malformed_run["results"][name]
    assert result is not None, f"{name}: no complete result"
    items = malformed_run["items"]
    if case.expect == "error":
        assert result.error and len(result.error) > 10, f"{name}: expected an error row"
        assert result.score == 0
        assert case.keyword.lower() in result.error.lower()
    elif case.expect == "failures":
        assert not result.error, f"{name}: expected per-test failures, got error {result.error}"
        tests = H.by_item(result)
        for item in case.items:
            if item in items:
                assert tests[item].score == 0, f"{name}: {item} scored"
                # the test says why, or points at the one banner that does (a file that
                # does not import is described once, at the top of the feedback)
                said = tests[item].output if "does not import" not in tests[item].output \
                    else result.output
                assert case.keyword.lower() in said.lower(), \
                    f"{name}: {item} feedback does not mention {case.keyword!r}: {said[:300]}"
        assert _full_on(result, items, points, exclude=case.items) == {}, f"{name}: other items lost"
    elif case.expect == "no_credit":
        if not result.error:
            tests = H.by_item(result)
            scored = {i: tests[i].score for i in case.items if i in items and tests[i].score > 0}
            assert not scored, f"{name}: scored {scored}"
    else:
        assert case.expect == "graded"
        assert not result.error, f"{name}: expected a normal grade, got error {result.error}"
        assert _full_on(result, items, points) == {}, f"{name}: lost points"


def test_zip_members_never_escape(malformed_run):
    assert not (Path("/tmp") / M.ESCAPE_NAME).exists()
    assert not list(malformed_run["work"].rglob(M.ESCAPE_NAME))


@pytest.mark.parametrize("name", sorted([*CASES, CONTROL]))
def test_results_json_and_the_output_folder_stay_small(name, malformed_run):
    """Issue 19: results.json under PrairieLearn's 1 MB and the submission's folder bounded
    (results.json, feedback.html, answers.md: each drawn from the capped result; the full
    result is in the gradebook, capped too), whatever the upload holds (huge_inline_answers: two 30 MB notebooks)."""
    from coursekit.report.results import MAX_FULL_RESULT_BYTES, MAX_RESULTS_BYTES
    folder = malformed_run["folders"][name]
    size = (folder / "results.json").stat().st_size
    assert size < MAX_RESULTS_BYTES, f"{name}: results.json is {size} bytes"
    total = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    assert total < 2 * (MAX_RESULTS_BYTES + MAX_FULL_RESULT_BYTES), f"{name}: {total} bytes"

"""The judge-level attacks (tests/corpus/attacks_judge.py, issue 13) and the reference, graded
together in one `coursekit grade --jobs 2` batch with small limits.

Asserted: each attack scores 0 on the items it targets and is graded without a crash or an
internal grader error; every results.json is strict JSON (no NaN / Infinity); no verdict line
forged by a student ("[PASS] ...", "Hidden test suite: 70 / 70") appears unquoted in an
`output` field, and no raw ANSI escape or carriage return reaches one; the reference graded
beside the attacks keeps full marks. The overfit items are graded only for the attacks that
target them (and for the reference)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from coursekit.selftest import load_corpus

CORPUS = load_corpus(Path(__file__).resolve().parent / "corpus")
H = CORPUS.harness
AJ = __import__(f"{CORPUS.__name__}.attacks_judge", fromlist=["ATTACKS_JUDGE"])
ATTACKS = {c.name: c for c in AJ.ATTACKS_JUDGE}
REFERENCE = "reference_beside_attacks"
# Small, but above the reference's training time on a loaded machine (one core each), and
# above what callback_cpu_legal needs to use up the judge CPU cap (KIT's callback_cpu_seconds,
# kept): the cap's 20 s in the judge plus its worker's side of every call.
LIMITS = {"wall_seconds": 150, "call_seconds": 20, "cpu_seconds": 60, "memory_mb": 2048}
CONTROL_CHARS = ("\x1b", "\r")
EPS = 1e-6

pytestmark = pytest.mark.slow


def _items_for(case, kit) -> list[str]:
    """The fast items, plus the training items the case targets."""
    return H.fast_items(kit) + [i for i in AJ.TRAINING_ITEMS if i in case.items and i in H.SLOW_ITEMS]


@pytest.fixture(scope="session")
def judge_attack_run(course, tmp_path_factory):
    work = tmp_path_factory.mktemp("corpus-judge-attacks")
    root = H.make_course_root(work / "course", course.root, LIMITS)
    cache = course.root / "build" / "judge"        # the reference's loss curves, if computed
    if cache.is_dir():
        shutil.copytree(cache, root / "build" / "judge")
    reference = course.assignment_dir("source")
    cases = [*ATTACKS.values(), CORPUS.spec.Case(REFERENCE, "the reference solution")]
    subs = {c.name: CORPUS.spec.materialize(c, reference, work / "subs" / c.name) for c in cases}
    items = {subs[n]: _items_for(c, course) for n, c in ATTACKS.items()}
    items[subs[REFERENCE]] = list(H.item_points(course))
    out = work / "out"
    proc = H.grade(list(subs.values()), out, jobs=2, items_by_sub=items,
                   env={"COURSEKIT_ROOT": str(root)}, cwd=work, timeout=1800)
    manifest = H.source_names(out)
    by_source = H.results_by_source(out) if manifest else {}
    return {"proc": proc, "out": out,
            "results": {n: by_source.get(str(p.absolute())) for n, p in subs.items()},
            "folders": {n: out / manifest.get(str(p.absolute()), n) for n, p in subs.items()}}


def _result(run, name):
    result = run["results"][name]
    assert result is not None, f"{name}: no complete result; grader said: " + \
        run["proc"].stdout[-1500:] + run["proc"].stderr[-1500:]
    return result


def test_batch_grades_every_submission(judge_attack_run):
    proc = judge_attack_run["proc"]
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    rows = H.grade_rows(judge_attack_run["out"])
    assert sorted(r["submission"] for r in rows) == sorted([*ATTACKS, REFERENCE])


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attack_scores_zero_on_its_targets(name, judge_attack_run):
    tests = H.by_item(_result(judge_attack_run, name))
    case = ATTACKS[name]
    missing = [i for i in case.items if i not in tests]
    assert not missing, f"{name}: target items not graded: {missing}"
    scored = {i: tests[i].score for i in case.items if tests[i].score > 0}
    assert not scored, f"{name} {case.description}: scored {scored}"


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attack_is_graded_without_crash_or_internal_error(name, judge_attack_run):
    result = _result(judge_attack_run, name)
    assert not result.error, f"{name}: could not be graded: {result.error}"
    internal = result.extra_data.get("internal_errors")
    assert not internal, f"{name}: internal grader errors: {internal}"


@pytest.mark.parametrize("name", sorted([*ATTACKS, REFERENCE]))
def test_results_json_is_strict_json(name, judge_attack_run):
    path = judge_attack_run["folders"][name] / "results.json"
    try:
        H.strict_json(path)
    except ValueError as exc:
        pytest.fail(f"{name}: results.json is not strict JSON ({exc})")


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_no_forged_verdict_line_or_control_character(name, judge_attack_run):
    data = _lenient(judge_attack_run["folders"][name] / "results.json")   # strictness: above
    for field, text in H.output_fields(data).items():
        forged = H.unquoted_forgeries(text, AJ.FORGED_LINES)
        assert not forged, f"{name}: {field} shows student-forged verdict lines unquoted: {forged}"
        bad = [c for c in CONTROL_CHARS if c in text]
        assert not bad, f"{name}: {field} holds raw control characters {bad!r}"


def _lenient(path: Path) -> dict:
    import json
    return json.loads(path.read_text(encoding="utf-8"))


def test_reference_beside_the_attacks_keeps_full_marks(judge_attack_run, course):
    result = _result(judge_attack_run, REFERENCE)
    points = H.item_points(course)
    tests = H.by_item(result)
    assert set(tests) == set(points)
    lost = {i: f"{t.score:g}/{points[i]:g}: {t.output[:300]}" for i, t in tests.items()
            if t.score < points[i] - EPS}
    assert not lost, f"the reference graded beside the attacks lost points: {lost}"


# ----------------------------------------------------------------------------- issue 19
# The judge's own work for one submission (the hidden suite and the reference, without the
# trainings' loop, which only the attacks naming an overfit item run) stays within this;
# callbacks are capped separately (KIT limits callback_cpu_seconds) and add at most that.
JUDGE_OWN_CPU_SECONDS = 20


@pytest.mark.parametrize("name", sorted([*ATTACKS, REFERENCE]))
def test_results_json_stays_under_one_megabyte(name, judge_attack_run):
    from coursekit.report.results import MAX_RESULTS_BYTES
    size = (judge_attack_run["folders"][name] / "results.json").stat().st_size
    assert size < MAX_RESULTS_BYTES, f"{name}: results.json is {size} bytes"


@pytest.mark.parametrize("name", sorted([*ATTACKS, REFERENCE]))
def test_judge_cpu_stays_within_its_budget(name, judge_attack_run, course):
    """Judge-side CPU per submission (the README's stated budget): the callbacks within their
    cap (plus one CPU poll of the reference's process), and the judge process and the
    callbacks together (an upper bound: the judge's handling of a callback is in both) within
    the cap plus JUDGE_OWN_CPU_SECONDS."""
    cpu = _result(judge_attack_run, name).extra_data["judge_cpu_seconds"]
    budget = course.limits.callback_cpu_seconds
    assert cpu["callback_budget"] == budget and cpu["callbacks"] <= budget + 0.5, f"{name}: {cpu}"
    assert cpu["judge"] + cpu["callbacks"] <= JUDGE_OWN_CPU_SECONDS + budget, f"{name}: {cpu}"
    print(f"\n{name}: judge CPU {cpu}")


CPU_ATTACK = "callback_cpu_legal"
CAP_TEXT = "used up the judge CPU this submission may spend on them"


def test_legal_calls_reach_the_cap_in_one_clear_failed_check(judge_attack_run, course):
    """callback_cpu_legal asks only for calls within every bound (the running test's
    problem, again and again): the cap stops it, one failed check says so and names the
    cap; the checks after it run without the reference (no second message)."""
    result = _result(judge_attack_run, CPU_ATTACK)
    budget = course.limits.callback_cpu_seconds
    cpu = result.extra_data["judge_cpu_seconds"]
    assert cpu["callbacks"] >= budget - 0.01, f"the cap was not reached: {cpu}"
    said = [(t.name, t.output.count(CAP_TEXT)) for t in result.tests if CAP_TEXT in t.output]
    assert [n for _, n in said] == [1], f"the cap is not said once: {said}"
    test = next(t for t in result.tests if CAP_TEXT in t.output)
    assert f"({budget:g} s)" in test.output.split(CAP_TEXT)[1].splitlines()[0], test.output

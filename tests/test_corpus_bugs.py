"""Every corpus bug loses points on the item it breaks, with feedback naming the buggy
function; every correct variant gets full marks; grading twice gives the same scores.

Graded through `coursekit grade --jobs 2`, in session-wide batches: the bugs without the slow
overfit items (no bug of the catalogue needs them to be caught), the bugs of
bugs.TRAINING_CATCHES with the overfit items alone (each must still fail them), the variants
with all items (a slow variant must still train within the limits)."""
from __future__ import annotations

from pathlib import Path

import pytest

from coursekit.selftest import load_corpus

CORPUS = load_corpus(Path(__file__).resolve().parent / "corpus")
BUGS = {c.name: c for c in CORPUS.bugs.BUGS}
VARIANTS = {c.name: c for c in CORPUS.variants.VARIANTS}
H = CORPUS.harness
TWICE = ("reference", "bwd_dWh_not_summed")      # graded twice each, for determinism
EPS = 1e-6

pytestmark = pytest.mark.slow


def _grade_cases(cases, work: Path, items=None) -> dict:
    from coursekit.config import load
    course = load()
    reference = course.assignment_dir("source")
    paths = {c.name: CORPUS.spec.materialize(c, reference, work / "subs" / c.name) for c in cases}
    out = work / "out"
    proc = H.grade(list(paths.values()), out, jobs=2, items=items, cwd=work)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    by_source = H.results_by_source(out)
    return {name: by_source.get(str(p.absolute())) for name, p in paths.items()}


@pytest.fixture(scope="session")
def bug_results(course, tmp_path_factory):
    return _grade_cases(list(BUGS.values()), tmp_path_factory.mktemp("corpus-bugs"),
                        items=H.fast_items(course))


@pytest.fixture(scope="session")
def variant_results(tmp_path_factory):
    Case = CORPUS.spec.Case
    twice = [Case(f"{name}_{k}", "graded twice", BUGS[name].edits if name in BUGS else ())
             for name in TWICE for k in ("a", "b")]
    return _grade_cases(list(VARIANTS.values()) + twice, tmp_path_factory.mktemp("corpus-variants"))



def _graded(result, name):
    assert result is not None, f"{name}: no result"
    assert not result.error, f"{name}: could not be graded: {result.error}"
    return H.by_item(result)


@pytest.mark.parametrize("name", sorted(BUGS))
def test_bug_loses_points_and_feedback_names_function(name, bug_results, points):
    case, tests = BUGS[name], _graded(bug_results[name], name)
    losing = []
    for item in case.items:
        assert item in tests, f"{name}: item {item} not graded"
        t = tests[item]
        assert t.score < points[item] - EPS, f"{name} ({case.description}): {item} got full marks"
        losing.append(t)
    named = [t.name for t in losing if t.function == case.function or case.function in t.output]
    assert named, f"{name}: feedback of {case.items} does not name {case.function}: " + \
        " | ".join(f"{t.function}: {t.output[:200]}" for t in losing)


@pytest.mark.parametrize("name", sorted(BUGS))
def test_bug_costs_points_only_at_its_own_function(name, bug_results, points):
    """Charged once, where it lives (without the trainings: test_corpus_charged_once.py and
    `coursekit selftest` grade them); bugs.SHARED_COSTS are the documented exceptions."""
    from coursekit.selftest import charged_elsewhere
    if name in CORPUS.bugs.SHARED_COSTS:
        pytest.skip(f"shares a cost on purpose: {CORPUS.bugs.SHARED_COSTS[name]}")
    elsewhere = charged_elsewhere(BUGS[name], bug_results[name], points)
    assert not elsewhere, f"{name} ({BUGS[name].description}) also costs {elsewhere}"


@pytest.mark.parametrize("name", sorted(BUGS))
def test_hints_only_when_true(name, bug_results):
    """A bug of bugs.HINTED shows its hint; no bug shows another bug's hint of that list."""
    from coursekit.judge.hints import CATALOGUE
    text = "\n".join(t.output for t in bug_results[name].tests)
    shown = {k for k in set(CORPUS.bugs.HINTED.values()) if CATALOGUE[k].mistake in text}
    own = CORPUS.bugs.HINTED.get(name)
    assert shown <= {own}, f"{name} shows hints that are not its mistake: {shown - {own}}"
    if own:
        assert own in shown, f"{name}: its hint ({CATALOGUE[own].mistake}) is not shown"


@pytest.fixture(scope="session")
def training_results(tmp_path_factory):
    cases = [BUGS[name] for name in CORPUS.bugs.TRAINING_CATCHES]
    return _grade_cases(cases, tmp_path_factory.mktemp("corpus-training"),
                        items=["overfit", "lstm_overfit"])


def test_training_catches_name_real_bugs():
    assert set(CORPUS.bugs.TRAINING_CATCHES) <= set(BUGS)


@pytest.mark.parametrize("name", sorted(CORPUS.bugs.TRAINING_CATCHES))
def test_bug_fails_its_overfit_items(name, training_results, points):
    """The overfit check still catches every bug it caught with the notebook's recipe."""
    tests = _graded(training_results[name], name)
    for item in CORPUS.bugs.TRAINING_CATCHES[name]:
        assert tests[item].score < points[item] - EPS, \
            f"{name} ({BUGS[name].description}): {item} passed: {tests[item].output[:300]}"


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variant_gets_full_marks(name, variant_results, points):
    tests = _graded(variant_results[name], name)
    assert set(tests) == set(points)
    may_fail = VARIANTS[name].notebook_fails      # the notebook's own check fails there too
    lost = {i: f"{t.score:g}/{points[i]:g}: {t.output[:300]}" for i, t in tests.items()
            if t.score < points[i] - EPS and i not in may_fail}
    assert not lost, f"{name} ({VARIANTS[name].description}) lost points: {lost}"


@pytest.mark.parametrize("name", TWICE)
def test_grading_twice_gives_the_same_scores(name, variant_results):
    a = _graded(variant_results[f"{name}_a"], name)
    b = _graded(variant_results[f"{name}_b"], name)
    assert {i: t.score for i, t in a.items()} == {i: t.score for i, t in b.items()}


def test_catch_rate_table_counts_every_bug(bug_results, points):
    from coursekit.selftest import bug_verdict, catch_table
    verdicts = {n: bug_verdict(c, bug_results[n], points) for n, c in BUGS.items()}
    table = catch_table(list(BUGS.values()), verdicts)
    print("\n" + table)
    total_line = table.splitlines()[-1].split()
    assert total_line[:3] == ["TOTAL", str(len(BUGS)), str(sum(v is None for v in verdicts.values()))]

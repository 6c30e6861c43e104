"""`coursekit selftest`: check the hidden tests against the corpus, for instructors who edit them.

Grades, in one batch: solutions/<assignment> (must get full marks), release/<assignment> (must
get 0), every bug of tests/corpus/bugs.py (must lose points on the items it breaks, with
feedback naming the buggy function, and on no item of another function: charged once, where
it lives) and every variant of tests/corpus/variants.py (must get full marks). Prints the
catch rate per function; exit 1 if any expectation fails. A corpus case whose edits no longer
apply to the reference (after a rewrite) is one line saying what to update, not a traceback.
"""
from __future__ import annotations

import importlib.util
import shutil
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

CORPUS_ALIAS = "coursekit_selftest_corpus"
SOLUTIONS, RELEASE = "ck-solutions", "ck-release"
EPS = 1e-6
PROGRESS_EVERY = 5.0      # seconds between progress lines


def add_arguments(parser) -> None:
    parser.add_argument("--jobs", type=int, default=2, help="parallel graders (default: 2)")
    parser.add_argument("--out", default=None, help="keep the graded batch in this folder")
    parser.add_argument("--corpus", default=None, help="corpus folder (default: tests/corpus)")
    parser.add_argument("--only", nargs="*", default=None, metavar="NAME",
                        help="grade only these bugs / variants (solutions and release always)")
    parser.add_argument("--fast", action="store_true",
                        help="leave out the slow overfit items (bugs and variants alike)")


def load_corpus(corpus_dir: Path):
    """Import the corpus folder as a package under a private name; returns the package."""
    corpus_dir = Path(corpus_dir)
    init = corpus_dir / "__init__.py"
    if not init.is_file():
        raise FileNotFoundError(f"no corpus package at {corpus_dir}")
    sys.modules.pop(CORPUS_ALIAS, None)
    for name in [m for m in sys.modules if m.startswith(CORPUS_ALIAS + ".")]:
        del sys.modules[name]
    spec = importlib.util.spec_from_file_location(CORPUS_ALIAS, init,
                                                  submodule_search_locations=[str(corpus_dir)])
    pkg = importlib.util.module_from_spec(spec)
    sys.modules[CORPUS_ALIAS] = pkg
    spec.loader.exec_module(pkg)
    for sub in ("spec", "bugs", "variants", "harness"):
        setattr(pkg, sub, importlib.import_module(f"{CORPUS_ALIAS}.{sub}"))
    return pkg


# ----------------------------------------------------------------------------- verdicts
def bug_verdict(case, result, points: dict) -> str | None:
    """None when the bug is caught, else the reason it is not."""
    if result is None:
        return "no result"
    if result.error:
        return f"could not be graded: {result.error}"
    tests = {t.name: t for t in result.tests}
    losing = []
    for item in case.items:
        t = tests.get(item)
        if t is None:
            return f"item {item} was not graded"
        if t.score >= points[item] - EPS:
            return f"item {item} got full marks"
        losing.append(t)
    if not any(t.function == case.function or case.function in t.output for t in losing):
        return f"feedback of {', '.join(case.items)} does not name {case.function}"
    return None


def training_verdict(items, result, points: dict) -> str | None:
    """None when the bug loses points on each of its overfit `items` (bugs.TRAINING_CATCHES)."""
    if result is None or result.error:
        return "no result" if result is None else f"could not be graded: {result.error}"
    tests = {t.name: t for t in result.tests}
    passed = [i for i in items if i in tests and tests[i].score >= points[i] - EPS]
    return f"{', '.join(passed)} passed" if passed else None


def full_marks_verdict(result, points: dict, graded_items) -> str | None:
    if result is None:
        return "no result"
    if result.error:
        return f"could not be graded: {result.error}"
    lost = [f"{t.name} {t.score:g}/{points[t.name]:g}" for t in result.tests
            if t.name in graded_items and t.score < points[t.name] - EPS]
    return ("lost points: " + ", ".join(lost)) if lost else None


def zero_verdict(result) -> str | None:
    if result is None:
        return "no result"
    scored = [f"{t.name} {t.score:g}" for t in result.tests if t.score > EPS]
    return ("scored: " + ", ".join(scored)) if scored else None


def catch_table(bugs, verdicts: dict) -> str:
    per = defaultdict(lambda: [0, 0])
    for case in bugs:
        per[case.function][0] += 1
        per[case.function][1] += verdicts[case.name] is None
    rows = [("function", "bugs", "caught", "rate")]
    for fn, (n, caught) in per.items():
        rows.append((fn, str(n), str(caught), f"{100.0 * caught / n:.0f}%"))
    total, caught = len(bugs), sum(v is None for v in verdicts.values())
    rows.append(("TOTAL", str(total), str(caught), f"{100.0 * caught / max(total, 1):.0f}%"))
    from .report.sheets import text_table
    return text_table(rows, rules_before=(1, len(rows) - 1))


# ----------------------------------------------------------------------------- run
def _prepare(course, corpus, only, work: Path) -> tuple[list, list, dict, dict]:
    """(bugs, variants, submission folders, {case: why it does not apply}): a case whose
    edits no longer apply to the reference (it was rewritten) is left out and named."""
    subs = work / "submissions"
    if subs.exists():
        shutil.rmtree(subs)
    subs.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "datasets")
    paths = {SOLUTIONS: subs / SOLUTIONS, RELEASE: subs / RELEASE}
    shutil.copytree(course.assignment_dir("solutions"), paths[SOLUTIONS], ignore=ignore)
    shutil.copytree(course.assignment_dir("release"), paths[RELEASE], ignore=ignore)
    keep = (lambda c: True) if only is None else (lambda c: c.name in only)
    bugs = [c for c in corpus.bugs.BUGS if keep(c)]
    variants = [c for c in corpus.variants.VARIANTS if keep(c)]
    reference = course.assignment_dir("source")
    stale: dict[str, str] = {}
    for prefix, cases in (("bug__", bugs), ("variant__", variants)):
        for case in cases:
            try:
                paths[prefix + case.name] = corpus.spec.materialize(case, reference, subs / (prefix + case.name))
            except corpus.spec.EditError as exc:
                stale[case.name] = f"{exc} (update it in tests/corpus/{prefix[:-2]}s.py)"
    keep_applied = lambda cases: [c for c in cases if c.name not in stale]  # noqa: E731
    return keep_applied(bugs), keep_applied(variants), paths, stale


def _stage(text: str) -> None:
    """A stage line on stderr, as `coursekit build` prints them (the report is on stdout)."""
    print(f"selftest: {text} ...", file=sys.stderr, flush=True)


def _grade(paths: dict, out: Path, jobs: int, items, harness) -> dict:
    proc = _with_progress(lambda: harness.grade(list(paths.values()), out, jobs=jobs, items=items),
                          out, list(paths))
    if proc.returncode != 0:
        print(proc.stdout + proc.stderr, file=sys.stderr)
        raise RuntimeError(f"coursekit grade failed (exit {proc.returncode})")
    by_source = harness.results_by_source(out)
    return {key: by_source.get(str(Path(p).absolute())) for key, p in paths.items()}


def _with_progress(grade, out: Path, names: list[str]):
    """Run grade() on a thread; every few seconds, say how many of `names` (the submissions'
    folder names: SOLUTIONS, RELEASE, bug__*, variant__*) are graded, per kind."""
    box, start, shown = {}, time.monotonic(), None
    thread = threading.Thread(target=lambda: box.setdefault("proc", grade()), daemon=True)
    thread.start()
    while thread.is_alive():
        thread.join(PROGRESS_EVERY)
        done = {p.parent.name for p in out.glob("*/results.json")} if out.is_dir() else set()
        if done != shown or not thread.is_alive():      # and once at the end, whatever it is
            shown = done
            print(f"selftest: {progress_line(names, done)} ({time.monotonic() - start:.0f} s)",
                  file=sys.stderr, flush=True)
    return box["proc"]


def progress_line(names: list[str], done: set[str]) -> str:
    """"12/73 graded: solutions/ and release/, 9/51 bugs, 1/20 variants"."""
    def count(prefix: str, kind: str) -> str:
        of = [n for n in names if n.startswith(prefix)]
        return f"{sum(n in done for n in of)}/{len(of)} {kind}"
    trees = [label for key, label in ((SOLUTIONS, "solutions/"), (RELEASE, "release/")) if key in done]
    parts = [_and(trees)] if trees else []
    parts += [count("bug__", "bugs"), count("variant__", "variants")]
    return f"{sum(n in done for n in names)}/{len(names)} graded: " + ", ".join(parts)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _and(names) -> str:
    names = list(names)
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names)


def fast_left_out(points: dict, graded_items, catches: dict) -> str:
    """What --fast did not check, in words."""
    items = [i for i in points if i not in graded_items]
    text = f"the items {_and(items)} (graded for no submission)"
    if catches:
        text += (f", and with them whether they still fail the {_count(len(catches), 'bug')} of "
                 "bugs.TRAINING_CATCHES")
    return text + "; run without --fast to check them too"


def unknown_names(corpus, only) -> list[str]:
    names = {c.name for c in corpus.bugs.BUGS} | {c.name for c in corpus.variants.VARIANTS}
    return sorted(set(only or []) - names)


def run(args) -> int:
    from .config import load
    from .preflight import PreflightError, preflight
    course = load()
    try:
        preflight(course)          # selftest grades the built trees: they must be current
    except PreflightError as exc:
        print(f"coursekit selftest: {exc}", file=sys.stderr)
        return 2
    corpus = load_corpus(Path(args.corpus) if args.corpus else course.root / "tests" / "corpus")
    unknown = unknown_names(corpus, args.only)
    if unknown:
        print(f"coursekit selftest: unknown --only name(s): {', '.join(unknown)} (see "
              "tests/corpus/bugs.py and variants.py for the names)", file=sys.stderr)
        return 2
    points = corpus.harness.item_points(course)
    items = corpus.harness.fast_items(course) if args.fast else None
    graded_items = set(items or points)
    tmp = None if args.out else tempfile.mkdtemp(prefix="coursekit-selftest-")
    work = Path(args.out or tmp).resolve()
    all_catches = getattr(corpus.bugs, "TRAINING_CATCHES", {})
    if args.only is not None:
        all_catches = {n: its for n, its in all_catches.items() if n in args.only}
    left_out = fast_left_out(points, graded_items, all_catches) if args.fast else None
    try:
        _stage("writing the submissions to grade: solutions/, release/ and the corpus' bugs and variants")
        bugs, variants, paths, stale = _prepare(course, corpus, args.only, work)
        _stage(f"grading {len(paths)} submissions (solutions/, release/, {_count(len(bugs), 'bug')}, "
               f"{_count(len(variants), 'variant')}) with --jobs {args.jobs}"
               + (f", without {_and(i for i in points if i not in graded_items)} (--fast)" if args.fast else ""))
        results = _grade(paths, work / "graded", args.jobs, items, corpus.harness)
        _stage("checking every verdict")
        catches = {} if args.fast else all_catches
        shared = getattr(corpus.bugs, "SHARED_COSTS", {})
        return _report(bugs, variants, results, points, graded_items, catches, stale, shared, left_out)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def charged_elsewhere(case, result, points: dict) -> list[str]:
    """Items outside the bug's own function (coursekit.judge.items) that lost points."""
    from .judge.items import item_function
    if result is None or result.error:
        return []
    return [f"{t.name} {t.score:g}/{points[t.name]:g}" for t in result.tests
            if t.score < points[t.name] - EPS and item_function(t.name) != case.function]


def _report(bugs, variants, results, points, graded_items, catches=None, stale=None,
            shared=None, left_out=None) -> int:
    problems = [f"corpus case does not apply: {why}" for why in (stale or {}).values()]
    v = full_marks_verdict(results.get(SOLUTIONS), points, graded_items)
    print("solutions/: " + (f"NOT full marks ({v})" if v else "full marks, as expected"))
    if v:
        problems.append(f"solutions/ is not full marks: {v}")
    v = zero_verdict(results.get(RELEASE))
    print("release/ (the handout): " + (f"NOT zero ({v})" if v else "0 points, as expected"))
    if v:
        problems.append(f"release/ does not score 0: {v}")
    verdicts = {c.name: bug_verdict(c, results.get("bug__" + c.name), points) for c in bugs}
    problems += [f"bug not caught: {n}: {v}" for n, v in verdicts.items() if v]
    for case in variants:
        # items the notebook also fails for this variant may cost points (Case.notebook_fails)
        kept = [i for i in graded_items if i not in getattr(case, "notebook_fails", ())]
        v = full_marks_verdict(results.get("variant__" + case.name), points, kept)
        if v:
            problems.append(f"variant punished: {case.name}: {v}")
    elsewhere = {c.name: charged_elsewhere(c, results.get("bug__" + c.name), points)
                 for c in bugs if c.name not in (shared or {})}
    problems += [f"bug charged outside {c.function}: {c.name}: {', '.join(elsewhere[c.name])}"
                 for c in bugs if elsewhere.get(c.name)]
    print()
    print(catch_table(bugs, verdicts))
    if elsewhere:
        print(f"\nbugs charged only at their own function's items: "
              f"{sum(not v for v in elsewhere.values())}/{len(elsewhere)}"
              + (f" ({len(bugs) - len(elsewhere)} more share a cost on purpose: bugs.SHARED_COSTS)"
                 if len(bugs) > len(elsewhere) else ""))
    print(f"\nvariants with full marks: {len(variants) - sum('variant punished' in p for p in problems)}"
          f"/{len(variants)}")
    trained = {c.name: catches[c.name] for c in bugs if c.name in (catches or {})}
    if trained:
        missed = {n: training_verdict(its, results.get("bug__" + n), points) for n, its in trained.items()}
        missed = {n: v for n, v in missed.items() if v}
        problems += [f"overfit check no longer catches {n}: {v}" for n, v in missed.items()]
        print(f"overfit checks failing the bugs they must (bugs.TRAINING_CATCHES): "
              f"{len(trained) - len(missed)}/{len(trained)}")
    for p in problems:
        print("FAIL " + p)
    if left_out:
        print(f"\nnot checked (--fast): {left_out}")
    print("\nselftest: " + ("OK" if not problems else f"{len(problems)} problem(s)")
          + (" (with --fast: see 'not checked' above)" if left_out else ""))
    return 1 if problems else 0

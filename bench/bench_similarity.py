"""`coursekit similarity` on the kit's calibration set (tests/corpus/similarity/): how often
independently written correct solutions are flagged, and how often disguised copies are.

    python bench/bench_similarity.py [--keep DIR]

The set: every solution of tests/corpus/similarity/solutions/ in its own handout year's layout,
and one copy of each per disguise (renamed variables, reordered functions, changed comments,
the longest function rewritten, one loop vectorised, code moved between the two files, and a
combination), handed in on the current handout. Measured at the calibrated threshold
(coursekit/similarity/params.py FLAG_AT):

- independent pairs flagged: the solutions alone, as one batch (the done-when: at most 2%);
- disguised copies flagged: per disguise, a batch of every solution and every copy, a copy
  counting as detected when its pair with the solution it copies is flagged (at least 95%);
- with --known: the copies as submissions and the solutions as known solutions; how often each
  copy's closest known solution is the one it copies;
- a copying ring: every disguised copy of one solution in one batch;
- stress, beyond the done-when: partial copies (half), incomplete submissions (only a few
  functions written) among complete ones, and smaller batches of independent solutions (random
  subsets, no known solutions), where common code is harder to recognise;
- the previous measure (copydetect over the whole files, the handout as boilerplate, flagged at
  0.5) on the same independent pairs, for comparison.
"""
from __future__ import annotations

import argparse
import importlib
import io
import itertools
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from coursekit import config
from coursekit.selftest import load_corpus
from coursekit.similarity.compare import compare_all
from coursekit.similarity.documents import collect, handout_for
from coursekit.similarity.params import FLAG_AT

NEIGHBOURS = (0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65)
RING_SOURCE = "s01_dot_tuples"
OLD_FLAG = 0.5
SUBSET_SIZES = (8, 12, 16, 20)
SUBSET_DRAWS = 10
INCOMPLETE = (("rnn_step_forward",), ("rnn_step_forward", "rnn_step_backward"),
              ("word_embedding_forward", "word_embedding_backward"),
              ("rnn_step_forward", "rnn_step_backward", "rnn_forward", "rnn_backward"))


def calibration(course):
    corpus = load_corpus(course.root / "tests" / "corpus")
    return importlib.import_module(f"{corpus.__name__}.similarity.calibration")


def _docs(course, handout, folders, known=None):
    docs, problems = collect(sorted(folders), course, handout, known)
    if problems:
        raise SystemExit(f"calibration set unreadable: {problems}")
    return docs


def source_of(name: str) -> str:
    return name.split("_", 2)[2]            # copy_<kind>_<solution>


def independent_scores(course, handout, cal_set):
    docs = _docs(course, handout, cal_set.independent.values())
    start = time.perf_counter()
    cmp = compare_all(docs, handout)
    return np.array([p.similarity for p in cmp.pairs]), time.perf_counter() - start, len(docs)


def subsets(course, handout, cal_set, seed: int = 231) -> dict[int, np.ndarray]:
    """Batch size -> scores of the independent pairs of random batches of that size."""
    ind = _docs(course, handout, cal_set.independent.values())
    rng = np.random.default_rng(seed)
    out = {}
    for size in SUBSET_SIZES:
        scores = []
        for _ in range(SUBSET_DRAWS):
            batch = [ind[i] for i in rng.choice(len(ind), size, replace=False)]
            scores += [p.similarity for p in compare_all(batch, handout).pairs]
        out[size] = np.array(scores)
    return out


def incomplete(course, handout, cal_set) -> np.ndarray:
    """Scores of submissions with only some functions written (INCOMPLETE) against every other
    student's complete or incomplete submission (each kind of incomplete batch on its own)."""
    from coursekit.similarity.compare import Document
    ind = _docs(course, handout, cal_set.independent.values())
    scores = []
    for names in INCOMPLETE:
        part = [Document(d.name + "_part", [u for u in d.units if u.name in names]) for d in ind]
        part = [d for d in part if d.units]
        cmp = compare_all(ind + part, handout)
        scores += [p.similarity for p in cmp.pairs if (p.a in part or p.b in part)
                   and p.a.name.removesuffix("_part") != p.b.name.removesuffix("_part")]
    return np.array(scores)


def copy_scores(course, handout, cal_set, kinds):
    """kind -> scores of (copy, copied solution); and the largest batch's compare time."""
    ind = _docs(course, handout, cal_set.independent.values())
    out, slowest = {}, 0.0
    for kind in kinds:
        folders = cal_set.copies[kind]
        docs = ind + _docs(course, handout, folders.values())
        start = time.perf_counter()
        cmp = compare_all(docs, handout)
        slowest = max(slowest, time.perf_counter() - start)
        scores = {}
        for p in cmp.pairs:
            for copy, other in ((p.a.name, p.b.name), (p.b.name, p.a.name)):
                if copy.startswith("copy_") and source_of(copy) == other:
                    scores[copy] = p.similarity
        out[kind] = np.array(list(scores.values()))
    return out, slowest, len(ind) * 2


def known_mode(course, handout, cal_set, root: Path, kind: str = "combined"):
    known = root / "independent"
    docs = _docs(course, handout, cal_set.copies[kind].values(), known)
    cmp = compare_all(docs, handout)
    best = {}
    for p in cmp.pairs:
        if p.a.known != p.b.known:
            sub, sol = (p.b, p.a) if p.a.known else (p.a, p.b)
            best.setdefault(sub.name, (sol.name.split(":", 1)[1], p.similarity))
    right = sum(sol == source_of(sub) for sub, (sol, _) in best.items())
    flagged = sum(s >= FLAG_AT for _, s in best.values())
    return right, flagged, len(best)


def ring(course, handout, cal_set, kinds):
    ind = _docs(course, handout, cal_set.independent.values())
    copies = _docs(course, handout, [cal_set.copies[kind][RING_SOURCE] for kind in kinds])
    cmp = compare_all(ind + copies, handout)
    scores = [p.similarity for p in cmp.pairs
              if {p.a.name, p.b.name} & {c.name for c in copies} and RING_SOURCE in (p.a.name, p.b.name)]
    return sum(s >= FLAG_AT for s in scores), len(scores), cmp.common_at, cmp.documents


def previous_measure(course, cal_set) -> np.ndarray:
    """The kit's previous similarity: copydetect over the joined student files (handout as
    boilerplate), max of the two shares."""
    from copydetect import CodeFingerprint, compare_files

    def joined(folder):
        return "\n".join((Path(folder) / rel).read_text(encoding="utf-8", errors="replace")
                         if (Path(folder) / rel).is_file() else "" for rel in course.student_files)

    def fingerprint(text, boilerplate=None, window=6):
        return CodeFingerprint("student.py", 25, window, boilerplate, fp=io.StringIO(text))
    handout = joined(course.assignment_dir("release"))
    boilerplate = np.unique(np.array(sorted(fingerprint(handout, window=1).hashes), dtype=np.int64))
    prints = [fingerprint(joined(f), boilerplate) for f in cal_set.independent.values()]
    return np.array([max(compare_files(a, b)[1]) for a, b in itertools.combinations(prints, 2)])


def _rate(values: np.ndarray, at: float) -> str:
    hits = int(np.sum(values >= at))
    return f"{hits}/{len(values)} ({100 * hits / len(values):.1f}%)"


def report(course, root: Path) -> int:
    cal = calibration(course)
    handout = handout_for(course)
    start = time.perf_counter()
    kinds, stress = cal.disguise.KINDS, cal.disguise.STRESS
    cal_set = cal.build(course.assignment_dir("release"), root, kinds=kinds + stress)
    built = time.perf_counter() - start
    layouts = sorted({s.layout for s in cal_set.solutions})
    independent, t_ind, n_ind = independent_scores(course, handout, cal_set)
    copies, t_copies, n_batch = copy_scores(course, handout, cal_set, kinds)
    stressed, _, _ = copy_scores(course, handout, cal_set, stress)
    all_copies = np.concatenate(list(copies.values()))
    print(f"calibration set: {len(cal_set.solutions)} independently written solutions (handout layouts "
          f"{', '.join(layouts)}), {len(all_copies)} disguised copies ({len(copies)} disguises); built in {built:.1f} s")
    print(f"threshold (FLAG_AT): {FLAG_AT}\n")
    print("| measured at the threshold | flagged | scores |")
    print("|---|---|---|")
    print(f"| independent pairs | {_rate(independent, FLAG_AT)} | median {np.median(independent):.2f}, "
          f"max {independent.max():.2f} |")
    for kind, scores in copies.items():
        print(f"| copies: {kind} | {_rate(scores, FLAG_AT)} | min {scores.min():.2f}, median {np.median(scores):.2f} |")
    print(f"| **all disguised copies** | **{_rate(all_copies, FLAG_AT)}** | min {all_copies.min():.2f} |")
    right, flagged, n = known_mode(course, handout, cal_set, root)
    print(f"| --known: the copy's closest known solution is the one it copies | {right}/{n} | {flagged}/{n} flagged |")
    hits, total, common_at, docs = ring(course, handout, cal_set, kinds)
    print(f"| a ring: {total} copies of {RING_SOURCE} in one batch of {docs} | {hits}/{total} | "
          f"common at {common_at} documents |")
    old = previous_measure(course, cal_set)
    print(f"| previous measure (whole files, flagged at {OLD_FLAG}): independent pairs | {_rate(old, OLD_FLAG)} | "
          f"median {np.median(old):.2f}, max {old.max():.2f} |")
    print("\nother thresholds: independent pairs flagged / disguised copies flagged")
    for at in NEIGHBOURS:
        print(f"  {at:.2f}: {_rate(independent, at)} / {_rate(all_copies, at)}")
    print("\nstress (not part of the done-when), at the threshold:")
    for kind, scores in stressed.items():
        print(f"  copies: {kind}: {_rate(scores, FLAG_AT)} flagged (min {scores.min():.2f}, median {np.median(scores):.2f})")
    partial = incomplete(course, handout, cal_set)
    print(f"  incomplete submissions (1 to 4 functions written) against the others: {_rate(partial, FLAG_AT)} "
          f"flagged (max {partial.max():.2f})")
    for size, scores in subsets(course, handout, cal_set).items():
        print(f"  batches of {size} independent solutions ({SUBSET_DRAWS} random draws): {_rate(scores, FLAG_AT)} "
              f"of their pairs flagged (max {scores.max():.2f})")
    print(f"\ncompare time: {n_ind} documents {t_ind:.2f} s, {n_batch} documents {t_copies:.2f} s (slowest disguise)")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", default=None, help="write the calibration set here (kept)")
    args = parser.parse_args(argv)
    course = config.load()
    if args.keep:
        return report(course, Path(args.keep))
    with tempfile.TemporaryDirectory(prefix="ck-bench-similarity-") as tmp:
        return report(course, Path(tmp))


if __name__ == "__main__":
    sys.exit(main())

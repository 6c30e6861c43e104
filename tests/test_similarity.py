"""`coursekit similarity`: planted copies (renamed variables, reformatted) score high;
independently written correct variants (tests/corpus/variants.py, each applied to the handout
so that only the student's own code differs) score clearly lower; the reports are right."""
from __future__ import annotations

import csv
import io
import re
import shutil

import pytest

from coursekit import cli
from coursekit.selftest import load_corpus
from coursekit.similarity.compare import compare_all
from coursekit.similarity.documents import Document, joined_text
from coursekit.similarity.report import similarity_csv, similarity_html

COPY_AT_LEAST = 0.9          # a renamed copy
INDEPENDENT_AT_MOST = 0.5    # two independent correct solutions
RENAMES = {"next_h": "h_new", "prev_h": "h_old", "dnext_h": "grad_h", "Wx": "W_in", "Wh": "W_rec",
           "dx": "grad_x", "out": "emb", "cache": "memo"}
INDEPENDENT = ("loops", "dict_cache_recompute", "unrolled_by_hand", "slow_loops")


def _renamed(text: str) -> str:
    for old, new in RENAMES.items():
        text = re.sub(rf"\b{old}\b", new, text)
    return re.sub(r"(?m)^(\s*)#.*$", r"\1# my own work", text).replace(" = ", "=")


@pytest.fixture(scope="module")
def variants(course, tmp_path_factory):
    """name -> folder: the handout with one corpus variant's functions filled in."""
    corpus = load_corpus(course.root / "tests" / "corpus")
    root = tmp_path_factory.mktemp("variants")
    folders = {}
    for case in corpus.variants.VARIANTS:
        if case.name in INDEPENDENT:
            dest = root / case.name
            shutil.copytree(course.assignment_dir("release") / "cs231n", dest / "cs231n")
            corpus.spec.apply_edits(case, dest)
            folders[case.name] = dest
    return folders


def _doc(course, name, folder):
    return Document(name, joined_text(folder, course.student_files))


def test_copies_score_high_and_independent_solutions_clearly_lower(course, variants):
    docs = [_doc(course, n, f) for n, f in variants.items()]
    docs.append(Document("copy_of_loops", _renamed(docs[0].text)))
    docs.append(_doc(course, "reference", course.assignment_dir("solutions")))
    docs.append(Document("copy_of_reference", _renamed(docs[-1].text)))
    handout = joined_text(course.assignment_dir("release"), course.student_files)
    pairs = {frozenset((p.a.name, p.b.name)): p.similarity for p in compare_all(docs, [handout])}
    assert pairs[frozenset(("loops", "copy_of_loops"))] >= COPY_AT_LEAST
    assert pairs[frozenset(("reference", "copy_of_reference"))] >= COPY_AT_LEAST
    independent = [s for k, s in pairs.items() if not any(n.startswith("copy_of") for n in k)]
    assert independent and max(independent) <= INDEPENDENT_AT_MOST


def test_handout_stubs_do_not_count(course):
    handout = joined_text(course.assignment_dir("release"), course.student_files)
    docs = [Document("a", handout), Document("b", handout + "\n")]
    assert compare_all(docs, [handout])[0].similarity == 0


def test_reports_are_sorted_and_escaped(course):
    code = "def f(x):\n    return [v * 2 for v in x if v > 0] + [len(x), sum(x), max(x), min(x)]\n"
    docs = [Document("<b>a</b>", code), Document("b", code.replace("x", "xs")),
            Document("c", "print('completely different program text here')\n" * 3)]
    pairs = compare_all(docs, [])
    rows = list(csv.DictReader(io.StringIO(similarity_csv(pairs))))
    assert list(rows[0])[:3] == ["a", "b", "similarity"]
    values = [float(r["similarity"]) for r in rows]
    assert values == sorted(values, reverse=True) and all(0 <= v <= 1 for v in values)
    html = similarity_html(pairs)
    assert "<b>a</b>" not in html and "&lt;b&gt;a&lt;/b&gt;" in html
    assert "<mark>" in html


def test_command_writes_both_reports_with_known_solutions(course, variants, tmp_path, capsys):
    subs = [variants["loops"], variants["slow_loops"]]
    known = tmp_path / "known"
    shutil.copytree(variants["loops"], known / "public_repo_1")
    out = tmp_path / "out"
    assert cli.main(["similarity", *map(str, subs), "--out", str(out), "--known", str(known)]) == 0
    rows = list(csv.DictReader(io.StringIO((out / "similarity.csv").read_text())))
    assert (rows[0]["a"], rows[0]["b"]) == ("loops", "known:public_repo_1")
    assert float(rows[0]["similarity"]) == pytest.approx(1.0)
    assert len(rows) == 3                         # two submissions, one known: no known-known pair
    assert "known:public_repo_1" in (out / "similarity.html").read_text()
    assert cli.main(["similarity", str(tmp_path / "nope"), "--out", str(out)]) == 2

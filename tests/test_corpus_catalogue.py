"""The corpus itself (fast): every edit applies to the current reference exactly as written,
the edited files compile, names are unique, and every bug names real graded items."""
from __future__ import annotations

import py_compile

import pytest

from coursekit.selftest import load_corpus

MIN_COUNTS = {"bugs": 30, "variants": 6, "attacks": 15, "malformed": 10}


@pytest.fixture(scope="module")
def corpus(course):
    pkg = load_corpus(course.root / "tests" / "corpus")
    for sub in ("attacks", "malformed", "provided"):
        __import__(f"{pkg.__name__}.{sub}")
    return pkg


def _cases(corpus):
    import sys
    name = corpus.__name__
    return (sys.modules[f"{name}.bugs"].BUGS + sys.modules[f"{name}.variants"].VARIANTS
            + sys.modules[f"{name}.attacks"].ATTACKS + sys.modules[f"{name}.provided"].PROVIDED_CHANGES)


def test_corpus_is_large_enough(corpus):
    import sys
    mods = {k: sys.modules[f"{corpus.__name__}.{k}"] for k in MIN_COUNTS}
    counts = {"bugs": len(mods["bugs"].BUGS), "variants": len(mods["variants"].VARIANTS),
              "attacks": len(mods["attacks"].ATTACKS), "malformed": len(mods["malformed"].MALFORMED)}
    for kind, minimum in MIN_COUNTS.items():
        assert counts[kind] >= minimum, f"only {counts[kind]} {kind}"


def test_names_are_unique(corpus):
    corpus.spec.check_unique(_cases(corpus))


def test_every_edit_applies_and_compiles(corpus, course, tmp_path):
    reference = course.assignment_dir("source")
    for case in _cases(corpus):
        dest = corpus.spec.materialize(case, reference, tmp_path / case.name)
        for rel in case.files():
            py_compile.compile(str(dest / rel), doraise=True)
            assert (dest / rel).read_text() != (reference / rel).read_text(), case.name


def test_replace_rejects_ambiguous_or_missing_text(corpus):
    Replace, EditError = corpus.spec.Replace, corpus.spec.EditError
    with pytest.raises(EditError):
        Replace("f.py", "x = 1", "x = 2").apply("x = 1\nx = 1\n")
    with pytest.raises(EditError):
        Replace("f.py", "y = 1", "y = 2").apply("x = 1\n")
    scoped = Replace("f.py", "x = 1", "x = 2", within="g").apply("def f():\n    x = 1\ndef g():\n    x = 1\n")
    assert scoped == "def f():\n    x = 1\ndef g():\n    x = 2\n"


def test_bugs_name_graded_items_and_a_function(corpus, course):
    points = corpus.harness.item_points(course)
    for case in corpus.bugs.BUGS:
        assert case.items, case.name
        assert set(case.items) <= set(points), (case.name, case.items)
        assert case.function, case.name

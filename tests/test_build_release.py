"""The committed release/ and solutions/ trees: up to date, leak-free, stubs importable.

A fresh build (solutions not executed: the comparison ignores solution notebook outputs, which
depend on the machine's floating point kernels) is made once per session into a temp dir.
"""
from __future__ import annotations

import ast
import json
from pathlib import Path

import numpy as np
import pytest

from coursekit import reference
from coursekit.build import build, compare_builds
from coursekit.build.files import SKIP_DIRS
from coursekit.build.transforms.markers import Markers


@pytest.fixture(scope="session")
def fresh(course, tmp_path_factory):
    out = tmp_path_factory.mktemp("fresh-build")
    build(course, out, execute_solutions=False)
    return out


@pytest.fixture(scope="session")
def markers(course):
    return Markers.from_config(course.nbgrader)


def _files(root: Path):
    return [p for p in sorted(root.rglob("*")) if p.is_file() and not set(p.relative_to(root).parts) & SKIP_DIRS]


def _chunks(path: Path):
    """(text, is_whole_solution) pieces of a source file: the file, or each notebook cell."""
    if path.suffix != ".ipynb":
        return [(path.read_text(), False)]
    cells = json.loads(path.read_text())["cells"]
    return [("".join(c["source"]), c.get("metadata", {}).get("nbgrader", {}).get("solution", False))
            for c in cells]


def _split_regions(text: str, markers: Markers, whole_solution: bool):
    """(lines inside regions, lines outside), stripped; a solution cell without a region is all solution."""
    inside, outside, depth = [], [], 0
    has_region = markers.begin_solution in text
    for line in text.split("\n"):
        if line.strip() in ("",):
            continue
        if any(line.strip().endswith(m) or m in line for m in (markers.begin_solution, markers.begin_hidden)):
            depth += 1
        elif any(m in line for m in (markers.end_solution, markers.end_hidden)):
            depth -= 1
        elif depth or (whole_solution and not has_region):
            inside.append(line.strip())
        else:
            outside.append(line.strip())
    return inside, outside


@pytest.fixture(scope="session")
def solution_lines(course, markers):
    inside, outside = set(), set()
    for path in _files(course.assignment_dir("source")):
        for text, whole in _chunks(path):
            i, o = _split_regions(text, markers, whole)
            inside.update(i)
            outside.update(o)
    return inside - outside


def test_committed_trees_match_a_fresh_build(course, fresh):
    assert compare_builds(course.root, fresh, course.assignment) == [], \
        "release/ or solutions/ is stale: run `coursekit build` and commit both trees"


def _leaks(release_dir: Path, solution_lines: set[str]):
    found = []
    for path in _files(release_dir):
        for text, _ in _chunks(path):
            found += [(path.name, line) for line in text.split("\n") if line.strip() in solution_lines]
    return found


def test_no_solution_or_hidden_test_line_reaches_release(course, solution_lines):
    assert len(solution_lines) > 50  # the source really has solution regions to leak
    assert _leaks(course.assignment_dir("release"), solution_lines) == []


def test_the_leak_check_finds_a_planted_solution_line(course, solution_lines, tmp_path):
    import shutil

    copy = tmp_path / "release"
    shutil.copytree(course.assignment_dir("release"), copy)
    solved = (course.assignment_dir("solutions") / "cs231n" / "rnn_layers.py").read_text()
    planted = next(line for line in solved.split("\n") if line.strip() in solution_lines)
    helper = copy / "cs231n" / "gradient_check.py"
    helper.write_text(helper.read_text() + "\n" + planted + "\n")
    assert _leaks(copy, solution_lines) == [("gradient_check.py", planted)]


def test_no_marker_in_release(course, markers):
    for path in _files(course.assignment_dir("release")):
        text = path.read_text()
        for marker in markers.all():
            assert marker not in text, f"{path}: {marker}"


def test_solutions_keep_solution_code_without_markers(course, markers, solution_lines):
    kept = set()
    for path in _files(course.assignment_dir("solutions")):
        text = path.read_text()
        assert not any(m in text for m in markers.all()), path
        if path.suffix == ".py":
            kept.update(line.strip() for line in text.split("\n"))
    py_solution_lines = {line for line in solution_lines if not line.startswith(("assert", "#"))}
    assert len(kept & py_solution_lines) > 20


def _functions_with_regions(path: Path, markers: Markers):
    """Names ('f' or 'Class.f') of the functions of a source file holding a solution region."""
    text = path.read_text()
    tree = ast.parse(text)
    found = []
    for node in ast.walk(tree):
        for item in getattr(node, "body", []):
            if isinstance(item, ast.FunctionDef) and markers.begin_solution in ast.get_source_segment(text, item):
                found.append(f"{node.name}.{item.name}" if isinstance(node, ast.ClassDef) else item.name)
    return found


def test_every_release_stub_imports_and_returns_nothing(course, markers):
    pkg = reference.load_package(course.assignment_dir("release"), "cs231n_release_h4")
    layers = reference.submodule(pkg, "rnn_layers")
    names = _functions_with_regions(course.assignment_dir("source") / "cs231n" / "rnn_layers.py", markers)
    assert len(names) >= 10
    for name in names:
        fn = getattr(layers, name)
        result = fn(*[None] * fn.__code__.co_argcount)  # a stub never looks at its inputs
        values = result if isinstance(result, tuple) else (result,)
        assert all(v is None for v in values), f"{name} returned {result!r}"

    model_cls = reference.submodule(pkg, "classifiers.rnn").CaptioningRNN
    methods = _functions_with_regions(course.assignment_dir("source") / "cs231n" / "classifiers" / "rnn.py", markers)
    assert sorted(methods) == ["CaptioningRNN.loss", "CaptioningRNN.sample"]
    word_to_idx = {"<NULL>": 0, "<START>": 1, "<END>": 2, "cat": 3}
    model = model_cls(word_to_idx, input_dim=4, wordvec_dim=3, hidden_dim=5)
    loss, grads = model.loss(np.ones((2, 4)), np.ones((2, 6), dtype=int))
    assert loss == 0 and grads == {}
    captions = model.sample(np.ones((2, 4)), max_length=7)
    assert captions.shape == (2, 7) and np.all(captions == word_to_idx["<NULL>"])

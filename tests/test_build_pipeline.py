"""coursekit build on a tiny course of its own (tmp_path): text pipelines, region errors,
notebooks through nbgrader, determinism, CLI errors."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from coursekit import config as ck_config
from coursekit.build import BuildError, build, compare_builds
from coursekit.build.transforms import RELEASE, SOLUTION, run_pipeline

REPO = Path(__file__).resolve().parent.parent
NOTEBOOK = "Tiny.ipynb"

LAYER_PY = '''import numpy as np


def double(x):
    out = None
    # TODO: double x
    ### BEGIN SOLUTION
    out = 2 * x  # the secret
    ### END SOLUTION
    return out


class Model:
    def loss(self, x):
        if x is not None:
            ### BEGIN SOLUTION
            return x.sum()  # deeply indented secret
            ### END SOLUTION
        return 0.0
'''


def _nbgrader_meta(grade_id, solution=False, grade=False, points=None):
    meta = {"grade_id": grade_id, "solution": solution, "grade": grade,
            "locked": not solution, "schema_version": 3}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def _notebook():
    nb = new_notebook()
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        new_code_cell("import numpy as np\nfrom cs231n.layers import double", metadata=_nbgrader_meta("setup")),
        new_code_cell("def helper(x):\n    ### BEGIN SOLUTION\n    return x + 41  # notebook secret\n    ### END SOLUTION",
                      metadata=_nbgrader_meta("helper", solution=True)),
        new_code_cell("assert double(np.ones(2)).sum() == 4\n### BEGIN HIDDEN TESTS\nassert helper(1) == 42  # hidden check\n"
                      "### END HIDDEN TESTS", metadata=_nbgrader_meta("test_double", grade=True, points=2)),
        new_markdown_cell("The answer is forty-two.", metadata=_nbgrader_meta("answer", solution=True, grade=True, points=1)),
    ]
    for index, cell in enumerate(nb.cells):
        cell.id = f"c{index}"
    return nb


@pytest.fixture
def tiny_course(tmp_path):
    """A course root with the real course_config.py (one notebook) and a one-module package
    (its student file)."""
    root = tmp_path / "course"
    pkg = root / "source" / "rnn_captioning" / "cs231n"
    pkg.mkdir(parents=True)
    text = (REPO / "course_config.py").read_text() + (
        f'\nKIT["notebooks"] = ["{NOTEBOOK}"]\nKIT["student_files"] = ["cs231n/layers.py"]\n'
        'KIT["points"] = {"test_double": 2}\nKIT["extra_credit"] = {}\nKIT["manual_points"] = {"answer": 1}\n')
    (root / "course_config.py").write_text(text)
    (pkg / "__init__.py").write_text("")
    (pkg / "layers.py").write_text(LAYER_PY)
    nbformat.write(_notebook(), str(root / "source" / "rnn_captioning" / NOTEBOOK))
    (root / "datasets" / "embedded").mkdir(parents=True)
    return ck_config.load(root)


def _tree_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# ----------------------------------------------------------------------------- text pipelines
def test_release_pipeline_replaces_regions_with_the_course_stub_indented_like_the_region(course):
    out = run_pipeline(RELEASE, course.nbgrader, LAYER_PY, "layers.py")
    stub = course.nbgrader.ClearSolutions.code_stub["python"].split("\n")
    assert "secret" not in out and "BEGIN SOLUTION" not in out
    lines = out.split("\n")
    for indent in ("    ", "            "):
        start = lines.index(indent + stub[0])
        assert lines[start:start + len(stub)] == [indent + s for s in stub]
    assert "    # TODO: double x" in lines  # the banner above the region stays


def test_solution_pipeline_keeps_the_code_and_drops_the_marker_lines(course):
    out = run_pipeline(SOLUTION, course.nbgrader, LAYER_PY, "layers.py")
    assert "    out = 2 * x  # the secret" in out.split("\n")
    assert "SOLUTION" not in out
    assert len(out.split("\n")) == len(LAYER_PY.split("\n")) - 4


@pytest.mark.parametrize("text, line, words", [
    ("a = 1\n    ### BEGIN SOLUTION\n    b = 2\n", 2, "unterminated"),
    ("### BEGIN SOLUTION\nx\n### BEGIN SOLUTION\ny\n### END SOLUTION\n", 3, "nested"),
    ("x = 1\n\n### END SOLUTION\n", 3, "without a matching"),
    ("### BEGIN HIDDEN TESTS\nassert x\n", 1, "unterminated hidden tests"),
])
def test_broken_regions_are_build_errors_naming_file_and_line(course, text, line, words):
    with pytest.raises(BuildError) as err:
        run_pipeline(RELEASE, course.nbgrader, text, "cs231n/broken.py")
    assert f"cs231n/broken.py:{line}:" in str(err.value) and words in str(err.value)


# ----------------------------------------------------------------------------- whole build
def test_tiny_build_strips_solutions_everywhere_and_keeps_them_in_solutions(tiny_course, tmp_path):
    build(tiny_course, tmp_path / "out", execute_solutions=False)
    release = tmp_path / "out" / "release" / "rnn_captioning"
    solutions = tmp_path / "out" / "solutions" / "rnn_captioning"
    assert sorted(_tree_bytes(release)) == ["Tiny.ipynb", "cs231n/__init__.py", "cs231n/layers.py"]
    for rel, data in _tree_bytes(release).items():
        text = data.decode()
        for secret in ("secret", "x + 41", "hidden check", "forty-two", "SOLUTION", "HIDDEN TESTS"):
            assert secret not in text, (rel, secret)
    nb = nbformat.read(str(release / NOTEBOOK), as_version=4)
    assert nb.cells[3].source == tiny_course.nbgrader.ClearSolutions.text_stub
    assert "START OF YOUR CODE" in nb.cells[1].source
    assert "out = 2 * x  # the secret" in (solutions / "cs231n" / "layers.py").read_text()
    sol_nb = (solutions / NOTEBOOK).read_text()
    assert "x + 41" in sol_nb and "hidden check" in sol_nb and "SOLUTION" not in sol_nb


def test_unterminated_region_in_a_notebook_names_the_cell(tiny_course, tmp_path):
    path = tiny_course.assignment_dir("source") / NOTEBOOK
    nb = nbformat.read(str(path), as_version=4)
    nb.cells[1].source = "def helper(x):\n    ### BEGIN SOLUTION\n    return x"
    nbformat.write(nb, str(path))
    with pytest.raises(BuildError, match=r"Tiny.ipynb cell 1:2: unterminated solution region"):
        build(tiny_course, tmp_path / "out", execute_solutions=False)
    assert not (tmp_path / "out" / "release").exists()  # nothing half-written


@pytest.mark.slow
def test_two_executed_builds_are_byte_identical(tiny_course, tmp_path):
    build(tiny_course, tmp_path / "a", execute_solutions=True)
    build(tiny_course, tmp_path / "b", execute_solutions=True)
    first, second = _tree_bytes(tmp_path / "a"), _tree_bytes(tmp_path / "b")
    assert first == second
    executed = (tmp_path / "a" / "solutions" / "rnn_captioning" / NOTEBOOK).read_text()
    assert '"execution_count": 1' in executed and '"execution"' not in executed  # no timing metadata
    assert compare_builds(tmp_path / "a", tmp_path / "b", "rnn_captioning") == []


def test_check_reports_a_stale_committed_file(tiny_course, tmp_path):
    build(tiny_course, tmp_path / "a", execute_solutions=False)
    build(tiny_course, tmp_path / "b", execute_solutions=False)
    stale = tmp_path / "a" / "release" / "rnn_captioning" / "cs231n" / "layers.py"
    stale.write_text(stale.read_text() + "# edited by hand\n")
    (tmp_path / "b" / "release" / "rnn_captioning" / "extra.txt").write_text("new")
    found = compare_builds(tmp_path / "a", tmp_path / "b", "rnn_captioning")
    assert found == ["release/rnn_captioning: unexpected: extra.txt",
                     "release/rnn_captioning: differs: cs231n/layers.py"]


def test_cli_reports_a_build_error_without_traceback(tiny_course, tmp_path):
    layers = tiny_course.assignment_dir("source") / "cs231n" / "layers.py"
    layers.write_text(LAYER_PY.replace("            ### END SOLUTION\n", ""))
    env = dict(os.environ, COURSEKIT_ROOT=str(tiny_course.root))
    done = subprocess.run([sys.executable, "-m", "coursekit.cli", "build", "--no-execute", "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 1
    line = LAYER_PY.split("\n").index("            ### BEGIN SOLUTION") + 1
    assert f"build error: cs231n/layers.py:{line}: unterminated solution region" in done.stderr
    assert "Traceback" not in done.stderr


def test_executed_stream_outputs_are_merged_whatever_the_kernel_timing():
    from nbformat.v4 import new_output

    from coursekit.build import nbio

    def notebook(chunks):
        nb = new_notebook(cells=[new_code_cell("print('a b'); print('c')")])
        nb.cells[0].id = "cell"
        nb.cells[0].outputs = [new_output("stream", name=name, text=text) for name, text in chunks]
        return nb

    one = notebook([("stdout", "a b\n"), ("stderr", "warn\n"), ("stdout", "c\n")])
    split = notebook([("stdout", "a "), ("stdout", "b\n"), ("stderr", "warn\n"), ("stdout", "c\n")])
    for nb in (one, split):
        nbio.coalesce_streams(nb)
    assert nbio.dumps(one) == nbio.dumps(split)
    assert [o["name"] for o in split.cells[0].outputs] == ["stdout", "stderr", "stdout"]


def test_data_fetched_into_the_source_folder_is_never_shipped(tmp_path):
    """`bash get_datasets.sh` run inside source/ leaves data there; the build ships only the script."""
    from coursekit.build.files import source_files

    datasets = tmp_path / "cs231n" / "datasets"
    for rel in ("get_datasets.sh", "embedded/coco2014_captions.h5", "embedded/images/train/a.png",
                "coco_captioning/coco2014_vocab.json", "embedded_dataset.zip", "embedded.sha256",
                "coco_captioning.zip.part", ".embedded.unpack.x1/f.h5"):
        (datasets / rel).parent.mkdir(parents=True, exist_ok=True)
        (datasets / rel).write_bytes(b"x")
    assert [p.as_posix() for p in source_files(tmp_path, [])] == ["cs231n/datasets/get_datasets.sh"]

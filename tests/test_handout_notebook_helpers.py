"""What the unzipped handout's helpers do for the student (issue 20, points 3-5):

- one BLAS thread in the self-check and in the notebooks (threadpoolctl's threadpool_info, read
  in the processes that run them), a student's own thread variables kept;
- a check of the whole model that fails because of a layer names that layer (a planted
  rnn_backward bug), and names none when the layers are right;
- the "not implemented yet" traceback ends in the notebook cell, not in cs231n/notebook_checks.py.

The notebook cells are the handout's own, run in a kernel started in the handout folder.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from coursekit.handout import write_handout
from coursekit.selftest import load_corpus

CORPUS = load_corpus(Path(__file__).resolve().parent / "corpus")
BUGS = {case.name: case for case in CORPUS.bugs.BUGS}
BLAS_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
PROBE = ("import numpy  # noqa: F401  (threadpool_info sees the BLAS numpy loaded)\n"
         "from threadpoolctl import threadpool_info\n"
         "BLAS_THREADS = sorted({p['num_threads'] for p in threadpool_info() if p['user_api'] == 'blas'})\n")
GRADIENT_CELLS = ["setup", "captioning_gradients_check", "captioning_gradients"]
LAYER_BUG, MODEL_BUG = "bwd_dWh_not_summed", "W_proj_grad_from_first_step"   # tests/corpus/bugs.py
CELL_TIMEOUT_SECONDS = 300


@pytest.fixture(scope="module")
def handout(course, tmp_path_factory) -> Path:
    """The handout zip, unzipped outside the kit (the untouched stubs)."""
    tmp = tmp_path_factory.mktemp("handout")
    write_handout(course, tmp / "handout.zip")
    with zipfile.ZipFile(tmp / "handout.zip") as archive:
        archive.extractall(tmp / "student")
    return tmp / "student" / course.assignment


def _student_env(**own) -> dict:
    """The student's shell: none of the BLAS thread variables set unless given."""
    env = {k: v for k, v in os.environ.items()
           if k not in BLAS_VARIABLES + ("PYTHONPATH", "PYTEST_ADDOPTS")}
    return dict(env, MPLBACKEND="Agg", **own)


def _copy(handout: Path, tmp_path: Path, course, submission: Path | None = None) -> Path:
    """A copy of the handout, with the student files of `submission` dropped in."""
    folder = tmp_path / course.assignment
    shutil.copytree(handout, folder)
    for rel in course.student_files if submission else ():
        shutil.copyfile(submission / rel, folder / rel)
    return folder


def _planted(course, tmp_path: Path, bug: str | None) -> Path:
    """The solution files, with a corpus bug planted when one is named."""
    if bug is None:
        return course.assignment_dir("solutions")
    return CORPUS.spec.materialize(BUGS[bug], course.assignment_dir("source"), tmp_path / "planted")


def _run_cells(folder: Path, notebook: str, cell_ids: list[str], extra: str = "", **own) -> list:
    """Execute the handout notebook's cells cell_ids (then `extra`, if given) in a kernel started
    in `folder` with the student's environment; the executed cells."""
    source = nbformat.read(str(folder / notebook), as_version=4)
    by_id = {cell.get("id"): cell for cell in source.cells}
    nb = nbformat.v4.new_notebook()
    nb.cells = [by_id[i] for i in cell_ids] + ([nbformat.v4.new_code_cell(extra)] if extra else [])
    client = NotebookClient(nb, timeout=CELL_TIMEOUT_SECONDS, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(folder)}})
    client.execute(env=_student_env(**own))
    return nb.cells


def _error(cell) -> dict | None:
    return next((o for o in cell.get("outputs", []) if o.get("output_type") == "error"), None)


def _printed(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")


# ----------------------------------------------------------------------------- one BLAS thread
def _selfcheck_threads(folder: Path, **own) -> list[int]:
    """The BLAS thread counts inside the handout's own `pytest` run (a probe test added to it)."""
    out = folder / "threads.json"
    (folder / "tests" / "test_zz_threads_probe.py").write_text(
        PROBE + f"\n\ndef test_probe():\n    open({str(out)!r}, 'w').write(repr(BLAS_THREADS))\n")
    done = subprocess.run([sys.executable, "-m", "pytest", "tests/test_zz_threads_probe.py"], cwd=folder,
                          capture_output=True, text=True, env=_student_env(**own), timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(out.read_text())


def test_the_selfcheck_runs_with_one_blas_thread(course, handout, tmp_path):
    assert _selfcheck_threads(_copy(handout, tmp_path, course)) == [1]


def test_the_selfcheck_keeps_the_students_own_thread_setting(course, handout, tmp_path):
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: a setting of 2 threads cannot be told from the default")
    assert _selfcheck_threads(_copy(handout, tmp_path, course), OPENBLAS_NUM_THREADS="2") == [2]


@pytest.mark.parametrize("notebook", ["RNN_Captioning.ipynb", "LSTM_Captioning.ipynb"])
def test_the_notebooks_run_with_one_blas_thread(course, handout, tmp_path, notebook):
    cells = _run_cells(handout, notebook, ["setup"], PROBE + "print('BLAS threads:', BLAS_THREADS)")
    assert [_error(c) for c in cells] == [None, None]
    assert _printed(cells[-1]).strip() == "BLAS threads: [1]"


def test_numpy_imported_first_is_limited_too(course, handout):
    """As on Colab, where numpy is loaded before the notebook's first cell: threadpoolctl."""
    code = "import numpy, cs231n\n" + PROBE + "print(cs231n.BLAS_THREADS, BLAS_THREADS)"
    done = subprocess.run([sys.executable, "-c", code], cwd=handout, capture_output=True, text=True,
                          env=_student_env(), timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["threadpoolctl", "[1]"]


def test_the_handout_requires_threadpoolctl(handout):
    lines = (handout / "requirements.txt").read_text().splitlines()
    assert any(line.startswith("threadpoolctl") for line in lines)


# ------------------------------------------------------------- model checks name the failing layer
def test_a_layer_bug_is_named_by_the_model_gradient_check(course, handout, tmp_path):
    folder = _copy(handout, tmp_path, course, _planted(course, tmp_path, LAYER_BUG))
    cells = _run_cells(folder, "RNN_Captioning.ipynb", GRADIENT_CELLS)
    assert [_error(c) for c in cells[:2]] == [None, None]
    error = _error(cells[2])
    assert error and error["ename"] == "AssertionError", error
    message = error["evalue"]
    assert message.startswith("CaptioningRNN.loss: the gradient of ")
    assert "This check runs your rnn_backward, which fails its own check: dWh does not match" in message
    assert "The bug lives in rnn_backward" in message
    assert "The grader charges this bug at rnn_backward only" in message
    assert message.count("This check runs your") == 1, message   # the correct layers are not named


def test_a_model_bug_names_no_layer(course, handout, tmp_path):
    folder = _copy(handout, tmp_path, course, _planted(course, tmp_path, MODEL_BUG))
    cells = _run_cells(folder, "RNN_Captioning.ipynb", GRADIENT_CELLS)
    error = _error(cells[2])
    assert error and error["evalue"].startswith("CaptioningRNN.loss: the gradient of W_proj"), error
    assert "This check runs your" not in error["evalue"] and "grader charges" not in error["evalue"]


def test_a_correct_submission_passes_the_model_checks(course, handout, tmp_path):
    folder = _copy(handout, tmp_path, course, _planted(course, tmp_path, None))
    cells = _run_cells(folder, "RNN_Captioning.ipynb", GRADIENT_CELLS)
    assert [_error(c) for c in cells] == [None, None, None]


# ------------------------------------------------------------- the not-implemented traceback
@pytest.mark.parametrize("notebook, cell_id, line", [
    ("RNN_Captioning.ipynb", "rnn_step_forward_check", "require_implemented('rnn_step_forward', next_h)"),
    ("RNN_Captioning.ipynb", "captioning_loss_check", "require_loss('CaptioningRNN.loss', loss, grads)"),
    ("LSTM_Captioning.ipynb", "lstm_step_forward_check", "require_implemented('lstm_step_forward', next_h, next_c)"),
])
def test_the_not_implemented_traceback_ends_in_the_cell(handout, notebook, cell_id, line):
    cells = _run_cells(handout, notebook, ["setup", cell_id])
    error = _error(cells[1])
    assert error and error["ename"] == "NotImplementedError", error
    assert error["evalue"].split(" (")[0].endswith("is not implemented yet")
    shown = "\n".join(error["traceback"])
    assert "notebook_checks" not in shown, shown
    assert "Cell In[" in shown and "ipykernel_" not in shown, shown      # named as IPython names cells
    assert line in shown and shown.splitlines()[-1] == f"NotImplementedError: {error['evalue']}", shown

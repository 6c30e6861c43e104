"""`coursekit handout`: the zip students get stands on its own (layout, data, no instructor
tooling, determinism, the COCO setting, cs231n.layers, the Colab cell off Colab, and the
notebook check cells on untouched stubs)."""
from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import nbformat
import pytest

from coursekit import config
from coursekit.handout import HandoutError, write_handout
from coursekit.handout.zipper import EMBEDDED_SUMS, EMBEDDED_ZIP, FORBIDDEN_WORDS, SCRIPT

REQUIRED_PACKAGES = ("numpy", "h5py", "matplotlib", "pillow", "pytest>=7", "jupyter", "nbconvert", "ipykernel")


@pytest.fixture(scope="module")
def handout_zip(course, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("handout") / "handout.zip"
    write_handout(course, out)
    return out


def unpack(zip_path: Path, dest: Path, top: str) -> Path:
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(dest)
    return dest / top


def get_datasets(folder: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COCO_")}
    return subprocess.run(["bash", "get_datasets.sh"], cwd=folder / "cs231n" / "datasets",
                          capture_output=True, text=True, env=env, timeout=120)


def manifest_files(course) -> list[str]:
    return sorted(json.loads((course.embedded_dataset / "manifest.json").read_text())["files"])


def test_the_zip_holds_the_handout_requirements_and_the_data(course, handout_zip):
    top = course.assignment
    with zipfile.ZipFile(handout_zip) as archive:
        names = set(archive.namelist())
        requirements = archive.read(f"{top}/requirements.txt").decode()
    release = course.assignment_dir("release")
    shipped = {f"{top}/{p.relative_to(release).as_posix()}" for p in release.rglob("*") if p.is_file()}
    assert shipped <= names
    assert names - shipped == {f"{top}/{EMBEDDED_ZIP}", f"{top}/{EMBEDDED_SUMS}"}
    lines = [line.split("#")[0].strip().lower() for line in requirements.splitlines()]
    for package in REQUIRED_PACKAGES:
        assert any(line.startswith(package) for line in lines), package


def test_no_student_facing_text_names_instructor_tooling(course, handout_zip):
    with zipfile.ZipFile(handout_zip) as archive:
        for name in archive.namelist():
            if name.endswith(".zip"):
                continue
            text = archive.read(name).decode("utf-8").lower()
            for word in FORBIDDEN_WORDS:
                assert word not in text, (name, word)


@pytest.mark.slow
def test_the_same_inputs_give_the_same_zip(course, handout_zip, tmp_path):
    again = tmp_path / "again.zip"
    write_handout(course, again)
    assert again.read_bytes() == handout_zip.read_bytes()


@pytest.mark.slow
def test_get_datasets_sets_up_the_embedded_dataset_offline_byte_identical(course, handout_zip, tmp_path):
    folder = unpack(handout_zip, tmp_path, course.assignment)
    done = get_datasets(folder)
    assert done.returncode == 0, done.stderr
    embedded = folder / "cs231n" / "datasets" / "embedded"
    files = manifest_files(course)
    assert sorted(p.relative_to(embedded).as_posix() for p in embedded.rglob("*") if p.is_file()) == files
    for rel in files:
        assert (embedded / rel).read_bytes() == (course.embedded_dataset / rel).read_bytes(), rel
    # a second run does nothing; a damaged file is restored from the zip
    assert "nothing to do" in get_datasets(folder).stdout
    (embedded / "coco2014_vocab.json").write_text("{}")
    assert get_datasets(folder).returncode == 0
    assert (embedded / "coco2014_vocab.json").read_bytes() == (course.embedded_dataset / "coco2014_vocab.json").read_bytes()


def test_load_coco_data_looks_in_cs231n_datasets_first(course, handout_zip, tmp_path):
    folder = unpack(handout_zip, tmp_path, course.assignment)
    code = "from cs231n.coco_utils import find_dataset_dir; print(find_dataset_dir())"
    env = {k: v for k, v in os.environ.items() if k != "CS231N_DATA_DIR"}
    missing = subprocess.run([sys.executable, "-c", code], cwd=folder, capture_output=True, text=True, env=env)
    if missing.returncode == 0:
        pytest.skip(f"a dataset above the temporary folder is found: {missing.stdout}")
    assert "cd cs231n/datasets && bash get_datasets.sh" in missing.stderr
    assert "coursekit" not in missing.stderr
    assert get_datasets(folder).returncode == 0
    found = subprocess.run([sys.executable, "-c", code], cwd=folder, capture_output=True, text=True, env=env)
    assert found.stdout.strip() == str((folder / "cs231n" / "datasets" / "embedded").resolve())


def _fake_coco_zip(course, path: Path) -> None:
    """coco_captioning.zip in the COCO layout, from the embedded files (fc7 files are stand-ins)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for name in ("coco2014_captions.h5", "coco2014_vocab.json", "train2014_vgg16_fc7_pca.h5",
                     "val2014_vgg16_fc7_pca.h5"):
            archive.write(course.embedded_dataset / name, f"coco_captioning/{name}")
        for split in ("train", "val"):
            count = len((course.embedded_dataset / f"{split}2014_urls.txt").read_text().splitlines())
            archive.writestr(f"coco_captioning/{split}2014_urls.txt",
                             "".join(f"http://images.example.org/{split}_{i}.jpg\n" for i in range(count)))
            archive.writestr(f"coco_captioning/{split}2014_vgg16_fc7.h5", b"not used here")


def test_a_coco_url_setting_makes_get_datasets_download_it(tmp_path):
    course = config.load()
    source = tmp_path / "server" / "coco_captioning.zip"
    source.parent.mkdir()
    _fake_coco_zip(course, source)
    course = dataclasses.replace(course, dataset=dataclasses.replace(course.dataset, coco_url=source.as_uri()))
    out = tmp_path / "coco_handout.zip"
    report = write_handout(course, out)
    assert report.dataset == source.as_uri()
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        script = archive.read(f"{course.assignment}/{SCRIPT}").decode()
    assert f"{course.assignment}/{EMBEDDED_ZIP}" not in names
    assert source.as_uri() in script
    folder = unpack(out, tmp_path / "student", course.assignment)
    done = get_datasets(folder)
    assert done.returncode == 0, done.stderr
    code = "from cs231n.coco_utils import load_coco_data; load_coco_data()"
    loaded = subprocess.run([sys.executable, "-c", code], cwd=folder, capture_output=True, text=True,
                            env={k: v for k, v in os.environ.items() if k != "CS231N_DATA_DIR"})
    assert loaded.returncode == 0, loaded.stderr
    assert "Using the real COCO dataset in cs231n/datasets/coco_captioning" in loaded.stdout


def test_bad_settings_and_a_missing_release_are_clear_errors(tmp_path):
    course = config.load()
    course = dataclasses.replace(course, dataset=dataclasses.replace(course.dataset, coco_url="not a url"))
    with pytest.raises(HandoutError, match="must be a URL"):
        write_handout(course, tmp_path / "x.zip")
    with pytest.raises(HandoutError, match="coursekit build"):
        write_handout(config.load(), tmp_path / "y.zip", release_dir=tmp_path / "nothing")
    done = subprocess.run([sys.executable, "-m", "coursekit.cli", "handout", "--out", str(tmp_path / "h.txt")],
                          capture_output=True, text=True)
    assert done.returncode == 2 and "must name a .zip file" in done.stderr
    assert not (tmp_path / "x.zip").exists() and not (tmp_path / "y.zip").exists()


def test_code_of_the_original_handouts_imports_cs231n_layers(course, tmp_path):
    folder = tmp_path / course.assignment
    shutil.copytree(course.assignment_dir("release"), folder)
    # the first lines of a 2017-2020 classifiers/rnn.py
    old_style = textwrap.dedent("""
        import numpy as np
        from cs231n.layers import *
        from cs231n.rnn_layers import *
        from cs231n.classifiers.rnn import *
        x, w, b = np.ones((2, 3)), np.ones((3, 4)), np.zeros(4)
        out, cache = affine_forward(x, w, b)
        dx, dw, db = affine_backward(np.ones((2, 4)), cache)
        import cs231n.layers as layers, cs231n.rnn_layers as rnn_layers
        assert layers.affine_forward(x, w, b)[0].tolist() == rnn_layers.affine_forward(x, w, b)[0].tolist()
        print(out.sum(), dx.shape, sorted(layers.__all__))
    """)
    done = subprocess.run([sys.executable, "-c", old_style], cwd=folder, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["24.0", "(2,", "3)", "['affine_backward',", "'affine_forward']"]


def _cells(course, name):
    return nbformat.read(str(course.assignment_dir("release") / name), as_version=4).cells


def test_the_colab_cell_comes_first_and_does_nothing_elsewhere(course, tmp_path):
    for name in course.notebooks:
        first = _cells(course, name)[0]
        assert first.cell_type == "code" and "google.colab" in first.source and "get_datasets.sh" in first.source
        probe = first.source + "\nimport os, sys\nprint(os.getcwd()); print(len(sys.path))\n"
        before = "import os, sys\nprint(os.getcwd()); print(len(sys.path))\n"
        ran = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True)
        plain = subprocess.run([sys.executable, "-c", before], cwd=tmp_path, capture_output=True, text=True)
        assert ran.returncode == 0, ran.stderr
        assert ran.stdout == plain.stdout and ran.stderr == ""


# check cell -> the function its friendly message names on the untouched handout
CHECK_CELLS = {
    "RNN_Captioning.ipynb": {
        "rnn_step_forward_check": "rnn_step_forward", "rnn_step_backward_check": "rnn_step_forward",
        "rnn_forward_check": "rnn_forward", "rnn_backward_check": "rnn_forward",
        "word_embedding_forward_check": "word_embedding_forward",
        "word_embedding_backward_check": "word_embedding_forward",
        "captioning_loss_check": "CaptioningRNN.loss", "captioning_gradients_check": "CaptioningRNN.loss",
        "overfit_check": "CaptioningRNN.loss",
        # the optional character-level section (issue 23)
        "charword-train": "CaptioningRNN.loss", "charword-table": "CaptioningRNN.loss",
        "charword-samples": "CaptioningRNN.sample",
    },
    "LSTM_Captioning.ipynb": {
        "lstm_step_forward_check": "lstm_step_forward", "lstm_step_backward_check": "lstm_step_forward",
        "lstm_forward_check": "lstm_forward", "lstm_backward_check": "lstm_forward",
        "lstm_captioning_loss_check": "CaptioningRNN.loss", "lstm_overfit_check": "CaptioningRNN.loss",
    },
}
# cells that need no student code: they run on the untouched handout too
PROVIDED_CELLS = {
    "RNN_Captioning.ipynb": ("setup", "load-data", "charword-settings", "charword-data"),
    "LSTM_Captioning.ipynb": ("setup", "load-data"),
}
# cells that must fail with exactly the message of another check cell of the notebook
SAME_MESSAGE_AS = {"charword-train": "captioning_loss_check", "charword-table": "captioning_loss_check"}
RUN_CELLS = textwrap.dedent("""
    import json, sys
    cells = json.load(open(sys.argv[1]))
    import matplotlib; matplotlib.use("Agg")
    env, results = {}, {}
    for cell_id, source in cells:
        code = "\\n".join(line for line in source.splitlines() if not line.lstrip().startswith("%"))
        try:
            exec(compile(code, cell_id, "exec"), env)
            results[cell_id] = None
        except Exception as exc:
            results[cell_id] = "%s: %s" % (type(exc).__name__, exc)
    print(json.dumps(results))
""")


@pytest.mark.slow
def test_check_cells_on_untouched_stubs_say_what_is_not_implemented(course, tmp_path):
    folder = tmp_path / course.assignment
    shutil.copytree(course.assignment_dir("release"), folder)
    env = dict(os.environ, CS231N_DATA_DIR=str(course.embedded_dataset), MPLBACKEND="Agg")
    for name, expected in CHECK_CELLS.items():
        cells = [(c.metadata.get("nbgrader", {}).get("grade_id") or c.get("id", ""), c.source)
                 for c in _cells(course, name) if c.cell_type == "code"]
        assert set(expected) <= {i for i, _ in cells}
        # the provided cells, then every check cell (grade cells are left out: they assert)
        wanted = [(i, s) for i, s in cells if i in PROVIDED_CELLS[name] or i in expected]
        assert {i for i, _ in wanted} == set(PROVIDED_CELLS[name]) | set(expected)
        (tmp_path / "cells.json").write_text(json.dumps(wanted))
        done = subprocess.run([sys.executable, "-c", RUN_CELLS, str(tmp_path / "cells.json")], cwd=folder,
                              capture_output=True, text=True, env=env, timeout=300)
        assert done.returncode == 0, done.stderr
        results = json.loads(done.stdout.strip().splitlines()[-1])
        for cell_id in PROVIDED_CELLS[name]:
            assert results[cell_id] is None, (cell_id, results[cell_id])
        for cell_id, function in expected.items():
            message = results[cell_id] or ""
            assert message.startswith(f"NotImplementedError: {function} is not implemented yet"), (cell_id, message)
            assert "TypeError" not in message
            if cell_id in SAME_MESSAGE_AS:
                assert message == results[SAME_MESSAGE_AS[cell_id]], (cell_id, message)


def test_solution_outputs_do_not_depend_on_the_clone_folder(course):
    """The URLs are an object array: their printed dtype has no path-dependent width."""
    for name in course.notebooks:
        text = (course.assignment_dir("solutions") / name).read_text()
        assert "train_urls <class 'numpy.ndarray'> (2000,) object" in text
        assert "<U6" not in text


def test_collect_submission_zips_exactly_the_student_files_of_the_course(course):
    """collect_submission.py is student-facing (no pointer to course_config.py): its list is
    checked here instead."""
    import ast

    tree = ast.parse((course.assignment_dir("release") / "collect_submission.py").read_text())
    lists = {node.targets[0].id: ast.literal_eval(node.value) for node in tree.body
             if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
             and node.targets[0].id in ("STUDENT_FILES", "NOTEBOOKS")}
    assert lists == {"STUDENT_FILES": list(course.student_files), "NOTEBOOKS": list(course.notebooks)}

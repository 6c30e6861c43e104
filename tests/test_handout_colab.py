"""The handout on Colab, simulated as closely as this machine allows (slow).

What Colab does, and how this test does it:
- The student uploads the unzipped folder to Google Drive. Here it is unzipped into
  `drive/My Drive/cs231n/assignments/rnn_captioning`, the notebook's default FOLDERNAME.
- The kernel starts in /content, with `google.colab` already imported, and
  `drive.mount('/content/drive')` makes the Drive visible there. Here the notebook runs in a
  bubblewrap namespace. Its /content is a folder of the test, with the Drive bound at
  /content/drive, and there is no network. A stand-in `google.colab` package is imported at
  kernel start (an IPython startup file), and its `drive.mount` only checks the mount point.
- Colab's own Python packages are preinstalled, not the handout's requirements.txt. Here the
  venv has the requirements with numpy below 2, the oldest numpy line the handout supports
  (numpy>=1.23).

The notebooks' first cell must mount the Drive, change into the folder and unpack the data
there. The rest must then run from that folder as on a laptop: expected losses, the overfit
check, and nothing of the kit imported.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from coursekit.handout import write_handout
from test_handout_e2e import LOSS_TOLERANCE, LSTM_LOSS, RNN_LOSS, RNN_OVERFIT_LIMIT, _outputs, _printed

pytestmark = pytest.mark.slow

FOLDERNAME = "cs231n/assignments/rnn_captioning"     # the notebooks' default
OLD_NUMPY = "numpy<2"

FAKE_DRIVE = '''\
import os

mounted = []


def mount(mountpoint, force_remount=False):
    if mountpoint != "/content/drive" or not os.path.isdir(os.path.join(mountpoint, "My Drive")):
        raise ValueError("mount point must be /content/drive (got %r)" % (mountpoint,))
    mounted.append(mountpoint)
    print("Mounted at " + mountpoint)
'''

# Runs inside the namespace: execute a notebook with the kernel's working folder /content,
# as Colab does, and save the executed copy.
RUNNER = '''\
import sys
import nbformat
from nbclient import NotebookClient

source, executed = sys.argv[1], sys.argv[2]
nb = nbformat.read(source, as_version=4)
NotebookClient(nb, timeout=900, kernel_name="python3",
               resources={"metadata": {"path": "/content"}}).execute()
nbformat.write(nb, executed)
'''


def _bwrap_available() -> bool:
    bwrap = shutil.which("bwrap")
    return bool(bwrap) and subprocess.run([bwrap, "--dev-bind", "/", "/", "--unshare-net", "true"],
                                          capture_output=True).returncode == 0


def _colab_venv(folder: Path, venv: Path) -> Path:
    """A venv with the handout's requirements and numpy < 2; returns its python."""
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    pip = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-r", "requirements.txt",
                          OLD_NUMPY, "nbclient"], cwd=folder, capture_output=True, text=True, timeout=1800)
    assert pip.returncode == 0, pip.stdout[-3000:] + pip.stderr[-3000:]
    return python


def _content(root: Path) -> Path:
    """/content as the kernel sees it: the stand-in google.colab package, IPython's startup
    file that imports it, and a home folder."""
    content = root / "content"
    colab = content / "fake_site" / "google" / "colab"
    colab.mkdir(parents=True)
    (colab.parent / "__init__.py").write_text("")
    (colab / "__init__.py").write_text("from . import drive  # noqa: F401\n")
    (colab / "drive.py").write_text(FAKE_DRIVE)
    startup = content / "home" / ".ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-colab.py").write_text("import google.colab  # Colab imports it at kernel start\n")
    (content / "drive").mkdir()
    (content / "run_notebook.py").write_text(RUNNER)
    return content


def _in_colab(args: list[str], content: Path, drive: Path, venv: Path) -> list[str]:
    """args in a namespace: read-only system, /content (the Drive at /content/drive), no network."""
    base = Path(sys.base_prefix).resolve()
    cmd = ["bwrap", "--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"]
    for link in ("bin", "lib", "lib64", "sbin"):
        target = os.readlink(f"/{link}") if os.path.islink(f"/{link}") else None
        cmd += ["--symlink", target, f"/{link}"] if target else (["--ro-bind", f"/{link}", f"/{link}"]
                                                                 if os.path.isdir(f"/{link}") else [])
    if not str(base).startswith("/usr"):
        cmd += ["--ro-bind", str(base), str(base)]
    cmd += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
            "--ro-bind", str(venv), str(venv),
            "--bind", str(content), "/content", "--bind", str(drive), "/content/drive",
            "--unshare-net", "--die-with-parent", "--chdir", "/content", "--clearenv",
            "--setenv", "HOME", "/content/home", "--setenv", "PATH", f"{venv}/bin:/usr/bin:/bin",
            "--setenv", "PYTHONPATH", "/content/fake_site", "--setenv", "OPENBLAS_NUM_THREADS", "1",
            "--setenv", "PYTHONDONTWRITEBYTECODE", "1"]
    return cmd + args


@pytest.mark.skipif(not _bwrap_available(), reason="needs bubblewrap (apt-get install bubblewrap)")
def test_the_handout_runs_on_colab_from_google_drive(course, tmp_path):
    zip_path = tmp_path / "handout.zip"
    write_handout(course, zip_path)
    drive = tmp_path / "drive"
    upload = drive / "My Drive" / FOLDERNAME
    upload.parent.mkdir(parents=True)
    unpacked = tmp_path / "unzipped"
    subprocess.run(["unzip", "-q", str(zip_path), "-d", str(unpacked)], check=True)
    shutil.move(str(unpacked / course.assignment), str(upload))
    for rel in course.student_files:          # the student's finished work
        shutil.copyfile(course.assignment_dir("solutions") / rel, upload / rel)

    venv = tmp_path / "venv"
    python = _colab_venv(upload, venv)
    numpy_version = subprocess.run([str(python), "-c", "import numpy; print(numpy.__version__)"],
                                   capture_output=True, text=True, check=True).stdout.strip()
    assert numpy_version.startswith("1."), numpy_version
    content = _content(tmp_path)

    outputs = {}
    for name in course.notebooks:
        executed = f"/content/executed_{name}"
        run = subprocess.run(_in_colab([str(python), "/content/run_notebook.py",
                                        f"/content/drive/My Drive/{FOLDERNAME}/{name}", executed],
                                       content, drive, venv),
                             capture_output=True, text=True, timeout=1800)
        assert run.returncode == 0, (run.stdout[-3000:], run.stderr[-3000:])
        outputs[name] = _outputs(content / f"executed_{name}")

    rnn, lstm = outputs["RNN_Captioning.ipynb"], outputs["LSTM_Captioning.ipynb"]
    assert "Mounted at /content/drive" in rnn and "Mounted at /content/drive" in lstm
    assert (upload / "cs231n" / "datasets" / "embedded").is_dir(), "the first cell did not get the data"
    assert "Using the embedded synthetic dataset in cs231n/datasets/embedded" in rnn
    assert f"expected loss:  {RNN_LOSS}" in rnn and _printed(rnn, "difference") < LOSS_TOLERANCE
    assert f"expected loss:  {LSTM_LOSS}" in lstm and _printed(lstm, "difference") < LOSS_TOLERANCE
    assert _printed(rnn, "Final loss") < RNN_OVERFIT_LIMIT
    assert "coursekit" not in rnn + lstm
    assert not list(content.glob("cs231n*")), "something was written to /content, not the Drive"

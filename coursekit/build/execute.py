"""Execute the solution notebooks: the venv's python kernel, offline, cwd = the notebook's
folder, the embedded dataset, one BLAS thread and no timing metadata (so that two builds on
one machine give identical bytes)."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from ..sandbox.isolation import SINGLE_THREAD_ENV
from . import nbio
from .errors import BuildError

KERNEL_ENV = {
    **SINGLE_THREAD_ENV,
    "PYTHONHASHSEED": "0",
    "PYTHONDONTWRITEBYTECODE": "1",
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
}


def ensure_dataset(course) -> Path:
    """The embedded dataset; generated with `coursekit data` when it is missing."""
    path = course.embedded_dataset
    if not path.is_dir():
        print(f"embedded dataset missing at {path}: running `coursekit data`", file=sys.stderr)
        done = subprocess.run([sys.executable, "-m", "coursekit.cli", "data"], cwd=course.root)
        if done.returncode != 0 or not path.is_dir():
            raise BuildError(f"the embedded dataset {path} is missing and `coursekit data` failed")
    return path


def kernel_env(course) -> dict:
    env = dict(os.environ, **KERNEL_ENV)
    env["CS231N_DATA_DIR"] = str(ensure_dataset(course))
    # The kernel must be this venv's python: jupyter_client maps a kernelspec's "python"
    # to sys.executable, and the venv's bin comes first on PATH for anything else.
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    return env


def execute_notebook(path: Path, env: dict, timeout: int) -> None:
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    nb = nbio.read(path)
    metadata = dict(nb.metadata)  # keep the source's kernelspec/language_info byte-stable
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                            # quiet the kernel's "running over TCP without encryption" warning
                            extra_arguments=["--IPKernelApp.log_level=ERROR"],
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute(env=env, cwd=str(path.parent))
    except (CellExecutionError, CellTimeoutError) as exc:
        raise BuildError(f"{path.name}: a solution cell failed while executing:\n{_short(exc)}") from exc
    except Exception as exc:  # kernel could not start, died ...
        raise BuildError(f"{path.name}: could not execute ({type(exc).__name__}: {exc})") from exc
    nb.metadata = metadata
    nbio.coalesce_streams(nb)
    nbio.write(nb, path)


ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


def _short(exc: Exception, lines: int = 25) -> str:
    """The end of nbclient's message (the failing cell and the error), without colour codes."""
    text = ANSI_ESCAPE.sub("", str(exc)).strip().splitlines()
    return "\n".join(text[-lines:])


def execute_all(course, paths: list[Path]) -> None:
    env = kernel_env(course)
    timeout = int(course.nbgrader.Execute.get("timeout", 600))
    for path in paths:
        execute_notebook(path, env, timeout)

"""The grader image's build folder: Dockerfile, the kit's wheel, course_config.py, entry point.

The wheel is built from the kit's own source (the checkout beside the installed `coursekit`
package, as `make venv` installs it) copied to a temp folder, so that no stale build/ output
of the checkout ends up in it. course_config.py is there for the dataset's settings: the
image generates the embedded dataset when it is built.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import coursekit

from ..config import CONFIG_NAME
from ..fileio import write_atomic
from .layout import SKIP
from .scripts import DOCKERFILE, GRADE_SH

KIT_SOURCE = ("pyproject.toml", "README.md", "coursekit")
WHEEL_SECONDS = 600


class ImageError(Exception):
    """The image's build folder cannot be written (e.g. the wheel does not build)."""


def kit_source() -> Path:
    """The checkout the running kit comes from (pyproject.toml beside the package)."""
    top = Path(coursekit.__file__).resolve().parent.parent
    if not (top / "pyproject.toml").is_file():
        raise ImageError(f"the kit at {top} is not a source checkout (no pyproject.toml): install "
                         "it from its checkout (`make venv`, or pip install -e) to build its wheel")
    return top


def build_wheel(dest: Path) -> Path:
    """Build the kit's wheel into `dest`; returns its path."""
    top = kit_source()
    with tempfile.TemporaryDirectory(prefix="coursekit-wheel-") as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        for name in KIT_SOURCE:
            path = top / name
            if path.is_dir():
                shutil.copytree(path, src / name, ignore=SKIP)
            elif path.is_file():
                shutil.copy2(path, src / name)
        out = Path(tmp) / "wheel"
        proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
                               "--wheel-dir", str(out), str(src)],
                              capture_output=True, text=True, timeout=WHEEL_SECONDS)
        wheels = sorted(out.glob("coursekit-*.whl"))
        if proc.returncode != 0 or len(wheels) != 1:
            raise ImageError("pip could not build the kit's wheel:\n" + (proc.stderr or proc.stdout)[-2000:])
        dest.mkdir(parents=True, exist_ok=True)
        return Path(shutil.copy2(wheels[0], dest / wheels[0].name))


def write_image(course, dest: Path, image: str) -> Path:
    """Write the build folder `dest` (emptied first); returns the Dockerfile's path."""
    if dest.exists():
        shutil.rmtree(dest)
    wheel = build_wheel(dest)
    shutil.copy2(course.path, dest / CONFIG_NAME)
    write_atomic(dest / "grade", GRADE_SH, mode=0o755)
    dockerfile = dest / "Dockerfile"
    write_atomic(dockerfile, DOCKERFILE.format(image=image, wheel=wheel.name))
    return dockerfile

"""Every file of source/<assignment>/ other than the notebooks, through a text pipeline."""
from __future__ import annotations

from pathlib import Path

from .errors import BuildError
from .transforms import run_pipeline
from .transforms.markers import Markers

SKIP_DIRS = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache"}
SKIP_SUFFIXES = {".pyc", ".pyo"}
# Data that get_datasets.sh may have put into the source folder: never shipped by the build
# (`coursekit handout` adds the embedded dataset to the zip itself).
SKIP_DATA = ("cs231n/datasets/embedded", "cs231n/datasets/coco_captioning", "cs231n/datasets/.")
SKIP_DATA_SUFFIXES = {".zip", ".part", ".sha256"}


def source_files(assignment_dir: Path, notebooks: list[str]) -> list[Path]:
    """Relative paths of the files to ship (sorted), notebooks excluded."""
    found = []
    for path in sorted(assignment_dir.rglob("*")):
        rel = path.relative_to(assignment_dir)
        if path.is_dir() or set(rel.parts) & SKIP_DIRS or path.suffix in SKIP_SUFFIXES:
            continue
        if rel.as_posix().startswith(SKIP_DATA) or (
                rel.parent.as_posix() == "cs231n/datasets" and path.suffix in SKIP_DATA_SUFFIXES):
            continue
        if rel.as_posix() in notebooks:
            continue
        if path.suffix == ".ipynb":
            raise BuildError(f"{rel}: notebook not listed in KIT['notebooks'] (add it there or remove it)")
        found.append(rel)
    return found


def transform_file(src: Path, rel: Path, pipeline, nbgrader_config) -> bytes:
    data = src.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:  # a binary file may be copied only when it holds no marker
        for marker in Markers.from_config(nbgrader_config).all():
            if marker.encode() in data:
                raise BuildError(f"{rel}: binary file containing the marker '{marker}'") from None
        return data
    return run_pipeline(pipeline, nbgrader_config, text, rel.as_posix()).encode("utf-8")


def write_files(course, out_dir: Path, pipeline) -> list[Path]:
    src_dir = course.assignment_dir("source")
    rels = source_files(src_dir, list(course.notebooks))
    for rel in rels:
        dest = out_dir / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(transform_file(src_dir / rel, rel, pipeline, course.nbgrader))
    return rels

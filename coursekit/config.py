"""Load course_config.py: the nbgrader config and the kit's KIT settings, from one file."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

CONFIG_NAME = "course_config.py"


class ConfigError(Exception):
    """course_config.py is missing or broken."""


@dataclass(frozen=True)
class CourseConfig:
    root: Path            # the kit's top-level folder (holds course_config.py)
    path: Path            # course_config.py itself
    nbgrader: object      # traitlets Config with the nbgrader settings
    kit: dict             # the KIT dictionary

    @property
    def assignment(self) -> str:
        return self.kit["assignment"]

    def dir(self, kind: str) -> Path:
        """source/, release/, solutions/, autograder/ ... of this course, as absolute paths."""
        return self.root / kind

    def assignment_dir(self, kind: str) -> Path:
        return self.root / kind / self.assignment

    @property
    def embedded_dataset(self) -> Path:
        return self.root / self.kit["dataset"]["embedded_dir"]

    @property
    def coco_dataset(self) -> Path:
        return self.root / self.kit["dataset"]["coco_dir"]


def find_root(start: Path | None = None) -> Path:
    """The folder holding course_config.py: $COURSEKIT_ROOT, then cwd and its parents,
    then the checkout this package was installed from (editable install)."""
    env = os.environ.get("COURSEKIT_ROOT")
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        if (d / CONFIG_NAME).is_file():
            return d
    pkg_parent = Path(__file__).resolve().parent.parent
    if (pkg_parent / CONFIG_NAME).is_file():
        return pkg_parent
    raise ConfigError(f"no {CONFIG_NAME} found from {here} upwards; set COURSEKIT_ROOT")


def load(root: Path | None = None) -> CourseConfig:
    from traitlets.config import Config

    root = Path(root).resolve() if root else find_root()
    path = root / CONFIG_NAME
    if not path.is_file():
        raise ConfigError(f"{path} does not exist")
    cfg = Config()
    namespace = {"get_config": lambda: cfg, "__file__": str(path), "__name__": "course_config"}
    try:
        exec(compile(path.read_text(), str(path), "exec"), namespace)
    except Exception as exc:  # report config errors clearly, with the file name
        raise ConfigError(f"{path}: {type(exc).__name__}: {exc}") from exc
    kit = namespace.get("KIT")
    if not isinstance(kit, dict):
        raise ConfigError(f"{path} must define a KIT dictionary")
    return CourseConfig(root=root, path=path, nbgrader=cfg, kit=kit)

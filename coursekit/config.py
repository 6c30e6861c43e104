"""Load course_config.py: the nbgrader config and the kit's settings, from one file.

``load()`` returns a ``Settings`` (coursekit/settings.py): typed, validated and frozen.
"""
from __future__ import annotations

import os
from pathlib import Path

from .settings import ConfigError, Settings  # noqa: F401  (ConfigError re-exported)

CONFIG_NAME = "course_config.py"


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


def load(root: Path | None = None) -> Settings:
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
    try:
        return Settings.from_kit(kit, root=root, path=path, nbgrader=cfg)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None

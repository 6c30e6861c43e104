"""Import an assignment's `cs231n` package from a folder under a private module name.

The trusted side (judge, tests) must never import a student's `cs231n` by its real name, and
several copies (source/, release/, solutions/) may be loaded in one process. The package uses
relative imports internally, so loading it under an alias works.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from .config import load as load_config


def load_package(assignment_dir: Path | str, alias: str):
    """Import `<assignment_dir>/cs231n` as the package `alias` (cached in sys.modules)."""
    if alias in sys.modules:
        return sys.modules[alias]
    pkg_dir = Path(assignment_dir) / "cs231n"
    init = pkg_dir / "__init__.py"
    if not init.is_file():
        raise ImportError(f"no cs231n package in {assignment_dir}")
    spec = importlib.util.spec_from_file_location(alias, init, submodule_search_locations=[str(pkg_dir)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[alias] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(alias, None)
        raise
    return module


def submodule(package, name: str):
    """`submodule(pkg, "rnn_layers")` or `submodule(pkg, "classifiers.rnn")`."""
    return importlib.import_module(f"{package.__name__}.{name}")


def reference(config=None):
    """The reference solution: source/<assignment>/cs231n, as `ck_reference_cs231n`."""
    config = config or load_config()
    return load_package(config.assignment_dir("source"), "ck_reference_cs231n")

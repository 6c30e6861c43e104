"""Shared fixtures for the kit's tests."""
from __future__ import annotations

import os

import pytest

from coursekit import config as _config
from coursekit import reference as _reference

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


@pytest.fixture(scope="session")
def course():
    """The course settings (coursekit.config.load() of course_config.py at the repository root)."""
    return _config.load()


def load_cs231n(kind: str, course=None):
    """The cs231n package of source/, release/ or solutions/, under the alias cs231n_<kind>."""
    course = course or _config.load()
    return _reference.load_package(course.assignment_dir(kind), f"cs231n_{kind}")


@pytest.fixture(scope="session")
def ref(course):
    """The reference cs231n package (source/, solution regions included)."""
    return load_cs231n("source", course)

"""Shared fixtures for the kit's tests."""
from __future__ import annotations

from coursekit.sandbox.isolation import use_single_thread_blas

use_single_thread_blas()    # before numpy loads: byte-identical datasets, no BLAS thread pools

import pytest  # noqa: E402

from coursekit import config as _config  # noqa: E402
from coursekit import reference as _reference  # noqa: E402


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


@pytest.fixture(scope="session")
def L(ref):
    """The reference's cs231n.rnn_layers."""
    return _reference.submodule(ref, "rnn_layers")


@pytest.fixture(scope="session")
def gc(ref):
    """The reference's cs231n.gradient_check."""
    return _reference.submodule(ref, "gradient_check")


@pytest.fixture(scope="session")
def points(course):
    """Full points of every auto-graded item, extra credit included."""
    return dict(course.points.items)

"""Shared fixtures for the kit's tests."""
from __future__ import annotations

from coursekit.sandbox.isolation import use_single_thread_blas

use_single_thread_blas()    # before numpy loads: byte-identical datasets, no BLAS thread pools

import os  # noqa: E402
from pathlib import Path  # noqa: E402

from coursekit.judge.seed import SEED_ENV  # noqa: E402

# The kit's tests grade with one public seed (tests/test_seed), so every run of them draws the
# same hidden inputs; a course draws its own secret one (coursekit/judge/seed.py).
os.environ.setdefault(SEED_ENV, str(Path(__file__).resolve().parent / "test_seed"))

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


PG_ENV = "COURSEKIT_TEST_POSTGRES"      # an admin URL of a PostgreSQL server (.ci/run starts one)


@pytest.fixture(params=["sqlite", "postgresql"])
def gradebook_backend(request, tmp_path):
    """None for the default SQLite gradebook in the output folder, or the URL of a fresh
    PostgreSQL database (dropped afterwards) when $COURSEKIT_TEST_POSTGRES names a server."""
    if request.param == "sqlite":
        yield None
        return
    import os
    import uuid
    admin = os.environ.get(PG_ENV)
    if not admin:
        pytest.skip(f"no PostgreSQL server (set {PG_ENV}; .ci/run starts one)")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    name = f"ck_test_{uuid.uuid4().hex[:12]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()

"""Schema versions and upgrades. The version lives in meta.schema_version.

- 0: no gradebook (a kit before it kept results in OUT/<name>/result.full.json and TAs' points
  in OUT/review.csv; `legacy.import_folder` brings those in when a gradebook is first made in
  such a folder).
- 1: the tables of schema.py.

A newer kit opens an older gradebook: `upgrade` applies each step from the stored version up,
in one transaction. An older kit refuses a newer gradebook (it cannot know its tables).
"""
from __future__ import annotations

from sqlalchemy import insert, inspect, select, update

from . import schema as S


def _create_v1(conn) -> None:
    S.metadata.create_all(conn)


STEPS = {1: _create_v1}          # version -> the step that makes it from version - 1


def stored_version(conn) -> int:
    if not inspect(conn).has_table("meta"):
        return 0
    value = conn.execute(select(S.meta.c.value).where(S.meta.c.key == "schema_version")).scalar()
    return int(value) if value is not None else 0


def upgrade(conn) -> int:
    """Bring the gradebook on `conn` to S.SCHEMA_VERSION; returns the version it had."""
    from .store import GradebookError

    found = stored_version(conn)
    if found > S.SCHEMA_VERSION:
        raise GradebookError(f"this gradebook has schema version {found}, made by a newer coursekit; "
                             f"this kit reads versions up to {S.SCHEMA_VERSION}: upgrade coursekit")
    for version in range(found + 1, S.SCHEMA_VERSION + 1):
        STEPS[version](conn)
    if found == 0:
        conn.execute(insert(S.meta).values(key="schema_version", value=str(S.SCHEMA_VERSION)))
    elif found < S.SCHEMA_VERSION:
        conn.execute(update(S.meta).where(S.meta.c.key == "schema_version").values(value=str(S.SCHEMA_VERSION)))
    return found

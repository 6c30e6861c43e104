"""The one exception the build raises for problems in the course material."""
from __future__ import annotations


class BuildError(Exception):
    """A problem in source/ or the environment that stops the build (shown without traceback)."""

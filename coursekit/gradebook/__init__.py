"""The gradebook: one database that owns every grade of a course (see store.py, schema.py);
every file students and TAs read is a view of it (views.py, sheets.py, canvas.py, overview.py)."""
from .lock import GradebookBusy
from .store import Gradebook, GradebookError, RunInfo, sqlite_url

__all__ = ["Gradebook", "GradebookBusy", "GradebookError", "RunInfo", "sqlite_url"]

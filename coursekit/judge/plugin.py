"""pytest plugin of the judge: provides the `judge` fixture and records each test's outcome
under its graded item (marker `@pytest.mark.item("rnn_step_forward")`)."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from .checks import CheckFailed


@dataclass
class Outcome:
    item: str
    nodeid: str
    title: str
    passed: bool
    message: str
    internal_error: bool = False
    detail: str = ""             # internal errors only: for staff, never shown


_ACTIVE: dict = {}   # the context of the judge run in progress (one per process at a time)


@pytest.fixture(scope="session")
def judge():
    """The JudgeContext of the running submission (registered with this module as plugin)."""
    return _ACTIVE["context"]


class JudgePlugin:
    def __init__(self, context, only: set[str] | None = None, late: set[str] | None = None):
        self.context = context
        self.only = only
        self.late = late or set()     # items run last (their training started early)
        self.outcomes: list[Outcome] = []
        _ACTIVE["context"] = context

    def pytest_configure(self, config):
        config.addinivalue_line("markers", "item(name): the graded item this test counts for")

    def pytest_collection_modifyitems(self, config, items):
        if self.only is not None:
            keep = [it for it in items if self._item_of(it) in self.only]
            config.hook.pytest_deselected(items=[it for it in items if it not in keep])
            items[:] = keep
        items.sort(key=lambda it: self._item_of(it) in self.late)   # stable: order kept otherwise

    @staticmethod
    def _item_of(node) -> str | None:
        mark = node.get_closest_marker("item")
        return mark.args[0] if mark and mark.args else None

    def pytest_runtest_setup(self, item):
        self.context.current = item.nodeid

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        name = self._item_of(item)
        if name is None or report.when == "teardown" and report.passed:
            return
        if report.when == "call" or report.failed:
            self.outcomes.append(self._outcome(name, item, call, report))

    def _outcome(self, name, item, call, report) -> Outcome:
        doc = (item.function.__doc__ or item.name).strip().splitlines()[0]
        if report.passed:
            return Outcome(name, item.nodeid, doc, True, "")
        exc = call.excinfo.value if call.excinfo else None
        if isinstance(exc, CheckFailed):
            return Outcome(name, item.nodeid, doc, False, str(exc))
        return Outcome(name, item.nodeid, doc, False,
                       "internal grader error in this check (staff have been notified).",
                       internal_error=True, detail=repr(exc)[:2000] if exc else report.longreprtext[:2000])

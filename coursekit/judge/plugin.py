"""pytest plugin of the judge: provides the `judge` fixture and records each test's outcome
under its graded item (marker `@pytest.mark.item("rnn_step_forward")`)."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from .checks import CheckFailed


# parametrize ids of the hidden suite's `case` argument -> words for the feedback
CASE_LABELS = {
    "random": "random inputs",
    "N=1": "a batch of one (N=1)",
    "T=1": "a sequence of one step (T=1)",
    "float32": "float32 inputs",
    "all-masked rows": "rows where every word is masked",
    "repeats": "word indices repeated within and across captions",
    "int32": "int32 word indices",
    "N=1,T=1": "one caption of one word (N=1, T=1)",
}


@dataclass
class Outcome:
    item: str
    nodeid: str
    title: str
    passed: bool
    message: str
    internal_error: bool = False
    detail: str = ""             # internal errors only: for staff, never shown
    case: str = ""               # "a batch of one (N=1): inputs (1, 5) (1, 4) ..."
    student_text: str | None = None   # the student's exception text (quoted by the report)
    where: dict | None = None         # {"file", "line", "text"} of the student's failing line


def _fixture_module(context):
    """A module holding the session fixture `judge` bound to this run's context (pytest
    collects fixtures from plugin modules)."""
    import types
    module = types.ModuleType("coursekit_judge_fixture")

    @pytest.fixture(scope="session")
    def judge():
        """The JudgeContext of the running submission (coursekit.judge.context)."""
        return context
    module.judge = judge
    return module


def case_label(item) -> str:
    params = getattr(getattr(item, "callspec", None), "params", {})
    case = params.get("case")
    return CASE_LABELS.get(case, str(case)) if case is not None else ""


class JudgePlugin:
    def __init__(self, context, only: set[str] | None = None, late: set[str] | None = None):
        self.context = context
        self.only = only
        self.late = late or set()     # items run last (their training started early)
        self.outcomes: list[Outcome] = []

        self.fixtures = _fixture_module(context)

    def plugins(self) -> list:
        """What pytest.main(plugins=...) gets: the hooks and the `judge` fixture."""
        return [self, self.fixtures]

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
        self.context.session.first_inputs = None

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
        case = case_label(item)
        shapes = self.context.session.first_inputs
        if item.nodeid in self.context.cases:
            case = self.context.cases[item.nodeid]
        elif shapes:
            case = (case + ": " if case else "") + "inputs of shapes " + shapes
        if report.passed:
            grant = self.context.granted.get(item.nodeid)
            if grant is not None:
                doc += f", with the reference {grant.given} in place of yours"
            return Outcome(name, item.nodeid, doc, True, "", case=case)
        exc = call.excinfo.value if call.excinfo else None
        if isinstance(exc, CheckFailed):
            return Outcome(name, item.nodeid, doc, False, str(exc), case=case,
                           student_text=exc.student_text, where=exc.where)
        return Outcome(name, item.nodeid, doc, False,
                       "internal grader error in this check (staff have been notified).",
                       internal_error=True, detail=repr(exc)[:2000] if exc else report.longreprtext[:2000])

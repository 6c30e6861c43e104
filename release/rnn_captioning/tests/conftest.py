"""The self-check's order and summary: the checks run in the order the notebooks introduce the
functions, then one line per check that does not pass yet, then the extra credit."""
import cs231n  # noqa: F401  (first, before numpy loads: one BLAS thread, see cs231n/blas_threads.py)
import pytest

# The order RNN_Captioning.ipynb, then LSTM_Captioning.ipynb (extra credit), introduce the functions.
ASSIGNMENT_ORDER = (
    "test_rnn_step_forward", "test_rnn_step_backward", "test_rnn_forward", "test_rnn_backward",
    "test_word_embedding_forward", "test_word_embedding_backward",
    "test_captioning_rnn_loss", "test_rnn_overfits_small_data", "test_captioning_rnn_sample",
    "test_lstm_step_forward", "test_lstm_step_backward", "test_lstm_forward", "test_lstm_backward",
    "test_captioning_lstm_loss", "test_captioning_lstm_sample",
)

EXTRA_CREDIT_PREFIX = "extra credit (the LSTM part is optional): "


def _message(report):
    """The one-line reason of a failed or skipped test (the last line of an unexpected error)."""
    if report.skipped and isinstance(report.longrepr, tuple):
        return str(report.longrepr[2]).replace("Skipped: ", "", 1)
    lines = [line for line in report.longreprtext.splitlines() if line.strip()]
    errors = [line[1:].strip() for line in lines if line.startswith("E ")]
    if not errors:  # a message of the self-check itself (pytest.fail without traceback)
        return lines[0] if lines else "failed"
    crash = getattr(report.longrepr, "reprcrash", None)
    where = f" (at {crash.path}:{crash.lineno})" if crash is not None else ""
    return errors[-1] + where


def _position(item):
    """Where a test comes in the assignment (a test not listed keeps its place after them)."""
    name = item.name.split("[")[0]
    return ASSIGNMENT_ORDER.index(name) if name in ASSIGNMENT_ORDER else len(ASSIGNMENT_ORDER)


def pytest_collection_modifyitems(items):
    items.sort(key=_position)  # a stable sort: tests not listed keep their collection order


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter):
    stats = terminalreporter.stats
    problems = stats.get("failed", []) + stats.get("error", [])
    skipped = stats.get("skipped", [])
    write = terminalreporter.write_line
    if problems:
        write("")
        write(f"Not done yet ({len(problems)}):")
        for report in problems:
            write("  - " + _message(report))
    if skipped:
        write("")
        write("Extra credit, skipped:")
        for report in skipped:
            write("  - " + _message(report).replace(EXTRA_CREDIT_PREFIX, "", 1))
    if not problems:
        write("")
        write("All checks pass. The grader also runs hidden tests, so check your work in the notebooks too.")

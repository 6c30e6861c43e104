"""The self-check's summary: one line per check that does not pass yet, then the extra credit."""
import pytest

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

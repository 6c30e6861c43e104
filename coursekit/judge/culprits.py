"""No double jeopardy for the whole-model checks (the trainings and the trained-model samples).

Such a check runs the student's whole model. When it fails on the student's code alone, it
runs again with every reference building block granted (coursekit.judge.blocks: the layers
and step functions, never the model code under test, never provided code):

- still failing: the model code itself is wrong; the plain run's failure stands.
- passing: the check keeps its points, and the culprit is sought after the suite (`resolve`,
  when every item's own checks are known). The units of blocks whose items fail their own
  checks are put back together (the rest the reference's): if that fails, they are the
  culprits, already charged at their items. Otherwise (or when there are none) each other
  unit is put back alone; a failing unit of a forward and its backward is split into its
  halves, each put back alone. A culprit found this way passed its own checks, so its item
  gets one failing check saying what the whole model showed: the points go where the bug
  is, and the whole-model check's note names it.

    either_model(judge, check, blocks)    in a hidden test: check(judge.plain) or the above
    resolve(outcomes, context)            after the suite (judge_submission)
"""
from __future__ import annotations

from dataclasses import dataclass

from .blocks import SAMPLING, TRAINING, Blocks  # noqa: F401  (re-exported for the hidden suite)
from .checks import CheckFailed


@dataclass
class Pending:
    nodeid: str          # the whole-model check that kept its points
    check: object        # check(runner), raises CheckFailed
    blocks: Blocks
    failure: str         # the plain run's failure, first line


def either_model(judge, check, blocks: Blocks) -> None:
    """check(judge.plain); when it fails, the rule of the module docstring."""
    try:
        check(judge.plain)
        return
    except CheckFailed as plain_failure:
        if str(plain_failure).startswith("not graded"):
            raise
        failure = plain_failure
    try:
        granted = _run(judge, check, blocks.everything())
    except _OutOfTime:
        granted = failure
    if granted is not None:
        raise failure
    judge.granted[judge.current or ""] = blocks.everything()
    judge.shared.setdefault("culprit_searches", []).append(
        Pending(judge.current or "", check, blocks, _first_line(failure)))


def resolve(outcomes, context) -> None:
    """Find the culprits of every whole-model check that kept its points; notes and checks."""
    for pending in context.shared.get("culprit_searches", []):
        try:
            failing = _failing_units(pending.blocks, outcomes)
            explained = bool(failing) and _run(context, pending.check, pending.blocks.put_back(
                n for u in failing for n in u)) is not None
            found = {} if explained else search(context, pending.check, pending.blocks, skip=failing)
        except _OutOfTime:
            context.notes.setdefault(pending.nodeid, []).append(
                _head(pending) + " (No time was left to name the block that breaks it.)")
            continue
        except Exception as exc:  # noqa: BLE001 -- the judge's side: the check keeps its points
            context.record("culprit_search_error", f"{pending.nodeid}: {type(exc).__name__}: {exc}")
            continue
        named = [n for u in failing for n in u if n in _failed(outcomes)] if explained else []
        context.notes.setdefault(pending.nodeid, []).append(_note(pending, named, found))
        for name, why in found.items():
            _add_check(outcomes, name, why)


def _failing_units(blocks: Blocks, outcomes) -> list[tuple]:
    """The units holding a block whose item fails its own checks."""
    return [u for u in blocks.units if _failed(outcomes) & set(u)]


def _failed(outcomes) -> set[str]:
    return {o.item for o in outcomes if not o.passed}


class _OutOfTime(Exception):
    """The submission's time ran out during the search: nothing can be concluded."""


def _run(judge, check, grant) -> CheckFailed | None:
    """None when check passes on a fresh worker lending `grant`, else its failure."""
    with judge.session.granted(grant) as runner:
        try:
            check(runner)
        except CheckFailed as exc:
            if str(exc).startswith("not run"):      # the submission's total time is used up
                raise _OutOfTime() from None
            return exc
    return None


def _inconclusive(failure) -> bool:
    """A put-back that failed by an exception or a refused callback: the other half's cache
    may not fit the student's half, so it says nothing about what that half computes."""
    return "raised an exception" in str(failure) or "refused" in str(failure)


def search(judge, check, blocks: Blocks, skip=()) -> dict[str, str]:
    """{block: why} over the units (but `skip`) whose put-back alone makes the check fail; a
    failing unit of two halves is split (see the module docstring; a unit left undecided is
    blamed on its forward). Units called by a failing unit are not tried."""
    culprits: dict[str, str] = {}
    failed: set[str] = set()
    for unit in [u for u in blocks.units if u not in skip]:
        if any(c in failed for c in blocks.callers.get(unit[0], ())):
            continue
        failure = _run(judge, check, blocks.put_back(unit))
        if failure is not None:
            failed.add(unit[0])
            culprits.update(_split(judge, check, blocks, unit, failure))
    return culprits


def _split(judge, check, blocks, unit, failure) -> dict[str, str]:
    if len(unit) == 1:
        return {unit[0]: _first_line(failure)}
    cleared = []
    for half in unit:
        alone = _run(judge, check, blocks.put_back([half]))
        if alone is None:
            cleared.append(half)
        elif not _inconclusive(alone):
            return {half: _first_line(alone)}
    rest = [h for h in unit if h not in cleared]
    return {rest[0]: _first_line(failure)} if rest else {}


def _first_line(exc) -> str:
    """The failure's first line, without a hint (a put-back names the block to blame)."""
    text = str(exc).strip()
    return text.splitlines()[0].split(" Hint: ")[0] if text else "it failed"


def _head(pending: Pending) -> str:
    return (f"This check keeps its points: it passed with the reference {pending.blocks.given} in place "
            f"of yours (see {pending.blocks.see}); with your own it failed: {pending.failure.rstrip('.')}.")


def _note(pending: Pending, failing: list, found: dict) -> str:
    head = _head(pending)
    if failing:
        names, one = ", ".join(failing), len(failing) == 1
        return head + (f" With your {names} put back it fails again; {names} "
                       f"{'loses' if one else 'lose'} points in {'its' if one else 'their'} own tests, "
                       f"not here: fix {'it' if one else 'them'} first.")
    if found:
        names = ", ".join(found)
        return head + (f" With your {names} put back (everything else the reference's) it fails again: "
                       f"{names} loses the points, in {'its' if len(found) == 1 else 'their'} own item.")
    return head + " Each of your building blocks put back alone passes too: they fail only together."


def _add_check(outcomes, name: str, why: str) -> None:
    """One failing check at the culprit's item (only where it ran and passed every check)."""
    from .plugin import Outcome
    own = [o for o in outcomes if o.item == name]
    if not own or not all(o.passed for o in own):
        return
    outcomes.append(Outcome(
        name, f"culprit:{name}", f"an otherwise correct model works with your {name}", False,
        f"with your {name} in place of the reference's (everything else the reference's), the "
        f"whole model fails: {why}"))

"""`--jobs N`, the batch's CPU budget, turned into the two numbers grading uses: how many
submissions are graded at once, and how many overfit trainings each judge starts early.

A submission graded with c cores runs its other tests on one and starts c - 1 overfit trainings
early, each in a process of its own (judge.training.start_early). The sandbox leases its uids
machine-wide itself (a flock per uid), so parallel graders need no coordination here.
"""
from __future__ import annotations

import os


def concurrent_submissions(jobs: int, todo: int) -> int:
    """min(jobs, submissions to grade), at least 1."""
    return max(1, min(int(jobs), int(todo)))


def early_trainings(jobs: int, concurrent: int) -> int:
    """Each of the `concurrent` submissions gets max(1, jobs // concurrent) cores: one for its
    tests, the others for early trainings."""
    return max(1, int(jobs) // max(1, int(concurrent))) - 1


def machine_early_trainings() -> int:
    """One submission alone on this machine (Gradescope): every core but one trains early."""
    return early_trainings(os.cpu_count() or 1, 1)

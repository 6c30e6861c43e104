"""Grading results and the reports made from them."""
from .results import GradingResult, TestResult  # noqa: F401

"""The region delimiters, read from the nbgrader config (course_config.py)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Markers:
    begin_solution: str
    end_solution: str
    begin_hidden: str
    end_hidden: str

    @classmethod
    def from_config(cls, nbgrader_config) -> "Markers":
        from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions

        solutions = ClearSolutions(config=nbgrader_config)
        hidden = ClearHiddenTests(config=nbgrader_config)
        return cls(solutions.begin_solution_delimeter, solutions.end_solution_delimeter,
                   hidden.begin_test_delimeter, hidden.end_test_delimeter)

    def all(self) -> tuple[str, ...]:
        return (self.begin_solution, self.end_solution, self.begin_hidden, self.end_hidden)

    def pairs(self) -> tuple[tuple[str, str, str], ...]:
        """(begin, end, name) of each region kind."""
        return ((self.begin_solution, self.end_solution, "solution"),
                (self.begin_hidden, self.end_hidden, "hidden tests"))

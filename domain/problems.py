"""Problems found in what a person gave us, each naming where it is."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: which file, which row (or item), which field, and why."""

    file: str
    row: int | str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.field:
            where += f", field '{self.field}'"
        return f"{where}: {self.message}"


class InvalidInput(Exception):
    """Raised with every problem found, so a coordinator can fix them all in one pass."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class Refused(Exception):
    """A person asked for something the program's rules do not allow; nothing was changed."""

    def __init__(self, reason: str, allowed: list[str] | None = None):
        self.reason = reason
        self.allowed = allowed or []
        super().__init__(reason)

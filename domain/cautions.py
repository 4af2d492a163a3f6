"""What is allowed but likely a mistake: the doors ask the person to confirm before doing it.

A coach may start a second partnership with a teacher whose first is still open (a new
focus, say), but more often it is a double click or the wrong name; the form warns first.
"""

from __future__ import annotations

from typing import TypeVar

from domain.cohort import PartnershipSummary
from domain.cycle import OPEN_STAGES

S = TypeVar("S", bound=PartnershipSummary)


def open_partnerships_with(partnerships: list[S], teachers: list[str]) -> list[S]:
    """The open partnerships among these that any of these teachers is a partner in, each once."""
    wanted = {t.strip().lower() for t in teachers}
    found: dict[str, S] = {}
    for p in partnerships:
        if p.stage in OPEN_STAGES and wanted & set(p.partners):
            found.setdefault(p.id, p)
    return list(found.values())

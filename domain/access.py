"""Who may see and do what: one set of rules for every door (web pages, JSON API).

Coaching is non-evaluative: what a partnership's coach and collaborating
teachers write stays between them. A principal sees their building's
partnerships as stages, dates and counts; a coordinator sees the whole cohort
the same way. Moving a stage, adding a note or deciding a release request is
checked again by the machines in `cycle.py` and `release.py`; these rules decide
only what a person may look at.
"""

from __future__ import annotations

from enum import StrEnum

from domain.roster import PARTICIPANTS, Roster


class View(StrEnum):
    partnership = "partnership"  # everything, notes included: the coach and the collaborating teachers
    building = "building"  # stages, dates and counts: principals and coordinators


def is_coordinator(roster: Roster, email: str) -> bool:
    return email in roster.coordinators


def principal_of(roster: Roster, email: str) -> list[str]:
    """The schools this person is principal of."""
    return [s.id for s in roster.schools if s.principal == email]


def partnership_view(roster: Roster, email: str, coach: str, partners: list[str], school: str) -> View | None:
    """What this person may see of a partnership, or None (they may not see it at all)."""
    if email == coach or email in partners:
        return View.partnership
    if school in principal_of(roster, email) or is_coordinator(roster, email):
        return View.building
    return None


def may_see_school(roster: Roster, email: str, school: str) -> bool:
    return school in principal_of(roster, email) or is_coordinator(roster, email)


def may_see_training(roster: Roster, email: str, coach: str) -> bool:
    return email == coach or is_coordinator(roster, email)


def may_request_release(roster: Roster, email: str) -> bool:
    person = next((p for p in roster.people if p.email == email), None)
    return person is not None and person.role in PARTICIPANTS

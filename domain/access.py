"""Who may see and do what: one set of rules for every door (web pages, JSON API, command line).

Coaching is non-evaluative: what a partnership's coach and collaborating
teachers write stays between them. A principal sees their building's
partnerships as stages, dates and counts; a coordinator sees the whole cohort
the same way. Moving a stage, adding a note or deciding a release request is
checked again by the machines in `cycle.py` and `release.py`; these rules decide
only what a person may look at.

A `Member` is who someone is in one cohort, as the doors look it up (one indexed
query of the database), not the whole roster. Whether someone coordinates is
asked of this module only: `is_coordinator` for a member of a cohort,
`in_program_office` for the configured program office (the cohort's own rule,
`domain.cohort.is_coordinator`, asked of that list) and `may_launch` for both.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from pydantic import BaseModel, Field

from domain import cohort
from domain.cohort import PartnershipSummary
from domain.program import Program
from domain.roster import PARTICIPANTS, Role, Roster

S = TypeVar("S", bound=PartnershipSummary)


class View(StrEnum):
    partnership = "partnership"  # everything, notes included: the coach and the collaborating teachers
    building = "building"  # stages, dates and counts: principals and coordinators


class Member(BaseModel):
    """One person in one cohort: their role, their school, and the schools they lead."""

    email: str
    role: Role
    school: str | None = None
    principal_of: list[str] = Field(default_factory=list)  # school ids

    @classmethod
    def of(cls, roster: Roster, email: str) -> Member | None:
        person = next((p for p in roster.people if p.email == email), None)
        if person is None:
            return None
        return cls(email=email, role=person.role, school=person.school, principal_of=[s.id for s in roster.schools if s.principal == email])


def as_seen(summary: S, view: View) -> S:
    """A listed partnership as this view may see it: the building view is stages, dates and counts, as `BuildingView`
    is, so the focus the coach and teachers work on is left out too."""
    return summary if view == View.partnership else summary.model_copy(update={"focus": ""})


def is_coordinator(member: Member) -> bool:
    """Whether this member coordinates their cohort: a cohort's coordinators are the people its roster names with that
    role (`Roster.coordinators`), and a `Member` is looked up with theirs, not with the cohort's list."""
    return member.role == Role.coordinator


def in_program_office(program_office: list[str], email: str) -> bool:
    """Whether `email` is in the program office (PEERCOACH_COORDINATORS): coordinators before any roster names them."""
    return cohort.is_coordinator(program_office, email)


def may_launch(members: list[Member], in_office: bool) -> bool:
    """Cohorts are launched by the program office (`in_program_office`) and by anyone who coordinates a running cohort."""
    return in_office or any(is_coordinator(m) for m in members)


def as_launcher(email: str) -> Member:
    """A program-office coordinator who launched a cohort its roster does not name them in: on the doors they coordinate
    it (its dashboard, people and lists), as the coordinators it names do. The cohort's workflows still ask the cohort's
    own list for what changes it (`domain.cohort.check_coordinator`)."""
    return Member(email=email, role=Role.coordinator)


def partnership_view(member: Member, coach: str, partners: list[str], school: str) -> View | None:
    """What this person may see of a partnership, or None (they may not see it at all)."""
    if member.email == coach or member.email in partners:
        return View.partnership
    if may_see_school(member, school):
        return View.building
    return None


def may_see_school(member: Member, school: str) -> bool:
    return school in member.principal_of or is_coordinator(member)


def may_see_training(member: Member, coach: str) -> bool:
    return member.email == coach or is_coordinator(member)


def may_request_release(member: Member) -> bool:
    return member.role in PARTICIPANTS and member.school is not None


# -- did coaching work: the school's plan, self-assessments, year 2 ----------------------------

PLAN_READERS = "a school's coaching plan is seen by its coaches, its principal and the cohort's coordinators"
ANSWERS_READERS = "a person's self-assessment answers are seen by them and their coach only"
SELF_ASSESSORS = "the self-assessment is for coaches and collaborating teachers"
YEAR_TWO_READERS = "a school's year 2 is decided by its principal and read by the cohort's coordinators"


def may_write_plan(member: Member, school: str) -> bool:
    """The school's coaches and its principal write the plan together (the principal alone endorses it: `plans.py`)."""
    return school in member.principal_of or (member.role == Role.coach and member.school == school)


def may_read_plan(member: Member, school: str) -> bool:
    """A plan is the school's, not a partnership's: its writers and the coordinators read it whole."""
    return may_write_plan(member, school) or is_coordinator(member)


def may_self_assess(member: Member) -> bool:
    return member.role in PARTICIPANTS and member.school is not None


def may_see_answers(member: Member, person: str, coaches: list[str]) -> bool:
    """Self-assessment answers are the person's and their coach's (`coaches`: the coaches of the person's partnerships).

    Not the principal's nor the coordinators': they see only how many of a group large enough moved (`tiers.Movement`).
    """
    return member.email == person or member.email in coaches


def movement_groups(member: Member) -> list[str] | None:
    """Whose tier movement this person sees: the schools they lead (a principal), every group (None: a coordinator),
    or none at all ([]): a coach sees their own partners' answers instead."""
    if is_coordinator(member):
        return None
    return list(member.principal_of)


def may_see_year_two(member: Member, school: str) -> bool:
    return school in member.principal_of or is_coordinator(member)


def may_decide_year_two(member: Member, school: str) -> bool:
    return school in member.principal_of


def may_endorse_plan(member: Member, school: str) -> bool:
    """Whom the page offers Endorse to; the plan's own rule (`plans.check_endorsement`) decides it again."""
    return school in member.principal_of


# -- the discussion board (`domain/board.py`) ----------------------------------------------------
# A coaches' community: principals have no access; collaborating teachers read the program-wide threads where their
# cohort's program file allows it (`teachers_read_program_board`), and never post.

BOARD_READERS = "the program-wide threads are read by the program's coaches and coordinators"
BOARD_POSTERS = "coaches and coordinators post on the discussion board"
BOARD_MODERATORS = "only a coordinator hides a post or locks a thread"


def may_read_cohort_board(member: Member) -> bool:
    return member.role in (Role.coach, Role.coordinator)


def may_read_program_board(member: Member, program: Program) -> bool:
    return may_read_cohort_board(member) or (member.role == Role.teacher and program.teachers_read_program_board)


def may_post_on_board(member: Member) -> bool:
    return member.role in (Role.coach, Role.coordinator)


def may_moderate_board(member: Member) -> bool:
    return is_coordinator(member)


# -- a school's recurring meetings (domain/meetings.py) ------------------------------------------

MEETING_KEEPERS = "a school's recurring meetings are set up by its coaches; the cohort's coordinators see how many were held"


def may_hold_meetings(member: Member) -> bool:
    """A coach sets up their school's meetings and records who came (the series' own rules: `meetings.py`)."""
    return member.role == Role.coach and member.school is not None


def may_count_meetings(member: Member) -> bool:
    """Coordinators see each series' meetings held and people present: counts, never who came."""
    return is_coordinator(member)


# -- the lesson library (domain/lessons.py) -------------------------------------------------------

LIBRARY_READERS = "the lesson library is read by the program's people; sign in with the address a cohort's roster has for you"
FEATURERS = "lessons are featured by coordinators"


def may_read_library(members: list[Member], in_office: bool) -> bool:
    """Everyone in the program, whichever cohort and year they are in: a published lesson is the program's."""
    return bool(members) or in_office


def may_see_lesson(published: bool, email: str, coach: str, teachers: list[str]) -> bool:
    """For a reader of the library: a published lesson; a draft only for its partnership's coach and teachers."""
    return published or email == coach or email in teachers


def may_feature_lessons(members: list[Member], in_office: bool) -> bool:
    """Any cohort's coordinators and the program office: the library is the whole program's."""
    return in_office or any(is_coordinator(m) for m in members)

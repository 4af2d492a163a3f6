"""Launching a cohort: which workflows start, in what batches, and each one's first record.

The cohort workflow walks the plan; an activity reads each batch's people, schools and
partnerships from the stored roster and asks these functions for the records to start
their workflows with.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from domain.cohort import RosterRef
from domain.cycle import PartnershipRecord
from domain.program import Program
from domain.release import ReleaseLedgerRecord
from domain.roster import Partnership, Person, Role, School
from domain.school_year import SchoolPartnership, SchoolYearRecord
from domain.training import TrainingRecord


class LaunchBatch(BaseModel):
    """Some of a cohort's workflows to start: a page of one kind in the stored roster, or the ones named."""

    kind: str  # release | training | partnership
    offset: int = 0
    limit: int = 0
    ids: list[str] | None = None  # school ids, coach emails or partnership ids

    @property
    def size(self) -> int:
        return len(self.ids) if self.ids is not None else self.limit


def launch_plan(roster: RosterRef, batch_size: int) -> list[LaunchBatch]:
    """The batches that start a cohort: every school's ledger, then every coach's training, then every partnership.

    Ledgers come first so that a training or partnership never asks for release time of a
    school whose ledger is not there yet.
    """
    counts = (("release", roster.schools), ("training", roster.coaches), ("partnership", roster.partnerships))
    return [
        LaunchBatch(kind=kind, offset=offset, limit=min(batch_size, total - offset))
        for kind, total in counts
        for offset in range(0, total, batch_size)
    ]


def ledger_record(
    cohort: str, program: Program, school: School, members: list[Person], partnerships: list[Partnership]
) -> ReleaseLedgerRecord:
    """A school's release days for the year: who may ask, and how many days each role has."""
    return ReleaseLedgerRecord(
        cohort=cohort,
        school=school.id,
        school_year=program.school_year,
        principal=school.principal,
        members={p.email: p.role for p in members},
        allowances=program.release_days,
        partnerships={p.id: p.coach for p in partnerships},
    )


def school_year_record(
    cohort: str, school: School, members: list[Person], partnerships: list[Partnership], coordinators: list[str], launched_at: datetime
) -> SchoolYearRecord:
    """A school's plan, self-assessments and year-2 decision: started with its ledger, in the same batch."""
    return SchoolYearRecord(
        cohort=cohort,
        school=school.id,
        school_name=school.name,
        principal=school.principal,
        coordinators=coordinators,
        coaches=sorted(p.email for p in members if p.role == Role.coach),
        partnerships={p.id: SchoolPartnership(coach=p.coach, partners=p.partners) for p in partnerships},
        launched_at=launched_at,
    )


def training_record(cohort: str, coach: Person, coordinators: list[str], partnerships: list[str]) -> TrainingRecord:
    return TrainingRecord(
        cohort=cohort,
        coach=coach.email,
        name=coach.name,
        school=str(coach.school),
        coordinators=coordinators,
        partnerships=partnerships,
    )


def partnership_record(cohort: str, p: Partnership, principal: str, coordinators: list[str], coaching_unlocked: bool) -> PartnershipRecord:
    return PartnershipRecord(
        cohort=cohort,
        id=p.id,
        school=p.school,
        coach=p.coach,
        partners=p.partners,
        focus=p.focus,
        school_goal=p.school_goal,
        coordinators=coordinators,
        principal=principal,
        coaching_unlocked=coaching_unlocked,
    )

"""The cohort's process: what a launch starts, who hears of a change, and when the year closes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.cohort import AddedParticipant, CohortState, Departure, PartnershipSummary, RosterRef, StartedPartnership, Withdrawal, year_ends
from domain.launch import LaunchBatch
from domain.problems import Refused
from domain.processes.cohort import EVERY_LEDGER, CohortProcess, CohortRecord, launch_progress
from domain.processes.effects import ProcessKind, Recipient
from domain.processes.ledger import MemberAdded, PartnershipAtSchool, YearClosed
from domain.processes.partnership import PartnershipWithdrawn
from domain.processes.school import MemberLeft, PartnershipEnded
from domain.processes.training import PartnershipAdded, TrainingWithdrawn
from domain.roster import Partnership, Person, Role
from tests.conftest import program_starting
from tests.roster_fixtures import ANN, ANN_TIA, COORDINATOR, TIA

PROGRAM = program_starting(date(2027, 4, 20))
LAUNCHED = datetime(2027, 3, 30, 16, tzinfo=UTC)


def not_launched() -> CohortRecord:
    state = CohortState(
        cohort="hazel-2027",
        program=PROGRAM,
        roster=RosterRef(content_hash="0" * 64, schools=1, coaches=3, partnerships=3),
        coordinators=[COORDINATOR],
        launched_by=COORDINATOR,
    )
    return CohortRecord(state=state)


def launched() -> tuple[CohortProcess, CohortRecord]:
    process, record = CohortProcess(), not_launched()
    effects = process.launch(record, LAUNCHED)
    for batch in effects.reply:
        process.batch_started(record, batch)
    return process, record


def test_a_launch_starts_every_batch_tells_the_coordinators_and_wakes_at_the_end_of_the_year() -> None:
    process, record = CohortProcess(), not_launched()
    effects = process.launch(record, LAUNCHED)
    assert [(b.kind, b.size) for b in effects.reply] == [("release", 1), ("training", 3), ("partnership", 3)]
    assert [n.kind.value for n in effects.notices] == ["cohort_launched"] and effects.notices[0].to == [COORDINATOR]
    assert effects.wake_at == year_ends(PROGRAM) and not effects.done
    assert record.state.launched_at == LAUNCHED and launch_progress(record).started == 0
    for batch in effects.reply:
        process.batch_started(record, batch)
    assert launch_progress(record).done


def test_a_new_coach_gets_a_training_year_and_their_school_hears_of_them() -> None:
    process, record = launched()
    zoe = Person(name="Zoe", email="zoe@hazel.test", role=Role.coach, school="hazel")
    effects = process.add_participant(record, AddedParticipant(actor=COORDINATOR, person=zoe))
    assert effects.starts == [LaunchBatch(kind="training", ids=[zoe.email])]
    assert [(m.to, m.event) for m in effects.messages] == [
        (Recipient(ProcessKind.ledger, "hazel"), MemberAdded(email=zoe.email, role=Role.coach)),
        (Recipient(ProcessKind.school, "hazel"), MemberAdded(email=zoe.email, role=Role.coach)),
    ]


def test_a_new_teacher_starts_nothing_of_their_own() -> None:
    process, record = launched()
    yan = Person(name="Yan", email="yan@hazel.test", role=Role.teacher, school="hazel")
    assert process.add_participant(record, AddedParticipant(actor=COORDINATOR, person=yan)).starts == []


def test_a_new_partnership_starts_and_its_coach_and_school_hear_of_it() -> None:
    process, record = launched()
    p = Partnership(id="ann--yan", coach=ANN, partners=["yan@hazel.test"], focus="Reading", school="hazel")
    effects = process.start_partnership(record, StartedPartnership(actor=ANN, partnership=p))
    assert effects.starts == [LaunchBatch(kind="partnership", ids=["ann--yan"])]
    assert [(m.to, m.event) for m in effects.messages] == [
        (Recipient(ProcessKind.training, ANN), PartnershipAdded(partnership="ann--yan")),
        (Recipient(ProcessKind.ledger, "hazel"), PartnershipAtSchool(id="ann--yan", coach=ANN, partners=["yan@hazel.test"])),
        (Recipient(ProcessKind.school, "hazel"), PartnershipAtSchool(id="ann--yan", coach=ANN, partners=["yan@hazel.test"])),
    ]


def test_a_withdrawn_coach_ends_their_training_and_open_partnerships() -> None:
    process, record = launched()
    open_one = PartnershipSummary(id=ANN_TIA, coach=ANN, partners=[TIA], school="hazel")
    departure = Departure(role=Role.coach, partnerships=[open_one])
    effects = process.withdraw(record, Withdrawal(actor=COORDINATOR, email=ANN), departure)
    assert effects.reply == [ANN_TIA]
    assert [(m.to, m.event) for m in effects.messages] == [
        (Recipient(ProcessKind.training, ANN), TrainingWithdrawn()),
        (Recipient(ProcessKind.partnership, ANN_TIA), PartnershipWithdrawn(actor=COORDINATOR)),
        (Recipient(ProcessKind.school, "hazel"), PartnershipEnded(id=ANN_TIA)),
        (Recipient(ProcessKind.school, "hazel"), MemberLeft(email=ANN)),
    ]


def test_only_a_coordinator_changes_the_cohort_and_only_while_it_is_open() -> None:
    process, record = launched()
    with pytest.raises(Refused, match="only a coordinator of the cohort withdraws participants"):
        process.check_withdrawal(record, Withdrawal(actor=ANN, email=TIA))
    launching = record.model_copy(update={"to_start": [LaunchBatch(kind="training", limit=3)]})
    with pytest.raises(Refused, match="still starting its workflows"):
        process.check_withdrawal(launching, Withdrawal(actor=COORDINATOR, email=TIA))


def test_the_year_closes_every_ledger_once_at_its_end() -> None:
    process, record = launched()
    early = process.wake(record, year_ends(PROGRAM) - timedelta(days=1))
    assert early.messages == [] and not early.done and early.wake_at == year_ends(PROGRAM)
    closing = process.wake(record, year_ends(PROGRAM))
    assert [(m.to, m.event) for m in closing.messages] == [(Recipient(ProcessKind.ledger, EVERY_LEDGER), YearClosed())]
    assert closing.done and record.year_closed
    assert process.wake(record, year_ends(PROGRAM) + timedelta(days=1)).messages == []
    with pytest.raises(Refused, match="year is over"):
        process.check_withdrawal(record, Withdrawal(actor=COORDINATOR, email=TIA))

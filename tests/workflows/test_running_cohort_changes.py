"""A running cohort takes new coaches and withdrawals, checked at the door and recorded in the stored roster."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import select
from temporalio.testing import WorkflowEnvironment

from domain.cohort import CohortState, NewParticipant, RosterRef, Withdrawal, year_ends
from domain.launch import launch_plan
from domain.problems import Refused
from domain.processes.cohort import START_BATCH, CohortRecord, check_cohort_open
from domain.roster import Role
from domain.session_change import SessionEdit
from domain.training import Attendance
from store import members, tables
from tests.conftest import eventually, program_starting
from tests.roster_fixtures import ANN, BOB, COORDINATOR, TIA, small_roster

ZOE = "zoe@hazel.test"


async def test_a_coach_added_mid_year_trains_and_the_year_then_closes_to_changes(time_env: WorkflowEnvironment, harness) -> None:  # type: ignore[no-untyped-def]
    h = harness(time_env.client)
    coaching = h.coaching()
    program = program_starting((await time_env.get_current_time() - timedelta(days=200)).date())
    async with h.worker():
        await coaching.launch_cohort("growing", program, small_roster(), COORDINATOR)
        await coaching.wait_until_launched("growing")
        added = NewParticipant(actor=COORDINATOR, name="Zoe New", email=ZOE, role=Role.coach, school="hazel")
        await coaching.add_participant("growing", added)
        with pytest.raises(Refused, match=r"zoe@hazel\.test is already in the cohort"):
            await coaching.add_participant("growing", added)
        await time_env.sleep(timedelta(minutes=1))
        [record] = await coaching.record_attendance("growing", COORDINATOR, 5, {ZOE: Attendance.attended})
        assert record.coaching_unlocked
        assert await coaching.withdraw_participant("growing", Withdrawal(actor=COORDINATOR, email=TIA)) == ["ann--tia"]

        await time_env.sleep(year_ends(program) - await time_env.get_current_time() + timedelta(days=1))
        with pytest.raises(Refused, match="the cohort's year is over"):
            await coaching.add_participant("growing", added.model_copy(update={"email": "yan@hazel.test"}))

    with h.database.begin() as db:
        changes = db.execute(select(tables.roster_versions.c.change).order_by(tables.roster_versions.c.version)).scalars().all()
    assert changes == ["upload", "added", "withdrawn"]  # the refused ones wrote nothing


def test_a_cohort_changes_only_between_its_launch_and_the_end_of_its_year() -> None:
    state = CohortState(
        cohort="growing",
        program=program_starting(date(2027, 4, 20)),
        roster=RosterRef(content_hash="0" * 64, schools=1, coaches=3, partnerships=3),
        coordinators=[COORDINATOR],
        launched_by=COORDINATOR,
    )
    launching = CohortRecord(state=state, to_start=launch_plan(state.roster, START_BATCH))
    with pytest.raises(Refused, match="still starting its workflows"):
        check_cohort_open(launching)
    with pytest.raises(Refused, match="still starting its workflows"):
        check_cohort_open(CohortRecord(state=state))  # not launched yet
    check_cohort_open(CohortRecord(state=state, to_start=[]))
    with pytest.raises(Refused, match="year is over"):
        check_cohort_open(CohortRecord(state=state, to_start=[], year_closed=True))


async def test_a_moved_session_reaches_every_coach_still_training_and_a_refused_move_writes_nothing(
    time_env: WorkflowEnvironment,
    harness,  # type: ignore[no-untyped-def]
) -> None:
    h = harness(time_env.client)
    coaching = h.coaching()
    program = program_starting((await time_env.get_current_time() - timedelta(days=160)).date())  # session 6 is 15 days ahead
    async with h.worker():
        await coaching.launch_cohort("moving", program, small_roster(), COORDINATOR)
        await coaching.wait_until_launched("moving")
        await coaching.withdraw_participant("moving", Withdrawal(actor=COORDINATOR, email=BOB))
        later = program.session(6).starts_on + timedelta(days=7)
        with pytest.raises(Refused, match="only a coordinator of the cohort moves training sessions"):
            await coaching.change_session("moving", ANN, 6, SessionEdit(location="Gym"), "the venue flooded")
        with pytest.raises(Refused, match="only a session that has not begun can be moved"):
            await coaching.change_session("moving", COORDINATOR, 5, SessionEdit(location="Gym"), "the venue flooded")

        moved = await coaching.change_session(
            "moving", COORDINATOR, 6, SessionEdit(starts_on=later, starts_at=time(15, 30), ends_at=time(17)), "the venue flooded"
        )
        assert (moved.starts_on, moved.starts_at) == (later, time(15, 30))
        await eventually(lambda: h.sent("session_changed"))
        assert h.sent("session_changed") == ["session_changed ann@hazel.test changed:moving:ann@hazel.test:session-6.1"]
        await coaching.change_session("moving", COORDINATOR, 6, SessionEdit(location="Library"), "more room")
        await eventually(lambda: len(h.sent("session_changed")) == 2)

        # The reminders go out for the new date, as new messages.
        await time_env.sleep(program.session_start(6) + timedelta(days=7, hours=1) - await time_env.get_current_time())
        await eventually(lambda: h.sent("session_reminder", to=ANN)[-2:])
        assert [s.split()[-1] for s in h.sent("session_reminder", to=ANN)][-2:] == [
            "reminder:moving:ann@hazel.test:session-6.2:7d",
            "reminder:moving:ann@hazel.test:session-6.2:1d",
        ]

    stored = members.program_of(h.database, "moving")
    assert stored is not None and (stored.session(6).starts_on, stored.session(6).location) == (later, "Library")
    with h.database.begin() as db:
        changes = db.execute(select(tables.roster_versions.c.change).order_by(tables.roster_versions.c.version)).scalars().all()
    assert changes == ["upload", "withdrawn", "session", "session"]  # the refused ones wrote nothing

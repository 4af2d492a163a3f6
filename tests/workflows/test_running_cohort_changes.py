"""A running cohort takes new coaches and withdrawals, checked at the door and recorded in the stored roster."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from temporalio.testing import WorkflowEnvironment

from domain.cohort import CohortState, NewParticipant, RosterRef, Withdrawal, year_ends
from domain.launch import launch_plan
from domain.problems import Refused
from domain.processes.cohort import START_BATCH, CohortRecord, check_cohort_open
from domain.roster import Role
from domain.training import Attendance
from store import tables
from tests.conftest import program_starting
from tests.roster_fixtures import COORDINATOR, TIA, small_roster

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

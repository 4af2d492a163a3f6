"""A small cohort's whole program year on the time-skipping server."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.testing import WorkflowEnvironment

from domain.cohort import CohortSummary
from domain.cycle import Stage
from domain.problems import Refused
from domain.training import Attendance
from tests.conftest import program_starting
from tests.roster_fixtures import ANN, ANN_TIA, BOB, BOB_TED, COORDINATOR, TIA, small_roster


async def test_whole_program_year(time_env: WorkflowEnvironment, harness) -> None:  # type: ignore[no-untyped-def]
    h = harness(time_env.client)
    start = await time_env.get_current_time()
    program = program_starting((start + timedelta(days=10)).date())
    coaching = h.coaching()

    async with h.worker():
        cohort = await coaching.launch_cohort("year", program, small_roster(), COORDINATOR)

        # sessions 1-4: both attend
        await time_env.sleep(program.session_start(4) - await time_env.get_current_time() + timedelta(hours=1))
        for n in (1, 2, 3, 4):
            await coaching.record_attendance("year", COORDINATOR, n, {ANN: Attendance.attended, BOB: Attendance.attended})
        with pytest.raises(Refused, match="not unlocked"):
            await coaching.move("year", ANN_TIA, ANN, Stage.initiate)

        # session 5: Ann attends and may coach; Bob is absent until he makes it up
        await time_env.sleep(program.session_start(5) - await time_env.get_current_time() + timedelta(hours=1))
        await coaching.record_attendance("year", COORDINATOR, 5, {ANN: Attendance.attended, BOB: Attendance.absent})
        await time_env.sleep(timedelta(minutes=1))
        await coaching.move("year", ANN_TIA, ANN, Stage.initiate, "Brainstormed the research unit")
        with pytest.raises(Refused, match="not unlocked"):
            await coaching.move("year", BOB_TED, BOB, Stage.initiate)
        await coaching.record_attendance("year", COORDINATOR, 5, {BOB: Attendance.made_up})
        await time_env.sleep(timedelta(minutes=1))
        await coaching.move("year", BOB_TED, BOB, Stage.initiate)

        for stage in (Stage.co_plan, Stage.modeling, Stage.observe, Stage.reflect, Stage.closed):
            await coaching.move("year", ANN_TIA, ANN, stage)
            await coaching.move("year", BOB_TED, BOB, stage)

        for n in (6, 7, 8):
            await time_env.sleep(program.session_start(n) - await time_env.get_current_time() + timedelta(hours=1))
            await coaching.record_attendance("year", COORDINATOR, n, {ANN: Attendance.attended, BOB: Attendance.excused})

        summary: CohortSummary = await cohort.result()

    assert summary.coaches == 2
    assert summary.training == {"completed": 2}
    assert summary.coaching_unlocked == 2
    assert summary.attendance[5] == {"attended": 1, "made_up": 1}
    assert summary.attendance[8] == {"attended": 1, "excused": 1}
    assert summary.partnerships_by_stage == {"closed": 2}
    assert summary.cycles_completed == 2

    # reminders went out 7 days and 1 day before every session, at Temporal's (simulated) time
    reminders = h.outbox.entries(recipient=ANN, kind="session_reminder")
    assert len(reminders) == 16
    for entry in reminders:
        session = int(entry.key.split("session-")[1].split(":")[0])
        days_before = int(entry.key.rsplit(":", 1)[1].rstrip("d"))
        expected = program.session_start(session) - timedelta(days=days_before)
        assert abs(entry.created_at - expected) < timedelta(minutes=1), entry.key
        assert entry.invite is not None and "BEGIN:VEVENT" in entry.invite
    assert [e.recipient for e in h.outbox.entries(kind="coaching_unlocked")] == [ANN, BOB]
    make_ups = {(e.key.rsplit(":", 1)[1], e.recipient) for e in h.outbox.entries(kind="make_up")}
    assert make_ups == {(f"session-{n}", who) for n in (5, 6, 7, 8) for who in (BOB, COORDINATOR)}
    assert {e.recipient for e in h.outbox.entries(kind="stage_moved")} == {TIA, "ted@hazel.test"}
    assert len(h.outbox.entries(kind="training_finished")) == 2

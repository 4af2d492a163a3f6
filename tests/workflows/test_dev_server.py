"""On the dev server: refused Updates write nothing; visibility finds stalled partnerships."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.testing import WorkflowEnvironment

from domain.cycle import Stage
from domain.problems import Refused
from domain.training import Attendance
from peercoach.client import CoachingClient
from tests.conftest import program_starting
from tests.roster_fixtures import ANN, ANN_TIA, BOB, BOB_TED, COORDINATOR, PRINCIPAL, TIA, small_roster

UPDATE_EVENTS = {EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED}


async def _history(coaching: CoachingClient, cohort: str, pid: str) -> list[int]:
    history = await coaching.partnership(cohort, pid).fetch_history()
    return [e.event_type for e in history.events]


async def _quiet_history(coaching: CoachingClient, cohort: str, pid: str) -> list[int]:
    """The history once nothing in flight adds to it (the read model's write completes after the unlock is visible)."""
    seen = await _history(coaching, cohort, pid)
    while True:
        await asyncio.sleep(0.5)
        now = await _history(coaching, cohort, pid)
        if now == seen:
            return now
        seen = now


async def _until_found(check) -> None:  # type: ignore[no-untyped-def]
    """Visibility is eventually consistent: poll the real thing for a few seconds."""
    deadline = datetime.now(UTC) + timedelta(seconds=15)
    while not await check():
        assert datetime.now(UTC) < deadline, "visibility never showed it"
        await asyncio.sleep(0.2)


async def test_refused_updates_leave_no_history(dev_env: WorkflowEnvironment, harness) -> None:  # type: ignore[no-untyped-def]
    h = harness(dev_env.client)
    cohort = f"refused-{uuid.uuid4().hex[:6]}"
    program = program_starting((datetime.now(UTC) - timedelta(days=200)).date())
    coaching = h.coaching()
    async with h.worker():
        await coaching.launch_cohort(cohort, program, small_roster(), COORDINATOR)
        await coaching.wait_until_launched(cohort)
        await coaching.record_attendance(cohort, COORDINATOR, 5, {ANN: Attendance.attended})
        await _until_found(lambda: _unlocked(coaching, cohort))
        before = await _quiet_history(coaching, cohort, ANN_TIA)

        refusals = [
            (TIA, Stage.initiate, "only the partnership's coach"),  # a partner may not move it
            (ANN, Stage.observe, "cannot move to observe"),  # skipping stages
            (PRINCIPAL, Stage.withdrawn, "only a coordinator"),
        ]
        for actor, stage, reason in refusals:
            with pytest.raises(Refused, match=reason) as refused:
                await coaching.move(cohort, ANN_TIA, actor, stage)
            if actor == ANN:
                assert refused.value.allowed == ["initiate"]
        with pytest.raises(Refused, match="not unlocked"):
            await coaching.move(cohort, BOB_TED, BOB, Stage.initiate)
        with pytest.raises(Refused, match="at most 4000 characters"):
            await coaching.add_note(cohort, ANN_TIA, TIA, "x" * 4001)
        with pytest.raises(Refused, match="only the coach and the collaborating teachers"):
            await coaching.add_note(cohort, ANN_TIA, PRINCIPAL, "Looks good")

        after = await _history(coaching, cohort, ANN_TIA)
        assert after == before, "a refused Update wrote to history"
        assert not UPDATE_EVENTS & set(after)

        await coaching.move(cohort, ANN_TIA, ANN, Stage.initiate, "We met")
        accepted = await _history(coaching, cohort, ANN_TIA)
        assert EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED in accepted


async def _unlocked(coaching: CoachingClient, cohort: str) -> bool:
    """Unlocked, and published: the read model's write is the last thing the unlock adds to the history."""
    record = await coaching.partnership_record(cohort, ANN_TIA)
    [row] = (await coaching.find_partnerships(cohort=cohort, coach=ANN)).rows
    return record.coaching_unlocked and row.stage == record.stage and row.stage_since == record.stage_since


async def test_visibility_finds_stalled_partnerships(dev_env: WorkflowEnvironment, harness) -> None:  # type: ignore[no-untyped-def]
    h = harness(dev_env.client)
    cohort = f"stalled-{uuid.uuid4().hex[:6]}"
    seconds = 2 / 86400
    program = program_starting(
        (datetime.now(UTC) - timedelta(days=200)).date(),
        stall_days={Stage.initiate: seconds, Stage.observe: seconds, Stage.co_plan: 30, Stage.modeling: 30, Stage.pending: 30},
        follow_ups_at=None,
    )
    coaching = h.coaching()
    async with h.worker():
        await coaching.launch_cohort(cohort, program, small_roster(), COORDINATOR)
        await coaching.wait_until_launched(cohort)
        await coaching.record_attendance(cohort, COORDINATOR, 5, {ANN: Attendance.attended, BOB: Attendance.attended})
        await _until_found(lambda: _unlocked(coaching, cohort))
        await _until_found(lambda: _bob_unlocked(coaching, cohort))
        # Ann's partnership stalls in observe; Bob's keeps moving through co-plan
        for stage in (Stage.initiate, Stage.co_plan, Stage.modeling, Stage.observe):
            await coaching.move(cohort, ANN_TIA, ANN, stage)
        await coaching.move(cohort, BOB_TED, BOB, Stage.initiate)
        await coaching.move(cohort, BOB_TED, BOB, Stage.co_plan)

        async def stalled_in_observe() -> bool:
            found = await coaching.find_partnerships(cohort=cohort, school="hazel", stage=Stage.observe, stalled=True)
            return [p.id for p in found.rows] == [ANN_TIA]

        await _until_found(stalled_in_observe)
        assert (await coaching.find_partnerships(cohort=cohort, stage=Stage.co_plan, stalled=True)).total == 0
        by_coach = await coaching.find_partnerships(cohort=cohort, coach=BOB)
        assert [(p.id, p.stage, p.stalled) for p in by_coach.rows] == [(BOB_TED, Stage.co_plan, False)]
        first_page = await coaching.find_partnerships(cohort=cohort, limit=1)
        second_page = await coaching.find_partnerships(cohort=cohort, limit=1, offset=1)
        assert (first_page.total, [p.id for p in first_page.rows + second_page.rows]) == (2, [ANN_TIA, BOB_TED])
        summary = await coaching.cohort_summary(cohort)
        assert [s.id for s in summary.stalled] == [ANN_TIA]


async def _bob_unlocked(coaching: CoachingClient, cohort: str) -> bool:
    return (await coaching.partnership_record(cohort, BOB_TED)).coaching_unlocked

"""Histories recorded from real runs replay under the current code."""

from __future__ import annotations

from datetime import timedelta

from temporalio.testing import WorkflowEnvironment

from bench.histories import every_run
from domain.cohort import Withdrawal
from domain.cycle import Stage
from domain.training import Attendance
from tests.conftest import TEST_CONVERTER, eventually, program_starting, school_day_after
from tests.roster_fixtures import ANN, ANN_TIA, BOB, BOB_TED, COORDINATOR, PRINCIPAL, TIA, small_roster
from workers.worker import create_replayer
from workflows import ids


async def test_recorded_histories_replay(time_env: WorkflowEnvironment, harness) -> None:  # type: ignore[no-untyped-def]
    h = harness(time_env.client)
    now = await time_env.get_current_time()
    program = program_starting((now - timedelta(days=200)).date())
    coaching = h.coaching()
    cohort = "replay"
    async with h.worker():
        await coaching.launch_cohort(cohort, program, small_roster(), COORDINATOR)
        await coaching.wait_until_launched(cohort)  # its workflows are started by an activity, a moment later
        await coaching.record_attendance(cohort, COORDINATOR, 5, {ANN: Attendance.attended, BOB: Attendance.absent})
        await coaching.record_attendance(cohort, COORDINATOR, 5, {BOB: Attendance.made_up})
        await time_env.sleep(timedelta(minutes=1))
        for stage in (Stage.initiate, Stage.co_plan, Stage.modeling, Stage.observe, Stage.reflect, Stage.initiate, Stage.co_plan):
            await coaching.move(cohort, ANN_TIA, ANN, stage, f"moving to {stage.label}")
        await coaching.add_note(cohort, ANN_TIA, TIA, "The students loved it", "https://example.org/artifact")
        await coaching.move(cohort, BOB_TED, BOB, Stage.initiate)
        day = school_day_after(program, (now + timedelta(days=5)).date())
        request = await coaching.request_release(cohort, "hazel", TIA, 1, day, "Co-plan", ANN_TIA)
        await coaching.decide_release(request.id, PRINCIPAL, approve=True)
        await coaching.request_release(cohort, "hazel", ANN, 0.5, day, "Observe")
        await time_env.sleep(timedelta(days=30))  # a stall, a reminder, an expiry, a used day
        await eventually(lambda: h.sent("release_expired"))
        await coaching.withdraw_participant(cohort, Withdrawal(actor=COORDINATOR, email=BOB))
        await time_env.sleep(timedelta(minutes=1))
        assert (await coaching.partnership_record(cohort, BOB_TED)).stage == Stage.withdrawn

        workflow_ids = [
            ids.cohort_id(cohort),
            ids.training_id(cohort, ANN),
            ids.training_id(cohort, BOB),
            ids.partnership_id(cohort, ANN_TIA),
            ids.partnership_id(cohort, BOB_TED),
            ids.ledger_id(cohort, "hazel"),
        ]
        histories = [run for wid in workflow_ids for run in await every_run(time_env.client, wid)]

    assert len(histories) == 7  # Ann's partnership continued as new at its second cycle
    replayer = create_replayer(TEST_CONVERTER)
    for history in histories:
        result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
        assert result.replay_failure is None, f"{history.workflow_id}: {result.replay_failure}"

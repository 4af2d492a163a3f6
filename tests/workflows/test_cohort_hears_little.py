"""The cohort hears only what its rules need; trainings tell their partnerships of the unlock.

One workflow told of every move of every partnership would carry the whole
cohort's work in its history, and a state-sized cohort would outgrow it. So moves
and attendance go to the read model, and the cohort's history grows only with
partnerships' ends and coordinators' work.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio.testing import WorkflowEnvironment

from domain.cohort import NewPartnership
from domain.cycle import CYCLE_STAGES, Stage
from domain.training import Attendance
from tests.conftest import program_starting
from tests.roster_fixtures import ANN, ANN_TIA, COORDINATOR, TED, TIA, small_roster
from workflows import ids

COHORT = "quiet"


async def _cohort_events(env: WorkflowEnvironment) -> int:
    return len((await env.client.get_workflow_handle(ids.cohort_id(COHORT)).fetch_history()).events)


async def test_partnerships_are_unlocked_by_their_coachs_training(time_env: WorkflowEnvironment, harness) -> None:  # type: ignore[no-untyped-def]
    h = harness(time_env.client)
    coaching = h.coaching()
    program = program_starting((await time_env.get_current_time() - timedelta(days=200)).date())
    async with h.worker():
        await coaching.launch_cohort(COHORT, program, small_roster(), COORDINATOR)
        await coaching.wait_until_launched(COHORT)
        # a coordinator pairs Ann with Ted too, before Ann's coaching is unlocked
        await coaching.start_partnership(COHORT, NewPartnership(actor=COORDINATOR, coach=ANN, partners=[TED], focus="Reading"))
        await time_env.sleep(timedelta(seconds=30))
        assert not (await coaching.partnership_record(COHORT, "ann--ted")).coaching_unlocked

        await coaching.record_attendance(COHORT, COORDINATOR, 5, {ANN: Attendance.attended})
        await time_env.sleep(timedelta(seconds=30))
        assert (await coaching.partnership_record(COHORT, ANN_TIA)).coaching_unlocked  # from the roster
        assert (await coaching.partnership_record(COHORT, "ann--ted")).coaching_unlocked  # started later
        assert not (await coaching.partnership_record(COHORT, "bob--ted")).coaching_unlocked

        # once unlocked, a partnership Ann starts herself may begin at once
        started = await coaching.start_partnership(COHORT, NewPartnership(actor=ANN, coach=ANN, partners=[TIA], focus="Writing"))
        await time_env.sleep(timedelta(seconds=30))
        assert (await coaching.move(COHORT, started.id, ANN, Stage.initiate)).stage == Stage.initiate

        # a whole cycle of moves adds nothing to the cohort's history, and the summary still sees it
        before = await _cohort_events(time_env)
        for stage in CYCLE_STAGES:
            await coaching.move(COHORT, ANN_TIA, ANN, stage)
        await time_env.sleep(timedelta(seconds=30))
        assert await _cohort_events(time_env) == before
        summary = await coaching.cohort_summary(COHORT, await time_env.get_current_time())
        assert summary.partnerships_by_stage == {"waiting": 2, "initiate": 1, "reflect": 1}
        assert summary.attendance[5] == {"attended": 1}

        # nor does its end: the year's summary waits for the read model to show every partnership ended
        before = await _cohort_events(time_env)
        await coaching.move(COHORT, ANN_TIA, ANN, Stage.closed)
        await time_env.sleep(timedelta(seconds=30))
        assert await _cohort_events(time_env) == before

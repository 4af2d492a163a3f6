"""The requester is warned before an undecided release request expires, and the ledger's history replays."""

from __future__ import annotations

from datetime import timedelta

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory
from temporalio.testing import WorkflowEnvironment

from domain.notices import Notice
from domain.release import decision_deadlines
from tests.conftest import TEST_CONVERTER, eventually, program_starting, school_day_after
from tests.roster_fixtures import COORDINATOR, PRINCIPAL, TIA, small_roster
from workers.worker import create_replayer
from workflows import ids


async def notices_sent(history: WorkflowHistory) -> list[Notice]:
    """The notices a ledger run asked for, decrypted with the tests' key."""
    found = []
    for event in history.events:
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            attributes = event.activity_task_scheduled_event_attributes
            if attributes.activity_type.name == "send_notice":
                [notice] = await TEST_CONVERTER.decode(attributes.input.payloads, [Notice])
                found.append(notice)
    return found


async def test_a_new_ledger_warns_the_requester_of_the_expiry_date(time_env: WorkflowEnvironment, harness) -> None:  # type: ignore[no-untyped-def]
    h = harness(time_env.client)
    now = await time_env.get_current_time()
    program = program_starting((now - timedelta(days=200)).date())
    coaching = h.coaching()
    cohort = "expiry-warning"
    async with h.worker():
        await coaching.launch_cohort(cohort, program, small_roster(), COORDINATOR)
        await coaching.wait_until_launched(cohort)
        day = school_day_after(program, (now + timedelta(days=20)).date())
        request = await coaching.request_release(cohort, "hazel", TIA, 1, day, "Co-teach the unit")
        await time_env.sleep(timedelta(days=program.release_reminder_days + 1))
        await eventually(lambda: h.sent("release_expiring"))

        [warning] = h.outbox.entries(kind="release_expiring")
        history = await coaching.ledger(cohort, "hazel").fetch_history()

    expires_on = program.local_date(decision_deadlines(request, program)[1])
    assert warning.recipient == TIA
    assert f"expires on {expires_on.strftime('%A %B %-d, %Y')}" in warning.body
    assert PRINCIPAL in warning.body
    assert [r.recipient for r in h.outbox.entries(kind="release_reminder")] == [PRINCIPAL]
    assert history.workflow_id == ids.ledger_id(cohort, "hazel")
    result = await create_replayer(TEST_CONVERTER).replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None, result.replay_failure

"""The requester is warned before an undecided release request expires, without breaking running ledgers.

The warning was added to `ReleaseLedgerWorkflow` behind `workflow.patched`: the
committed ledger history (recorded before the change) reminded its principal but
warned nobody, and it still replays under the new code, so the patched branch
is skipped there; a new run records the patch marker, warns the requester of the
day the request lapses, and its own history replays too.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory
from temporalio.testing import WorkflowEnvironment

from domain.notices import Notice, NoticeKind
from domain.release import decision_deadlines
from peercoach.client import CoachingClient
from tests.conftest import TEST_CONVERTER, eventually, program_starting
from tests.roster_fixtures import COORDINATOR, PRINCIPAL, TIA, small_roster
from workers.worker import create_replayer
from workflows import ids
from workflows.release_ledger import EXPIRY_WARNING

COMMITTED = Path(__file__).parents[1] / "histories" / "before-summary-memos" / "release-ledger.json"


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


def patch_markers(history: WorkflowHistory) -> list[str]:
    return [str(e.marker_recorded_event_attributes.details) for e in history.events if e.event_type == EventType.EVENT_TYPE_MARKER_RECORDED]


async def test_a_ledger_that_reminded_before_the_change_replays_without_the_warning() -> None:
    old = WorkflowHistory.from_json("release-ledger", COMMITTED.read_text(encoding="utf-8"))
    kinds = [n.kind for n in await notices_sent(old)]
    assert NoticeKind.release_reminder in kinds  # it went through the moment where the warning now goes out
    assert NoticeKind.release_expiring not in kinds
    assert patch_markers(old) == []

    result = await create_replayer(TEST_CONVERTER).replay_workflow(old, raise_on_replay_failure=False)

    assert result.replay_failure is None, result.replay_failure


async def test_a_new_ledger_warns_the_requester_of_the_expiry_date(time_env: WorkflowEnvironment, harness) -> None:  # type: ignore[no-untyped-def]
    h = harness(time_env.client)
    now = await time_env.get_current_time()
    program = program_starting((now - timedelta(days=200)).date())
    coaching = CoachingClient(time_env.client, h.task_queue)
    cohort = "expiry-warning"
    async with h.worker():
        await coaching.launch_cohort(cohort, program, small_roster(), COORDINATOR)
        await coaching.wait_until_launched(cohort)
        request = await coaching.request_release(cohort, "hazel", TIA, 1, (now + timedelta(days=20)).date(), "Co-teach the unit")
        await time_env.sleep(timedelta(days=program.release_reminder_days + 1))
        await eventually(lambda: h.sent("release_expiring"))

        [warning] = h.outbox.entries(kind="release_expiring")
        history = await coaching.ledger(cohort, "hazel").fetch_history()

    expires_on = program.local_date(decision_deadlines(request, program)[1])
    assert warning.recipient == TIA
    assert f"expires on {expires_on.strftime('%A %B %-d, %Y')}" in warning.body
    assert PRINCIPAL in warning.body
    assert [r.recipient for r in h.outbox.entries(kind="release_reminder")] == [PRINCIPAL]
    assert any(EXPIRY_WARNING in m for m in patch_markers(history))
    assert history.workflow_id == ids.ledger_id(cohort, "hazel")
    result = await create_replayer(TEST_CONVERTER).replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None, result.replay_failure

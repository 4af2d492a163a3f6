"""The daily digests on the dev server, started by a real Temporal Schedule: one message a person and day,
however often the schedule fires that day, and after the worker restarts. Mail goes to a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from temporalio.client import Client, ScheduleHandle, ScheduleOverlapPolicy
from temporalio.testing import WorkflowEnvironment

from activities.notifications import NoticeActivities
from domain import notices
from domain.notices import NoticeKind
from domain.preferences import Frequency, digest_day
from store import preferences, rosters
from tests.activities.conftest import SmtpServer, free_port
from tests.conftest import TEST_CONVERTER, Harness, program_starting
from tests.roster_fixtures import ANN, COORDINATOR, TIA, small_roster
from workers.worker import create_replayer, ensure_digest_schedule
from workflows.digest import day_id, schedule_id

DIGEST = "Your Peer Coaching digest"
MOVED: dict[str, str | int | float | None] = {"coach": ANN, "focus": "Research projects", "source": "waiting", "target": "initiate"}
MOVED |= {"cycle": 1, "note": None}


async def _runs(handle: ScheduleHandle, client: Client, count: int) -> list[int]:
    """The results of the schedule's first `count` runs (each started by a trigger), once they are done."""
    for _ in range(300):
        actions = (await handle.describe()).info.recent_actions
        if len(actions) >= count:
            break
        await asyncio.sleep(0.1)
    ids = [a.action.workflow_id for a in actions[:count]]  # type: ignore[attr-defined]
    return [await asyncio.wait_for(client.get_workflow_handle(i).result(), 60) for i in ids]  # a failing run fails the test


async def test_one_digest_a_person_and_day_however_often_the_schedule_fires(
    dev_env: WorkflowEnvironment, harness: Callable[[Client], Harness]
) -> None:
    h = harness(dev_env.client)
    smtp = SmtpServer(free_port())
    h.settings = h.settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": smtp.port})
    cohort = f"digest-{uuid.uuid4().hex[:6]}"
    program = program_starting((datetime.now(UTC) - timedelta(days=200)).date())
    now = datetime.now(UTC)
    rosters.record_launch(h.database, cohort, program, small_roster(), COORDINATOR, now)
    preferences.choose(h.database, TIA, NoticeKind.stage_moved, Frequency.digest, now)  # Tia chose the digest for stage moves
    holding = NoticeActivities(h.outbox)
    for session in (1, 2, 3):  # a coordinator's default: attendance due waits for the digest
        await holding.deliver(notices.attendance_due(cohort, [COORDINATOR], ANN, program, session), now - timedelta(minutes=1))
    moved = notices.Notice(key=f"moved:{cohort}:ann--tia:1", kind=NoticeKind.stage_moved, to=[TIA], context=MOVED)
    await holding.deliver(moved, now - timedelta(minutes=1))
    assert {e.status for e in h.outbox.entries()} == {"held for digest"}

    smtp.start()
    handle = dev_env.client.get_schedule_handle(schedule_id(h.task_queue))
    try:
        async with h.worker():
            await ensure_digest_schedule(dev_env.client, h.settings)
            await ensure_digest_schedule(dev_env.client, h.settings)  # a second worker starting finds it there
            await handle.trigger(overlap=ScheduleOverlapPolicy.ALLOW_ALL)
            assert await _runs(handle, dev_env.client, 1) == [2]  # both people's digests
            await handle.trigger(overlap=ScheduleOverlapPolicy.ALLOW_ALL)  # fired again the same day
            assert (await _runs(handle, dev_env.client, 2))[1] == 0

        async with h.worker():  # the worker restarted
            await handle.trigger(overlap=ScheduleOverlapPolicy.ALLOW_ALL)
            assert (await _runs(handle, dev_env.client, 3))[2] == 0

        received = Counter(
            e.rcpt_tos[0] for e, m in zip(smtp.inbox.envelopes, smtp.inbox.messages(), strict=True) if DIGEST in m["Subject"]
        )
        assert received == {COORDINATOR: 1, TIA: 1}
        digests = h.outbox.entries(kind="digest")
        assert {(d.recipient, d.status) for d in digests} == {(COORDINATOR, "sent"), (TIA, "sent")}
        assert all(
            d.key == f"digest:{d.recipient}:{d.created_at.astimezone(ZoneInfo(h.settings.digest_timezone)).date().isoformat()}"
            for d in digests
        )
        assert {e.status for e in h.outbox.entries() if e.kind != "digest"} == {"sent in digest"}
        [coordinators] = smtp.inbox.to(COORDINATOR)
        # the runs replay under the worker's sandbox and converter: the workflow is deterministic
        scheduled = [a.action.workflow_id for a in (await handle.describe()).info.recent_actions]  # type: ignore[attr-defined]
        day = digest_day(digests[0].created_at, h.settings.digest_timezone)
        for workflow_id in [*scheduled, day_id(schedule_id(h.task_queue), day)]:
            history = await dev_env.client.get_workflow_handle(workflow_id).fetch_history()
            replayed = await create_replayer(TEST_CONVERTER).replay_workflow(history, raise_on_replay_failure=False)
            assert replayed.replay_failure is None, f"{workflow_id}: {replayed.replay_failure}"
        assert "Attendance to record (3)" in str(coordinators.get_body(("plain",)).get_content())  # type: ignore[union-attr]
    finally:
        await handle.delete()
        smtp.stop()

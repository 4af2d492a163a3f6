"""The mail server is down for a while, then refuses for a while: notices are retried with backoff and each arrives once.

The whole path runs: a coach's move and a teacher's release request (Updates on
the dev server) make the workflows dispatch notices; send_notice fails against
a real SMTP server (aiosmtpd) that is stopped, Temporal retries it at 2 s, 4 s,
8 s... (workflows/dispatch.py); the server comes back on the same port but answers
one recipient "451 try again later", a temporary refusal that is retried too; then it
takes that recipient and every notice is delivered exactly once.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from pathlib import Path

from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from domain.cycle import Stage
from domain.training import Attendance
from peercoach.client import CoachingClient
from store.database import Database
from store.outbox import Outbox
from tests.activities.conftest import SmtpServer, free_port
from tests.conftest import eventually, school_day_after
from tests.durability.play import program_under_way
from tests.roster_fixtures import ANN, ANN_TIA, BOB, BOB_TED, COORDINATOR, PRINCIPAL, TED, TIA, small_roster
from workers.settings import Settings
from workers.worker import create_worker

# Sent before the outage: launched (Cora), unlocked (Ann, Bob), and the self-assessment before coaching that opens for each
# of Ann, Bob, Tia and Ted at the launch (the program is under way: its round opened before the cohort was launched).
AT_LAUNCH = 7


async def test_notices_wait_out_an_smtp_outage_and_arrive_once(dev_env: WorkflowEnvironment, database: Database, tmp_path: Path) -> None:
    smtp = SmtpServer(free_port())
    smtp.start()
    task_queue = f"smtp-{uuid.uuid4().hex[:8]}"
    settings = Settings(data_dir=tmp_path, task_queue=task_queue, smtp_host="127.0.0.1", smtp_port=smtp.port, _env_file=None)  # type: ignore[call-arg]
    outbox = Outbox(database)
    coaching = CoachingClient(dev_env.client, task_queue, database)
    cohort = task_queue
    try:
        async with create_worker(dev_env.client, settings, database=database):
            await coaching.launch_cohort(cohort, program_under_way(), small_roster(), COORDINATOR)
            await coaching.wait_until_launched(cohort)
            await coaching.record_attendance(cohort, COORDINATOR, 1, {ANN: Attendance.attended, BOB: Attendance.attended})
            await eventually(lambda: len(smtp.inbox.envelopes) == AT_LAUNCH)

            smtp.stop()
            moved = await coaching.move(cohort, ANN_TIA, ANN, Stage.initiate, "Brainstormed the unit")
            await coaching.move(cohort, BOB_TED, BOB, Stage.initiate)
            day = school_day_after(program_under_way(), program_under_way().local_date(moved.move.at) + timedelta(days=10))
            asked = await coaching.request_release(cohort, "hazel", TIA, 1, day, "Co-teach the unit", ANN_TIA)

            # Temporal retries with a growing interval; nothing is lost and nothing is marked sent
            partnership = coaching.partnership(cohort, ANN_TIA)
            intervals = await _retry_intervals_until(partnership, attempt=3)
            assert intervals == {2: 2, 3: 4}  # seconds: 2 s, then doubled
            waiting = {(e.kind, e.recipient): (e.status, e.attempts) for e in outbox.entries() if e.status != "sent"}
            assert waiting.keys() == {("stage_moved", TIA), ("stage_moved", TED), ("release_requested", PRINCIPAL)}
            assert {status for status, _ in waiting.values()} == {"pending"}
            assert waiting[("stage_moved", TIA)][1] == 2  # the outbox counts the two tries so far
            assert len(smtp.inbox.envelopes) == AT_LAUNCH

            smtp.inbox.refuse[TED] = "451 4.3.0 try again later"
            smtp.start()  # back on the same port: the next retry delivers, but Ted's only once the 4xx is over
            await eventually(lambda: len(smtp.inbox.envelopes) == AT_LAUNCH + 2 and TED in smtp.inbox.asked, seconds=30)
            # The outbox marks a message sent a moment after the server took it: only Ted's is still to go.
            await eventually(
                lambda: (
                    {(e.kind, e.recipient): e.status for e in outbox.entries() if e.status != "sent"} == {("stage_moved", TED): "pending"}
                )
            )
            assert TED not in {tos[0] for tos in (e.rcpt_tos for e in smtp.inbox.envelopes[AT_LAUNCH:])}
            del smtp.inbox.refuse[TED]
            await eventually(lambda: len(smtp.inbox.envelopes) == AT_LAUNCH + 3, seconds=60)
            await eventually(lambda: {e.status for e in outbox.entries()} == {"sent"})
            assert await _no_pending_activities(partnership)

        after_launch = zip(smtp.inbox.envelopes[AT_LAUNCH:], smtp.inbox.messages()[AT_LAUNCH:], strict=True)
        received = sorted((e.rcpt_tos, m["Subject"].lstrip()) for e, m in after_launch)
        assert received == sorted(
            [
                ([TIA], "Your coaching partnership moved to initiate"),
                ([TED], "Your coaching partnership moved to initiate"),
                ([PRINCIPAL], f"Release time request from {TIA}: 1 day on {day:%A %B %-d, %Y}"),
            ]
        )
        assert {(e.key, e.status, e.via) for e in outbox.entries(kind="release_requested")} == {
            (f"release-requested:{asked.id}", "sent", "smtp")
        }
    finally:
        smtp.stop()


async def _retry_intervals_until(handle: WorkflowHandle, attempt: int) -> dict[int, int]:  # type: ignore[type-arg]
    """The retry interval (whole seconds) Temporal reports for the pending notice, by attempt, until `attempt` is next."""
    seen: dict[int, int] = {}
    for _ in range(300):
        pending = (await handle.describe()).raw_description.pending_activities
        if pending:
            info = pending[0]
            if info.attempt > 1:
                assert info.last_failure.application_failure_info.type == "ConnectionRefusedError"  # the message itself is encrypted
                seen[info.attempt] = max(seen.get(info.attempt, 0), round(info.current_retry_interval.ToTimedelta().total_seconds()))
            if seen.get(attempt):
                return seen
        await asyncio.sleep(0.1)
    raise AssertionError(f"the notice was not retried {attempt} times in 30 s: {seen}")


async def _no_pending_activities(handle: WorkflowHandle) -> bool:  # type: ignore[type-arg]
    return not (await handle.describe()).raw_description.pending_activities

"""A worker killed (SIGKILL) while the mail server is slow: every notice arrives, and a copy is the same message.

Two worker processes (`python -m workers`) share a task queue, one PostgreSQL and a
real SMTP server (aiosmtpd) that takes half a second over each message. A cohort of
50 coaches is launched months into its year, so each coach's training asks the
coordinator for the attendance of five sessions already over: 250 notices, and the
cohort's launch notice, go out at once. Once a third have arrived one worker dies
without warning; its claimed messages wait out send_notice's heartbeat timeout
(workflows/dispatch.py) and the other worker sends them.

Afterwards every notice is in the outbox once, marked sent, and arrived; a message
that arrived twice (the server took it, the mark did not follow) carries the same
Message-ID both times, the one its key and recipient make, so a receiving system
keeps one. The test takes about a minute.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from activities.messages import message_id
from domain.notices import NoticeKind
from domain.preferences import Frequency
from peercoach.client import CoachingClient
from store import preferences
from store.outbox import Outbox
from tests.activities.conftest import SmtpServer, free_port
from tests.conftest import eventually, program_starting
from tests.databases import postgres_database
from tests.durability.processes import WorkerProcess
from tests.durability.test_worker_killed import _taken_again
from tests.roster_fixtures import COORDINATOR, many_coaches

COACHES = 50
SESSIONS_OVER = 5  # begun 160 days ago: session 5 is two weeks over (its attendance due on any weekday), 6 two weeks ahead
SENDER = "coaching@esd112.test"


async def test_a_worker_killed_during_slow_smtp_sends_every_notice_as_one_message(dev_env: WorkflowEnvironment, tmp_path: Path) -> None:
    task_queue = f"slow-smtp-{uuid.uuid4().hex[:8]}"
    address = dev_env.client.service_client.config.target_host
    smtp = SmtpServer(free_port())
    smtp.inbox.seconds_a_message = 0.5
    # Attendance due, the launch, and each coach's and teacher's self-assessment before coaching, which opens at the
    # launch (coaching began with session 5, days ago).
    expected = COACHES * SESSIONS_OVER + 1 + 2 * COACHES
    with postgres_database() as database:
        env = {
            "PEERCOACH_DATABASE_URL": database.url,
            "PEERCOACH_SMTP_HOST": "127.0.0.1",
            "PEERCOACH_SMTP_PORT": str(smtp.port),
            "PEERCOACH_MAIL_FROM": SENDER,
        }
        workers = [WorkerProcess(address, task_queue, _data_dir(tmp_path / f"worker-{n}"), **env) for n in range(2)]
        coaching = CoachingClient(dev_env.client, task_queue, database)
        cohort = task_queue
        try:
            smtp.start()
            await asyncio.gather(*(w.start() for w in workers))
            program = program_starting(datetime.now(UTC).date() - timedelta(days=160))
            # A coordinator's attendance-due notices wait for the daily digest unless they ask for them at once, as here.
            preferences.choose(database, COORDINATOR, NoticeKind.attendance_due, Frequency.immediate, datetime.now(UTC))
            await coaching.launch_cohort(cohort, program, many_coaches(COACHES), COORDINATOR)
            await eventually(lambda: len(smtp.inbox.envelopes) >= expected // 3, seconds=60)
            workers[0].kill()  # the other carries on alone
            received_at_kill = len(smtp.inbox.envelopes)
            assert received_at_kill < expected, "every notice had arrived before the worker was killed"

            def all_sent() -> bool:
                rows = Outbox(database).entries()
                return len(rows) == expected and {r.status for r in rows} == {"sent"}

            await eventually(all_sent, seconds=90)

            rows = Outbox(database).entries()
            ids: defaultdict[tuple[str, str], set[str]] = defaultdict(set)  # (recipient, subject + text) -> Message-IDs received
            for envelope, message in zip(smtp.inbox.envelopes, smtp.inbox.messages(), strict=True):
                text = message.get_body(("plain",))
                assert text is not None
                ids[(envelope.rcpt_tos[0], f"{message['Subject']}\n{_text(text.get_content())}")].add(message["Message-ID"])
            made = {(r.recipient, f"{r.subject}\n{_text(r.body)}"): message_id(r.key, r.recipient, SENDER) for r in rows}
            copies = len(smtp.inbox.envelopes) - len(rows)
            again = await _taken_again(dev_env.client, task_queue)
            print(f"\n{len(rows)} notices, {len(smtp.inbox.envelopes)} messages ({copies} copies), {received_at_kill} before the kill;")
            print(f"taken again after the kill: {dict(again)}")

            assert len(rows) == expected
            assert ids.keys() == made.keys(), "a notice never arrived, or a message arrived that no notice made"
            assert {k: v for k, v in ids.items() if len(v) > 1} == {}, "copies of one notice with different Message-IDs"
            assert {k: next(iter(v)) for k, v in ids.items()} == made
            assert {r.message_id for r in rows} == set(made.values())
            assert again["send_notice"], "the killed worker had no notice in hand"
        finally:
            for w in workers:
                w.stop()
            smtp.stop()
            await _end(dev_env, cohort)


async def _end(dev_env: WorkflowEnvironment, cohort: str) -> None:
    async for wf in dev_env.client.list_workflows(f"CoachingCohort = '{cohort}' AND ExecutionStatus = 'Running'"):
        await dev_env.client.get_workflow_handle(wf.id, run_id=wf.run_id).terminate(reason="the test is over")


def _data_dir(path: Path) -> Path:
    path.mkdir()
    return path


def _text(body: str) -> str:
    return body.replace("\r\n", "\n").rstrip("\n")

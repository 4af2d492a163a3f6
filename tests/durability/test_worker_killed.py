"""Three workers share one task queue and one PostgreSQL; one is killed (SIGKILL) in the middle of a busy cohort.

As on three machines: three worker processes (`python -m workers`) poll one task
queue of one dev server, with the outbox and the substitute bookings in one
PostgreSQL database and notices going by SMTP to a real mail server (aiosmtpd).
100 partnerships move through a whole cycle and 100 release requests are
decided, 20 people acting at any moment; a third of the way in one worker dies
without warning and is not restarted: the other two carry everything through.
What it had in hand goes to them when its timeouts expire (workflow tasks after
10 s, notices after their 60 s start-to-close timeout), so this test takes about
a minute and a half (two on a busy machine).

Afterwards each partnership's moves were recorded once, each request was decided
once with one booking per approved request, and every notice is in the outbox once,
marked sent, and was received by the mail server (matched by recipient, subject and
the Message-ID the notice's key and recipient make; the outbox keeps no note, so a
stage move's body there is not the message's). The test also checks that the kill hit
work in hand (workflow tasks timed out, activities ran again) and that all three
workers had been sending.

Not every notice arrives exactly once, and the test does not claim it: the outbox
promises at least once. A worker killed after the mail server took a message and
before marking it sent leaves the notice pending, and the retry sends it again
(activities/notifications.py). So the bound is asserted: a second copy only of a
notice the outbox shows claimed twice, never a third, and no more notices claimed
twice than send_notice attempts ran again (an attempt has one recipient at a time
between claim and mark). The kill does land there: in about a third of the runs on
a busy two-core machine one or two of the 1,001 notices arrived twice (after the
server's "250" come smtplib's QUIT and the mark's own transaction); every other
notice arrived once.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import Counter
from pathlib import Path

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from activities.messages import message_id
from store import bookings
from store.outbox import Outbox, OutboxEntry
from tests.activities.conftest import SmtpServer, free_port
from tests.databases import postgres_database
from tests.durability.play import PatientPeople, Play, two_partnerships_each
from tests.durability.processes import WorkerProcess
from workers.settings import Settings

WORKERS = 3
SENDER = Settings.model_fields["mail_from"].default  # the workers are not given PEERCOACH_MAIL_FROM

Mail = tuple[str, str, str]  # recipient, subject, Message-ID


async def test_one_of_three_workers_killed_loses_nothing_and_repeats_only_mail_in_flight(
    dev_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    task_queue = f"killed-{uuid.uuid4().hex[:8]}"
    address = dev_env.client.service_client.config.target_host
    smtp = SmtpServer(free_port())
    with postgres_database() as database:
        env = {"PEERCOACH_DATABASE_URL": database.url, "PEERCOACH_SMTP_HOST": "127.0.0.1", "PEERCOACH_SMTP_PORT": str(smtp.port)}
        workers = [WorkerProcess(address, task_queue, _data_dir(tmp_path / f"worker-{n}"), **env) for n in range(WORKERS)]
        # 100 partnerships in 20 schools: a school's ledger has at most 5 Updates in flight (Temporal takes 10 at once)
        play = Play(PatientPeople(dev_env.client, task_queue, database), task_queue, two_partnerships_each(50, schools=20))
        try:
            smtp.start()
            began = time.monotonic()
            await asyncio.gather(*(w.start() for w in workers))
            await play.launch()
            play.start()
            await play.until_done(1 / 3)
            killed, *survivors = workers
            killed.kill()
            assert play.done < play.total, "the play was over before the worker was killed"
            delivered_before = _delivered(killed)
            killed_at = time.monotonic()
            await asyncio.wait_for(play.finished(), timeout=150)
            carried_through = time.monotonic() - killed_at

            await play.verify(database)  # moves, requests, bookings and the outbox's rows: once each
            booked = [b.request_id for b in bookings.listed(database)]
            assert len(booked) == len(set(booked)) == len(play.roster.partnerships) // 2
            rows = Outbox(database).entries()
            outbox = Counter(_sent(r) for r in rows)
            assert set(outbox.values()) == {1}, "two notices with the same recipient and Message-ID"
            mailbox = Counter(_received(smtp))
            resent = dict(mailbox - outbox)  # copies beyond the one each notice should arrive as
            claimed_again = {(r.key, r.recipient): r.attempts for r in rows if r.attempts > 1}
            lost = await _taken_again(dev_env.client, task_queue)
            sent_by = [delivered_before, *(_delivered(w) for w in survivors)]
            print(  # for the record (pytest -s, or a failure's captured output)
                f"\n{len(rows)} notices, {sum(mailbox.values())} messages received, {len(booked)} bookings;"
                f" killed {killed_at - began:.0f} s in, finished {carried_through:.0f} s after; taken again after the kill: {dict(lost)};"
                f" sent by the killed worker and the two others: {sent_by}; claimed again: {claimed_again}; received twice: {resent}"
            )
            assert lost, "the killed worker had nothing in hand: no workflow task timed out and no activity ran again"
            assert all(sent_by), f"a worker sent nothing ({sent_by}): the three did not share the work"
            assert not outbox - mailbox, f"marked sent but never received: {outbox - mailbox}"
            notice = {_sent(r): (r.key, r.recipient) for r in rows}
            beyond = {mail: n for mail, n in resent.items() if mail not in notice or n > claimed_again.get(notice[mail], 1) - 1}
            assert not beyond, f"received more often than the outbox let it be sent: {beyond}"
            assert max(claimed_again.values(), default=2) == 2, f"a notice claimed more than twice: {claimed_again}"
            assert len(claimed_again) <= lost["send_notice"], "more notices claimed twice than send_notice attempts cut short"
        finally:
            for w in workers:
                w.stop()
            smtp.stop()


async def _taken_again(client: Client, task_queue: str) -> Counter[str]:
    """What the killed worker had in hand, from every workflow's history: workflow tasks that timed out, activities run again."""
    taken: Counter[str] = Counter()
    async for wf in client.list_workflows(f"TaskQueue = '{task_queue}'"):
        scheduled: dict[int, str] = {}
        async for event in client.get_workflow_handle(wf.id, run_id=wf.run_id).fetch_history_events():
            if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT:
                taken["workflow task"] += 1
            elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
                scheduled[event.event_id] = event.activity_task_scheduled_event_attributes.activity_type.name
            elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
                started = event.activity_task_started_event_attributes
                if started.attempt > 1:
                    taken[scheduled[started.scheduled_event_id]] += 1
    return taken


def _data_dir(path: Path) -> Path:
    path.mkdir()
    return path


def _delivered(worker: WorkerProcess) -> int:
    """Messages the worker's log says it sent ("notice delivered", sent=N), over every start."""
    sent = 0
    for log in worker.data_dir.glob("worker-*.log"):
        for line in log.read_text(errors="replace").splitlines():
            if line.startswith("{") and '"notice delivered"' in line:
                sent += json.loads(line)["sent"]
    return sent


def _sent(row: OutboxEntry) -> Mail:
    """A notice as the mailbox should see it: to whom, and the Message-ID its key and recipient make (the outbox keeps
    no note, so its body is not the message's)."""
    return row.recipient, _subject(row.subject), message_id(row.key, row.recipient, SENDER)


def _received(smtp: SmtpServer) -> list[Mail]:
    mail = []
    for envelope, message in zip(smtp.inbox.envelopes, smtp.inbox.messages(), strict=True):
        (recipient,) = envelope.rcpt_tos
        mail.append((recipient.lower(), _subject(str(message["Subject"])), str(message["Message-ID"])))
    return mail


def _subject(subject: str) -> str:
    return " ".join(subject.split())  # a long Subject header is folded on the way

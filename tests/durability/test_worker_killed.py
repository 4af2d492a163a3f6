"""The worker process is killed (SIGKILL) in the middle of a busy cohort; a new one carries everything through.

100 partnerships move through a whole cycle and 100 release requests are
decided, 20 people acting at any moment; a third of the way in the worker dies
without warning.
What it had in hand comes back to the new worker when its timeouts expire:
workflow tasks after 10 s, notices after their 60 s start-to-close timeout,
so this test takes about a minute and a half, once with the outbox and the
bookings on SQLite and once on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from store.database import Database
from tests.durability.play import PatientPeople, Play, two_partnerships_each
from tests.durability.processes import WorkerProcess


async def test_a_killed_worker_loses_nothing_and_repeats_nothing(dev_env: WorkflowEnvironment, database: Database, tmp_path: Path) -> None:
    task_queue = f"killed-{uuid.uuid4().hex[:8]}"
    address = dev_env.client.service_client.config.target_host
    worker = WorkerProcess(address, task_queue, tmp_path, PEERCOACH_DATABASE_URL=database.url)
    # 100 partnerships in 20 schools: a school's ledger has at most 5 Updates in flight (Temporal takes 10 at once)
    play = Play(PatientPeople(dev_env.client, task_queue, database), task_queue, two_partnerships_each(50, schools=20))
    await worker.start()
    try:
        await play.launch()
        play.start()
        await play.until_done(1 / 3)
        worker.kill()
        assert play.done < play.total, "the play was over before the worker was killed"
        await worker.start()
        await asyncio.wait_for(play.finished(), timeout=150)
        await play.verify(database)
    finally:
        worker.stop()

"""The Temporal dev server stops in the middle of a busy cohort and starts again on the same SQLite file.

The server is a process of the test's own (the binary and flags `peercoach dev`
uses), the worker another. While the server is away, people's Updates keep
retrying (a client that waits a minute, not the default 10 s), the worker keeps
polling; once the server is back on its file every workflow carries on.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from tests.activities.conftest import free_port
from tests.databases import sqlite_database
from tests.durability.play import PatientPeople, Play, two_partnerships_each
from tests.durability.processes import DevServer, WorkerProcess


async def test_a_restarted_server_loses_nothing(tmp_path: Path) -> None:
    server = DevServer(tmp_path / "temporal.sqlite3", free_port(), tmp_path / "temporal.log")
    task_queue = f"restarted-{uuid.uuid4().hex[:8]}"
    await server.start()
    database = sqlite_database(tmp_path)  # where the worker's data directory points it
    worker = WorkerProcess(server.address, task_queue, tmp_path)
    try:
        play = Play(PatientPeople(await server.patient_client(), task_queue, database), task_queue, two_partnerships_each(10, schools=4))
        await worker.start()
        await play.launch()
        play.start()
        await play.until_done(1 / 3)
        server.stop()
        assert play.done < play.total, "the play was over before the server stopped"
        await server.start()
        await asyncio.wait_for(play.finished(), timeout=120)
        await play.verify(database)
    finally:
        worker.stop()
        server.stop()
        database.dispose()

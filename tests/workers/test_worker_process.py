"""`python -m workers`: connects from the environment, logs JSON, stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from tests.databases import sqlite_database


async def test_the_worker_logs_json_and_stops_cleanly_on_sigterm(dev_env: WorkflowEnvironment, tmp_path: Path) -> None:
    sqlite_database(tmp_path).dispose()  # the worker refuses a database that is not migrated (tested below)
    env = {
        **os.environ,
        "PEERCOACH_TEMPORAL_ADDRESS": dev_env.client.service_client.config.target_host,
        "PEERCOACH_TASK_QUEUE": "worker-process-test",
        "PEERCOACH_DATA_DIR": str(tmp_path),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "workers", env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    assert process.stderr is not None
    started = json.loads(await asyncio.wait_for(process.stderr.readline(), timeout=60))
    assert started["event"] == "worker started" and started["task_queue"] == "worker-process-test"
    assert started["level"] == "info" and "timestamp" in started

    process.send_signal(signal.SIGTERM)
    rest = (await asyncio.wait_for(process.stderr.read(), timeout=60)).decode().splitlines()
    assert await process.wait() == 0
    events = [json.loads(line)["event"] for line in rest if line.startswith("{")]
    assert events[0] == "worker stopping" and events[-1] == "worker stopped"
    assert any(e.startswith("Beginning worker shutdown") for e in events)  # the SDK's own lines are JSON too


async def test_a_worker_refuses_a_database_that_is_not_migrated_in_one_line(dev_env: WorkflowEnvironment, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PEERCOACH_TEMPORAL_ADDRESS": dev_env.client.service_client.config.target_host,
        "PEERCOACH_DATA_DIR": str(tmp_path),
    }
    peercoach = str(Path(sys.executable).with_name("peercoach"))
    process = await asyncio.create_subprocess_exec(
        peercoach, "worker", env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    _, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 1
    assert "has no tables yet: run `peercoach db upgrade`" in err.decode() and "Traceback" not in err.decode()

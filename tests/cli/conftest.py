"""Drive `peercoach` as a user would: real processes against a real dev server and worker."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from temporalio.testing import WorkflowEnvironment

from tests.conftest import TEST_KEYS, Harness

PEERCOACH = str(Path(sys.executable).parent / "peercoach")


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


class Terminal:
    def __init__(self, env: dict[str, str]):
        self.env = env

    async def __call__(self, *args: str) -> Result:
        process = await asyncio.create_subprocess_exec(
            PEERCOACH, *args, env=self.env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        out, err = await process.communicate()
        return Result(process.returncode or 0, out.decode(), err.decode())


@pytest.fixture
async def terminal(dev_env: WorkflowEnvironment, harness, tmp_path: Path) -> AsyncIterator[Terminal]:  # type: ignore[no-untyped-def]
    h: Harness = harness(dev_env.client)
    env = {
        **os.environ,
        "PEERCOACH_TEMPORAL_ADDRESS": dev_env.client.service_client.config.target_host,
        "PEERCOACH_TASK_QUEUE": h.task_queue,
        "PEERCOACH_DATA_DIR": str(h.settings.data_dir),
        "PEERCOACH_CODEC_KEYS": TEST_KEYS.to_json(),  # the in-process worker's keys
        "COLUMNS": "200",
    }
    async with h.worker():
        yield Terminal(env)

"""The worker and the Temporal dev server as processes of their own, so a test can kill or stop them.

The worker is `python -m workers`, configured from PEERCOACH_* as a deployment
runs it; the dev server is the binary `peercoach dev` runs, with the same flags,
on a SQLite file.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from temporalio.client import Client
from temporalio.service import RetryConfig

from peercoach.dev import Child, stop_gracefully
from peercoach.local_temporal import search_attribute_flags, temporal_binary
from tests.conftest import TEST_CONVERTER, TEST_KEYS


class WorkerProcess:
    def __init__(self, address: str, task_queue: str, data_dir: Path, **env: str):
        self.env = {
            **os.environ,
            "PEERCOACH_TEMPORAL_ADDRESS": address,
            "PEERCOACH_TASK_QUEUE": task_queue,
            "PEERCOACH_DATA_DIR": str(data_dir),
            "PEERCOACH_CODEC_KEYS": TEST_KEYS.to_json(),  # the keys the test's own client encrypts with
            **env,
        }
        self.data_dir = data_dir
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    async def start(self) -> None:
        """Start a worker and wait until it polls (it logs "worker started" once connected)."""
        self.starts += 1
        log = self.data_dir / f"worker-{self.starts}.log"
        with log.open("wb") as out:
            self.process = subprocess.Popen([sys.executable, "-m", "workers"], stdout=out, stderr=subprocess.STDOUT, env=self.env)
        for _ in range(600):
            if "worker started" in log.read_text(errors="replace"):
                return
            if self.process.poll() is not None:
                raise AssertionError(f"the worker exited ({self.process.returncode}):\n{log.read_text()}")
            await asyncio.sleep(0.1)
        raise AssertionError(f"the worker did not start within 60 s:\n{log.read_text()}")

    def kill(self) -> None:
        """SIGKILL: no graceful shutdown, in-flight tasks are lost with the process."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)

    def stop(self) -> None:
        if self.process is not None:
            stop_gracefully(self.process, 30)


class DevServer:
    """`temporal server start-dev` on a SQLite file, started and stopped as `peercoach dev` does."""

    def __init__(self, db: Path, port: int, log: Path):
        self.db, self.port, self.log = db, port, log
        self.child: Child | None = None

    @property
    def address(self) -> str:
        return f"localhost:{self.port}"

    async def start(self) -> None:
        args = [temporal_binary(), "server", "start-dev", "--db-filename", str(self.db), "--port", str(self.port), "--headless"]
        args += ["--namespace", "default", "--log-level", "warn", *search_attribute_flags()]
        self.child = Child("temporal", args, self.log)
        for _ in range(300):
            if self.child.process.poll() is not None:
                raise AssertionError(f"the dev server exited ({self.child.process.returncode}):\n{self.log.read_text()}")
            try:
                await Client.connect(self.address)
                return
            except RuntimeError:
                await asyncio.sleep(0.1)
        raise AssertionError(f"the dev server did not answer within 30 s:\n{self.log.read_text()}")

    def stop(self) -> None:
        """SIGTERM, as Ctrl-C on `peercoach dev` does."""
        if self.child is not None:
            self.child.stop()
            self.child = None

    async def patient_client(self) -> Client:
        """A client whose calls keep retrying for a minute while the server is away (the default gives up after 10 s)."""
        retry = RetryConfig(max_interval_millis=1000, max_elapsed_time_millis=60_000, max_retries=1000)
        return await Client.connect(self.address, data_converter=TEST_CONVERTER, retry_config=retry)

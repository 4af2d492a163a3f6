"""The processes the benchmark owns: the dev server, the workers and the web app, and their CPU and peak memory from /proc."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import IO

from temporalio.client import Client

from peercoach.dev import stop_gracefully
from peercoach.local_temporal import search_attribute_flags, temporal_binary


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Owned:
    """A child process with its output in a log file; stopped with SIGTERM (then SIGKILL)."""

    def __init__(self, args: list[str], log: Path, env: dict[str, str] | None = None):
        self.log: IO[bytes] = log.open("ab")
        self.log_path = log
        self.process = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        self.peak_rss_mb: float | None = None

    def alive(self) -> bool:
        return self.process.poll() is None

    def read_peak_rss(self) -> float | None:
        """VmHWM: the most resident memory the process has had, in MB (Linux /proc)."""
        try:
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    self.peak_rss_mb = int(line.split()[1]) / 1024
        except OSError:
            pass  # already gone: keep the last reading
        return self.peak_rss_mb

    def cpu_seconds(self) -> float:
        """User and system CPU time the process has used so far (Linux /proc)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self, timeout: float = 20) -> None:
        if self.alive():
            self.read_peak_rss()
        stop_gracefully(self.process, timeout)
        self.log.close()


class CpuMeter:
    """CPU time used by named processes between two moments, in ms per unit of work."""

    def __init__(self, **processes: Owned):
        self.processes = processes
        self.started: dict[str, float] = {}

    def start(self) -> None:
        self.started = {name: p.cpu_seconds() for name, p in self.processes.items()}

    def per(self, units: int) -> dict[str, float]:
        return {name: (p.cpu_seconds() - self.started[name]) * 1000 / units for name, p in self.processes.items()}


def dev_server(work: Path, port: int, in_memory: bool) -> Owned:
    """The dev server `peercoach dev` runs (same flags), on a SQLite file in `work` unless in memory."""
    args = [temporal_binary(), "server", "start-dev", "--port", str(port), "--headless", "--log-level", "warn", *search_attribute_flags()]
    if not in_memory:
        args += ["--db-filename", str(work / "temporal.sqlite3")]
    return Owned(args, work / "temporal.log")


def worker(module: str, address: str, task_queue: str, data_dir: Path, extra_env: dict[str, str] | None = None) -> Owned:
    """`python -m <module>` configured as a deployment configures the real worker (PEERCOACH_*)."""
    env = {
        **os.environ,
        "PEERCOACH_TEMPORAL_ADDRESS": address,
        "PEERCOACH_TASK_QUEUE": task_queue,
        "PEERCOACH_DATA_DIR": str(data_dir),
        **(extra_env or {}),
    }
    return Owned([sys.executable, "-m", module], data_dir / f"{module.replace('.', '-')}.log", env)


def web(address: str, task_queue: str, data_dir: Path, port: int, extra_env: dict[str, str] | None = None) -> Owned:
    """`peercoach web`, as a deployment runs it: a process of its own, configured by PEERCOACH_*."""
    env = {
        **os.environ,
        "PEERCOACH_TEMPORAL_ADDRESS": address,
        "PEERCOACH_TASK_QUEUE": task_queue,
        "PEERCOACH_DATA_DIR": str(data_dir),
        "PEERCOACH_WEB_HOST": "127.0.0.1",
        "PEERCOACH_WEB_PORT": str(port),
        **(extra_env or {}),
    }
    return Owned([str(Path(sys.executable).parent / "peercoach"), "web"], data_dir / "web.log", env)


async def until_up(address: str, server: Owned) -> None:
    for _ in range(300):
        if not server.alive():
            raise SystemExit(f"the Temporal dev server stopped; see {server.log_path}")
        try:
            await Client.connect(address)
            return
        except RuntimeError:
            await asyncio.sleep(0.1)
    raise SystemExit(f"the Temporal dev server did not answer within 30 s; see {server.log_path}")


async def until_logged(process: Owned, line: str) -> None:
    for _ in range(600):
        if line in process.log_path.read_text(errors="replace"):
            return
        if not process.alive():
            raise SystemExit(f"a worker stopped before it started; see {process.log_path}")
        await asyncio.sleep(0.1)
    raise SystemExit(f"a worker did not start within 60 s; see {process.log_path}")

"""`peercoach dev`: one command owns the local stack; Ctrl-C stops it; a second run resumes."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
from pathlib import Path

from tests.cli.conftest import PEERCOACH

SAMPLE_COHORT = "teacher-librarian-peer-coaching-2026-2027"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def start_dev(data_dir: Path, port: int, ui_port: int) -> tuple[asyncio.subprocess.Process, str]:
    process = await asyncio.create_subprocess_exec(
        PEERCOACH, "--data-dir", str(data_dir), "dev", "--port", str(port), "--ui-port", str(ui_port),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip
    assert process.stdout is not None
    seen = ""
    while "ready" not in seen:
        line = await asyncio.wait_for(process.stdout.readline(), timeout=90)
        assert line, f"peercoach dev ended before it was ready:\n{seen}"
        seen += line.decode()
    return process, seen


async def peercoach(port: int, *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        PEERCOACH, "--address", f"localhost:{port}", *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await process.communicate()
    return process.returncode or 0, out.decode(), err.decode()


async def stop(process: asyncio.subprocess.Process) -> str:
    process.send_signal(signal.SIGINT)
    assert process.stdout is not None
    rest = await asyncio.wait_for(process.stdout.read(), timeout=60)
    assert await process.wait() == 0
    return rest.decode()


async def test_dev_starts_stops_and_resumes(tmp_path: Path) -> None:
    port, ui_port = free_port(), free_port()
    process, welcome = await start_dev(tmp_path, port, ui_port)
    try:
        assert f"Launched the sample cohort {SAMPLE_COHORT}" in welcome
        assert f"http://localhost:{ui_port}" in welcome and "outbox.sqlite3" in welcome

        code, out, _ = await peercoach(port, "cohort", "list", "--json")
        assert code == 0 and json.loads(out) == [{"cohort": SAMPLE_COHORT, "status": "running"}]

        second = await asyncio.create_subprocess_exec(
            PEERCOACH, "--data-dir", str(tmp_path), "dev", "--port", str(port), "--ui-port", str(free_port()),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, err = await second.communicate()
        assert second.returncode == 1 and f"port {port} (for Temporal) is taken" in err.decode() and "--port" in err.decode()
    finally:
        goodbye = await stop(process)
    assert "Stopped." in goodbye

    # the same data directory: the cohort is still there, running, and is not launched again
    process, welcome = await start_dev(tmp_path, port, ui_port)
    try:
        assert "Launched the sample cohort" not in welcome
        code, out, _ = await peercoach(port, "cohort", "status", SAMPLE_COHORT, "--json")
        assert code == 0 and json.loads(out)["coaches"] == 3
    finally:
        await stop(process)

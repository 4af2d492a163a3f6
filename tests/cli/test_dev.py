"""`peercoach dev`: one command owns the local stack; Ctrl-C stops it; a second run resumes.

The commands it prints are run as printed, from a shell that has neither its
virtualenv, nor its working directory, nor its PEERCOACH_* variables.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shlex
import signal
import socket
import sys
from pathlib import Path

import httpx

from peercoach import dev
from tests.cli.conftest import PEERCOACH
from workers.settings import Settings

SAMPLE_COHORT = "teacher-librarian-peer-coaching-2026-2027"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def new_shell() -> dict[str, str]:
    """The environment of a new terminal: no virtualenv on PATH, no PEERCOACH_* settings."""
    venv = str(Path(sys.executable).parent)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PEERCOACH_") and k != "VIRTUAL_ENV"}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p and p != venv)
    return env


async def start_dev(data_dir: Path, port: int, ui_port: int, web_port: int) -> tuple[asyncio.subprocess.Process, str]:
    args = [PEERCOACH, "--data-dir", str(data_dir), "dev", "--port", str(port), "--ui-port", str(ui_port)]
    args += ["--web-port", str(web_port), "--codec-port", str(free_port())]
    return await run_dev(args, {**os.environ, "COLUMNS": "200"})


async def run_dev(args: list[str], env: dict[str, str], cwd: Path | None = None) -> tuple[asyncio.subprocess.Process, str]:
    process = await asyncio.create_subprocess_exec(
        *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, env=env, cwd=cwd
    )
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


async def sign_in_link_on_the_console(process: asyncio.subprocess.Process, web_port: int, email: str) -> str:
    """Ask the web app for a sign-in link; with no SMTP set, `peercoach dev` shows it on its console."""
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{web_port}") as browser:
        form = await browser.get("/sign-in")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert form.status_code == 200 and csrf is not None
        assert (await browser.post("/sign-in", data={"email": email, "csrf": csrf.group(1)})).status_code == 200
    assert process.stdout is not None
    while True:
        line = (await asyncio.wait_for(process.stdout.readline(), timeout=30)).decode()
        if found := re.search(rf"http://127\.0\.0\.1:{web_port}/sign-in/[A-Za-z0-9._-]+", line):
            return found.group(0)


def worker_of(pid: int) -> int:
    """The worker child process of `peercoach dev`."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    for child in children:
        if "workers" in Path(f"/proc/{child}/cmdline").read_bytes().decode().split("\0"):
            return int(child)
    raise AssertionError(f"no worker among {children}")


def commands_to_try(welcome_text: str) -> list[str]:
    """The lines under "Try, in another terminal:", as printed."""
    lines = welcome_text.split("Try, in another terminal:\n", 1)[1].splitlines()
    return [line.strip() for line in lines[: lines.index("")]]


async def in_a_new_shell(command: str, cwd: Path) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        *shlex.split(command), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=new_shell(), cwd=cwd
    )
    out, err = await process.communicate()
    return process.returncode or 0, out.decode(), err.decode()


async def console_until(process: asyncio.subprocess.Process, text: str) -> str:
    assert process.stdout is not None
    seen = ""
    while text not in seen:
        seen += (await asyncio.wait_for(process.stdout.readline(), timeout=30)).decode()
    return seen


async def test_dev_starts_stops_and_resumes(tmp_path: Path) -> None:
    port, ui_port, web_port = free_port(), free_port(), free_port()
    process, welcome = await start_dev(tmp_path, port, ui_port, web_port)
    try:
        assert f"Launched the sample cohort {SAMPLE_COHORT}" in welcome
        assert f"http://localhost:{ui_port}" in welcome and "the outbox in sqlite:///" in welcome
        assert f"http://127.0.0.1:{web_port}" in welcome and "notes decrypted through the codec server" in welcome
        link = await sign_in_link_on_the_console(process, web_port, "tanna.colwell@esd112.example.org")
        async with httpx.AsyncClient() as browser:
            assert "Sign in as tanna.colwell@esd112.example.org" in (await browser.get(link)).text

        code, out, _ = await peercoach(port, "--data-dir", str(tmp_path), "cohort", "list", "--json")
        assert code == 0 and json.loads(out) == [{"cohort": SAMPLE_COHORT, "status": "running"}]

        # every command it suggests works as printed, in another terminal somewhere else
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        tries = commands_to_try(welcome)
        where = f"{PEERCOACH} --data-dir {tmp_path.resolve()} --address localhost:{port} "
        assert len(tries) == 4 and all(c.startswith(where) for c in tries)
        for command in tries:
            code, out, complaint = await in_a_new_shell(command, elsewhere)
            assert code == 0, f"{command}\n{out}{complaint}"
        assert SAMPLE_COHORT in (await in_a_new_shell(tries[0], elsewhere))[1]

        # a worker that dies is started again, and the stack keeps serving
        os.kill(worker_of(process.pid), signal.SIGKILL)
        assert "The worker stopped (exit -9" in await console_until(process, "starting it again")
        code, out, _ = await peercoach(port, "--data-dir", str(tmp_path), "partnership", "list", "--limit", "2")
        assert code == 0 and "1-2 of 4; next page: --offset 2" in out

        second = await asyncio.create_subprocess_exec(
            PEERCOACH, "--data-dir", str(tmp_path), "dev", "--port", str(port), "--ui-port", str(free_port()),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, err = await second.communicate()
        assert second.returncode == 1 and f"port {port} (for Temporal) is taken" in err.decode() and "--port" in err.decode()
    finally:
        goodbye = await stop(process)
    assert "Stopped." in goodbye
    again = goodbye.split("to pick up where it left off:\n", 1)[1].strip()

    # the command it printed, run in a new terminal: the same data directory and ports; the cohort is still
    # there, running, and is not launched again
    process, welcome = await run_dev(shlex.split(again), new_shell(), cwd=tmp_path / "elsewhere")
    try:
        assert "Launched the sample cohort" not in welcome
        code, out, _ = await peercoach(
            port, "--data-dir", str(tmp_path), "cohort", "status", SAMPLE_COHORT, "--json"
        )  # the key is kept there
        assert code == 0 and json.loads(out)["coaches"] == 3
    finally:
        await stop(process)


def test_the_welcome_says_where_notifications_go(tmp_path: Path) -> None:
    local = Settings(data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    said = dev.welcome(local, dev.Ports(), tmp_path / "temporal.sqlite3", [SAMPLE_COHORT])
    assert "the outbox in sqlite:///" in said and "no SMTP set" in said and "the link appears here" in said

    mailing = local.model_copy(update={"smtp_host": "mail.example.org", "smtp_port": 587})
    said = dev.welcome(mailing, dev.Ports(), tmp_path / "temporal.sqlite3", [SAMPLE_COHORT])
    assert "no SMTP set" not in said and "the link appears here" not in said
    assert "email through SMTP at mail.example.org:587" in said and "the link is emailed" in said

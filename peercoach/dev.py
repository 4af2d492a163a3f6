"""`peercoach dev`: the whole stack on this machine, owned by one command.

It starts the Temporal dev server (persistent SQLite file in the data directory,
search attributes registered, its web UI decrypting notes through the codec
server), a worker, the web app and the codec server as child processes, launches
the sample cohort if there is none, and stops everything cleanly on Ctrl-C. Run
it again and every workflow carries on from the SQLite file.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass, fields
from pathlib import Path
from typing import IO, Annotated

import typer

from domain.program import load_program
from domain.roster import load_roster, slug
from peercoach.connect import coaching_client
from peercoach.invocation import UserError, run, settings
from peercoach.local_temporal import search_attribute_flags, temporal_binary
from peercoach.output import console
from store.database import Database
from workers.settings import Settings

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
# This install's `peercoach`, by its full path: a new shell has no virtualenv active, so a bare `peercoach` is not found there.
PEERCOACH = Path(sys.executable).parent / "peercoach"


@dataclass(frozen=True)
class Ports:
    temporal: int = 7233
    ui: int = 8233
    web: int = 8000
    codec: int = 8234

    def flags(self) -> list[str]:
        """The `peercoach dev` options that choose these ports again (those that are not the defaults)."""
        return [arg for f in fields(self) if (p := getattr(self, f.name)) != f.default for arg in (PORT_FLAGS[f.name], str(p))]


PORT_FLAGS = {"temporal": "--port", "ui": "--ui-port", "web": "--web-port", "codec": "--codec-port"}


def dev(
    port: Annotated[int, typer.Option(help="Temporal's gRPC port.")] = Ports.temporal,
    ui_port: Annotated[int, typer.Option(help="Temporal web UI port.")] = Ports.ui,
    web_port: Annotated[int, typer.Option(help="The program's web app port.")] = Ports.web,
    codec_port: Annotated[int, typer.Option(help="Codec server port: the Temporal web UI decrypts notes through it.")] = Ports.codec,
    sample: Annotated[bool, typer.Option("--sample/--no-sample", help="Launch the sample cohort if there is no cohort yet.")] = True,
) -> None:
    """Start Temporal, a worker, the web app and the sample cohort locally; Ctrl-C stops them all."""
    ports = Ports(temporal=port, ui=ui_port, web=web_port, codec=codec_port)
    for what, p, flag in (
        ("Temporal", port, "--port"),
        ("the Temporal web UI", ui_port, "--ui-port"),
        ("the web app", web_port, "--web-port"),
        ("the codec server", codec_port, "--codec-port"),
    ):
        if _taken(p):
            raise UserError(f"port {p} (for {what}) is taken, perhaps by another `peercoach dev`; choose another with {flag}")
    base = settings()
    s = base.model_copy(update={"temporal_address": f"localhost:{port}", "web_port": web_port})
    s.data_dir.mkdir(parents=True, exist_ok=True)
    run(_serve(s, ports, sample))


def _taken(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


class Child:
    """A child process with its output in a log file in the data directory."""

    def __init__(self, name: str, args: list[str], log: Path, env: dict[str, str] | None = None, console: bool = False):
        self.name = name
        self.env = env
        self.log: IO[bytes] = log.open("ab")
        output = None if console else self.log  # on the console: what a person must see (sign-in links)
        self.process = subprocess.Popen(args, stdout=output, stderr=subprocess.STDOUT, env=env, start_new_session=True)

    def stop(self, timeout: float = 15) -> None:
        stop_gracefully(self.process, timeout)
        self.log.close()


def stop_gracefully(process: subprocess.Popen[bytes], timeout: float) -> None:
    """SIGTERM (what Ctrl-C on `peercoach dev` sends its children), then SIGKILL if it is not gone in time."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def _serve(s: Settings, ports: Ports, sample: bool) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    db = s.data_dir / "temporal.sqlite3"
    database = Database(s.database)
    before, after = await asyncio.to_thread(database.upgrade)  # the embedded default needs no setup
    if before != after:
        console.print(f"Database {database.where}: migrated to {after}.", highlight=False)
    children: list[Child] = []
    try:
        server_args = [temporal_binary(), "server", "start-dev", "--db-filename", str(db), "--port", str(ports.temporal)]
        server_args += ["--ui-port", str(ports.ui), "--namespace", s.namespace, "--log-level", "warn", *search_attribute_flags()]
        server_args += ["--ui-codec-endpoint", f"http://127.0.0.1:{ports.codec}"]
        children.append(Child("temporal", server_args, s.data_dir / "temporal.log"))
        coaching = await _connect_when_up(s, children[0], stop)
        env = {**os.environ, "PEERCOACH_TEMPORAL_ADDRESS": s.temporal_address, "PEERCOACH_DATA_DIR": str(s.data_dir.resolve())}
        env |= {"PEERCOACH_NAMESPACE": s.namespace, "PEERCOACH_TASK_QUEUE": s.task_queue}
        children.append(Child("worker", [sys.executable, "-m", "workers"], s.data_dir / "worker.log", env))
        web_env = env | {"PEERCOACH_WEB_PORT": str(s.web_port), "PEERCOACH_LOG_FORMAT": "console"}
        web = Child("web app", [sys.executable, "-m", "web"], s.data_dir / "web.log", web_env, console=True)
        children.append(web)
        # The browser's UI cannot send a token: locally the codec server asks none and listens on 127.0.0.1 only.
        codec_env = {k: v for k, v in env.items() if k != "PEERCOACH_CODEC_TOKEN"}
        codec_args = [str(PEERCOACH), "codec-server", "--port", str(ports.codec)]
        codec_args += ["--ui-origin", f"http://localhost:{ports.ui}", "--ui-origin", f"http://127.0.0.1:{ports.ui}"]
        codec = Child("codec server", codec_args, s.data_dir / "codec-server.log", codec_env)
        children.append(codec)
        cohorts = await coaching.list_cohorts()
        if sample and not cohorts:
            program, roster = load_program(SAMPLES / "program.yaml"), load_roster(SAMPLES / "roster.csv")
            cohort = slug(f"{program.name} {program.school_year}")
            await coaching.launch_cohort(cohort, program, roster, roster.coordinators[0])
            await coaching.wait_until_launched(cohort)
            console.print(f"Launched the sample cohort [bold]{cohort}[/bold] from {SAMPLES}.")
            cohorts = [(cohort, "running")]
        # The welcome says everything runs: it is printed once the web app and the codec server answer.
        await _listening(web, s.web_port, stop)
        await _listening(codec, ports.codec, stop)
        console.print("\nThe Peer Coaching Program is running.", style="bold green")
        console.print(welcome(s, ports, db, [c for c, _ in cohorts]), highlight=False, markup=False, soft_wrap=True)  # lines to copy
        console.print("ready", style="dim")
        while not stop.is_set():
            for n, child in enumerate(children):
                if child.process.poll() is None:
                    continue
                if child.name != "worker":
                    raise UserError(f"the {child.name} stopped unexpectedly (exit {child.process.returncode}); see {child.log.name}")
                # Workflows wait for a worker without losing anything: start another one rather than stop everything.
                console.print(f"The worker stopped (exit {child.process.returncode}; see {child.log.name}); starting it again.")
                child.log.close()
                children[n] = Child("worker", child.process.args, Path(child.log.name), child.env)  # type: ignore[arg-type]
            with contextlib.suppress(TimeoutError):  # look at the children once a second
                await asyncio.wait_for(stop.wait(), timeout=1)
        console.print("Stopping the web app, the worker and Temporal...")
    finally:
        for child in reversed(children):
            child.stop()
    again = command_line(s, "dev", *ports.flags())
    console.print(
        f"Stopped. Everything is kept in {db}; to pick up where it left off:\n  {again}", highlight=False, markup=False, soft_wrap=True
    )


async def _listening(child: Child, port: int, stop: asyncio.Event) -> None:
    """Wait until the child accepts connections on its port (a web app importing its libraries takes seconds)."""
    for _ in range(300):
        if child.process.poll() is not None:
            raise UserError(f"the {child.name} stopped unexpectedly (exit {child.process.returncode}); see {child.log.name}")
        if stop.is_set():
            raise UserError(f"stopped before the {child.name} was up")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.2)
            continue
        writer.close()
        await writer.wait_closed()
        return
    raise UserError(f"the {child.name} did not answer on port {port} within 60 seconds; see {child.log.name}")


async def _connect_when_up(s: Settings, server: Child, stop: asyncio.Event):  # type: ignore[no-untyped-def]
    for _ in range(150):
        if server.process.poll() is not None:
            raise UserError(f"Temporal did not start (exit {server.process.returncode}); see {server.log.name}")
        if stop.is_set():
            raise UserError("stopped before Temporal was up")
        try:
            return await coaching_client(s)
        except RuntimeError:
            await asyncio.sleep(0.2)
    raise UserError(f"Temporal did not answer on {s.temporal_address} within 30 seconds; see {server.log.name}")


def command_line(s: Settings, *args: str) -> str:
    """A `peercoach` command that works as printed in another shell, which has neither this one's virtualenv nor its
    working directory nor its PEERCOACH_* variables: the executable by its full path, then the flags that find this stack."""
    flags = ["--data-dir", str(s.data_dir.resolve())]
    for flag, field in (("--address", "temporal_address"), ("--namespace", "namespace"), ("--task-queue", "task_queue")):
        if getattr(s, field) != Settings.model_fields[field].default:
            flags += [flag, getattr(s, field)]
    return shlex.join([str(PEERCOACH), *flags, *args])


def welcome(s: Settings, ports: Ports, db: Path, cohorts: list[str]) -> str:
    """Where everything is, and commands to try in another terminal."""
    cohort = cohorts[0] if cohorts else "COHORT"
    outbox = Database(s.database).where
    if s.smtp is None:
        link = "the link appears here and in the outbox"
        notifications = f"the outbox in {outbox} (no SMTP set; set PEERCOACH_SMTP_HOST to send email)"
    else:
        link = "the link is emailed, and kept in the outbox"
        notifications = f"email through SMTP at {s.smtp.host}:{s.smtp.port}, each message kept in the outbox in {outbox}"
    tries = [
        ["cohort", "status", cohort],
        ["partnership", "list", "--cohort", cohort],
        ["outbox", "--kind", "sign_in"],
        ["diagram", "cycle"],
    ]
    commands = "\n".join("  " + command_line(s, *args) for args in tries)
    return f"""\
  Temporal        localhost:{ports.temporal}   (namespace {s.namespace}, task queue {s.task_queue})
  Temporal web UI http://localhost:{ports.ui}   (notes decrypted through the codec server, http://127.0.0.1:{ports.codec})
  Web app         {s.web_url}   (sign in with an email from samples/roster.csv; {link})
  Workflows kept  {db}
  Notifications   {notifications}
  Logs            {s.data_dir}/worker.log, web.log, codec-server.log, temporal.log
  Cohorts         {", ".join(cohorts) or "none"}

Try, in another terminal:
{commands}

Ctrl-C stops everything."""

"""`peercoach worker`, `outbox` and `diagram`."""

from __future__ import annotations

import asyncio
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from statemachine import StateMachine

from domain.cycle import CoachingCycle
from domain.release import ReleaseMachine
from domain.training import TrainingYear
from peercoach.codec_server import codec_server
from peercoach.connect import coaching_client
from peercoach.invocation import UserError, run, settings
from peercoach.output import JsonFlag, console, print_json, table, when
from peercoach.partnership_commands import split_id
from store.database import Database
from store.outbox import Outbox, OutboxEntry
from workers import logs
from workers import worker as worker_process


class Machine(StrEnum):
    cycle = "cycle"
    training = "training"
    release = "release"


MACHINES: dict[Machine, type[StateMachine]] = {
    Machine.cycle: CoachingCycle,
    Machine.training: TrainingYear,
    Machine.release: ReleaseMachine,
}


def worker() -> None:
    """Run a worker (until Ctrl-C or SIGTERM)."""
    s = settings()
    logs.configure(s.log_format, s.log_level)
    asyncio.run(worker_process.run(s))


def outbox(
    to: Annotated[str | None, typer.Option(help="Only messages to this email.")] = None,
    kind: Annotated[str | None, typer.Option(help="Only this kind (session_reminder, stall_follow_up, ...).")] = None,
    limit: Annotated[int, typer.Option(help="At most this many, the earliest first.")] = 200,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many of the earliest (the next page: --offset 200).")] = 0,
    show: Annotated[str | None, typer.Option("--show", help="One notice's whole message, by its key, to each recipient.")] = None,
    body: Annotated[bool, typer.Option("--body", help="Each message with its headers and text, not a table.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """The notifications sent, as the program's database records them."""
    database = Database.open(settings().database)
    try:
        entries = Outbox(database).find(show) if show else Outbox(database).entries(recipient=to, kind=kind, limit=limit, offset=offset)
    finally:
        database.dispose()
    if show and not entries:
        raise UserError(f"no message has the key {show!r}")
    if as_json:
        print_json(entries)
    elif show or body:
        typer.echo("\n\n".join(_message(e) for e in entries))
    else:
        rows = [[when(e.created_at), e.kind, e.recipient, e.subject, e.status] for e in entries]
        console.print(table(f"Outbox ({database.where})", ["asked", "kind", "to", "subject", "status"], rows))


def _message(e: OutboxEntry) -> str:
    """A message as its recipient reads it, with what the outbox knows of its sending; the invite is named, not printed."""
    fields = {
        "Key": e.key,
        "Kind": e.kind,
        "To": e.recipient,
        "Subject": e.subject,
        "Message-ID": e.message_id,
        "Asked": when(e.created_at),
        "Sent": when(e.sent_at) if e.sent_at else None,
        "Status": f"{e.status}" + (f" via {e.via}" if e.via else "") + f", {e.attempts} attempt{'s' * (e.attempts != 1)}",
        "Server said": e.reply,
        "Digest": e.digest,  # the day's digest that holds it (peercoach outbox --show DIGEST-KEY)
        "Attached": "session.ics (calendar invite)" if e.invite else None,
    }
    head = "\n".join(f"{name}: {value}" for name, value in fields.items() if value)
    return f"{head}\n\n{e.body.rstrip()}"


def diagram(
    machine: Annotated[Machine, typer.Argument(help="cycle, training or release")],
    drawing: Annotated[str, typer.Option("--format", help="mermaid or png")] = "mermaid",
    partnership: Annotated[str | None, typer.Option(help="Mark this partnership's current stage (COHORT/ID).")] = None,
    output: Annotated[Path | None, typer.Option(help="Where to write a png (default: MACHINE.png).")] = None,
) -> None:
    """Draw a state machine, with a partnership's current stage marked."""
    if partnership and machine != Machine.cycle:
        raise UserError("--partnership goes with the cycle diagram")
    drawn: StateMachine | type[StateMachine] = MACHINES[machine]
    if partnership:
        cohort, pid = split_id(partnership)

        async def fetch() -> CoachingCycle:
            return CoachingCycle(await (await coaching_client(settings())).partnership_record(cohort, pid))

        drawn = run(fetch())
    if drawing == "mermaid":
        print(format(drawn, "mermaid"))
    elif drawing == "png":
        from statemachine.contrib.diagram import DotGraphMachine, GraphvizNotFoundError

        target = output or Path(f"{machine.value}.png")
        try:
            DotGraphMachine(drawn)().write_png(str(target))
        except (GraphvizNotFoundError, FileNotFoundError, ImportError):
            raise UserError(
                "png needs Graphviz and pydot: apt-get install graphviz; "
                "pip install 'python-statemachine[diagrams]' (or use --format mermaid)"
            ) from None
        console.print(f"wrote {target}")
    else:
        raise UserError(f"unknown format {drawing!r}; use mermaid or png")


def register(app: typer.Typer) -> None:
    app.command()(worker)
    app.command()(outbox)
    app.command()(diagram)
    app.command(name="codec-server")(codec_server)

"""`peercoach session ...`: a coordinator moves a training session once the cohort runs."""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated

import typer

from domain.program import SESSIONS_PER_YEAR, SessionFormat
from domain.session_change import REASON_MAX_CHARS, SessionEdit
from peercoach.connect import coaching_client
from peercoach.invocation import UserError, run, settings
from peercoach.output import console

session_app = typer.Typer(help="Move training sessions of a running cohort.", no_args_is_help=True)


def _time(value: str | None, flag: str) -> time | None:
    if value is None:
        return None
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise UserError(f"{flag} {value!r} is not a time of day; write it as HH:MM, such as 15:30") from None


@session_app.command("move")
def move(
    cohort: str,
    session: Annotated[int, typer.Argument(help=f"Session number, 1 to {SESSIONS_PER_YEAR}.")],
    reason: Annotated[str, typer.Option(help=f"Why it moves; every coach reads it (up to {REASON_MAX_CHARS} characters).")],
    on: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], help="The new first day (YYYY-MM-DD).")] = None,
    days: Annotated[int | None, typer.Option(help="How many days it runs.")] = None,
    starts_at: Annotated[str | None, typer.Option("--from", help="When each day starts (HH:MM, the program's time zone).")] = None,
    ends_at: Annotated[str | None, typer.Option("--to", help="When each day ends (HH:MM).")] = None,
    location: Annotated[str | None, typer.Option(help="Where it is held.")] = None,
    session_format: Annotated[SessionFormat | None, typer.Option("--format", help="in-person or online.")] = None,
    actor: Annotated[str | None, typer.Option("--as", help="The coordinator moving it (default: who launched the cohort).")] = None,
) -> None:
    """Move a session that has not begun: its date, hours, place or format. Every coach gets the updated invite."""
    edit = SessionEdit(
        starts_on=on.date() if on else None,
        days=days,
        starts_at=_time(starts_at, "--from"),
        ends_at=_time(ends_at, "--to"),
        location=location,
        format=session_format,
    )

    async def go() -> None:
        coaching = await coaching_client(settings())
        by = actor or await coaching.launched_by(cohort)
        moved = await coaching.change_session(cohort, by, session, edit, reason)
        console.print(
            f"Session {moved.number} of {cohort} is now {moved.starts_on:%A %B %-d, %Y}, "
            f"{moved.starts_at:%H:%M} to {moved.ends_at:%H:%M}, {moved.location or moved.format.value}. "
            "Every coach is sent the updated invite."
        )

    run(go())

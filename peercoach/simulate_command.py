"""`peercoach simulate`: a whole program year on the time-skipping server, played by a seeded model."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from domain.program import load_program
from domain.roster import load_roster
from peercoach.cli import UserError
from peercoach.output import console, errors, print_json, table
from peercoach.simulation.behaviour import synthetic_roster
from peercoach.simulation.servers import SimulationStuck
from peercoach.simulation.year import DAYS_PER_SERVER, YearEnd, simulate_year
from workers import logs


def simulate(
    program: Annotated[Path, typer.Option(help="The program year (YAML); its calendar is moved to start three weeks from today.")],
    roster: Annotated[Path | None, typer.Option(help="A roster (CSV or YAML) to play.")] = None,
    coaches: Annotated[int | None, typer.Option(help="Or: a made-up roster of this many coaches, two partnerships each.")] = None,
    seed: Annotated[int, typer.Option(help="The same seed gives the same year.")] = 1,
    days_per_server: Annotated[
        int,
        typer.Option(
            min=0,
            help="Move the cohort to a fresh time-skipping server about this often (simulated days); 0 keeps one server all year.",
        ),
    ] = DAYS_PER_SERVER,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Simulate a program year and print the year-end summary a coordinator would want."""
    if (roster is None) == (coaches is None):
        raise UserError("say --roster FILE or --coaches N")
    if coaches is not None and not 1 <= coaches <= 5000:
        raise UserError("--coaches is between 1 and 5000")
    program_year = load_program(program)
    people = load_roster(roster) if roster else synthetic_roster(coaches or 0, seed)
    logs.configure("console", "WARNING")  # the engine's own logs would drown the summary
    try:
        summary, seconds = asyncio.run(simulate_year(program_year, people, seed, _progress, days_per_server))
    except SimulationStuck as stuck:
        raise UserError(str(stuck)) from None
    if as_json:
        print_json({**summary.model_dump(mode="json"), "wall_seconds": round(seconds, 1)})
    else:
        show(summary)
        errors.print(f"[dim]simulated in {seconds:.1f} s[/dim]")


def _progress(message: str) -> None:
    errors.print(f"[dim]{message}[/dim]")


def show(s: YearEnd) -> None:
    o = s.outcome
    console.print(f"[bold]{s.program}[/bold], simulated with seed {s.seed}: {s.coaches} coaches, {s.partnerships} partnerships")
    statuses = ["attended", "excused", "absent", "made_up"]
    grid = [[n, *[s.attendance.get(n, {}).get(st, 0) for st in statuses]] for n in sorted(s.attendance)]
    console.print(table("Attendance", ["session", *statuses], grid))
    console.print(
        f"Coaching unlocked for {s.coaching_unlocked} of {s.coaches}; training: " + ", ".join(f"{n} {k}" for k, n in s.training.items())
    )
    console.print(table("Cycles completed", ["cycles", "partnerships"], [[k, v] for k, v in s.cycles_completed.items()]))
    console.print("Partnerships at year end: " + ", ".join(f"{n} {k}" for k, n in s.partnerships_by_stage.items()))
    console.print(
        f"Stalls: {s.stalled_partnerships} partnerships stalled at least once; {s.follow_ups} follow-ups, {s.escalations} escalations"
    )
    console.print(
        f"Refused along the way: {o.moves_refused} moves, {o.attendance_refused} attendance records, {o.release_refused} release requests"
    )
    rows = [[r.school, r.requested, r.days_requested, r.approved, r.denied, r.expired, r.used_days, r.days_left] for r in s.release[:25]]
    totals = [
        sum(getattr(r, f) for r in s.release)
        for f in ("requested", "days_requested", "approved", "denied", "expired", "used_days", "days_left")
    ]
    rows.append(["all schools", *totals])
    columns = ["school", "requests", "days asked", "approved", "denied", "expired", "days used", "days left"]
    console.print(table("Release time" + (" (first 25 schools; --json has all)" if len(s.release) > 25 else ""), columns, rows))
    console.print(table("Notifications", ["kind", "sent"], [[k, v] for k, v in s.notifications.items()]))

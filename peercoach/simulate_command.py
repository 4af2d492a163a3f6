"""`peercoach simulate`: a whole program year on a virtual clock, played by a seeded model; what-ifs side by side."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer

from domain.cycle import Stage
from domain.program import load_program
from domain.roster import load_roster
from domain.tiers import Round
from domain.year_two import YearTwoChoice
from peercoach.invocation import UserError
from peercoach.output import console, errors, print_json, table
from peercoach.simulation.behaviour import synthetic_roster
from peercoach.simulation.what_if import Setting, parse_settings, with_settings
from peercoach.simulation.year import YearEnd, simulate_year

MOST_COACHES = 100_000


def simulate(
    program: Annotated[Path, typer.Option(help="The program year (YAML), played on its own calendar.")],
    roster: Annotated[Path | None, typer.Option(help="A roster (CSV or YAML) to play.")] = None,
    coaches: Annotated[int | None, typer.Option(help="Or: a made-up roster of this many coaches, two partnerships each.")] = None,
    seed: Annotated[int, typer.Option(help="The same seed gives the same year.")] = 1,
    settings: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar="PATH=VALUE",
            help="Change a program setting for this year, as the program file names it (stall_days.observe=10, "
            "release_days.teacher=3, sessions.5.starts_on=2026-09-29: list items from 1). Repeatable.",
        ),
    ] = None,
    compare: Annotated[
        list[str] | None,
        typer.Option(
            metavar="PATH=VALUE",
            help="Play the same seed again with this setting changed too, and show both years side by side. Repeatable.",
        ),
    ] = None,
    launch: Annotated[
        datetime | None,
        typer.Option(
            help="When the cohort launches, the schools' local time (default: three weeks before session 1); "
            "what people planned before it they do right after it."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Simulate a program year and print the year-end summary a coordinator would want."""
    if (roster is None) == (coaches is None):
        raise UserError("say --roster FILE or --coaches N")
    if coaches is not None and not 1 <= coaches <= MOST_COACHES:
        raise UserError(f"--coaches is between 1 and {MOST_COACHES:,}")
    changes, variations = parse_settings(settings or []), parse_settings(compare or [])
    baseline_program = with_settings(load_program(program), changes)
    variant_program = with_settings(baseline_program, variations) if variations else None
    people = load_roster(roster) if roster else synthetic_roster(coaches or 0, seed)
    launch_at = None if launch is None else launch.replace(tzinfo=ZoneInfo(baseline_program.timezone))
    began = time.monotonic()
    baseline = simulate_year(baseline_program, people, seed, launch_at)
    variant = None if variant_program is None else simulate_year(variant_program, people, seed, launch_at)
    errors.print(f"[dim]simulated in {time.monotonic() - began:.1f} s[/dim]")
    if variant is not None:
        if as_json:
            print_json(
                {
                    "baseline": baseline.model_dump(mode="json"),
                    "variant": variant.model_dump(mode="json"),
                    "settings": _settings(changes, variations),
                }
            )
        else:
            show_comparison(baseline, variant, changes, variations)
    elif as_json:
        print_json(baseline)
    else:
        show(baseline, changes)


def _settings(changes: list[Setting], variations: list[Setting]) -> dict[str, dict[str, Any]]:
    return {"set": {s.name: s.value for s in changes}, "compare": {s.name: s.value for s in variations}}


def show(s: YearEnd, changes: list[Setting]) -> None:
    o = s.outcome
    _title(s)
    if changes:
        console.print("Settings changed: " + ", ".join(c.text for c in changes))
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
        f"Refused along the way: {o.moves_refused} moves, {o.attendance_refused} attendance records, {o.release_refused} release requests, "
        f"{o.assessments_refused} self-assessments, {o.year_two_refused} year-2 decisions"
    )
    fields = ("requested", "days_requested", "approved", "denied", "expired", "used_days", "days_left")
    rows = [[r.school, *(getattr(r, f) for f in fields)] for r in s.release[:25]]
    rows.append(["all schools", *(sum(getattr(r, f) for r in s.release) for f in fields)])
    columns = ["school", "requests", "days asked", "approved", "denied", "expired", "days used", "days left"]
    console.print(table("Release time" + (" (first 25 schools; --json has all)" if len(s.release) > 25 else ""), columns, rows))
    show_schools(s)
    console.print(table("Notifications", ["kind", "sent"], [[k, v] for k, v in s.notifications.items()]))


def show_schools(s: YearEnd) -> None:
    """The plans, the tier movement (a share only for a group large enough) and year 2, over the cohort and by school."""
    p, y = s.plans, s.year_two
    console.print(f"School plans: {p.written} of {len(s.schools)} written, {p.endorsed} endorsed ({p.endorsed_late} after the deadline)")
    console.print(f"Tier movement, collaborating teachers who answered before and after: {s.tier_movement.said()}")
    console.print(
        "Year 2: "
        + ", ".join(f"{y[c.value]} {c.label.lower()}" for c in YearTwoChoice)
        + f" ({y['late']} decided late); {y['undecided']} undecided"
    )
    choices = [c.value for c in YearTwoChoice]
    rows = [
        [
            r.school,
            r.plan + (" (late)" if r.plan_endorsed_late else ""),
            r.assessed.get(Round.pre, 0),
            r.assessed.get(Round.post, 0),
            r.tier_movement.said(),
            *(r.year_two[c] for c in choices),
            r.decided_late,
            r.undecided,
        ]
        for r in s.schools[:25]
    ]
    columns = ["school", "plan", "answered before", "answered after", "tier movement", *choices, "late", "undecided"]
    console.print(table("School years" + (" (first 25 schools; --json has all)" if len(s.schools) > 25 else ""), columns, rows))


def planning_figures(s: YearEnd) -> dict[str, float]:
    """The figures a coordinator plans with, by name: stalls, cycles, stages, release days, plans, tiers, year 2, notices."""
    figures: dict[str, float] = {
        "follow-ups": s.follow_ups,
        "escalations": s.escalations,
        "partnerships stalled at least once": s.stalled_partnerships,
        "cycles completed": sum(cycles * n for cycles, n in s.cycles_completed.items()),
        "coaching unlocked": s.coaching_unlocked,
    }
    figures |= {f"partnerships {stage.label} at year end": s.partnerships_by_stage.get(stage.label, 0) for stage in Stage}
    for name, field in (("asked", "days_requested"), ("approved", "approved_days"), ("used", "used_days"), ("left", "days_left")):
        figures[f"release days {name}"] = sum(getattr(r, field) for r in s.release)
    figures |= {
        "plans written": s.plans.written,
        "plans endorsed": s.plans.endorsed,
        "plans endorsed late": s.plans.endorsed_late,
        "teachers who answered before and after": s.tier_movement.people,
        "teachers who moved up a tier": s.tier_movement.moved_up,
    }
    figures |= {f"year 2: {'decided late' if key == 'late' else key}": n for key, n in s.year_two.items()}
    figures |= {f"notices: {kind}": n for kind, n in s.notifications.items()}
    return figures


def show_comparison(baseline: YearEnd, variant: YearEnd, changes: list[Setting], variations: list[Setting]) -> None:
    before, after = planning_figures(baseline), planning_figures(variant)
    names = [*before, *(name for name in after if name not in before)]
    rows = [
        [name, _n(before.get(name, 0)), _n(after.get(name, 0)), _change(after.get(name, 0) - before.get(name, 0))]
        for name in names
        if before.get(name) or after.get(name) or not name.startswith("partnerships ")  # a stage nobody is in is left out
    ]
    _title(baseline)
    console.print("Baseline: " + (", ".join(c.text for c in changes) if changes else "the program file as it is"))
    console.print("Variant: the baseline with " + ", ".join(v.text for v in variations))
    console.print(table(None, ["", "baseline", "variant", "change"], rows))


def _title(s: YearEnd) -> None:
    console.print(f"[bold]{s.program}[/bold], simulated with seed {s.seed}: {s.coaches} coaches, {s.partnerships} partnerships")


def _n(value: float) -> str:
    return f"{value:g}"


def _change(value: float) -> str:
    return "" if value == 0 else f"{value:+g}"

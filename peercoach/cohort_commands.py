"""`peercoach cohort ...` and `peercoach attendance ...`: what a coordinator does."""

from __future__ import annotations

import smtplib
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from activities.notifications import Mailer
from domain.cohort import CohortSummary, NewParticipant, Withdrawal
from domain.program import SESSIONS_PER_YEAR, load_program
from domain.roster import Role, RosterFile, load_roster_file, slug
from domain.training import Attendance
from peercoach.connect import coaching_client
from peercoach.invocation import UserError, run, settings
from peercoach.output import JsonFlag, console, errors, print_json, table, when

cohort_app = typer.Typer(help="Launch and watch cohorts.", no_args_is_help=True)
attendance_app = typer.Typer(help="Record attendance at training sessions.", no_args_is_help=True)


@cohort_app.command("launch")
def launch(
    program: Annotated[Path, typer.Option(help="The program year (YAML).")],
    roster: Annotated[Path, typer.Option(help="The roster (CSV or YAML).")],
    cohort: Annotated[str | None, typer.Option(help="Cohort id (default: from the program's name and year).")] = None,
    actor: Annotated[str | None, typer.Option("--as", help="The coordinator launching it (default: the roster's first).")] = None,
    wait: Annotated[bool, typer.Option("--wait/--no-wait", help="Wait until every workflow has started (minutes, for thousands).")] = True,
) -> None:
    """Check the program and roster, store them, then start the cohort's workflows (rosters of any size)."""
    program_year = load_program(program)
    roster_file = load_roster_file(roster)
    warn(roster_file)
    people = roster_file.roster
    cohort_id = cohort or slug(f"{program_year.name} {program_year.school_year}")
    launched_by = (actor or people.coordinators[0]).lower()

    async def go() -> None:
        coaching = await coaching_client(settings())
        await coaching.launch_cohort(cohort_id, program_year, people, launched_by, roster.name)
        coaches, partnerships = len(people.with_role(Role.coach)), len(people.partnerships)
        if not wait:
            schools = len(people.schools)
            console.print(
                f"Launching cohort [bold]{cohort_id}[/bold]: {coaches} coaches, {partnerships} partnerships, {schools} schools; "
                f"its workflows start in the background (peercoach cohort status {cohort_id})."
            )
            return
        with Progress(TextColumn("starting workflows"), BarColumn(), MofNCompleteColumn(), console=console, transient=True) as bar:
            task = bar.add_task("start", total=None)
            await coaching.wait_until_launched(cohort_id, lambda p: bar.update(task, total=p.total, completed=p.started))
        console.print(
            f"Launched cohort [bold]{cohort_id}[/bold]: {coaches} coaches, {partnerships} partnerships, {len(people.schools)} schools."
        )
        console.print(f"Next: peercoach cohort status {cohort_id}")

    run(go())


@cohort_app.command("check")
def check(roster: Annotated[Path, typer.Option(help="The roster (CSV, Excel or YAML).")]) -> None:
    """Check a roster without launching anything: its problems, what in it is ignored, and the addresses the
    configured mail server cannot take."""
    roster_file = load_roster_file(roster)  # a problem is reported (every one, with its row) and exits 1
    warned = warn(roster_file)
    people = roster_file.roster
    console.print(
        f"{roster}: {len(people.people)} people, {_count(len(people.schools), 'school')}, "
        f"{_count(len(people.partnerships), 'partnership')}" + (f"; {warned} warning(s) above." if warned else "; no problems.")
    )


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}{'s' * (n != 1)}"


def warn(roster_file: RosterFile) -> int:
    """Print what a coordinator should know before launching (nothing is refused for it); how many warnings."""
    warnings = list(roster_file.warnings)
    smtp = settings().smtp
    if smtp is not None:  # without SMTP, the outbox is the delivery and takes any address
        try:
            warnings += roster_file.mail_warnings(Mailer(smtp).mail_server())
        except (OSError, smtplib.SMTPException) as err:
            server = f"{smtp.host}:{smtp.port}"
            warnings.append(f"could not ask the mail server {server} which addresses it takes ({err}); the addresses are not checked")
    for warning in warnings:
        errors.print(f"warning: {warning}", highlight=False, markup=False)
    return len(warnings)


@cohort_app.command("list")
def list_cohorts(as_json: JsonFlag = False) -> None:
    """Every cohort in the program's database, with its status."""

    async def go() -> None:
        coaching = await coaching_client(settings())
        cohorts = await coaching.list_cohorts()
        if as_json:
            print_json([{"cohort": c, "status": s} for c, s in cohorts])
        elif not cohorts:
            console.print("No cohorts yet. Launch one with: peercoach cohort launch --program FILE --roster FILE")
        else:
            console.print(table(None, ["cohort", "status"], [[c, s] for c, s in cohorts]))

    run(go())


@cohort_app.command("status")
def status(cohort: str, as_json: JsonFlag = False) -> None:
    """Attendance per session, partnerships per stage, and the stalled ones."""

    async def go() -> None:
        summary = await (await coaching_client(settings())).cohort_summary(cohort)
        if as_json:
            print_json(summary)
        else:
            show_summary(summary)

    run(go())


def show_summary(s: CohortSummary) -> None:
    console.print(f"[bold]{s.cohort}[/bold]: {s.program} {s.school_year}, launched {when(s.launched_at)}")
    console.print(
        f"{s.coaches} coaches ({s.coaching_unlocked} coaching), {s.partnerships} partnerships, {s.cycles_completed} cycles completed"
    )
    statuses = [a.value for a in Attendance]
    grid = [[n, *[s.attendance.get(n, {}).get(st, 0) for st in statuses]] for n in sorted(s.attendance)]
    console.print(table("Attendance", ["session", *statuses], grid))
    console.print(table("Partnerships by stage", ["stage", "partnerships"], [[k, v] for k, v in s.partnerships_by_stage.items()]))
    if s.stalled:
        stalled = [
            [p.id, p.coach, p.school, p.stage.label, when(p.stalled_since), p.days_stalled, p.follow_ups, p.escalations] for p in s.stalled
        ]
        console.print(table("Stalled", ["partnership", "coach", "school", "stage", "since", "days", "follow-ups", "escalations"], stalled))
    else:
        console.print("No stalled partnerships.")


@cohort_app.command("add")
def add(
    cohort: str,
    name: Annotated[str, typer.Option(help="Their name, as people know them.")],
    email: Annotated[str, typer.Option(help="Their school email.")],
    role: Annotated[Role, typer.Option(help="coach or teacher.")],
    school: Annotated[str, typer.Option(help="Their school's id or name, as in the roster.")],
    actor: Annotated[str | None, typer.Option("--as", help="The coordinator adding them (default: who launched the cohort).")] = None,
) -> None:
    """Add a coach (their training year starts) or a collaborating teacher to a running cohort."""

    async def go() -> None:
        coaching = await coaching_client(settings())
        by = actor or await coaching.launched_by(cohort)
        person = await coaching.add_participant(cohort, NewParticipant(actor=by.lower(), name=name, email=email, role=role, school=school))
        console.print(f"Added {person.name} ({person.email}) to {cohort} as {person.role.value} at {person.school}.")

    run(go())


@cohort_app.command("withdraw")
def withdraw(
    cohort: str,
    email: Annotated[str, typer.Argument(help="The coach's or teacher's email.")],
    reason: Annotated[str, typer.Option(help="Why, kept with the roster's change.")] = "",
    actor: Annotated[str | None, typer.Option("--as", help="The coordinator withdrawing them (default: who launched the cohort).")] = None,
) -> None:
    """Withdraw a coach or collaborating teacher: a coach's training ends, and so do the partnerships that end with them."""

    async def go() -> None:
        coaching = await coaching_client(settings())
        by = actor or await coaching.launched_by(cohort)
        ended = await coaching.withdraw_participant(cohort, Withdrawal(actor=by.lower(), email=email, reason=reason.strip()))
        console.print(f"Withdrew {email.strip().lower()} from {cohort}." + (f" Partnerships ended: {', '.join(ended)}." if ended else ""))

    run(go())


@attendance_app.command("record")
def record(
    cohort: str,
    session: Annotated[int, typer.Option(help=f"Session number, 1 to {SESSIONS_PER_YEAR}.")],
    present: Annotated[list[str] | None, typer.Option(help="Coaches who attended (repeat, or comma-separate).")] = None,
    absent: Annotated[list[str] | None, typer.Option(help="Coaches who were absent.")] = None,
    excused: Annotated[list[str] | None, typer.Option(help="Coaches who were excused.")] = None,
    made_up: Annotated[list[str] | None, typer.Option("--made-up", help="Coaches who made the session up.")] = None,
    actor: Annotated[str | None, typer.Option("--as", help="The coordinator recording it (default: who launched the cohort).")] = None,
) -> None:
    """Record one session's attendance; every name is checked before anything is recorded."""
    marks: dict[str, Attendance] = {}
    for emails, status in (
        (present, Attendance.attended),
        (absent, Attendance.absent),
        (excused, Attendance.excused),
        (made_up, Attendance.made_up),
    ):
        for email in _emails(emails):
            if email in marks:
                raise UserError(f"{email} is given twice")
            marks[email] = status
    if not marks:
        raise UserError("name at least one coach with --present, --absent, --excused or --made-up")

    async def go() -> None:
        coaching = await coaching_client(settings())
        by = actor or await coaching.launched_by(cohort)
        await coaching.record_attendance(cohort, by.lower(), session, marks)
        counts = {s.value: sum(1 for m in marks.values() if m == s) for s in Attendance if s in marks.values()}
        console.print(f"Session {session} of {cohort}: recorded " + ", ".join(f"{n} {k}" for k, n in counts.items()))

    run(go())


def _emails(values: list[str] | None) -> list[str]:
    return [e.strip().lower() for v in values or [] for e in v.split(",") if e.strip()]

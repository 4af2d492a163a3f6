"""`peercoach year-two ...`: the principal's decision, after the last session, for each partnership and coach of the
building (continue, expand or conclude, with a reason), and the decisions kept for next year's cohort."""

from __future__ import annotations

import asyncio
import csv
import sys
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

import typer

from domain.year_two import REASON_MAX_CHARS, YearTwoChoice, YearTwoDecision, coach_subject, partnership_subject
from peercoach.connect import coaching_client
from peercoach.invocation import UserError, run, settings
from peercoach.output import console, print_json, table, when
from peercoach.plan_commands import cohort_program, program_database, school_of
from store import members, school_year

year_two_app = typer.Typer(help="The principal's year-2 decisions: continue, expand or conclude.", no_args_is_help=True)

COLUMNS = ["cohort", "school", "kind", "subject", "choice", "reason", "decided_by", "decided_at"]


class ListFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def subject_of(cohort: str, partnership: str | None, coach: str | None) -> str:
    if (partnership is None) == (coach is None):
        raise UserError("say which the decision is for: --partnership ID or --coach EMAIL (one of them)")
    if coach is not None:
        return coach_subject(coach.strip().lower())
    assert partnership is not None
    given_cohort, slash, pid = partnership.strip().rpartition("/")
    if slash and given_cohort != cohort:
        raise UserError(
            f"{partnership} is not a partnership of cohort {cohort}; give its id (see `peercoach partnership list --cohort {cohort}`)"
        )
    return partnership_subject(pid)


@year_two_app.command("decide")
def decide(
    cohort: str,
    school: str,
    actor: Annotated[str, typer.Option("--by", "--as", help="The school's principal.")],
    choice: Annotated[YearTwoChoice, typer.Option(help="continue, expand (more teachers) or conclude.")],
    reason: Annotated[str, typer.Option(help=f"Why: the coaches and next year's cohort read it (up to {REASON_MAX_CHARS} characters).")],
    partnership: Annotated[
        str | None, typer.Option(help="The partnership it is for (its id, as `peercoach partnership list` shows).")
    ] = None,
    coach: Annotated[str | None, typer.Option(help="The coach it is for (their email).")] = None,
) -> None:
    """Decide year 2 for one partnership or coach of the school; deciding again replaces the decision."""
    subject = subject_of(cohort, partnership, coach)

    async def go() -> None:
        coaching = await coaching_client(settings())
        found = await asyncio.to_thread(school_of, coaching.database, cohort, school)
        decision = await coaching.decide_year_two(cohort, found.id, actor.strip().lower(), subject, choice, reason)
        kind, _, who = decision.subject.partition(":")
        console.print(f"Year 2 for {kind} {who} at {found.name}: {decision.choice.label}. Kept for next year's cohort.", markup=False)
        left = (await coaching.school_year_record(cohort, found.id)).undecided()
        console.print(
            f"{len(left)} still to decide at {found.name}." if left else f"Everyone at {found.name} has a decision.", markup=False
        )

    run(go())


@year_two_app.command("list")
def list_decisions(
    cohort: str,
    school: Annotated[str | None, typer.Option(help="Only this school (its id or name).")] = None,
    form: Annotated[ListFormat, typer.Option("--format", help="table, csv or json.")] = ListFormat.table,
) -> None:
    """The year-2 decisions kept for next year's cohort, by school."""
    with program_database() as database:
        cohort_program(database, cohort)
        only = school_of(database, cohort, school).id if school is not None else None
        names = {s.id: s.name for s in members.schools(database, cohort)}
        found = school_year.decisions(database, cohort, only)
    rows = [_row(cohort, s, d) for s, decisions in found.items() for d in decisions]
    if form == ListFormat.csv:
        out = csv.DictWriter(sys.stdout, fieldnames=COLUMNS, lineterminator="\n")
        out.writeheader()
        out.writerows(rows)
    elif form == ListFormat.json:
        print_json(rows)
    elif not rows:
        console.print("No year-2 decisions yet.")
    else:
        shown = [[names.get(r["school"], r["school"]), f"{r['kind']} {r['subject']}", *_said(r)] for r in rows]
        console.print(table(f"Year 2, {cohort}", ["school", "for", "decision", "reason", "decided by", "decided"], shown))


def _said(row: dict[str, Any]) -> list[str]:
    return [YearTwoChoice(row["choice"]).label, row["reason"], row["decided_by"], when(datetime.fromisoformat(row["decided_at"]))]


def _row(cohort: str, school: str, d: YearTwoDecision) -> dict[str, Any]:
    kind, _, who = d.subject.partition(":")
    return {
        "cohort": cohort,
        "school": school,
        "kind": kind,
        "subject": who,
        "choice": d.choice.value,
        "reason": d.reason,
        "decided_by": d.decided_by,
        "decided_at": d.decided_at.isoformat(),
    }

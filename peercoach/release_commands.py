"""`peercoach release ...`: release days asked for by teachers and coaches, decided by principals."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from domain.release import ReleaseStatus, days_text
from peercoach.connect import coaching_client
from peercoach.invocation import UserError, run, settings
from peercoach.output import JsonFlag, console, print_json, table, when
from peercoach.partnership_commands import split_id

release_app = typer.Typer(help="Ask for, decide and list release time (substitute days).", no_args_is_help=True)


@release_app.command("request")
def request(
    actor: Annotated[str, typer.Option("--as", help="Who asks (a coach or collaborating teacher).")],
    days: Annotated[float, typer.Option(help="Days, in half-day steps.")],
    on: Annotated[str, typer.Option(help="The day, YYYY-MM-DD.")],
    purpose: Annotated[str, typer.Option(help="What the time is for.")],
    partnership: Annotated[str | None, typer.Option(help="The partnership it serves (COHORT/ID).")] = None,
) -> None:
    """Ask the principal for release time."""
    try:
        day = date.fromisoformat(on)
    except ValueError:
        raise UserError(f"--on {on!r} is not a date like 2027-10-05") from None

    async def go() -> None:
        coaching = await coaching_client(settings())
        cohort, person = await coaching.locate(actor)
        pid = None
        if partnership:
            partnership_cohort, pid = split_id(partnership)
            if partnership_cohort != cohort:
                raise UserError(f"{partnership} is not in {actor}'s cohort ({cohort})")
        made = await coaching.request_release(cohort, str(person.school), person.email, days, day, purpose, pid)
        ledger = await coaching.ledger_record(cohort, str(person.school))
        console.print(
            f"Asked for {days_text(made.days)} on {made.on} (request {made.id}); waiting for {ledger.principal}. "
            f"{days_text(ledger.remaining(person.email))} left after this."
        )

    run(go())


@release_app.command("decide")
def decide(
    request_id: Annotated[str, typer.Argument(metavar="ID")],
    actor: Annotated[str, typer.Option("--as", help="The principal.")],
    approve: Annotated[bool, typer.Option("--approve", help="Approve (a substitute is booked).")] = False,
    deny: Annotated[bool, typer.Option("--deny", help="Deny.")] = False,
    reason: Annotated[str | None, typer.Option(help="Told to the requester.")] = None,
) -> None:
    """Approve or deny a release request."""
    if approve == deny:
        raise UserError("say --approve or --deny")

    async def go() -> None:
        decided = await (await coaching_client(settings())).decide_release(request_id, actor.lower(), approve, reason)
        booked = f", substitute booked ({decided.booking})" if decided.booking else ""
        console.print(f"Request {decided.id}: {decided.status.value}{booked}.")

    run(go())


@release_app.command("list")
def list_requests(
    school: Annotated[str | None, typer.Option()] = None,
    pending: Annotated[bool, typer.Option("--pending", help="Only requests waiting for a decision.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Requests per school, and the days each person has left."""

    async def go() -> None:
        ledgers = await (await coaching_client(settings())).ledgers(school)
        shown = [(ledger, [r for r in ledger.requests if not pending or r.status == ReleaseStatus.requested]) for ledger in ledgers]
        if pending:
            shown = [(ledger, requests) for ledger, requests in shown if requests]
        if as_json:
            print_json(
                [
                    {
                        "cohort": ledger.cohort,
                        "school": ledger.school,
                        "principal": ledger.principal,
                        "requests": [r.model_dump(mode="json") for r in requests],
                        "remaining": {email: ledger.remaining(email) for email in sorted(ledger.members)},
                    }
                    for ledger, requests in shown
                ]
            )
            return
        if not shown:
            console.print("No pending requests." if pending else "No release ledgers found.")
        for ledger, requests in shown:
            rows = [[r.id, r.requester, days_text(r.days), r.on, r.status.value, when(r.requested_at), r.purpose] for r in requests]
            title = f"{ledger.school} ({ledger.cohort}), principal {ledger.principal}"
            console.print(table(title, ["request", "who", "days", "on", "status", "asked", "purpose"], rows))
            left = ", ".join(f"{email} {days_text(ledger.remaining(email))}" for email in sorted(ledger.members))
            console.print(f"Days left: {left}", markup=False)

    run(go())

"""`peercoach partnership ...`: what a coach (and a coordinator) does with partnerships."""

from __future__ import annotations

from typing import Annotated

import typer

from domain.cohort import NewPartnership
from domain.cycle import CYCLE_STAGES, Outcome, PartnershipRecord, Stage
from domain.problems import Refused
from domain.words import label
from peercoach.connect import coaching_client
from peercoach.invocation import UserError, run, settings
from peercoach.output import JsonFlag, console, print_json, table, when

partnership_app = typer.Typer(help="Start, move and look at coaching partnerships.", no_args_is_help=True)


def split_id(partnership: str) -> tuple[str, str]:
    cohort, _, pid = partnership.partition("/")
    if not cohort or not pid:
        raise UserError(f"{partnership!r} is not a partnership id; they look like COHORT/PARTNERSHIP (see `peercoach partnership list`)")
    return cohort, pid


@partnership_app.command("start")
def start(
    cohort: str,
    coach: Annotated[str, typer.Option(help="The coach's email.")],
    partner: Annotated[list[str], typer.Option(help="A collaborating teacher's email (repeat for a team).")],
    focus: Annotated[str, typer.Option(help="What the lessons will improve.")],
    goal: Annotated[str | None, typer.Option(help="The school goal it serves.")] = None,
    actor: Annotated[
        str | None, typer.Option("--as", help="Who starts it: the coach, or a coordinator (default: who launched the cohort).")
    ] = None,
) -> None:
    """Start a partnership in a running cohort."""

    async def go() -> None:
        coaching = await coaching_client(settings())
        by = actor or await coaching.launched_by(cohort)
        request = NewPartnership(actor=by.lower(), coach=coach, partners=partner, focus=focus, school_goal=goal)
        started = await coaching.start_partnership(cohort, request)
        console.print(
            f"Started partnership [bold]{cohort}/{started.id}[/bold] "
            f"({started.coach} with {', '.join(started.partners)}), {started.stage.label}."
        )

    run(go())


@partnership_app.command("advance")
def advance(
    partnership: str,
    actor: Annotated[str, typer.Option("--as", help="Who is moving it (the coach).")],
    to: Annotated[str | None, typer.Option(help="The next stage: " + ", ".join(s.label for s in CYCLE_STAGES) + ".")] = None,
    new_cycle: Annotated[bool, typer.Option("--new-cycle", help="After reflect: start another cycle.")] = False,
    close: Annotated[bool, typer.Option("--close", help="After reflect: close the partnership.")] = False,
    note: Annotated[str | None, typer.Option(help="A note kept with the move.")] = None,
) -> None:
    """Move a partnership to its next stage. On refusal, says why and what is allowed now."""
    if sum(bool(x) for x in (to, new_cycle, close)) != 1:
        raise UserError("say exactly one of --to STAGE, --new-cycle or --close")
    target = Stage.parse(to) if to else Stage.initiate if new_cycle else Stage.closed
    cohort, pid = split_id(partnership)

    async def go() -> None:
        coaching = await coaching_client(settings())
        try:
            result = await coaching.move(cohort, pid, actor.lower(), target, note)
        except Refused as refused:
            raise Refused(refused.reason, refused.allowed or ["nothing, for " + actor.lower()]) from None
        allowed = ", ".join(s.label for s in result.allowed) or "nothing"
        console.print(
            f"{partnership}: {result.move.source.label} -> {result.stage.label} (cycle {result.move.cycle}). Next for {actor}: {allowed}."
        )

    run(go())


@partnership_app.command("note")
def note(
    partnership: str,
    actor: Annotated[str, typer.Option("--as", help="The coach or a collaborating teacher.")],
    text: Annotated[str, typer.Option(help="The note.")] = "",
    link: Annotated[str | None, typer.Option(help="A link to an artifact (lesson plan, student work).")] = None,
) -> None:
    """Add a note or an artifact link to a partnership."""
    cohort, pid = split_id(partnership)

    async def go() -> None:
        record = await (await coaching_client(settings())).add_note(cohort, pid, actor.lower(), text, link)
        console.print(f"{partnership}: note added ({len(record.notes)} in all).")

    run(go())


@partnership_app.command("goal")
def goal(
    partnership: str,
    actor: Annotated[str, typer.Option("--as", help="The coach or a collaborating teacher.")],
    lesson: Annotated[str, typer.Option(help="The lesson or unit to improve.")],
    aim: Annotated[str, typer.Option("--goal", help="What this cycle sets out to improve in it.")],
) -> None:
    """Name the cycle's goal (at initiate, or while co-planning)."""
    cohort, pid = split_id(partnership)

    async def go() -> None:
        named = await (await coaching_client(settings())).set_goal(cohort, pid, actor, lesson, aim)
        console.print(f"{partnership}: cycle {named.cycle} sets out to improve {named.lesson!r}: {named.goal}", markup=False)

    run(go())


@partnership_app.command("outcome")
def outcome(
    partnership: str,
    actor: Annotated[str, typer.Option("--as", help="The coach or a collaborating teacher.")],
    result: Annotated[Outcome, typer.Option("--outcome", help="met, partly-met or not-met.")],
    evidence: Annotated[str | None, typer.Option(help="What shows it: student work, scores, what was seen.")] = None,
) -> None:
    """Record how the cycle's goal went (at reflect)."""
    cohort, pid = split_id(partnership)

    async def go() -> None:
        recorded = await (await coaching_client(settings())).record_outcome(cohort, pid, actor, result, evidence)
        console.print(f"{partnership}: cycle {recorded.cycle}'s goal {label(recorded.outcome)}.", markup=False)

    run(go())


@partnership_app.command("show")
def show(partnership: str, as_json: JsonFlag = False) -> None:
    """The partnership's stage, stall state, and history of moves with who and when."""
    cohort, pid = split_id(partnership)

    async def go() -> None:
        record = await (await coaching_client(settings())).partnership_record(cohort, pid)
        if as_json:
            print_json(record)
        else:
            show_record(partnership, record)

    run(go())


def show_record(partnership: str, r: PartnershipRecord) -> None:
    console.print(f"[bold]{partnership}[/bold]: {r.coach} with {', '.join(r.partners)} at {r.school}")
    console.print(f"Focus: {r.focus}" + (f" (goal: {r.school_goal})" if r.school_goal else ""), markup=False)
    console.print(f"Stage: {r.stage.label} since {when(r.stage_since)}, cycle {r.cycle}, {r.cycles_completed} completed")
    if r.stall.stalled_since:
        console.print(
            f"[yellow]Stalled since {when(r.stall.stalled_since)}[/yellow]: "
            f"{r.stall.follow_ups} follow-ups, {r.stall.escalations} escalations"
        )
    rows = [[m.cycle, m.source.label, m.target.label, m.by, when(m.at), m.note] for m in r.moves]
    console.print(table("Moves", ["cycle", "from", "to", "by", "at", "note"], rows))
    if r.goals:
        goals = [[g.cycle, g.lesson, g.goal, label(g.outcome) if g.outcome else "", g.evidence or ""] for g in r.goals]
        console.print(table("Goals", ["cycle", "lesson or unit", "goal", "outcome", "evidence"], goals))
    if r.notes:
        console.print(
            table("Notes", ["at", "stage", "by", "note", "link"], [[when(n.at), n.stage.label, n.author, n.text, n.link] for n in r.notes])
        )


@partnership_app.command("list")
def list_partnerships(
    cohort: Annotated[str | None, typer.Option()] = None,
    school: Annotated[str | None, typer.Option()] = None,
    coach: Annotated[str | None, typer.Option()] = None,
    stage: Annotated[str | None, typer.Option()] = None,
    stalled: Annotated[bool, typer.Option("--stalled", help="Only stalled partnerships.")] = False,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="At most this many (a page).")] = 100,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many (the next page starts at offset + limit).")] = 0,
    as_json: JsonFlag = False,
) -> None:
    """Partnerships from the program's database, a page at a time (no workflow is asked)."""

    async def go() -> None:
        coaching = await coaching_client(settings())
        found = await coaching.find_partnerships(
            cohort, school, coach, Stage.parse(stage) if stage else None, True if stalled else None, limit, offset
        )
        if as_json:
            print_json(found)
        elif not found.rows:
            console.print("No partnerships match.")
        else:
            rows = [[f"{r.cohort}/{r.id}", r.school, r.coach, r.stage.label, "yes" if r.stalled else ""] for r in found.rows]
            console.print(table(None, ["partnership", "school", "coach", "stage", "stalled"], rows))
            shown = f"{offset + 1}-{offset + len(found.rows)} of {found.total}"
            more = f"; next page: --offset {offset + limit}" if offset + limit < found.total else ""
            console.print(f"{shown}{more}", highlight=False)

    run(go())

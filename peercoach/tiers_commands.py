"""`peercoach tiers ...`: the program's Tiers Model, a person's self-assessment, and how many moved up.

A person's answers are theirs and their coach's: `assess` prints only the tier of the person
answering, and `movement` and `status` print counts, a share only for a group large enough
that no one's answers can be worked out (`domain.tiers.MIN_GROUP`).
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import typer

from domain import access
from domain.tiers import EVERYONE, MIN_GROUP, MODEL, OVERALL, Movement, Round, TiersInstrument
from domain.words import label
from peercoach.connect import coaching_client
from peercoach.invocation import UserError, run, settings
from peercoach.output import JsonFlag, console, print_json, table
from peercoach.plan_commands import cohort_program, program_database
from store import members, school_year
from store.sealed import Sealer, Unsealable
from workers.codec import key_ring

tiers_app = typer.Typer(help="The Tiers Model: the instrument, self-assessments before and after, and movement.", no_args_is_help=True)


@tiers_app.command("instrument")
def instrument(cohort: str, as_json: JsonFlag = False) -> None:
    """The program's instrument: its tiers, lowest first, with their descriptors, and the dimensions each person answers."""
    with program_database() as database:
        tiers = cohort_program(database, cohort).tiers
    if as_json:
        print_json(tiers)
        return
    console.print(tiers.name, style="bold", markup=False)
    console.print(
        table("Tiers (lowest first)", ["tier", "name", "descriptor"], [[n, t.name, t.descriptor] for n, t in enumerate(tiers.tiers, 1)])
    )
    if tiers.dimensions:
        console.print(table("Dimensions (a tier for each)", ["dimension", "name"], [[d.key, d.name] for d in tiers.dimensions]))
    else:
        console.print(f"One tier overall: answer --answer {OVERALL}=TIER.", markup=False)


def parse_answers(tiers: TiersInstrument, given: list[str]) -> dict[str, int]:
    """DIMENSION=TIER, the tier by its number or its name; an instrument without dimensions takes a bare TIER."""
    keys = tiers.dimension_keys
    answers: dict[str, int] = {}
    for text in given:
        dimension, sep, tier = text.partition("=")
        if not sep:
            if keys != [OVERALL]:
                raise UserError(f"--answer {text!r} is not DIMENSION=TIER; write it as {keys[0]}=2 (the dimensions: {', '.join(keys)})")
            dimension, tier = OVERALL, text
        dimension = dimension.strip().lower()
        if dimension in answers:
            raise UserError(f"--answer names {dimension} twice; give one tier for each dimension")
        answers[dimension] = _level(tiers, tier.strip(), text)
    return answers


def _level(tiers: TiersInstrument, tier: str, text: str) -> int:
    if tier.isdigit():
        return int(tier)  # the domain says which numbers are tiers
    by_name = {t.name.lower(): n for n, t in enumerate(tiers.tiers, 1)}
    if tier.lower() in by_name:
        return by_name[tier.lower()]
    named = ", ".join(f"{n} {t.name}" for n, t in enumerate(tiers.tiers, 1))
    raise UserError(f"--answer {text!r}: {tier!r} is not a tier of {tiers.name}; give its number or its name ({named})")


@tiers_app.command("assess")
def assess(
    cohort: str,
    actor: Annotated[str, typer.Option("--by", "--as", help="Who answers: a coach or collaborating teacher (their school is found).")],
    asked_round: Annotated[Round, typer.Option("--round", help="pre (before coaching) or post (after the year).")],
    answer: Annotated[list[str], typer.Option(help="DIMENSION=TIER, once for each dimension (see `peercoach tiers instrument`).")],
) -> None:
    """Place yourself on the program's tiers for a round; answering again in the same round replaces the answers."""
    email = actor.strip().lower()

    async def go() -> None:
        coaching = await coaching_client(settings())
        tiers = (await asyncio.to_thread(cohort_program, coaching.database, cohort)).tiers
        answers = parse_answers(tiers, answer)  # the school's workflow checks them against the instrument
        found = (await asyncio.to_thread(members.people, coaching.database, cohort, emails=[email])).rows
        if not found:
            raise UserError(f"{email} is not taking part in cohort {cohort}; `peercoach cohort status {cohort}` shows who is")
        person = found[0]
        if person.school is None:  # no school's year to ask; one that has them refuses anyone else itself
            raise UserError(f"{email} is a {label(person.role)}: {access.SELF_ASSESSORS}")
        tier = await coaching.assess(cohort, person.school, email, asked_round, answers)
        console.print(f"{email}: self-assessment {asked_round.label} recorded, tier {tier} ({tiers.tier_name(tier)}).", markup=False)

    run(go())


@tiers_app.command("movement")
def movement(cohort: str, as_json: JsonFlag = False) -> None:
    """The share of collaborating teachers who moved up a tier, over the cohort, each school and each school model.
    Counts only: a group of fewer than the minimum shows "too few to show"."""
    with program_database() as database:
        cohort_program(database, cohort)
        schools = members.schools(database, cohort)
        try:
            found = school_year.tier_movement(database, Sealer(key_ring(settings())), cohort)
        except Unsealable as err:
            raise UserError(f"cannot open the self-assessment answers ({err}); run with the deployment's codec keys") from None

    def of(group: str) -> Movement:
        return found.get(group, Movement(group=group))

    groups = [("cohort", cohort, of(EVERYONE))]
    groups += [("school", f"{s.name} ({s.id})", of(s.id)) for s in schools]
    groups += [("school model", model, of(f"{MODEL}{model}")) for model in sorted({s.model.value for s in schools})]
    if as_json:
        print_json([_movement_json(kind, name, m) for kind, name, m in groups])
        return
    rows = [[kind, name, m.said()] for kind, name, m in groups]
    console.print(table(f"Tier movement, before to after, {cohort}", ["group", "name", "moved up a tier"], rows))
    console.print(f"Only groups of {MIN_GROUP} or more who answered both rounds are shown, so no one's answers can be worked out.")


def _movement_json(kind: str, name: str, m: Movement) -> dict[str, Any]:
    """A small group's counts stay unsaid here too: only whether it is shown."""
    counts = {"people": m.people, "moved_up": m.moved_up, "share": m.share} if m.shown else {}
    return {"group": kind, "name": name, "shown": m.shown, "said": m.said(), **counts}


@tiers_app.command("status")
def status(cohort: str, as_json: JsonFlag = False) -> None:
    """How many have answered each round, per school."""
    with program_database() as database:
        cohort_program(database, cohort)
        schools = members.schools(database, cohort)
        counts = school_year.assessed_counts(database, cohort)
    answered = {s.id: counts.get(s.id, {Round.pre: 0, Round.post: 0}) for s in schools}
    if as_json:
        print_json([{"school": s.id, "name": s.name, **{r.value: answered[s.id][r] for r in Round}} for s in schools])
        return
    rows = [[s.id, s.name, *(answered[s.id][r] for r in Round)] for s in schools]
    console.print(table(f"Self-assessments answered, {cohort}", ["school", "name", *(f"{r.value} ({r.label})" for r in Round)], rows))

"""`peercoach plan ...`: each school's coaching plan, written by its coaches with the principal and endorsed by the principal.

Reading a plan asks only the program's database (what the school's workflow last published);
writing and endorsing go to the school's workflow, whose validator refuses before anything is
kept. The school lookups here serve the year-2 commands too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer

from domain import plans
from domain.plans import PlanDraft, PlanStatus, SchoolPlan, coverage
from domain.problems import InvalidInput, Problem
from domain.program import Program
from domain.roster import School
from domain.words import PLAN_STATUS, day
from domain.yaml_files import parse_yaml
from peercoach.connect import coaching_client
from peercoach.invocation import UserError, run, settings
from peercoach.output import JsonFlag, console, print_json, table
from store import members, read_model, school_year
from store.database import Database

plan_app = typer.Typer(help="Write, endorse and look at each school's coaching plan.", no_args_is_help=True)

FLAGS = {"assignments": "--assignments", "roles": "--roles", "communication": "--communication"}
FILE_KEYS = ["goals", *plans.SECTIONS, "submit"]
FILE_EXAMPLE = "goals:\n  - Writing across the curriculum\nassignments: Ann with Tia\nroles: Co-plan weekly\ncommunication: Staff meeting"


# -- looking up a cohort and its schools (the year-2 commands use these too) -------------------------


@contextmanager
def program_database() -> Iterator[Database]:
    """The program's database alone, for commands that only read: no Temporal is needed to answer them."""
    database = Database.open(settings().database)
    try:
        yield database
    finally:
        database.dispose()


def cohort_program(database: Database, cohort: str) -> Program:
    program = members.program_of(database, cohort)
    if program is None:
        raise UserError(f"there is no cohort {cohort}; `peercoach cohort list` names them")
    return program


def school_of(database: Database, cohort: str, given: str) -> School:
    """A school of the cohort by its id (hazel-dell-elementary) or its name (Hazel Dell Elementary)."""
    cohort_program(database, cohort)
    schools = members.schools(database, cohort)
    wanted = given.strip().lower()
    found = next((s for s in schools if wanted in (s.id, s.name.lower())), None)
    if found is None:
        raise UserError(f"{given!r} is not a school of cohort {cohort}; its schools are {', '.join(s.id for s in schools) or 'none'}")
    return found


def on_day(at: Any, program: Program) -> str:
    """The school day a moment fell on, in the program's time zone."""
    return "" if at is None else day(at.astimezone(ZoneInfo(program.timezone)).date())


# -- reading -------------------------------------------------------------------------------------------


@plan_app.command("show")
def show(cohort: str, school: str, as_json: JsonFlag = False) -> None:
    """One school's plan: its goals (and how many partnerships work on each), assignments, roles and communication."""
    with program_database() as database:
        program = cohort_program(database, cohort)
        found = school_of(database, cohort, school)
        plan = school_year.plan_of(database, cohort, found.id)
        goals = read_model.school_goals(database, cohort).get(found.id, [])
    if as_json:
        print_json(_plan_json(cohort, found, plan, goals))
        return
    if plan is None:
        console.print(f"{found.name} ({found.id}) has no coaching plan yet; its coaches write it with {found.principal}.", markup=False)
        return
    console.print(
        f"{found.name} ({found.id}), cohort {cohort}: coaching plan version {plan.version}, {_status(plan, program)}", markup=False
    )
    console.print(f"Written by {plan.written_by} on {on_day(plan.written_at, program)}", markup=False)
    rows = [[c.goal.key, c.goal.text, c.partnerships] for c in coverage(plan, goals)]
    console.print(table("Goals", ["goal", "school improvement goal", "partnerships on it"], rows))
    for field, said in plans.SECTIONS.items():
        console.print(f"{said.capitalize()}:", markup=False, style="bold")
        console.print(getattr(plan, field), markup=False)


@plan_app.command("list")
def list_plans(cohort: str, as_json: JsonFlag = False) -> None:
    """Every school of the cohort: its plan's status, when it was endorsed, and its goals with the partnerships on each."""
    with program_database() as database:
        program = cohort_program(database, cohort)
        schools = members.schools(database, cohort)
        written = school_year.plans(database, cohort)
        goals = read_model.school_goals(database, cohort)
    if as_json:
        print_json([_plan_json(cohort, s, written.get(s.id), goals.get(s.id, [])) for s in schools])
        return
    rows = []
    for s in schools:
        plan = written.get(s.id)
        if plan is None:
            rows.append([s.id, s.name, "no plan yet", "", ""])
            continue
        listed = "\n".join(f"{c.goal.key} {c.goal.text} ({_partnerships(c.partnerships)})" for c in coverage(plan, goals.get(s.id, [])))
        endorsed = on_day(plan.endorsed_at, program) if plan.endorsed else ""
        rows.append([s.id, s.name, PLAN_STATUS[plan.status], endorsed, listed])
    console.print(table(f"Coaching plans, {cohort}", ["school", "name", "status", "endorsed on", "goals"], rows))
    done = sum(1 for p in written.values() if p.endorsed)
    console.print(f"{done} of {len(schools)} schools have an endorsed plan.", highlight=False)


def _partnerships(n: int) -> str:
    return f"{n} partnership{'s' * (n != 1)}"


def _status(plan: SchoolPlan, program: Program) -> str:
    if plan.endorsed:
        return f"endorsed by {plan.endorsed_by} on {on_day(plan.endorsed_at, program)}"
    return PLAN_STATUS[plan.status]


def _plan_json(cohort: str, school: School, plan: SchoolPlan | None, goals: list[str | None]) -> dict[str, Any]:
    return {
        "cohort": cohort,
        "school": school.id,
        "name": school.name,
        "principal": school.principal,
        "plan": None if plan is None else plan.model_dump(mode="json"),
        "coverage": []
        if plan is None
        else [{"goal": c.goal.key, "text": c.goal.text, "partnerships": c.partnerships} for c in coverage(plan, goals)],
    }


# -- writing and endorsing ---------------------------------------------------------------------------------


def read_plan_file(path: Path) -> dict[str, Any]:
    """A plan's parts from a YAML file: every problem named with its field and how to put it right."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput([Problem(file, None, None, f"cannot read the file: {exc.strerror}")]) from None
    except UnicodeDecodeError:
        raise InvalidInput([Problem(file, None, None, "the file is not UTF-8 text")]) from None
    raw = parse_yaml(text, file)
    if not isinstance(raw, dict):
        raise InvalidInput([Problem(file, None, None, f"expected the plan's parts as keys, such as:\n{FILE_EXAMPLE}")])
    problems = [
        Problem(file, None, str(key), f"not a part of a plan; its parts are {', '.join(FILE_KEYS)}") for key in raw if key not in FILE_KEYS
    ]
    goals = raw.get("goals")
    if isinstance(goals, str):
        goals = [goals]  # one goal, written on the key's line
    if not isinstance(goals, list) or not goals:
        problems.append(
            Problem(file, None, "goals", "missing; list the school improvement goals the coaching serves, one per line as '- the goal'")
        )
    else:
        problems += [
            Problem(file, f"goals item {n}", None, "write the goal as text") for n, goal in enumerate(goals, 1) if not isinstance(goal, str)
        ]
    for field, said in plans.SECTIONS.items():
        if field not in raw or raw[field] is None:
            problems.append(Problem(file, None, field, f"missing; say {said}"))
        elif not isinstance(raw[field], str):
            problems.append(Problem(file, None, field, f"write {said} as text (for several lines, start it with '|')"))
    if not isinstance(raw.get("submit", False), bool):
        problems.append(Problem(file, None, "submit", "true (ask the principal to endorse it now) or false"))
    if problems:
        raise InvalidInput(problems)
    return {"goals": goals, **{field: raw[field] for field in plans.SECTIONS}, "submit": raw.get("submit", False)}


@plan_app.command("write")
def write(
    cohort: str,
    school: str,
    actor: Annotated[str, typer.Option("--by", "--as", help="Who writes it: one of the school's coaches, or its principal.")],
    goal: Annotated[
        list[str] | None, typer.Option(help=f"A school improvement goal it serves (repeat, up to {plans.PLAN_GOALS_MAX}).")
    ] = None,
    assignments: Annotated[str | None, typer.Option(help="Who the coaches work with.")] = None,
    roles: Annotated[str | None, typer.Option(help="The coaches' roles and responsibilities.")] = None,
    communication: Annotated[str | None, typer.Option(help="How the staff will hear of it.")] = None,
    plan_file: Annotated[
        Path | None, typer.Option("--file", help="The whole plan as YAML: goals, assignments, roles, communication.")
    ] = None,
    submit: Annotated[bool, typer.Option("--submit", help="Ask the principal to endorse it now.")] = False,
) -> None:
    """Write the school's plan, or change it (a changed plan needs endorsing again). A part not given keeps its words."""
    given: dict[str, Any] = {"goals": goal or None, "assignments": assignments, "roles": roles, "communication": communication}
    if plan_file is not None:
        if any(v is not None for v in given.values()):
            raise UserError("give the plan in --file or in --goal, --assignments, --roles and --communication, not both")
        given = read_plan_file(plan_file)
        submit = submit or given.pop("submit")

    async def go() -> None:
        coaching = await coaching_client(settings())
        found = await asyncio.to_thread(school_of, coaching.database, cohort, school)
        if any(v is None for v in given.values()):
            kept = (await coaching.school_year_record(cohort, found.id)).plan
            for part in [k for k, v in given.items() if v is None]:
                given[part] = _kept(kept, part)
        draft = PlanDraft(actor=actor.strip().lower(), submit=submit, **given)
        plan = await coaching.write_plan(cohort, found.id, draft)
        asked = f"; {found.principal} is asked to endorse it" if plan.status == PlanStatus.submitted else ""
        console.print(f"{found.name}'s coaching plan is now version {plan.version}, {PLAN_STATUS[plan.status]}{asked}.", markup=False)
        console.print("Goals: " + "; ".join(f"{g.key} {g.text}" for g in plan.goals), markup=False)

    run(go())


def _kept(plan: SchoolPlan | None, part: str) -> Any:
    """The current plan's words for a part the writer did not give."""
    if plan is None:
        flag = "--goal" if part == "goals" else FLAGS[part]
        said = "the school improvement goals the coaching serves" if part == "goals" else plans.SECTIONS[part]
        raise UserError(
            f"{flag} is missing: the school has no plan yet to keep it from, so say {said} (or give the whole plan with --file)"
        )
    return [g.text for g in plan.goals] if part == "goals" else getattr(plan, part)


@plan_app.command("endorse")
def endorse(
    cohort: str,
    school: str,
    actor: Annotated[str, typer.Option("--by", "--as", help="The school's principal.")],
) -> None:
    """Endorse the school's plan as part of the building's professional development plan."""

    async def go() -> None:
        coaching = await coaching_client(settings())
        found = await asyncio.to_thread(school_of, coaching.database, cohort, school)
        program = await asyncio.to_thread(cohort_program, coaching.database, cohort)
        plan = await coaching.endorse_plan(cohort, found.id, actor.strip().lower())
        console.print(
            f"{found.name}'s coaching plan, version {plan.version}, is endorsed by {plan.endorsed_by} "
            f"on {on_day(plan.endorsed_at, program)}.",
            markup=False,
        )

    run(go())

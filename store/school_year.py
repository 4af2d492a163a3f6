"""A school's year in the database: its plan and year-2 decisions as the school's workflow last published them,
and self-assessment answers, sealed as they arrive.

The plan and the decisions are the school's, read by its principal and the coordinators. The
answers are a person's own: sealed (`store/sealed.py`) with the row they belong to, and opened
only to show them to the person and their coach, or to count movement for a group large enough.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Connection, select

from domain.plans import SchoolPlan
from domain.roster import Role
from domain.school_year import SchoolYearSummary
from domain.tiers import EVERYONE, MODEL, Movement, Pair, Round, movement, withhold_differences
from domain.year_two import YearTwoChoice, YearTwoDecision
from store import tables
from store.database import Database, insert
from store.read_model import forward
from store.sealed import Sealer


def publish_school(database: Database, summary: SchoolYearSummary) -> bool:
    """The plan moves only forward by revision; the decisions are the summary's, replaced with it."""
    with database.begin() as db:
        written = True
        if summary.plan is not None:
            written = forward(db, tables.school_plans, _plan_row(summary), ["cohort", "school"])
        if written:
            _replace_decisions(db, summary)
        return written


def _plan_row(summary: SchoolYearSummary) -> dict[str, object]:
    plan = summary.plan
    assert plan is not None
    return {
        "cohort": summary.cohort,
        "school": summary.school,
        "goals": [g.model_dump() for g in plan.goals],
        "assignments": plan.assignments,
        "roles": plan.roles,
        "communication": plan.communication,
        "status": plan.status.value,
        "version": plan.version,
        "written_by": plan.written_by,
        "written_at": plan.written_at,
        "endorsed_by": plan.endorsed_by,
        "endorsed_at": plan.endorsed_at,
        "revision": summary.revision,
    }


def _replace_decisions(db: Connection, summary: SchoolYearSummary) -> None:
    d = tables.year_two_decisions
    for decision in summary.decisions:
        row = {"cohort": summary.cohort, "school": summary.school, **decision.model_dump(mode="python")}
        row["choice"] = decision.choice.value
        statement = insert(db, d).values(row)
        newer = d.c.decided_at < statement.excluded.decided_at  # a late publish of an older summary changes nothing
        changed = {k: statement.excluded[k] for k in ("choice", "reason", "decided_by", "decided_at")}
        db.execute(statement.on_conflict_do_update(index_elements=["cohort", "subject"], set_=changed, where=newer))


def plan_of(database: Database, cohort: str, school: str) -> SchoolPlan | None:
    p = tables.school_plans.c
    with database.begin() as db:
        row = db.execute(select(tables.school_plans).where(p.cohort == cohort, p.school == school)).first()
    return None if row is None else _plan(row)


def _plan(row: object) -> SchoolPlan:
    return SchoolPlan.model_validate({k: v for k, v in row._asdict().items() if k not in ("cohort", "school", "revision")})  # type: ignore[attr-defined]


def plans(database: Database, cohort: str) -> dict[str, SchoolPlan]:
    """Every school's plan that has been written, by school id."""
    p = tables.school_plans.c
    with database.begin() as db:
        return {r.school: _plan(r) for r in db.execute(select(tables.school_plans).where(p.cohort == cohort).order_by(p.school))}


def decisions(database: Database, cohort: str, school: str | None = None) -> dict[str, list[YearTwoDecision]]:
    """Year-2 decisions by school."""
    d = tables.year_two_decisions.c
    query = select(tables.year_two_decisions).where(d.cohort == cohort).order_by(d.school, d.subject)
    if school is not None:
        query = query.where(d.school == school)
    found: dict[str, list[YearTwoDecision]] = {}
    with database.begin() as db:
        for r in db.execute(query):
            decision = YearTwoDecision(
                subject=r.subject, choice=YearTwoChoice(r.choice), reason=r.reason, decided_by=r.decided_by, decided_at=r.decided_at
            )
            found.setdefault(r.school, []).append(decision)
    return found


# -- self-assessments: sealed ----------------------------------------------------------------


def _row_name(cohort: str, email: str, round: Round) -> str:
    return f"self_assessments/{cohort}/{email}/{round.value}/answers"


def record_answers(
    database: Database,
    sealer: Sealer,
    cohort: str,
    school: str,
    email: str,
    role: Role,
    round: Round,
    answers: dict[str, int],
    at: datetime,
) -> None:
    """A later answer in the same round replaces the earlier one (the round is open until its deadline)."""
    sealed = sealer.seal_text(json.dumps(answers, sort_keys=True), _row_name(cohort, email, round))
    row = {
        "cohort": cohort,
        "email": email,
        "round": round.value,
        "school": school,
        "role": role.value,
        "answers": sealed,
        "submitted_at": at,
    }
    with database.begin() as db:
        statement = insert(db, tables.self_assessments).values(row)
        db.execute(
            statement.on_conflict_do_update(
                index_elements=["cohort", "email", "round"], set_={"answers": sealed, "submitted_at": at, "school": school}
            )
        )


def answers_of(database: Database, sealer: Sealer, cohort: str, email: str) -> dict[Round, dict[str, int]]:
    """One person's answers by round: for the person, and their coach (the doors check who asks)."""
    a = tables.self_assessments.c
    with database.begin() as db:
        rows = db.execute(select(a.round, a.answers).where(a.cohort == cohort, a.email == email)).all()
    return {Round(r.round): json.loads(sealer.open_text(r.answers, _row_name(cohort, email, Round(r.round)))) for r in rows}


def tier_movement(database: Database, sealer: Sealer, cohort: str) -> dict[str, Movement]:
    """Movement over the cohort (`EVERYONE`), each school (by id) and each school model (`model:<name>`).

    Counts only, and as they may be shown: the domain's `Movement` shows a share for a group of at least its
    minimum that no difference with the others would give away, and says why not otherwise.
    """
    a, s = tables.self_assessments.c, tables.schools.c
    with database.begin() as db:
        models = {r.id: r.model for r in db.execute(select(s.id, s.model).where(s.cohort == cohort))}
        rows = db.execute(
            select(a.email, a.round, a.school, a.answers).where(a.cohort == cohort, a.role == Role.teacher.value).order_by(a.email)
        ).all()
    by_person: dict[str, dict[Round, dict[str, int]]] = {}
    school_of: dict[str, str] = {}
    for r in rows:
        by_person.setdefault(r.email, {})[Round(r.round)] = json.loads(
            sealer.open_text(r.answers, _row_name(cohort, r.email, Round(r.round)))
        )
        school_of[r.email] = r.school
    pairs = [
        Pair(pre=both[Round.pre], post=both[Round.post], groups=[school_of[email], f"{MODEL}{models.get(school_of[email])}"])
        for email, both in by_person.items()
        if len(both) == 2
    ]
    return withhold_differences(movement(pairs, EVERYONE), {s: str(m) for s, m in models.items()})


def assessed_counts(database: Database, cohort: str) -> dict[str, dict[Round, int]]:
    """How many answered each round, by school."""
    a = tables.self_assessments.c
    found: dict[str, dict[Round, int]] = {}
    with database.begin() as db:
        for r in db.execute(select(a.school, a.round).where(a.cohort == cohort)):
            counts = found.setdefault(r.school, {Round.pre: 0, Round.post: 0})
            counts[Round(r.round)] += 1
    return found

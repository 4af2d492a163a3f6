"""The Tiers Model self-assessment: a coach or collaborating teacher places themselves on the program's scale when
their round is open and sees their own answers; a coach sees their partners'; a principal sees only their school's
movement and a coordinator the cohort's, each school's and each school model's, as counts, for groups large enough."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from domain import access
from domain.problems import Refused
from domain.roster import SchoolModel
from domain.tiers import EVERYONE, MIN_GROUP, MODEL, OVERALL, Movement, Round, tier_of
from store.sealed import Sealer
from web.frame import SignedIn, SignedInCsrfChecked, done, engine, page
from web.school_year_visits import SchoolYearVisits
from web.visitor import Visitor

router = APIRouter()
ANSWER = "tier:"  # a form field per dimension: tier:<dimension key> = the tier's number


def _url(cohort: str) -> str:
    return f"/cohorts/{cohort}/tiers"


async def _tiers_page(
    request: Request,
    visitor: Visitor,
    cohort: str,
    status_code: int = 200,
    problem: str | None = None,
    asked: Mapping[str, int] | None = None,
) -> Response:
    """What each person may see of the Tiers Model in this cohort: their own rounds, their partners', or the counts."""
    sealer = engine(request).sealer
    m = visitor.membership(cohort)
    member, program = m.member, m.program
    instrument = program.tiers
    context: dict[str, object] = {
        "cohort": cohort,
        "instrument": instrument,
        "dimensions": [(d.key, d.name) for d in instrument.dimensions] or [(OVERALL, instrument.name)],
        "zone": program.timezone,
        "now": datetime.now(UTC),
        "problem": problem,
        "asked": asked or {},
        "tier_of": tier_of,
        "MIN_GROUP": MIN_GROUP,
        "rounds": None,
        "partners": [],
        "movement": [],
    }
    if access.may_self_assess(member):
        record, rounds = await SchoolYearVisits(visitor).self_assessment(cohort, sealer)
        context["assessing"] = visitor.email in record.assessing()
        context["rounds"] = rounds
        partners = await SchoolYearVisits(visitor).partners_answers(cohort, sealer)
        context["partners"] = partners
        context["names"] = await visitor.names(cohort, [p.email for p in partners])
    context["movement"] = await _movement(visitor, cohort, sealer)
    return page(request, "tiers.html", status_code=status_code, **context)


async def _movement(visitor: Visitor, cohort: str, sealer: Sealer) -> list[tuple[str, Movement]]:
    """Each group this person may see the movement of, named as people say it: for a coordinator the cohort, each
    school and each school model; for a principal their schools."""
    found = await SchoolYearVisits(visitor).tier_movement(cohort, sealer)
    if not found:
        return []
    names = await visitor.school_names(cohort)
    if access.movement_groups(visitor.membership(cohort).member) is not None:
        return [(names.get(g, g), mv) for g, mv in found.items()]
    shown = [("The whole cohort", found.get(EVERYONE, Movement(group=EVERYONE)))]
    shown += [(name, found.get(school, Movement(group=school))) for school, name in sorted(names.items(), key=lambda item: item[1])]
    for model in SchoolModel:
        group = f"{MODEL}{model.value}"
        shown.append((f"Schools of the {model.value} model", found.get(group, Movement(group=group))))
    return shown


@router.get("/cohorts/{cohort}/tiers", response_class=HTMLResponse)
async def tiers(request: Request, cohort: str, visitor: SignedIn) -> Response:
    return await _tiers_page(request, visitor, cohort)


@router.post("/cohorts/{cohort}/tiers/{round}", response_class=HTMLResponse, dependencies=[SignedInCsrfChecked])
async def assess(request: Request, cohort: str, round: Round, visitor: SignedIn) -> Response:
    """One radio group per dimension (`tier:<key>`); which dimensions and tiers there are is the instrument's rule."""
    form = await request.form()
    answers: dict[str, int] = {}
    for field, value in form.multi_items():
        if not field.startswith(ANSWER):
            continue
        key = field.removeprefix(ANSWER)
        if not isinstance(value, str) or not value.strip().isdigit():
            return await _tiers_page(request, visitor, cohort, 400, f"choose one of the tiers for {key}; nothing was saved", answers)
        answers[key] = int(value)
    try:
        tier = await SchoolYearVisits(visitor).assess(cohort, round, answers)
    except Refused as refused:
        return await _tiers_page(request, visitor, cohort, 409, refused.reason, answers)
    name = visitor.membership(cohort).program.tiers.tier_name(tier)
    said = f"Self-assessment {round.label} saved: you placed yourself at {name}; only you and your coach see your answers"
    return done(request, _url(cohort), said)

"""What the year-end report is made from: the cohort's summary, every partnership and every school's ledger, with names,
and each school's plan, tier movement (counted from sealed answers: the sealer opens them) and year-2 decisions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import select

from domain.cycle import Stage
from domain.problems import Refused
from domain.report import MeetingCounts, SchoolYearFacts, YearReport, year_report
from domain.roster import Role
from domain.year_two import coach_subject, partnership_subject
from store import meetings, members, read_model, school_year, tables
from store.database import Database
from store.read_model import PartnershipRow
from store.sealed import Sealer

READ_AT_ONCE = 1_000  # partnerships read a page at a time: a state's cohort has tens of thousands


def year_report_of(database: Database, cohort: str, now: datetime, sealer: Sealer) -> YearReport:
    found = next((c for c in members.cohorts(database) if c.cohort == cohort), None)
    if found is None:
        raise Refused(f"there is no cohort {cohort}")
    summary = read_model.cohort_summary(database, cohort, found.program, found.launched_at, now)
    partnerships = list(_every_partnership(database, cohort))
    people = {e for p in partnerships for e in (p.coach, *p.partners)}
    names: dict[str, str] = {}
    ordered = sorted(people)
    for start in range(0, len(ordered), READ_AT_ONCE):
        names |= members.names(database, cohort, ordered[start : start + READ_AT_ONCE])
    schools = members.schools(database, cohort)
    ledgers = read_model.ledgers(database, cohort)
    names_of_schools = {s.id: s.name for s in schools}
    goals, subjects = _taking_part(database, cohort)
    facts = SchoolYearFacts(
        schools=schools,
        plans=school_year.plans(database, cohort),
        school_goals=goals,
        movement=school_year.tier_movement(database, sealer, cohort),
        assessed=school_year.assessed_counts(database, cohort),
        decisions=school_year.decisions(database, cohort),
        subjects=subjects,
        meetings=_meetings(database, cohort),
    )
    closed = found.status == "closed"
    return year_report(summary, found.program, partnerships, ledgers, names, names_of_schools, now, final=closed, school_year=facts)


def _taking_part(database: Database, cohort: str) -> tuple[dict[str, list[str | None]], dict[str, list[str]]]:
    """By school: the school goal each partnership still taking part names (what its plan is matched against), and
    what its principal decides year 2 for (those partnerships and its coaches not withdrawn), as its workflow has them."""
    p, people = tables.partnerships.c, tables.people.c
    partnerships = (
        select(p.id, p.school, p.school_goal).where(p.cohort == cohort, p.stage != Stage.withdrawn.value).order_by(p.school, p.id)
    )
    coaches = select(people.email, people.school).where(
        people.cohort == cohort, people.role == Role.coach.value, people.withdrawn.is_(False), people.school.is_not(None)
    )
    goals: dict[str, list[str | None]] = {}
    subjects: dict[str, list[str]] = {}
    with database.begin() as db:
        for partnership in db.execute(partnerships):
            goals.setdefault(partnership.school, []).append(partnership.school_goal)
            subjects.setdefault(partnership.school, []).append(partnership_subject(partnership.id))
        for coach in db.execute(coaches.order_by(people.email)):
            subjects.setdefault(coach.school, []).append(coach_subject(coach.email))
    return goals, subjects


def _meetings(database: Database, cohort: str) -> dict[str, MeetingCounts]:
    """Each school's series, meetings held and people present (store/meetings.py counts them; never who came)."""
    counts: dict[str, MeetingCounts] = {}
    for line in meetings.listed(database, cohort):
        c = counts.setdefault(line.series.school, MeetingCounts())
        c.series, c.held, c.present = c.series + 1, c.held + line.held, c.present + line.came
    return counts


def _every_partnership(database: Database, cohort: str) -> Iterator[PartnershipRow]:
    offset = 0
    while True:
        page = read_model.find_partnerships(database, cohort, limit=READ_AT_ONCE, offset=offset)
        yield from page.rows
        offset += len(page.rows)
        if not page.rows or offset >= page.total:
            return

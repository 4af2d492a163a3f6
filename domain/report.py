"""The year-end report: what a cohort's year did, for funders, the district and the program office.

Everything in it is a count, a sum or a stage, taken from the read model: no note, no
reflection, no individual's answer. A coordinator can make it at any time; until the
cohort's year has closed it says "so far". `figures` lists every number of the report
once, as (section, group, measure, value): the CSV is those rows, and the PDF, the page
and the workbook show the same numbers.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from domain.cohort import CohortSummary, PartnershipSummary
from domain.program import Program
from domain.release import ReleaseLedgerRecord, ReleaseStatus
from domain.training import Attendance
from domain.words import label

APPROVED = (ReleaseStatus.approved, ReleaseStatus.booked, ReleaseStatus.used)
UNDATED = "month not known"  # cycles completed before the read model kept their days (migration 0008)


class SessionAttendance(BaseModel):
    session: int
    title: str
    starts_on: date
    marks: dict[Attendance, int]  # every mark, zero included
    unrecorded: int


class SchoolYear(BaseModel):
    """A school's partnerships and release days."""

    school: str  # its name
    partnerships: int = 0
    cycles_completed: int = 0
    follow_ups: int = 0
    escalations: int = 0
    goals_named: int = 0
    goals_met: int = 0
    days_requested: float = 0.0
    days_approved: float = 0.0  # approved, booked or used
    days_used: float = 0.0
    days_denied: float = 0.0


class PartnershipLine(BaseModel):
    title: str  # "Mary Okafor with Tom Reyes"
    school: str
    stage: str
    cycles_completed: int
    follow_ups: int
    escalations: int


class CyclesInMonth(BaseModel):
    month: str  # as people say it: "October 2026"
    first_day: date
    cycles_completed: int


class YearReport(BaseModel):
    cohort: str
    program: str
    school_year: str
    as_of: datetime
    final: bool  # the cohort's year has closed; otherwise the report is "so far"
    coaches: int
    coaching_unlocked: int
    training: dict[str, int]  # coaches by how their year stands or ended
    sessions: list[SessionAttendance]
    partnerships: int
    by_stage: dict[str, int]
    cycles_completed: int
    follow_ups: int
    escalations: int
    stalled_now: int
    goals_named: int  # cycles that named a goal (its words stay in the partnership)
    goals_met: int
    cycles_by_month: list[CyclesInMonth]  # every month of the school year, zeros included, by the schools' calendar
    cycles_undated: int  # completed before the read model kept each cycle's day (migration 0008): in no month
    schools: list[SchoolYear]
    lines: list[PartnershipLine]


class Figure(BaseModel):
    section: str
    group: str
    measure: str
    value: float


def year_report(
    summary: CohortSummary,
    program: Program,
    partnerships: Iterable[PartnershipSummary],
    ledgers: Iterable[ReleaseLedgerRecord],
    names: dict[str, str],
    school_names: dict[str, str],
    now: datetime,
    final: bool,
) -> YearReport:
    """The report of a cohort from its summary, its partnerships and its schools' ledgers; `names` and `school_names` turn
    addresses and ids into the roster's names."""
    schools: dict[str, SchoolYear] = {}

    def school(sid: str) -> SchoolYear:
        return schools.setdefault(sid, SchoolYear(school=school_names.get(sid, sid)))

    lines = []
    completed_in: Counter[date] = Counter()  # by the first day of the month
    undated = 0
    for p in partnerships:
        completed_in.update(day.replace(day=1) for day in p.cycles_completed_on)
        undated += max(0, p.cycles_completed - len(p.cycles_completed_on))
        s = school(p.school)
        s.partnerships += 1
        s.cycles_completed += p.cycles_completed
        s.follow_ups += p.follow_ups
        s.escalations += p.escalations
        s.goals_named += p.goals_named
        s.goals_met += p.goals_met
        title = f"{names.get(p.coach, p.coach)} with {', '.join(names.get(t, t) for t in p.partners)}"
        lines.append(PartnershipLine(title=title, school=s.school, stage=p.stage.label, **p.model_dump(include=_COUNTS)))
    for ledger in ledgers:
        _add_release(school(ledger.school), ledger)
    return YearReport(
        cohort=summary.cohort,
        program=summary.program,
        school_year=summary.school_year,
        as_of=now.astimezone(ZoneInfo(program.timezone)),  # the schools' clock
        final=final,
        coaches=summary.coaches,
        coaching_unlocked=summary.coaching_unlocked,
        training=summary.training,
        sessions=[_session(program, n, marks, summary.coaches) for n, marks in sorted(summary.attendance.items())],
        partnerships=summary.partnerships,
        by_stage=summary.partnerships_by_stage,
        cycles_completed=summary.cycles_completed,
        follow_ups=summary.follow_ups,
        escalations=summary.escalations,
        stalled_now=len(summary.stalled),
        goals_named=sum(s.goals_named for s in schools.values()),
        goals_met=sum(s.goals_met for s in schools.values()),
        cycles_by_month=_by_month(program, completed_in),
        cycles_undated=undated,
        schools=sorted(schools.values(), key=lambda s: s.school),
        lines=sorted(lines, key=lambda line: (line.school, line.title)),
    )


_COUNTS = {"cycles_completed", "follow_ups", "escalations"}


def _session(program: Program, number: int, marks: dict[str, int], coaches: int) -> SessionAttendance:
    counted = {a: marks.get(a.value, 0) for a in Attendance}
    s = program.session(number)
    unrecorded = coaches - sum(counted.values())
    return SessionAttendance(session=number, title=s.title, starts_on=s.starts_on, marks=counted, unrecorded=unrecorded)


def _by_month(program: Program, completed_in: Counter[date]) -> list[CyclesInMonth]:
    """From the month of the first session to the month of the last, and any month a cycle completed outside them."""
    first = min(s.starts_on for s in program.sessions).replace(day=1)
    last = max(s.ends_on for s in program.sessions).replace(day=1)
    if completed_in:
        first, last = min(first, *completed_in), max(last, *completed_in)
    months = []
    month = first
    while month <= last:
        months.append(CyclesInMonth(month=month_words(month), first_day=month, cycles_completed=completed_in[month]))
        month = (month + timedelta(days=31)).replace(day=1)
    return months


def month_words(day: date) -> str:
    """The month of `day` as people say it: "October 2026"."""
    return f"{MONTHS[day.month - 1]} {day.year}"


def undated(count: int) -> str:
    """What the page and the PDF say of cycles in no month."""
    if count == 1:
        return "1 cycle completed before the program began keeping the day of each, so it is in no month."
    return f"{count} cycles completed before the program began keeping the day of each, so they are in no month."


MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]


def _add_release(school: SchoolYear, ledger: ReleaseLedgerRecord) -> None:
    for r in ledger.requests:
        school.days_requested += r.days
        if r.status in APPROVED:
            school.days_approved += r.days
        if r.status == ReleaseStatus.used:
            school.days_used += r.days
        if r.status == ReleaseStatus.denied:
            school.days_denied += r.days


def figures(report: YearReport) -> list[Figure]:
    """Every number in the report, once."""
    rows: list[tuple[str, str, str, float]] = [
        ("training", "cohort", "coaches", report.coaches),
        ("training", "cohort", "coaching unlocked", report.coaching_unlocked),
        *(("training", "cohort", f"year {status}", n) for status, n in sorted(report.training.items())),
    ]
    for session in report.sessions:
        group = f"session {session.session}"
        rows += [("attendance", group, label(a), n) for a, n in session.marks.items()]
        rows.append(("attendance", group, "not recorded", session.unrecorded))
    rows += [
        ("coaching", "cohort", "partnerships", report.partnerships),
        ("coaching", "cohort", "cycles completed", report.cycles_completed),
        ("coaching", "cohort", "follow-ups", report.follow_ups),
        ("coaching", "cohort", "escalations", report.escalations),
        ("coaching", "cohort", "stalled now", report.stalled_now),
        ("coaching", "cohort", "goals named", report.goals_named),
        ("coaching", "cohort", "goals met", report.goals_met),
        *(("stages", "cohort", stage, n) for stage, n in report.by_stage.items()),
        *(("cycles per month", "cohort", m.month, m.cycles_completed) for m in report.cycles_by_month),
    ]
    if report.cycles_undated:
        rows.append(("cycles per month", "cohort", UNDATED, report.cycles_undated))
    by_school: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for s in report.schools:
        by_school[s.school] += [
            ("partnerships", s.partnerships),
            ("cycles completed", s.cycles_completed),
            ("follow-ups", s.follow_ups),
            ("escalations", s.escalations),
            ("goals named", s.goals_named),
            ("goals met", s.goals_met),
            ("release days requested", s.days_requested),
            ("release days approved", s.days_approved),
            ("release days used", s.days_used),
            ("release days denied", s.days_denied),
        ]
    rows += [("schools", name, measure, value) for name, measures in by_school.items() for measure, value in measures]
    for line in report.lines:
        group = f"{line.title} ({line.school})"
        rows += [("partnerships", group, "cycles completed", line.cycles_completed)]
        rows += [("partnerships", group, "escalations", line.escalations)]
    return [Figure(section=a, group=b, measure=c, value=d) for a, b, c, d in rows]

"""The year-end report: what a cohort's year did, for funders, the district and the program office.

Everything in it is a count, a sum or a stage, taken from the read model: no note, no
reflection, no individual's answer. A coordinator can make it at any time; until the
cohort's year has closed it says "so far". `figures` lists every figure of the report
once, as (section, group, measure, value): the CSV is those rows, and the PDF, the page
and the workbook show the same figures. A value is a number, or words where a number would
not do: a plan's status, the day it was endorsed, "too few to show".

Tier movement is counts of people who moved up, never anyone's answers, and only for a group
of at least `MIN_GROUP` people; a group whose count could be worked out from the others (the
cohort's less its shown schools) is held back too (`domain.tiers.shown_groups`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from domain.cohort import CohortSummary, PartnershipSummary
from domain.plans import PlanStatus, SchoolPlan, coverage, serves
from domain.program import Program
from domain.release import ReleaseLedgerRecord, ReleaseStatus
from domain.roster import School
from domain.tiers import EVERYONE, GIVES_AWAY, MIN_GROUP, MODEL, TOO_FEW, Movement, Round, shown_groups
from domain.training import Attendance
from domain.words import label
from domain.year_two import YearTwoChoice, YearTwoDecision

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


class GoalLine(BaseModel):
    goal: str  # the plan goal's words
    partnerships: int  # working on it


class SchoolPlanLine(BaseModel):
    """A school's plan as the report shows it: where it stands, and which of its goals partnerships work on."""

    school: str
    status: str  # in words: PLAN_WORDS, or NO_PLAN
    endorsed_on: date | None  # the schools' date
    goals: list[GoalLine]
    partnerships: int  # still taking part (not withdrawn)
    unlinked: int  # of those, naming no goal of the plan (every one, while there is no plan)


class PlansSection(BaseModel):
    schools: int  # every school of the cohort
    endorsed: int
    lines: list[SchoolPlanLine]

    @property
    def unlinked(self) -> int:
        return sum(line.unlinked for line in self.lines)


class GroupMovement(BaseModel):
    """A group's tier movement as anyone may see it: `moved_up` and `percent` are None when not shown, and then
    the report holds no count of it at all."""

    group: str
    people: int  # teachers who answered both rounds
    moved_up: int | None
    percent: int | None  # of `people`, rounded
    hidden: str | None  # why it is not shown: TOO_FEW or GIVES_AWAY

    def counts(self) -> tuple[int | str, int | str]:
        """(moved up, percent moved up), or why not, twice, for a group not shown."""
        if self.hidden is None and self.moved_up is not None and self.percent is not None:
            return self.moved_up, self.percent
        why = self.hidden or TOO_FEW
        return why, why

    def said(self) -> str:
        if self.hidden is not None:
            return self.hidden
        return f"{self.percent}% moved up ({self.moved_up} of {self.people})"


class SchoolMovement(GroupMovement):
    answered_pre: int  # everyone of the school who answered the round, coaches included
    answered_post: int


class TiersSection(BaseModel):
    cohort: GroupMovement  # the headline: the share of teachers who moved up at least one tier
    schools: list[SchoolMovement]  # every school, by name
    models: list[GroupMovement]  # each school model of the cohort's schools
    post_opens: datetime  # the schools' clock: when the second round opens

    @property
    def schools_not_shown(self) -> int:
        return sum(s.hidden is not None for s in self.schools)


class SchoolYearTwo(BaseModel):
    school: str
    decided: dict[YearTwoChoice, int]  # every choice, zero included
    undecided: int  # partnerships and coaches still taking part with no decision yet


class YearTwoSection(BaseModel):
    opens: datetime  # the schools' clock: after the last session
    schools: list[SchoolYearTwo]

    @property
    def decided(self) -> dict[YearTwoChoice, int]:
        return {c: sum(s.decided[c] for s in self.schools) for c in YearTwoChoice}

    @property
    def undecided(self) -> int:
        return sum(s.undecided for s in self.schools)


class MeetingCounts(BaseModel):
    """A school's recurring meetings (domain/meetings.py): how many series, meetings held, and people present in all."""

    series: int = 0
    held: int = 0
    present: int = 0  # summed over the meetings held: one person at three meetings counts three


class MeetingsLine(MeetingCounts):
    school: str


class SchoolYearFacts(BaseModel):
    """What the three outcome sections are made from, by school id: counts, plans and decisions, never an answer."""

    schools: list[School]
    plans: dict[str, SchoolPlan]
    school_goals: dict[str, list[str | None]]  # the school goal each partnership still taking part names
    movement: dict[str, Movement]  # "cohort", school ids and "model:<name>", as `store.school_year.tier_movement` counts it
    assessed: dict[str, dict[Round, int]]
    decisions: dict[str, list[YearTwoDecision]]
    subjects: dict[str, list[str]]  # what each school's principal decides for: its partnerships and coaches taking part
    meetings: dict[str, MeetingCounts] = Field(default_factory=dict)  # by school id


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
    plans: PlansSection
    tiers: TiersSection
    year_two: YearTwoSection
    meetings: list[MeetingsLine] = Field(default_factory=list)  # schools with a series, by name


class Figure(BaseModel):
    section: str
    group: str
    measure: str
    value: float | str  # words where a number would not do: a plan's status, "too few to show"


def year_report(
    summary: CohortSummary,
    program: Program,
    partnerships: Iterable[PartnershipSummary],
    ledgers: Iterable[ReleaseLedgerRecord],
    names: dict[str, str],
    school_names: dict[str, str],
    now: datetime,
    final: bool,
    school_year: SchoolYearFacts,
) -> YearReport:
    """The report of a cohort from its summary, its partnerships, its schools' ledgers and what its schools' years
    kept; `names` and `school_names` turn addresses and ids into the roster's names."""
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
        plans=plans_section(school_year, ZoneInfo(program.timezone)),
        tiers=tiers_section(school_year, program),
        year_two=year_two_section(school_year, program),
        meetings=sorted(
            (MeetingsLine(school=school_names.get(sid, sid), **c.model_dump()) for sid, c in school_year.meetings.items()),
            key=lambda line: line.school,
        ),
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


# -- plans, tier movement and year 2 -----------------------------------------------------------

NO_PLAN = "not written yet"
PLAN_WORDS = {PlanStatus.endorsed: "endorsed", PlanStatus.submitted: "waiting for endorsement", PlanStatus.draft: "draft"}


def plans_section(facts: SchoolYearFacts, zone: ZoneInfo) -> PlansSection:
    lines = []
    for school in _by_name(facts.schools):
        plan, named = facts.plans.get(school.id), facts.school_goals.get(school.id, [])
        if plan is None:
            lines.append(
                SchoolPlanLine(school=school.name, status=NO_PLAN, endorsed_on=None, goals=[], partnerships=len(named), unlinked=len(named))
            )
            continue
        linked = sum(any(serves(g, s) for g in plan.goals) for s in named)
        endorsed_on = plan.endorsed_at.astimezone(zone).date() if plan.endorsed and plan.endorsed_at is not None else None
        goals = [GoalLine(goal=c.goal.text, partnerships=c.partnerships) for c in coverage(plan, named)]
        line = SchoolPlanLine(
            school=school.name,
            status=PLAN_WORDS[plan.status],
            endorsed_on=endorsed_on,
            goals=goals,
            partnerships=len(named),
            unlinked=len(named) - linked,
        )
        lines.append(line)
    endorsed = sum(p.endorsed for p in facts.plans.values())
    return PlansSection(schools=len(facts.schools), endorsed=endorsed, lines=lines)


def tiers_section(facts: SchoolYearFacts, program: Program) -> TiersSection:
    counted = facts.movement
    schools = _by_name(facts.schools)
    models = sorted({f"{MODEL}{s.model.value}" for s in schools})
    shown = shown_groups(counted, {s.id: s.model.value for s in schools})

    def seen(group: str, name: str) -> GroupMovement:
        m = counted.get(group, Movement(group=group))
        if group not in shown:
            return GroupMovement(
                group=name, people=m.people, moved_up=None, percent=None, hidden=TOO_FEW if m.people < MIN_GROUP else GIVES_AWAY
            )
        return GroupMovement(group=name, people=m.people, moved_up=m.moved_up, percent=percent(m.moved_up, m.people), hidden=None)

    school_lines = []
    for s in schools:
        answered = facts.assessed.get(s.id, {})
        line = seen(s.id, s.name).model_dump()
        school_lines.append(SchoolMovement(**line, answered_pre=answered.get(Round.pre, 0), answered_post=answered.get(Round.post, 0)))
    return TiersSection(
        cohort=seen(EVERYONE, EVERYONE),
        schools=school_lines,
        models=[seen(m, model_words(m.removeprefix(MODEL))) for m in models],
        post_opens=program.assessment_opens(Round.post).astimezone(ZoneInfo(program.timezone)),
    )


def meetings_words(report: YearReport) -> str:
    m = report.meetings
    if not m:
        return "No school has set up a recurring meeting yet."
    held, present = sum(line.held for line in m), sum(line.present for line in m)
    return f"{held} meeting(s) held at {len(m)} school(s), in {sum(line.series for line in m)} series; {present} present in all."


def plans_words(plans: PlansSection) -> str:
    """What the page and the PDF say first of the schools' plans."""
    return (
        f"{plans.endorsed} of {plans.schools} schools have an endorsed coaching plan. "
        f"Partnerships working on no plan goal: {plans.unlinked}."
    )


def movement_words(report: YearReport) -> str:
    """What the page and the PDF say first of tier movement: the cohort's, and when it is not there yet, why."""
    t = report.tiers
    said = f"Teachers who moved up at least one tier, from before coaching to after the year: {t.cohort.said()}."
    if not t.cohort.people:
        if report.as_of < t.post_opens:
            said += (
                f" No teacher has answered both rounds yet: the second round opens after the last session, on {t.post_opens:%A %B %-d, %Y}."
            )
        else:
            said += " No teacher has answered both rounds."
    return (
        f"{said} A group's movement is shown only when {MIN_GROUP} or more of its teachers answered both rounds and no "
        "other figure would give away a smaller group's; nobody's answers are in this report."
    )


def year_two_words(report: YearReport) -> str:
    """What the page and the PDF say first of year 2."""
    y = report.year_two
    before = ""
    if report.as_of < y.opens:
        before = f"Year 2 is decided after the last session: the principals' decisions open on {y.opens:%A %B %-d, %Y}. "
    decided = ", ".join(f"{n} {c.value}" for c, n in y.decided.items())
    so_far = "" if report.final else " so far"
    return f"{before}Decisions{so_far}: {decided}; undecided: {y.undecided} (each partnership and coach still taking part)."


def not_shown(tiers: TiersSection) -> str | None:
    """What the page and the PDF say of the schools missing from the tier-movement chart (nothing before anyone answered
    both rounds: the section's first words say why)."""
    missing = tiers.schools_not_shown
    if not missing or not tiers.cohort.people:
        return None
    why = f"fewer than {MIN_GROUP} of its teachers answered both rounds ({TOO_FEW}), or its figure would give away a smaller group's."
    if missing == len(tiers.schools):
        return f"No school is in a chart of its own: in each, {why}"
    which = "1 school is" if missing == 1 else f"{missing} schools are"
    return f"{which} not in the chart: {why}"


def percent(part: int, whole: int) -> int:
    """A share as a whole percent, the same in every format."""
    return int(f"{100 * part / whole:.0f}")


MODEL_WORDS = {"part-time": "part-time coach", "grade-level-team": "grade-level team", "library-ict": "library and ICT"}


def model_words(model: str) -> str:
    return f"{MODEL_WORDS.get(model, model)} schools"


def year_two_section(facts: SchoolYearFacts, program: Program) -> YearTwoSection:
    lines = []
    for s in _by_name(facts.schools):
        decisions = facts.decisions.get(s.id, [])
        decided = Counter(d.choice for d in decisions)
        undecided = set(facts.subjects.get(s.id, [])) - {d.subject for d in decisions}
        lines.append(SchoolYearTwo(school=s.name, decided={c: decided[c] for c in YearTwoChoice}, undecided=len(undecided)))
    return YearTwoSection(opens=program.year_two_opens().astimezone(ZoneInfo(program.timezone)), schools=lines)


def _by_name(schools: Iterable[School]) -> list[School]:
    return sorted(schools, key=lambda s: (s.name, s.id))


def figures(report: YearReport) -> list[Figure]:
    """Every number in the report, once."""
    rows: list[tuple[str, str, str, float | str]] = [
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
    rows += _outcome_figures(report)
    return [Figure(section=a, group=b, measure=c, value=d) for a, b, c, d in rows]


def _outcome_figures(report: YearReport) -> list[tuple[str, str, str, float | str]]:
    plans, tiers, year_two = report.plans, report.tiers, report.year_two
    rows: list[tuple[str, str, str, float | str]] = [
        ("plans", "cohort", "schools", plans.schools),
        ("plans", "cohort", "schools with an endorsed plan", plans.endorsed),
        ("plans", "cohort", "partnerships on no plan goal", plans.unlinked),
    ]
    for line in plans.lines:
        rows += [
            ("plans", line.school, "plan", line.status),
            ("plans", line.school, "endorsed on", line.endorsed_on.isoformat() if line.endorsed_on else "not yet"),
            ("plans", line.school, "partnerships on no plan goal", line.unlinked),
        ]
        rows += [("plan goals", line.school, goal.goal, goal.partnerships) for goal in line.goals]
    for kind, group in [("cohort", tiers.cohort), *(("school model", m) for m in tiers.models), *(("school", s) for s in tiers.schools)]:
        rows += _movement_rows(kind, group)
    for s in tiers.schools:
        rows += [("self-assessment", s.group, "answered before coaching", s.answered_pre)]
        rows += [("self-assessment", s.group, "answered after the year", s.answered_post)]
    for school in year_two.schools:
        rows += [("year 2", school.school, choice.value, n) for choice, n in school.decided.items()]
        rows.append(("year 2", school.school, "undecided", school.undecided))
    rows += [("school meetings", "cohort", "meetings held", sum(m.held for m in report.meetings))]
    for m in report.meetings:
        rows += [
            ("school meetings", m.school, "series", m.series),
            ("school meetings", m.school, "meetings held", m.held),
            ("school meetings", m.school, "present, summed over the meetings held", m.present),
        ]
    return rows


def _movement_rows(kind: str, m: GroupMovement) -> list[tuple[str, str, str, float | str]]:
    """A group not shown has its people, and neither its moved-up count nor its share: both say why."""
    group = m.group if kind == "cohort" else f"{kind}: {m.group}"
    moved, share = m.counts()
    return [
        ("tier movement", group, "answered both rounds", m.people),
        ("tier movement", group, "moved up", moved),
        ("tier movement", group, "percent moved up", share),
    ]

"""The year-end report's cycles per month: each cycle counted once, in the month the schools' calendar says it completed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from domain.cohort import PartnershipSummary, count_year, summarize_year
from domain.cycle import CYCLE_STAGES, PartnershipRecord, Stage
from domain.processes.partnership import MoveRequest, PartnershipProcess
from domain.program import Program
from domain.report import UNDATED, MeetingCounts, SchoolYearFacts, YearReport, figures, meetings_words, year_report
from domain.roster import School, SchoolModel
from tests.conftest import program_starting

COACH, TEACHER, COORDINATOR = "ann@hazel.test", "tia@hazel.test", "cora@esd.test"
# Sessions from Mon 27 Apr 2026 to Mon 17 May 2027: the school year's months are April 2026 to May 2027.
PROGRAM = program_starting(date(2026, 4, 27)).model_copy(update={"timezone": "America/Los_Angeles"})
MONTHS = ["April", "May", "June", "July", "August", "September", "October", "November", "December"]
SCHOOL_YEAR = [f"{m} 2026" for m in MONTHS] + [f"{m} 2027" for m in ("January", "February", "March", "April", "May")]
NOW = datetime(2027, 2, 15, 18, tzinfo=UTC)


def partnership(pid: str = "ann--tia") -> PartnershipRecord:
    return PartnershipRecord(
        cohort="c",
        id=pid,
        school="hazel",
        coach=COACH,
        partners=[TEACHER],
        focus="Research projects",
        coordinators=[COORDINATOR],
        principal="pat@hazel.test",
        coaching_unlocked=True,
    )


def to_reflect(process: PartnershipProcess, record: PartnershipRecord, start: datetime) -> None:
    """The coach moves it on, a stage a day from `start`, until it is in reflect."""
    at = start
    while record.stage != Stage.reflect:
        following = CYCLE_STAGES[CYCLE_STAGES.index(record.stage) + 1] if record.stage in CYCLE_STAGES else Stage.initiate
        process.move(record, MoveRequest(actor=COACH, to=following), at)
        at += timedelta(days=1)


def moved(process: PartnershipProcess, record: PartnershipRecord, actor: str, to: Stage, at: datetime) -> PartnershipSummary:
    summary = process.move(record, MoveRequest(actor=actor, to=to), at).summary
    assert isinstance(summary, PartnershipSummary)
    return summary


HAZEL = School(id="hazel", name="Hazel", district="Vancouver", model=SchoolModel.part_time, principal="pat@hazel.test")


def nothing_yet(*schools: School) -> SchoolYearFacts:
    """A school year before any plan, answer or decision."""
    return SchoolYearFacts(schools=list(schools or [HAZEL]), plans={}, school_goals={}, movement={}, assessed={}, decisions={}, subjects={})


def report_of(
    partnerships: list[PartnershipSummary], program: Program = PROGRAM, final: bool = False, school_year: SchoolYearFacts | None = None
) -> YearReport:
    summary = summarize_year("c", program, None, count_year([], partnerships), [], NOW)
    facts = school_year or nothing_yet()
    names = {s.id: s.name for s in facts.schools}
    return year_report(summary, program, partnerships, [], {}, names, NOW, final=final, school_year=facts)


def test_a_cycle_completes_on_the_schools_date_of_the_move_that_completed_it() -> None:
    process, record = PartnershipProcess(PROGRAM), partnership()
    # 05:30 on Nov 1 in UTC is 22:30 on Oct 31 at the schools (Pacific daylight time).
    to_reflect(process, record, datetime(2026, 10, 20, 16, tzinfo=UTC))
    first = moved(process, record, COACH, Stage.initiate, datetime(2026, 11, 1, 5, 30, tzinfo=UTC))
    assert first.cycles_completed_on == [date(2026, 10, 31)] and first.cycles_completed == 1
    to_reflect(process, record, datetime(2026, 11, 20, 16, tzinfo=UTC))
    second = moved(process, record, COACH, Stage.closed, datetime(2026, 12, 2, 9, tzinfo=UTC))
    assert second.cycles_completed_on == [date(2026, 10, 31), date(2026, 12, 2)] and second.cycles_completed == 2
    assert record.cycles_completed_at == [datetime(2026, 11, 1, 5, 30, tzinfo=UTC), datetime(2026, 12, 2, 9, tzinfo=UTC)]


def test_a_cycle_withdrawn_at_reflect_completes_nothing() -> None:
    process, record = PartnershipProcess(PROGRAM), partnership()
    to_reflect(process, record, datetime(2026, 10, 5, 16, tzinfo=UTC))
    withdrawn = moved(process, record, COORDINATOR, Stage.withdrawn, datetime(2026, 10, 12, 16, tzinfo=UTC))
    assert withdrawn.cycles_completed_on == [] and withdrawn.cycles_completed == 0 and record.cycles_completed_at == []


def test_every_month_of_the_school_year_is_listed_in_peoples_words_zeros_included() -> None:
    report = report_of(
        [
            _summary("ann--tia", date(2026, 10, 5), date(2026, 10, 31)),
            _summary("ann--ted", date(2027, 2, 1)),
            _summary("bob--tia"),
        ]
    )
    assert [m.month for m in report.cycles_by_month] == SCHOOL_YEAR
    counted = {m.month: m.cycles_completed for m in report.cycles_by_month}
    assert counted["October 2026"] == 2 and counted["February 2027"] == 1 and counted["March 2027"] == 0  # "so far": still to come
    assert sum(counted.values()) == report.cycles_completed == 3 and report.cycles_undated == 0
    assert not report.final
    assert [m.first_day for m in report.cycles_by_month][:2] == [date(2026, 4, 1), date(2026, 5, 1)]


def test_each_month_is_one_figure_and_the_figures_add_up_to_the_cycles_completed() -> None:
    report = report_of([_summary("ann--tia", date(2026, 10, 5), date(2026, 10, 31)), _summary("ann--ted", date(2027, 2, 1))])
    rows = [(f.group, f.measure, f.value) for f in figures(report) if f.section == "cycles per month"]
    assert rows == [("cohort", m, {"October 2026": 2, "February 2027": 1}.get(m, 0)) for m in SCHOOL_YEAR]
    keys = [(f.section, f.group, f.measure) for f in figures(report)]
    assert len(keys) == len(set(keys))  # no figure twice


def test_a_cycle_completed_outside_the_sessions_months_widens_the_table_so_none_is_lost() -> None:
    report = report_of([_summary("ann--tia", date(2027, 6, 10)), _summary("ann--ted", date(2027, 8, 3))], final=True)
    months = [m.month for m in report.cycles_by_month]
    assert months == [*SCHOOL_YEAR, "June 2027", "July 2027", "August 2027"]
    assert [m.cycles_completed for m in report.cycles_by_month][-3:] == [1, 0, 1]


def test_cycles_completed_before_their_days_were_kept_are_counted_in_no_month() -> None:
    # A row the read model kept before it held each cycle's day: its count, and no days (migration 0008's default).
    older = _summary("bob--tia").model_copy(update={"cycles_completed": 2, "stage": Stage.closed})
    report = report_of([older, _summary("ann--tia", date(2026, 11, 3))])
    assert report.cycles_completed == 3 and report.cycles_undated == 2
    assert sum(m.cycles_completed for m in report.cycles_by_month) == 1
    assert [(f.measure, f.value) for f in figures(report) if f.measure == UNDATED] == [(UNDATED, 2)]
    assert not [f for f in figures(report_of([_summary("ann--tia")])) if f.measure == UNDATED]  # said only when there are some


def _summary(pid: str, *completed_on: date) -> PartnershipSummary:
    """A partnership as the read model has it, between the coach and the teacher its id names."""
    coach, teacher = (f"{name}@hazel.test" for name in pid.split("--"))
    return PartnershipSummary(
        id=pid,
        coach=coach,
        partners=[teacher],
        school="hazel",
        stage=Stage.initiate if completed_on else Stage.pending,
        cycles_completed=len(completed_on),
        cycles_completed_on=list(completed_on),
    )


def test_school_meetings_are_counted_by_school_and_for_the_cohort_never_by_person() -> None:
    none = report_of([])
    assert meetings_words(none) == "No school has set up a recurring meeting yet."
    assert [(f.measure, f.value) for f in figures(none) if f.section == "school meetings"] == [("meetings held", 0)]

    facts = nothing_yet().model_copy(update={"meetings": {HAZEL.id: MeetingCounts(series=2, held=5, present=17)}})
    met = report_of([], school_year=facts)
    assert meetings_words(met) == "5 meeting(s) held at 1 school(s), in 2 series; 17 present in all."
    found = {(f.group, f.measure): f.value for f in figures(met) if f.section == "school meetings"}
    assert found == {
        ("cohort", "meetings held"): 5,
        (HAZEL.name, "series"): 2,
        (HAZEL.name, "meetings held"): 5,
        (HAZEL.name, "present, summed over the meetings held"): 17,
    }

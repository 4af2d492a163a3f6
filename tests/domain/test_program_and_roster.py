"""The program file, the roster (CSV and YAML), the stall chain, the training timeline and cohort rules."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from domain.cohort import (
    CohortState,
    NewParticipant,
    NewPartnership,
    PartnershipSummary,
    Roll,
    RosterRef,
    TrainingSummary,
    Withdrawal,
    check_new_participant,
    check_new_partnership,
    check_withdrawal,
    count_year,
    partnerships_ending_with,
    summarize_year,
)
from domain.cycle import PartnershipRecord, Stage, apply_move, unlock_coaching
from domain.launch import launch_plan
from domain.problems import InvalidInput, Problem, Refused
from domain.program import (
    Audience,
    CalendarEventKind,
    Program,
    SessionFormat,
    StallStep,
    load_program,
    parse_program,
    training_timeline,
)
from domain.roster import Role, Roster, SchoolModel, load_roster, parse_roster_csv, parse_roster_yaml, read_roster_file
from domain.stall import next_stall_step, record_stall_step, stall_audience
from domain.training import Attendance, TrainingStatus
from tests.roster_fixtures import ANN, ANN_TIA, BOB, BOB_TED, COORDINATOR, HEADER, PRINCIPAL, SMALL, TED, TIA, small_roster

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
T0 = datetime(2027, 5, 1, tzinfo=UTC)


# A fixed program file in the sample's rhythm; the sample's own dates move from year to year.
CALENDAR = """
name: Teacher Librarian Peer Coaching
school_year: 2027-2028
timezone: America/Los_Angeles
coaching_unlocks_after: 5
reminder_days_before: [7, 1]
attendance_grace_days: 3
sessions:
  - {number: 1, title: "Linking coaching to the school improvement plan", starts_on: 2027-04-27, location: "ESD 112, Vancouver"}
  - {number: 2, title: "The coaching role", starts_on: 2027-07-13, location: "ESD 112, Vancouver"}
  - {number: 3, title: "Co-planning", starts_on: 2027-07-14, location: "ESD 112, Vancouver"}
  - {number: 4, title: "Modeling and the Big 6", starts_on: 2027-07-15, location: "ESD 112, Vancouver"}
  - {number: 5, title: "Observing and reflecting", starts_on: 2027-09-21, format: online}
  - {number: 6, title: "Sharing what works", starts_on: 2027-10-19, location: "ESD 112, Vancouver"}
  - {number: 7, title: "Coaching summit", starts_on: 2028-02-08, location: "Seattle"}
  - {number: 8, title: "Year in review", starts_on: 2028-05-16, location: "ESD 112, Vancouver"}
stall_days: {pending: 21, initiate: 14, co_plan: 14, modeling: 21, observe: 21, reflect: 14}
stall_chain:
  - {kind: follow_up, notify: [coach, partners]}
  - {kind: escalation, notify: [coordinator], after_days: 7}
release_days: {coach: 2, teacher: 2}
"""


@pytest.fixture
def sample_raw() -> dict[str, Any]:
    """The fixed program file, parsed as YAML, for a test to spoil."""
    return yaml.safe_load(CALENDAR)


@pytest.fixture(scope="module")
def program() -> Program:
    return parse_program(yaml.safe_load(CALENDAR), "program.yaml")


def problems_of(excinfo: pytest.ExceptionInfo[InvalidInput]) -> list[tuple[int | str | None, str | None, str]]:
    return [(p.row, p.field, p.message) for p in excinfo.value.problems]


# ==============================================================================================
# the program file
# ==============================================================================================


def test_the_sample_program_loads() -> None:
    program = load_program(SAMPLES / "program.yaml")
    first_year = program.session(1).starts_on.year

    assert program.name == "Teacher Librarian Peer Coaching"
    assert program.school_year == f"{first_year}-{first_year + 1}"
    assert program.timezone == "America/Los_Angeles"
    assert [s.number for s in program.sessions] == list(range(1, 9))
    days = [program.session(n).starts_on for n in range(1, 9)]
    assert days == sorted(days)
    assert [program.session(n).starts_on.month for n in range(1, 9)] == [4, 7, 7, 7, 9, 10, 2, 5]
    assert [s.format for s in program.sessions].count(SessionFormat.online) == 1
    assert program.session(5).format == SessionFormat.online
    assert program.coaching_unlocks_after == 5
    assert program.reminder_days_before == [7, 1]
    assert program.attendance_grace_days == 3
    assert program.stall_days == {
        Stage.pending: 21,
        Stage.initiate: 14,
        Stage.co_plan: 14,
        Stage.modeling: 21,
        Stage.observe: 21,
        Stage.reflect: 14,
    }
    assert [(s.kind, s.notify, s.after_days) for s in program.stall_chain] == [
        ("follow_up", [Audience.coach, Audience.partners], None),
        ("escalation", [Audience.coordinator], 7),
    ]
    assert program.release_days == {Role.coach: 2, Role.teacher: 2}
    assert (program.release_reminder_days, program.release_expires_days) == (3, 7)
    assert len(training_timeline(program)) == 24


def test_the_fixed_program_loads_from_a_file(tmp_path: Path, program: Program) -> None:
    path = tmp_path / "program.yaml"
    path.write_text(CALENDAR, encoding="utf-8")
    assert load_program(path) == program
    assert program.session(5).format == SessionFormat.online
    assert program.session(1).location == "ESD 112, Vancouver"
    assert (program.release_reminder_days, program.release_expires_days) == (3, 7)  # the defaults


def test_session_times_are_in_the_programs_time_zone(program: Program) -> None:
    assert program.session_start(1) == datetime(2027, 4, 27, 15, 30, tzinfo=UTC)  # 08:30 PDT
    assert program.session_end(1) == datetime(2027, 4, 27, 22, 30, tzinfo=UTC)  # 15:30 PDT
    assert program.session_start(7) == datetime(2028, 2, 8, 16, 30, tzinfo=UTC)  # 08:30 PST, in winter
    assert program.attendance_due(1) == datetime(2027, 4, 30, 22, 30, tzinfo=UTC)
    assert program.reminders(2) == [(7, program.session_start(2) - timedelta(days=7)), (1, program.session_start(2) - timedelta(days=1))]
    with pytest.raises(KeyError):
        program.session(9)


def test_a_multi_day_session_ends_on_its_last_day(sample_raw: dict[str, Any]) -> None:
    raw = copy.deepcopy(sample_raw)
    raw["sessions"][1]["days"] = 3  # July 13-15 ...
    raw["sessions"][2]["starts_on"] = date(2027, 7, 16)
    raw["sessions"][3]["starts_on"] = date(2027, 7, 17)
    program = parse_program(raw, "program.yaml")
    assert program.session(2).ends_on == date(2027, 7, 15)
    assert program.session_end(2).date() == date(2027, 7, 15)


def test_defaults_fill_in_what_a_program_file_leaves_out(sample_raw: dict[str, Any]) -> None:
    raw = {k: sample_raw[k] for k in ("name", "school_year", "sessions")}
    raw["stall_days"] = {"observe": 30}
    program = parse_program(raw, "program.yaml")
    assert program.coaching_unlocks_after == 5
    assert program.stall_days[Stage.observe] == 30
    assert program.stall_days[Stage.initiate] == 14
    assert len(program.stall_chain) == 2


def _drop_session_8(raw: dict[str, Any]) -> None:
    raw["sessions"] = raw["sessions"][:7]


def _overlap(raw: dict[str, Any]) -> None:
    raw["sessions"][0]["days"] = 3  # April 27-29
    raw["sessions"][1]["starts_on"] = date(2027, 4, 28)


def _out_of_order(raw: dict[str, Any]) -> None:
    raw["sessions"][2]["starts_on"] = date(2027, 7, 1)  # before session 2 on July 13


def _same_day(raw: dict[str, Any]) -> None:
    raw["sessions"][3]["starts_on"] = raw["sessions"][2]["starts_on"]


def _bad_timezone(raw: dict[str, Any]) -> None:
    raw["timezone"] = "Pacific/Vancouver"


def _negative_stall_days(raw: dict[str, Any]) -> None:
    raw["stall_days"]["observe"] = -3


def _zero_stall_days(raw: dict[str, Any]) -> None:
    raw["stall_days"]["pending"] = 0


def _no_time_of_stall_days(raw: dict[str, Any]) -> None:
    raw["stall_days"]["pending"] = 2e-282  # more than 0, but no time at all as a timedelta


def _session_number_9(raw: dict[str, Any]) -> None:
    raw["sessions"][3]["number"] = 9


def _duplicate_number(raw: dict[str, Any]) -> None:
    raw["sessions"][3]["number"] = 3


def _empty_title(raw: dict[str, Any]) -> None:
    raw["sessions"][5]["title"] = ""


def _bad_date(raw: dict[str, Any]) -> None:
    raw["sessions"][0]["starts_on"] = "late April"


def _reminder_on_the_day(raw: dict[str, Any]) -> None:
    raw["reminder_days_before"] = [7, 0]


def _empty_stall_chain(raw: dict[str, Any]) -> None:
    raw["stall_chain"] = []


def _bad_school_year(raw: dict[str, Any]) -> None:
    raw["school_year"] = "2027"


def _unlock_after_9(raw: dict[str, Any]) -> None:
    raw["coaching_unlocks_after"] = 9


def _school_year_backwards(raw: dict[str, Any]) -> None:
    raw["school_year"] = "2028-2027"


def _school_year_of_three_years(raw: dict[str, Any]) -> None:
    raw["school_year"] = "2027-2030"


def _school_year_typed_far_off(raw: dict[str, Any]) -> None:
    raw["school_year"] = "0227-0228"


def _session_1_a_year_early(raw: dict[str, Any]) -> None:
    raw["sessions"][0]["starts_on"] = date(2026, 4, 27)


def _session_8_a_year_late(raw: dict[str, Any]) -> None:
    raw["sessions"][7]["starts_on"] = date(2029, 5, 16)


def _school_year_a_year_off(raw: dict[str, Any]) -> None:
    raw["school_year"] = "2026-2027"


def _session_ends_before_it_starts(raw: dict[str, Any]) -> None:
    raw["sessions"][2]["ends_at"] = "07:30"


def _session_starts_after_it_ends(raw: dict[str, Any]) -> None:
    raw["sessions"][3]["starts_at"] = "16:00"  # and ends at the default 15:30


def _session_ends_as_it_starts(raw: dict[str, Any]) -> None:
    raw["sessions"][4].update(starts_at="10:00", ends_at="10:00")


PROGRAM_MISTAKES = [
    (_drop_session_8, None, "sessions", "a program has exactly sessions 1 to 8, found [1, 2, 3, 4, 5, 6, 7]"),
    (
        _overlap,
        "session 2",
        "starts_on",
        "session 2 starts 2027-04-28 but session 1 runs until 2027-04-29; sessions must be in order and not overlap",
    ),
    (
        _out_of_order,
        "session 3",
        "starts_on",
        "session 3 starts 2027-07-01 but session 2 runs until 2027-07-13; sessions must be in order and not overlap",
    ),
    (
        _same_day,
        "session 4",
        "starts_on",
        "session 4 starts 2027-07-14 but session 3 runs until 2027-07-14; sessions must be in order and not overlap",
    ),
    (_bad_timezone, None, "timezone", "unknown time zone 'Pacific/Vancouver'"),
    (_negative_stall_days, None, "stall_days", "stall thresholds are days and more than 0"),
    (_zero_stall_days, None, "stall_days", "stall thresholds are days and more than 0"),
    (_no_time_of_stall_days, None, "stall_days", "at least a second"),
    (_session_number_9, "sessions item 4", "number", "less than or equal to 8"),
    (_duplicate_number, None, "sessions", "a program has exactly sessions 1 to 8, found [1, 2, 3, 3, 5, 6, 7, 8]"),
    (_empty_title, "sessions item 6", "title", "at least 1 character"),
    (_bad_date, "sessions item 1", "starts_on", "valid date"),
    (_reminder_on_the_day, None, "reminder_days_before", "reminder offsets are whole days before a session, at least 1"),
    (_empty_stall_chain, None, "stall_chain", "at least 1 item"),
    (_bad_school_year, None, "school_year", "should match pattern"),
    (_unlock_after_9, None, "coaching_unlocks_after", "less than or equal to 8"),
    (_school_year_backwards, None, "school_year", "a school year is two years in a row, the first then the next, such as 2028-2029"),
    (_school_year_of_three_years, None, "school_year", "a school year is two years in a row, the first then the next, such as 2027-2028"),
    (_school_year_typed_far_off, None, "school_year", "school years go from 1900-1901 to 2999-3000"),
    (
        _session_1_a_year_early,
        "session 1",
        "starts_on",
        "session 1 is on 2026-04-27, but a 2027-2028 program begins in 2027 (session 1 is often the spring before the school year); "
        "correct its date or the school_year",
    ),
    (
        _school_year_a_year_off,
        "session 1",
        "starts_on",
        "session 1 is on 2027-04-27, but a 2026-2027 program begins in 2026",
    ),
    (
        _session_8_a_year_late,
        "session 8",
        "starts_on",
        "session 8 runs until 2029-05-16, more than 18 months after session 1 on 2027-04-27, so outside the 2027-2028 program year; "
        "correct its date (the year, most likely)",
    ),
    (
        _session_ends_before_it_starts,
        "sessions item 3",
        "ends_at",
        "session 3 ends at 07:30, before it starts at 08:30; starts_at and ends_at are the hours of each day of the session, "
        "such as 08:30 and 15:30",
    ),
    (_session_starts_after_it_ends, "sessions item 4", "starts_at", "session 4 ends at 15:30, before it starts at 16:00"),
    (_session_ends_as_it_starts, "sessions item 5", "ends_at", "session 5 ends at 10:00, before it starts at 10:00"),
]


@pytest.mark.parametrize(("mistake", "row", "field", "message"), PROGRAM_MISTAKES, ids=[m[0].__name__.strip("_") for m in PROGRAM_MISTAKES])
def test_program_mistakes_name_the_file_row_and_field(
    tmp_path: Path, sample_raw: dict[str, Any], mistake: Any, row: str | None, field: str, message: str
) -> None:
    raw = copy.deepcopy(sample_raw)
    mistake(raw)
    path = tmp_path / "program.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")

    with pytest.raises(InvalidInput) as excinfo:
        load_program(path)

    [problem] = excinfo.value.problems
    assert problem.file == str(path)
    assert problem.row == row
    assert problem.field == field
    assert message in problem.message
    assert str(problem).startswith(str(path) + (f", row {row}" if row else "") + f", field '{field}': ")


def test_every_program_mistake_is_reported_at_once(sample_raw: dict[str, Any]) -> None:
    raw = copy.deepcopy(sample_raw)
    _bad_timezone(raw)
    _negative_stall_days(raw)
    _empty_title(raw)
    with pytest.raises(InvalidInput) as excinfo:
        parse_program(raw, "program.yaml")
    assert sorted((p.row or "", p.field or "") for p in excinfo.value.problems) == [
        ("", "stall_days"),
        ("", "timezone"),
        ("sessions item 6", "title"),
    ]
    assert all(p.file == "program.yaml" for p in excinfo.value.problems)


def test_every_overlap_is_reported_at_once(sample_raw: dict[str, Any]) -> None:
    raw = copy.deepcopy(sample_raw)
    _overlap(raw)
    _same_day(raw)
    with pytest.raises(InvalidInput) as excinfo:
        parse_program(raw, "program.yaml")
    assert [(p.row, p.field) for p in excinfo.value.problems] == [("session 2", "starts_on"), ("session 4", "starts_on")]


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (date(2027, 1, 4), date(2028, 7, 3)),  # a winter start and a summer end: 18 months, the longest a training year runs
        (date(2027, 12, 1), date(2029, 5, 31)),  # session 1 late in the first year
        (date(2027, 4, 27), date(2028, 8, 31)),
    ],
)
def test_a_program_year_may_start_in_the_winter_and_end_in_the_summer(sample_raw: dict[str, Any], first: date, last: date) -> None:
    raw = copy.deepcopy(sample_raw)
    step = (last - first) / 7
    for n, session in enumerate(raw["sessions"]):
        session["starts_on"] = first + step * n
    program = parse_program(raw, "program.yaml")
    assert (program.session(1).starts_on, program.session(8).starts_on) == (first, last)


def test_each_day_of_a_multi_day_session_ends_after_it_starts(sample_raw: dict[str, Any]) -> None:
    raw = copy.deepcopy(sample_raw)
    raw["sessions"][7].update(days=2, starts_at="13:00", ends_at="12:00")  # the times are each day's hours, not a span
    with pytest.raises(InvalidInput) as excinfo:
        parse_program(raw, "program.yaml")
    assert [(p.row, p.field) for p in excinfo.value.problems] == [("sessions item 8", "ends_at")]


def test_session_times_with_an_offset_are_compared_by_their_hours(sample_raw: dict[str, Any]) -> None:
    raw = copy.deepcopy(sample_raw)
    raw["sessions"][0].update(starts_at="08:30+02:00", ends_at="15:30")
    assert parse_program(raw, "program.yaml").session(1).ends_at.hour == 15


def test_sessions_may_be_listed_in_any_order(sample_raw: dict[str, Any]) -> None:
    raw = copy.deepcopy(sample_raw)
    raw["sessions"].reverse()
    program = parse_program(raw, "program.yaml")
    assert program.session_start(1) == datetime(2027, 4, 27, 15, 30, tzinfo=UTC)


def test_a_program_file_that_is_not_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "program.yaml"
    path.write_text("name: X\nschool_year: 2027-2028\nsessions: [\n  {number: 1\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as excinfo:
        load_program(path)
    [problem] = excinfo.value.problems
    assert problem.file == str(path)
    assert isinstance(problem.row, int)
    assert problem.message.startswith("not valid YAML")


def test_a_program_file_that_is_not_a_mapping() -> None:
    with pytest.raises(InvalidInput) as excinfo:
        parse_program(["name", "sessions"], "program.yaml")
    assert problems_of(excinfo) == [(None, None, "expected a mapping with name, school_year and sessions")]


def test_a_missing_program_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        load_program(tmp_path / "nope.yaml")
    [problem] = excinfo.value.problems
    assert problem.file == str(tmp_path / "nope.yaml")
    assert problem.message.startswith("cannot read the file")


def test_negative_release_days_are_refused(sample_raw: dict[str, Any]) -> None:
    raw = copy.deepcopy(sample_raw)
    raw["release_days"] = {"coach": -1, "teacher": 2}
    with pytest.raises(InvalidInput) as excinfo:
        parse_program(raw, "program.yaml")
    assert [p.field for p in excinfo.value.problems] == ["release_days"]


# ==============================================================================================
# the training timeline
# ==============================================================================================


def test_the_timeline_has_every_reminder_and_deadline_in_time_order(program: Program) -> None:
    timeline = training_timeline(program)

    assert len(timeline) == 8 * 3
    assert [e.at for e in timeline] == sorted(e.at for e in timeline)
    assert all(e.at.tzinfo is not None for e in timeline)
    for n in range(1, 9):
        mine = [(e.kind, e.days_before, e.at) for e in timeline if e.session == n]
        start = program.session_start(n)
        assert mine == [
            (CalendarEventKind.reminder, 7, start - timedelta(days=7)),
            (CalendarEventKind.reminder, 1, start - timedelta(days=1)),
            (CalendarEventKind.attendance_due, None, program.attendance_due(n)),
        ]
    first, last = timeline[0], timeline[-1]
    assert (first.kind, first.session, first.days_before) == (CalendarEventKind.reminder, 1, 7)
    assert (last.kind, last.session) == (CalendarEventKind.attendance_due, 8)
    assert last.at == datetime(2028, 5, 19, 22, 30, tzinfo=UTC)


def test_the_timeline_interleaves_sessions_that_are_close_together(program: Program) -> None:
    summer = [(e.kind.value, e.session, e.days_before) for e in training_timeline(program) if 2 <= e.session <= 4]
    assert summer == [
        ("reminder", 2, 7),
        ("reminder", 3, 7),
        ("reminder", 4, 7),
        ("reminder", 2, 1),
        ("reminder", 3, 1),
        ("reminder", 4, 1),
        ("attendance_due", 2, None),
        ("attendance_due", 3, None),
        ("attendance_due", 4, None),
    ]


def test_the_timeline_follows_the_programs_reminder_settings(program: Program) -> None:
    custom = program.model_copy(update={"reminder_days_before": [14, 3], "attendance_grace_days": 0})
    timeline = training_timeline(custom)
    assert len(timeline) == 24
    session_6 = [(e.kind.value, e.days_before, e.at) for e in timeline if e.session == 6]
    assert session_6 == [
        ("reminder", 14, custom.session_start(6) - timedelta(days=14)),
        ("reminder", 3, custom.session_start(6) - timedelta(days=3)),
        ("attendance_due", None, custom.session_end(6)),
    ]


def test_reminder_offsets_are_sorted_and_deduplicated(sample_raw: dict[str, Any]) -> None:
    raw = copy.deepcopy(sample_raw)
    raw["reminder_days_before"] = [1, 14, 7, 1]
    assert parse_program(raw, "program.yaml").reminder_days_before == [14, 7, 1]


# ==============================================================================================
# the roster: CSV
# ==============================================================================================


def test_the_sample_roster_loads() -> None:
    roster = load_roster(SAMPLES / "roster.csv")

    assert len(roster.people) == 12
    assert roster.coordinators == ["tanna.colwell@esd112.example.org"]
    assert [(s.id, s.model, s.principal) for s in roster.schools] == [
        ("hazel-dell-elementary", SchoolModel.part_time, "rosa.delgado@hazel.example.org"),
        ("fort-vancouver-high", SchoolModel.team, "dana.brooks@fort.example.org"),
        ("toppenish-middle", SchoolModel.library_ict, "sam.hollis@toppenish.example.org"),
    ]
    assert [(p.id, p.coach.split("@")[0], [x.split("@")[0] for x in p.partners]) for p in roster.partnerships] == [
        ("mary-okafor--tom-reyes", "mary.okafor", ["tom.reyes"]),
        ("grade-2-team", "mary.okafor", ["ana.lindqvist", "ben.whitaker"]),
        ("leo-marchetti--priya-nair", "leo.marchetti", ["priya.nair"]),
        ("hlengiwe-dube--carlos-ibarra", "hlengiwe.dube", ["carlos.ibarra"]),
    ]
    grade_2 = roster.partnerships[1]
    assert grade_2.focus == "Digital storytelling in grade 2"
    assert grade_2.school_goal == "Raise grade 2 reading fluency"
    assert grade_2.school == "hazel-dell-elementary"
    assert roster.person("Mary.Okafor@hazel.example.org").role == Role.coach
    assert roster.person("tanna.colwell@esd112.example.org").school is None
    assert [p.name for p in roster.with_role(Role.principal)] == ["Rosa Delgado", "Dana Brooks", "Sam Hollis"]
    assert roster.school("toppenish-middle").district == "Toppenish"


def test_the_small_test_roster_loads() -> None:
    roster = small_roster()
    assert [p.id for p in roster.partnerships] == [ANN_TIA, BOB_TED]
    assert roster.partnerships[1].school_goal is None


def test_a_roster_with_a_byte_order_mark_and_spreadsheet_quirks_loads(tmp_path: Path) -> None:
    text = SMALL.replace("name,email,role", " Name , EMAIL ,Role").replace("ann@hazel.test,coach", " ANN@Hazel.test ,coach")
    text += ",,,,,,,,,\n"  # an empty spreadsheet row
    path = tmp_path / "roster.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    roster = load_roster(path)
    assert roster.model_dump() == small_roster().model_dump()


def test_schools_with_the_same_name_in_two_districts_get_distinct_ids() -> None:
    text = HEADER + (
        "Cora,cora@esd.test,coordinator,,,,,,,\n"
        "Pat,pat@a.test,principal,Lincoln Elementary,Vancouver,part-time,,,,\n"
        "Pam,pam@b.test,principal,Lincoln Elementary,Yakima,part-time,,,,\n"
        "Ann,ann@a.test,coach,Lincoln Elementary,Yakima,,,,,\n"
    )
    roster = parse_roster_csv(text, "r.csv")
    assert [s.id for s in roster.schools] == ["lincoln-elementary-vancouver", "lincoln-elementary-yakima"]
    assert roster.person("ann@a.test").school == "lincoln-elementary-yakima"


BAD_ROSTER = HEADER + (
    "Cora,cora@esd.test,coordinator,,ESD,,,,,\n"  # row 2
    "Pat,pat@hazel.test,principal,Hazel,Vancouver,part-time,,,,\n"  # row 3
    "Ann,ann@hazel.test,coach,Hazel,Vancouver,,,,,\n"  # row 4
    "Tia,tia@hazel.test,teacher,Hazel,Vancouver,,ann@hazel.test,,Research,\n"  # row 5
    "Dup,TIA@Hazel.Test,teacher,Hazel,Vancouver,,,,,\n"  # row 6: duplicate email
    "Rob,rob@hazel.test,robot,Hazel,Vancouver,,,,,\n"  # row 7: unknown role
    "Qin,qin@fort.test,principal,Fort,Vancouver,weird,,,,\n"  # row 8: unknown school model
    "Una,una@nowhere.test,coach,Nowhere,Vancouver,,,,,\n"  # row 9: a school with no principal
    "Vic,vic@hazel.test,teacher,Hazel,Vancouver,,tia@hazel.test,,Writing,\n"  # row 10: coach is a teacher
    "Gia,gia@gamma.test,principal,Gamma,Vancouver,library-ict,,,,\n"  # row 11
    "Gus,gus@gamma.test,teacher,Gamma,Vancouver,,ann@hazel.test,,Math,\n"  # row 12: partner in another school
    ",zoe@hazel.test,teacher,Hazel,Vancouver,,ann@hazel.test,,Science,\n"  # row 13: no name, so not in the roster
    "Wes,wes@hazel.test,teacher,Hazel,Vancouver,,ann@hazel.test,,,\n"  # row 14: no focus
    "Bad,not-an-email,teacher,Hazel,Vancouver,,,,,\n"  # row 15: bad email
)


def test_every_roster_problem_is_collected_in_one_error() -> None:
    with pytest.raises(InvalidInput) as excinfo:
        parse_roster_csv(BAD_ROSTER, "bad.csv")

    assert sorted(problems_of(excinfo), key=lambda p: (p[0], p[1])) == [
        (6, "email", "tia@hazel.test is already used on row 5"),
        (7, "role", "unknown role 'robot'; roles are coordinator, coach, teacher, principal"),
        (8, "school_model", "unknown school model 'weird'; models are part-time, grade-level-team, library-ict"),
        (9, "school", "Nowhere has no principal in the roster"),
        (10, "coach", "tia@hazel.test is not a coach in the roster"),
        (12, "school", "gus@gamma.test is at gamma, but coach ann@hazel.test is at hazel"),
        (13, "email", "zoe@hazel.test is not in the roster"),
        (13, "name", "a name is required"),
        (14, "focus", "a partnership needs a focus (what the lessons will improve)"),
        (15, "email", "'not-an-email' is not an email address"),
    ]
    assert {p.file for p in excinfo.value.problems} == {"bad.csv"}
    assert "bad.csv, row 6, field 'email': tia@hazel.test is already used on row 5" in str(excinfo.value).splitlines()


GOOD_ROWS = HEADER + (
    "Cora,cora@esd.test,coordinator,,ESD,,,,,\n"  # row 2
    "Pat,pat@hazel.test,principal,Hazel,Vancouver,part-time,,,,\n"  # row 3
    "Ann,ann@hazel.test,coach,Hazel,Vancouver,,,,,\n"  # row 4
)


@pytest.mark.parametrize(
    ("row_5", "field", "message"),
    [
        ("Ann Again,Ann@HAZEL.test,teacher,Hazel,Vancouver,,,,,", "email", "ann@hazel.test is already used on row 4"),
        ("Rob,rob@hazel.test,Robot,Hazel,Vancouver,,,,,", "role", "unknown role 'robot'; roles are coordinator, coach, teacher, principal"),
        ("Rob,rob@hazel.test,,Hazel,Vancouver,,,,,", "role", "unknown role ''; roles are coordinator, coach, teacher, principal"),
        ("Tia,tia@hazel.test,teacher,Elsewhere,Vancouver,,,,,", "school", "Elsewhere has no principal in the roster"),
        ("Tia,tia@hazel.test,teacher,Hazel,Yakima,,,,,", "school", "Hazel has no principal in the roster"),
        ("Tia,tia@hazel.test,teacher,,,,,,,", "school", "a teacher needs a school"),
        ("Cid,cid@hazel.test,coach,,,,,,,", "school", "a coach needs a school"),
        ("Tia,tia@hazel.test,teacher,Hazel,Vancouver,,cora@esd.test,,Focus,", "coach", "cora@esd.test is not a coach in the roster"),
        (
            "Tia,tia@hazel.test,teacher,Hazel,Vancouver,,nobody@hazel.test,,Focus,",
            "coach",
            "nobody@hazel.test is not a coach in the roster",
        ),
        (
            "Tia,tia@hazel.test,teacher,Hazel,Vancouver,,ann@hazel.test,,,",
            "focus",
            "a partnership needs a focus (what the lessons will improve)",
        ),
        ("Cid,cid@hazel.test,coach,Hazel,Vancouver,,ann@hazel.test,,Focus,", "coach", "only a teacher row names a coach"),
        ("Tia,tia@hazel,teacher,Hazel,Vancouver,,,,,", "email", "'tia@hazel' is not an email address"),
        ("Tia,tia hazel.test,teacher,Hazel,Vancouver,,,,,", "email", "'tia hazel.test' is not an email address"),
        ("Tia,,teacher,Hazel,Vancouver,,,,,", "email", "an email is required"),
        ("Pam,pam@hazel.test,principal,Hazel,Vancouver,part-time,,,,", "school", "Hazel already has a principal (pat@hazel.test)"),
        (
            "Pia,pia@fort.test,principal,Fort,Vancouver,,,,,",
            "school_model",
            "a school model is required: part-time, grade-level-team, library-ict",
        ),
        (
            "Pia,pia@fort.test,principal,Fort,Vancouver,charter,,,,",
            "school_model",
            "unknown school model 'charter'; models are part-time, grade-level-team, library-ict",
        ),
    ],
)
def test_each_roster_problem_names_its_row_and_field(row_5: str, field: str, message: str) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        parse_roster_csv(GOOD_ROWS + row_5 + "\n", "roster.csv")
    assert problems_of(excinfo) == [(5, field, message)]
    assert excinfo.value.problems[0].file == "roster.csv"


def test_a_partner_row_that_is_rejected_is_not_in_the_roster() -> None:
    with pytest.raises(InvalidInput) as excinfo:
        parse_roster_csv(GOOD_ROWS + "Tia,tia@hazel.test,wizard,Hazel,Vancouver,,ann@hazel.test,,Focus,\n", "roster.csv")
    assert problems_of(excinfo) == [
        (5, "role", "unknown role 'wizard'; roles are coordinator, coach, teacher, principal"),
        (5, "email", "tia@hazel.test is not in the roster"),
    ]


def test_partners_of_one_named_partnership_share_its_coach() -> None:
    text = GOOD_ROWS + (
        "Cid,cid@hazel.test,coach,Hazel,Vancouver,,,,,\n"
        "Tia,tia@hazel.test,teacher,Hazel,Vancouver,,ann@hazel.test,Team A,Focus,\n"
        "Tom,tom@hazel.test,teacher,Hazel,Vancouver,,cid@hazel.test,team a,Focus,\n"
    )
    with pytest.raises(InvalidInput) as excinfo:
        parse_roster_csv(text, "roster.csv")
    assert problems_of(excinfo) == [(7, "coach", "partnership team-a already has coach ann@hazel.test")]


def test_a_roster_needs_a_coordinator() -> None:
    with pytest.raises(InvalidInput) as excinfo:
        parse_roster_csv(HEADER + "Pat,pat@hazel.test,principal,Hazel,Vancouver,part-time,,,,\n", "roster.csv")
    assert problems_of(excinfo) == [(1, "role", "the roster needs at least one coordinator")]


@pytest.mark.parametrize(
    ("header", "missing"),
    [("email,role", ["name"]), ("name,role,school", ["email"]), ("name,email", ["role"]), ("school,district", ["name", "email", "role"])],
)
def test_missing_columns_are_named(header: str, missing: list[str]) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        parse_roster_csv(header + "\n", "roster.csv")
    assert problems_of(excinfo) == [(1, c, "missing column (the header row needs it)") for c in missing]


def test_unknown_columns_are_ignored_with_a_warning_that_names_them() -> None:
    loaded = read_roster_file(b"name,email,role,Phone,grade\nCora,cora@esd.test,coordinator,555,\n", "roster.csv")
    columns = "name, email, role, school, district, school_model, coach, partnership, focus, school_goal"
    assert loaded.warnings == [f"roster.csv: 'Phone' and 'grade' are not roster columns and were ignored (roster columns are {columns})"]
    assert [p.email for p in loaded.roster.people] == ["cora@esd.test"]


def test_a_row_with_more_cells_than_columns_is_reported() -> None:
    with pytest.raises(InvalidInput) as excinfo:
        parse_roster_csv(GOOD_ROWS + "Tia,tia@hazel.test,teacher,Hazel,Vancouver,,,,,,extra\n", "roster.csv")
    assert problems_of(excinfo) == [(5, None, "more cells than columns in the header")]


def test_an_unreadable_roster_file(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(b"name,email,role\n\xff\xfe\n")
    with pytest.raises(InvalidInput) as excinfo:
        load_roster(path)
    assert problems_of(excinfo) == [
        (
            None,
            None,
            "the file is not UTF-8 text; save it as CSV UTF-8 from Excel (File > Save As > CSV UTF-8 (Comma delimited)) and load that file",
        )
    ]


def test_a_missing_column_is_reported_and_unknown_ones_are_not() -> None:
    with pytest.raises(InvalidInput) as excinfo:
        parse_roster_csv("name,email,phone\nCora,cora@esd.test,555\n", "roster.csv")
    assert [(p.row, p.field) for p in excinfo.value.problems] == [(1, "role")]


def test_a_row_with_extra_cells_does_not_hide_other_problems() -> None:
    text = GOOD_ROWS + "Tia,tia@hazel.test,teacher,Hazel,Vancouver,,,,,,extra\nRob,rob@hazel.test,robot,Hazel,Vancouver,,,,,\n"
    with pytest.raises(InvalidInput) as excinfo:
        parse_roster_csv(text, "roster.csv")
    assert [(p.row, p.field) for p in excinfo.value.problems] == [(5, None), (6, "role")]


def test_row_numbers_match_the_file_after_a_blank_line() -> None:
    text = GOOD_ROWS + "\nRob,rob@hazel.test,robot,Hazel,Vancouver,,,,,\n"  # Rob is on line 6
    with pytest.raises(InvalidInput) as excinfo:
        parse_roster_csv(text, "roster.csv")
    assert [(p.row, p.field) for p in excinfo.value.problems] == [(6, "role")]


def test_a_partner_whose_school_has_no_principal_is_not_said_to_be_at_none() -> None:
    text = GOOD_ROWS + "Ola,ola@other.test,teacher,Other,Vancouver,,ann@hazel.test,,Focus,\n"
    with pytest.raises(InvalidInput) as excinfo:
        parse_roster_csv(text, "roster.csv")
    assert (5, "school", "Other has no principal in the roster") in problems_of(excinfo)
    assert not any("None" in p.message for p in excinfo.value.problems)


# ==============================================================================================
# the roster: YAML
# ==============================================================================================

SMALL_YAML = """
schools:
  - {name: Hazel, district: Vancouver, model: part-time, principal: pat@hazel.test}
people:
  - {name: Cora Ordinator, email: cora@esd.test, role: coordinator}
  - {name: Pat Principal, email: pat@hazel.test, role: principal, school: Hazel, district: Vancouver}
  - {name: Ann Coach, email: ann@hazel.test, role: coach, school: Hazel, district: Vancouver}
  - {name: Bob Coach, email: Bob@Hazel.test, role: coach, school: Hazel, district: Vancouver}
  - {name: Tia Teacher, email: tia@hazel.test, role: teacher, school: Hazel, district: Vancouver}
  - {name: Ted Teacher, email: ted@hazel.test, role: teacher, school: Hazel, district: Vancouver}
partnerships:
  - {coach: ann@hazel.test, partners: [tia@hazel.test], focus: Research projects, school_goal: Writing}
  - {coach: bob@hazel.test, partners: ted@hazel.test, focus: Spreadsheets in science}
"""


def test_a_yaml_roster_is_the_same_roster_as_its_csv(tmp_path: Path) -> None:
    assert parse_roster_yaml(SMALL_YAML, "small.yaml").model_dump() == small_roster().model_dump()
    path = tmp_path / "small.yml"
    path.write_text(SMALL_YAML, encoding="utf-8")
    assert load_roster(path).model_dump() == small_roster().model_dump()


def test_a_yaml_partnership_may_have_several_partners_and_an_id() -> None:
    text = SMALL_YAML.replace(
        "  - {coach: bob@hazel.test, partners: ted@hazel.test, focus: Spreadsheets in science}",
        "  - {id: Science Team, coach: bob@hazel.test, partners: [ted@hazel.test, tia@hazel.test], focus: Labs}",
    )
    roster = parse_roster_yaml(text, "r.yaml")
    assert [(p.id, p.partners) for p in roster.partnerships] == [(ANN_TIA, [TIA]), ("science-team", [TED, TIA])]


def _yaml_problems(text: str) -> list[tuple[int | str | None, str | None, str]]:
    with pytest.raises(InvalidInput) as excinfo:
        parse_roster_yaml(text, "r.yaml")
    assert {p.file for p in excinfo.value.problems} == {"r.yaml"}
    return problems_of(excinfo)


def test_yaml_roster_problems_are_collected_with_their_items() -> None:
    text = """
schools:
  - {name: Hazel, district: Vancouver, model: weird, principal: pat@hazel.test}
  - {name: Fort, district: Vancouver, model: part-time, principal: ann@hazel.test}
  - {name: Gamma, district: Vancouver, model: library-ict, principal: gia@gamma.test}
  - {name: Gamma, district: Vancouver, model: library-ict, principal: gia@gamma.test}
people:
  - {name: Cora, email: cora@esd.test, role: coordinator}
  - {name: Pat, email: pat@hazel.test, role: principal, school: Hazel, district: Vancouver}
  - {name: Ann, email: ann@hazel.test, role: coach, school: Gamma, district: Vancouver}
  - {name: Tia, email: tia@hazel.test, role: teacher, school: Gamma, district: Vancouver}
  - {name: Tia Two, email: TIA@hazel.test, role: wizard, school: Gamma, district: Vancouver}
  - {name: Gia, email: gia@gamma.test, role: principal, school: Gamma, district: Vancouver}
  - {name: Gus, email: gus@gamma.test, role: teacher, school: Nowhere, district: Vancouver}
partnerships:
  - {coach: tia@hazel.test, partners: [gus@gamma.test], focus: Research}
  - {coach: ann@hazel.test, partners: [zed@gamma.test, tia@hazel.test], focus: ""}
  - {id: Team A, coach: ann@hazel.test, partners: [], focus: Writing}
  - {id: team a, coach: ann@hazel.test, partners: [tia@hazel.test], focus: Writing}
  - {id: Team-A, coach: ann@hazel.test, partners: [tia@hazel.test], focus: Writing}
"""
    assert sorted(_yaml_problems(text), key=lambda p: (str(p[0]), str(p[1]))) == [
        ("partnerships item 1", "coach", "tia@hazel.test is not a coach in the roster"),
        ("partnerships item 2", "focus", "a partnership needs a focus (what the lessons will improve)"),
        ("partnerships item 2", "partners", "zed@gamma.test is not in the roster"),
        ("partnerships item 3", "partners", "a partnership needs at least one collaborating teacher"),
        ("partnerships item 5", "id", "partnership team-a is listed twice"),
        ("people item 5", "email", "tia@hazel.test is already used on people item 4"),
        ("people item 5", "role", "unknown role 'wizard'; roles are coordinator, coach, teacher, principal"),
        ("people item 7", "school", "Nowhere has no principal in the roster"),
        ("schools item 1", "model", "unknown school model 'weird'; models are part-time, grade-level-team, library-ict"),
        ("schools item 2", "principal", "ann@hazel.test is not a principal in the people list"),
        ("schools item 4", "name", "school Gamma is listed twice"),
    ]


def test_a_yaml_partner_in_another_school() -> None:
    text = SMALL_YAML.replace(
        "people:\n",
        "  - {name: Fort, district: Vancouver, model: grade-level-team, principal: dee@fort.test}\npeople:\n"
        "  - {name: Dee, email: dee@fort.test, role: principal, school: Fort, district: Vancouver}\n"
        "  - {name: Fay, email: fay@fort.test, role: teacher, school: Fort, district: Vancouver}\n",
    ).replace("partners: [tia@hazel.test]", "partners: [tia@hazel.test, fay@fort.test]")
    assert _yaml_problems(text) == [("partnerships item 1", "school", "fay@fort.test is at fort, but coach ann@hazel.test is at hazel")]


def test_a_yaml_partner_who_is_a_coach() -> None:
    text = SMALL_YAML.replace("partners: [tia@hazel.test]", "partners: [bob@hazel.test]")
    assert _yaml_problems(text) == [("partnerships item 1", "partners", "bob@hazel.test is a coach, not a collaborating teacher")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("people: 3\n", [(None, "people", "expected a mapping with a 'people' list")]),
        ("- a\n- b\n", [(None, "people", "expected a mapping with a 'people' list")]),
        ("people:\n  - just a name\n", [("people item 1", None, "expected a mapping")]),
        ("people: [\n", [(2, None, "not valid YAML (expected the node content, but found '<stream end>')")]),
    ],
)
def test_a_yaml_roster_of_the_wrong_shape(text: str, expected: list[tuple[Any, Any, str]]) -> None:
    assert _yaml_problems(text) == expected


# ==============================================================================================
# the stall chain
# ==============================================================================================


def partnership_record(stage: Stage = Stage.initiate, unlocked: bool = True, since: datetime | None = T0) -> PartnershipRecord:
    return PartnershipRecord(
        cohort="spring",
        id=ANN_TIA,
        school="hazel",
        coach=ANN,
        partners=[TIA, TED],
        focus="Research projects",
        coordinators=[COORDINATOR, "cole@esd.test"],
        principal=PRINCIPAL,
        stage=stage,
        stage_since=since,
        coaching_unlocked=unlocked,
    )


def due(record: PartnershipRecord, program: Program) -> tuple[datetime, StallStep]:
    """The next link of the stall chain, which the test expects to be there."""
    step = next_stall_step(record, program)
    assert step is not None
    return step


def test_follow_ups_go_out_at_the_programs_morning_hour(program: Program) -> None:
    # T0 is 17:00 on April 30 in Los Angeles: the next 7:00 there is the morning after
    assert program.next_follow_up_time(T0) == datetime(2027, 5, 1, 7, 0, tzinfo=ZoneInfo("America/Los_Angeles"))
    morning = datetime(2027, 5, 3, 7, 0, tzinfo=ZoneInfo("America/Los_Angeles"))
    assert program.next_follow_up_time(morning) == morning  # already on the hour: no wait
    assert program.next_follow_up_time(morning + timedelta(minutes=1)) == morning + timedelta(days=1)


def test_a_waiting_partnership_does_not_stall_before_coaching_unlocks(program: Program) -> None:
    record = partnership_record(Stage.pending, unlocked=False, since=None)
    assert next_stall_step(record, program) is None
    record.stage_since = T0
    assert next_stall_step(record, program) is None


def test_the_waiting_clock_starts_when_coaching_unlocks(program: Program) -> None:
    record = partnership_record(Stage.pending, unlocked=False, since=None)
    unlock_coaching(record, T0)
    assert due(record, program) == (program.next_follow_up_time(T0 + timedelta(days=21)), program.stall_chain[0])


@pytest.mark.parametrize(
    ("stage", "days"), [(Stage.initiate, 14), (Stage.co_plan, 14), (Stage.modeling, 21), (Stage.observe, 21), (Stage.reflect, 14)]
)
def test_the_first_follow_up_comes_after_the_stages_threshold(program: Program, stage: Stage, days: int) -> None:
    when, step = due(partnership_record(stage), program)
    assert when == program.next_follow_up_time(T0 + timedelta(days=days))
    assert step == program.stall_chain[0]
    assert step.kind == "follow_up"


def test_the_thresholds_come_from_the_program(program: Program) -> None:
    custom = program.model_copy(update={"stall_days": {**program.stall_days, Stage.observe: 5}})
    assert next_stall_step(partnership_record(Stage.observe), custom) == (
        custom.next_follow_up_time(T0 + timedelta(days=5)),
        custom.stall_chain[0],
    )


def test_a_threshold_may_be_a_fraction_of_a_day(program: Program) -> None:
    custom = program.model_copy(update={"stall_days": {**program.stall_days, Stage.initiate: 0.5}})
    assert due(partnership_record(Stage.initiate), custom)[0] == custom.next_follow_up_time(T0 + timedelta(hours=12))


def test_the_escalation_follows_the_follow_up_by_its_own_delay(program: Program) -> None:
    record = partnership_record(Stage.co_plan)
    when, follow_up = due(record, program)
    assert when == program.next_follow_up_time(T0 + timedelta(days=14))
    sent_at = when + timedelta(hours=2)  # the timer fired a little late
    record_stall_step(record, follow_up, sent_at)
    assert record.stall.model_dump() == {
        "stalled_since": sent_at,
        "steps_sent": 1,
        "last_step_at": sent_at,
        "follow_ups": 1,
        "escalations": 0,
    }

    when, escalation = due(record, program)
    assert when == program.next_follow_up_time(sent_at + timedelta(days=7))
    assert escalation.kind == "escalation"
    record_stall_step(record, escalation, when)
    assert record.stall.model_dump() == {"stalled_since": sent_at, "steps_sent": 2, "last_step_at": when, "follow_ups": 1, "escalations": 1}

    assert next_stall_step(record, program) is None  # the chain is spent until something moves


def test_a_link_without_its_own_delay_waits_the_stage_threshold_again(program: Program) -> None:
    chain = [
        StallStep(kind="follow_up", notify=[Audience.coach]),
        StallStep(kind="follow_up", notify=[Audience.coach]),
        StallStep(kind="escalation", notify=[Audience.principal], after_days=2),
    ]
    custom = program.model_copy(update={"stall_chain": chain})
    record = partnership_record(Stage.modeling)
    first = custom.next_follow_up_time(T0 + timedelta(days=21))
    second = custom.next_follow_up_time(first + timedelta(days=21))
    expected = [first, second, custom.next_follow_up_time(second + timedelta(days=2))]
    seen = []
    while (next_step := next_stall_step(record, custom)) is not None:
        seen.append(next_step[0])
        record_stall_step(record, next_step[1], next_step[0])
    assert seen == expected
    assert (record.stall.follow_ups, record.stall.escalations, record.stall.stalled_since) == (2, 1, expected[0])


def test_a_first_link_with_its_own_delay_uses_it(program: Program) -> None:
    custom = program.model_copy(update={"stall_chain": [StallStep(kind="escalation", notify=[Audience.coordinator], after_days=3)]})
    assert next_stall_step(partnership_record(Stage.reflect), custom) == (
        custom.next_follow_up_time(T0 + timedelta(days=3)),
        custom.stall_chain[0],
    )


def test_a_move_restarts_the_chain_from_the_new_stage(program: Program) -> None:
    record = partnership_record(Stage.observe)
    for _ in range(2):
        when, step = due(record, program)
        record_stall_step(record, step, when)
    moved_at = T0 + timedelta(days=40)

    apply_move(record, ANN, Stage.reflect, moved_at)

    assert next_stall_step(record, program) == (program.next_follow_up_time(moved_at + timedelta(days=14)), program.stall_chain[0])
    assert record.stall.stalled_since is None
    assert (record.stall.follow_ups, record.stall.escalations) == (1, 1)


@pytest.mark.parametrize("stage", [Stage.closed, Stage.withdrawn])
def test_an_ended_partnership_does_not_stall(program: Program, stage: Stage) -> None:
    assert next_stall_step(partnership_record(stage), program) is None


def test_no_stall_without_a_stage_start(program: Program) -> None:
    assert next_stall_step(partnership_record(Stage.initiate, since=None), program) is None


@pytest.mark.parametrize(
    ("notify", "people"),
    [
        ([Audience.coach], [ANN]),
        ([Audience.partners], [TIA, TED]),
        ([Audience.coordinator], [COORDINATOR, "cole@esd.test"]),
        ([Audience.principal], [PRINCIPAL]),
        ([Audience.coach, Audience.partners], [ANN, TIA, TED]),
        ([Audience.principal, Audience.coach, Audience.coach], [PRINCIPAL, ANN]),
    ],
)
def test_stall_audience(notify: list[Audience], people: list[str]) -> None:
    step = StallStep(kind="follow_up", notify=notify)
    assert stall_audience(partnership_record(), step) == people


def test_stall_audience_names_each_person_once() -> None:
    record = partnership_record()
    record.coordinators = [COORDINATOR, PRINCIPAL]
    step = StallStep(kind="escalation", notify=[Audience.principal, Audience.coordinator])
    assert stall_audience(record, step) == [PRINCIPAL, COORDINATOR]


# ==============================================================================================
# cohort rules
# ==============================================================================================


def roll(program: Program, roster: Roster | None = None, unlocked: tuple[str, ...] = (), withdrawn: tuple[str, ...] = ()) -> Roll:
    """What the doors would look up for a request: here, everyone in the roster."""
    roster = roster or small_roster()
    return Roll(
        cohort="spring-2027",
        coordinators=roster.coordinators,
        unlocks_after=program.coaching_unlocks_after,
        people={p.email: p for p in roster.people},
        withdrawn=list(withdrawn),
        unlocked=list(unlocked),
        schools=[s.id for s in roster.schools],
        taken=[p.id for p in roster.partnerships],
    )


def test_a_coordinator_starts_a_partnership_any_time(program: Program) -> None:
    partnership = check_new_partnership(
        roll(program), NewPartnership(actor=COORDINATOR, coach=ANN, partners=[TED], focus=" Fractions ", school_goal="Math")
    )
    assert partnership.model_dump() == {
        "id": "ann--ted",
        "coach": ANN,
        "partners": [TED],
        "focus": "Fractions",
        "school_goal": "Math",
        "school": "hazel",
    }


def test_a_coach_starts_a_partnership_once_coaching_is_unlocked(program: Program) -> None:
    partnership = check_new_partnership(
        roll(program, unlocked=(ANN,)), NewPartnership(actor=ANN, coach=" Ann@Hazel.test ", partners=[" TED@hazel.test"], focus="Fractions")
    )
    assert (partnership.id, partnership.coach, partnership.partners) == ("ann--ted", ANN, [TED])


def test_a_coach_cannot_start_a_partnership_before_coaching_is_unlocked(program: Program) -> None:
    with pytest.raises(Refused, match=f"coaching is not unlocked yet: {ANN} can start partnerships after session 5"):
        check_new_partnership(roll(program, unlocked=(BOB,)), NewPartnership(actor=ANN, coach=ANN, partners=[TED], focus="Fractions"))


def test_the_refusal_names_the_programs_unlock_session(program: Program) -> None:
    with pytest.raises(Refused, match="after session 3"):
        check_new_partnership(
            roll(program.model_copy(update={"coaching_unlocks_after": 3})),
            NewPartnership(actor=ANN, coach=ANN, partners=[TED], focus="Fractions"),
        )


def test_someone_not_a_coach_cannot_start_one_for_themselves(program: Program) -> None:
    with pytest.raises(Refused, match="is not a coach in cohort"):
        check_new_partnership(roll(program), NewPartnership(actor=TIA, coach=TIA, partners=[TED], focus="Fractions"))


@pytest.mark.parametrize("actor", [BOB, TIA, TED, PRINCIPAL, "zed@elsewhere.test"])
def test_only_the_coach_or_a_coordinator_starts_a_partnership(program: Program, actor: str) -> None:
    with pytest.raises(Refused, match="a partnership is started by its coach or by a coordinator of the cohort"):
        check_new_partnership(roll(program, unlocked=(ANN, BOB)), NewPartnership(actor=actor, coach=ANN, partners=[TED], focus="Fractions"))


@pytest.mark.parametrize(
    ("coach", "partners", "focus", "message"),
    [
        (TIA, [TED], "Fractions", "tia@hazel.test is not a coach in the roster"),
        ("zed@hazel.test", [TED], "Fractions", "zed@hazel.test is not a coach in the roster"),
        (ANN, ["zed@hazel.test"], "Fractions", "zed@hazel.test is not in the roster"),
        (ANN, [BOB], "Fractions", "bob@hazel.test is a coach, not a collaborating teacher"),
        (ANN, [PRINCIPAL], "Fractions", "pat@hazel.test is a principal, not a collaborating teacher"),
        (ANN, [TED], "  ", "a partnership needs a focus (what the lessons will improve)"),
        (ANN, [], "Fractions", "a partnership needs at least one collaborating teacher"),
        (ANN, [TED, "ted@HAZEL.test"], "Fractions", "a collaborating teacher is listed twice"),
    ],
)
def test_a_new_partnership_follows_the_roster_rules(program: Program, coach: str, partners: list[str], focus: str, message: str) -> None:
    with pytest.raises(Refused) as refusal:
        check_new_partnership(roll(program), NewPartnership(actor=COORDINATOR, coach=coach, partners=partners, focus=focus))
    assert refusal.value.reason == message


def test_a_new_partnership_with_a_teacher_of_another_school(program: Program) -> None:
    text = SMALL + "Dee,dee@fort.test,principal,Fort,Vancouver,part-time,,,,\nFay,fay@fort.test,teacher,Fort,Vancouver,,,,,\n"
    with pytest.raises(Refused) as refusal:
        check_new_partnership(
            roll(program, parse_roster_csv(text, "r.csv")),
            NewPartnership(actor=COORDINATOR, coach=ANN, partners=[TED, "fay@fort.test"], focus="Fractions"),
        )
    assert refusal.value.reason == "fay@fort.test is at fort, but coach ann@hazel.test is at hazel"


def test_a_second_partnership_of_the_same_pair_gets_its_own_id(program: Program) -> None:
    taken = roll(program)
    request = NewPartnership(actor=COORDINATOR, coach=ANN, partners=[TIA], focus="A second unit")
    assert check_new_partnership(taken, request).id == "ann--tia-2"
    taken.taken.append("ann--tia-2")
    assert check_new_partnership(taken, request).id == "ann--tia-3"


@pytest.mark.parametrize("leaving", [ANN, TED])
def test_no_new_partnership_with_someone_who_withdrew(program: Program, leaving: str) -> None:
    with pytest.raises(Refused, match=f"{leaving} withdrew from the cohort"):
        check_new_partnership(
            roll(program, withdrawn=(leaving,)), NewPartnership(actor=COORDINATOR, coach=ANN, partners=[TED], focus="Fractions")
        )


@pytest.mark.parametrize("role", [Role.coach, Role.teacher])
def test_a_coordinator_adds_a_coach_or_teacher(program: Program, role: Role) -> None:
    person = check_new_participant(
        roll(program), NewParticipant(actor=COORDINATOR, name=" Zoe New ", email=" Zoe@Hazel.test", role=role, school="Hazel")
    )
    assert person.model_dump() == {"name": "Zoe New", "email": "zoe@hazel.test", "role": role, "school": "hazel"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"actor": ANN}, "only a coordinator of the cohort adds participants"),
        ({"actor": PRINCIPAL}, "only a coordinator of the cohort adds participants"),
        ({"email": "zoe"}, "'zoe' is not an email address"),
        ({"email": "zoe@hazel"}, "'zoe@hazel' is not an email address"),
        ({"email": "TIA@hazel.test"}, "tia@hazel.test is already in the cohort"),
        ({"email": PRINCIPAL}, "pat@hazel.test is already in the cohort"),
        ({"name": "  "}, "a participant needs a name"),
        ({"role": Role.principal}, "participants added to a running cohort are coaches or collaborating teachers"),
        ({"role": Role.coordinator}, "participants added to a running cohort are coaches or collaborating teachers"),
        ({"school": "Fort"}, "there is no school 'Fort' in the cohort; schools are hazel"),
    ],
)
def test_a_new_participant_is_checked(program: Program, change: dict[str, Any], message: str) -> None:
    request = NewParticipant(
        **{"actor": COORDINATOR, "name": "Zoe", "email": "zoe@hazel.test", "role": Role.teacher, "school": "Hazel"} | change
    )
    with pytest.raises(Refused) as refusal:
        check_new_participant(roll(program), request)
    assert refusal.value.reason == message


@pytest.mark.parametrize("email", [ANN, TIA, " Tia@Hazel.Test "])
def test_a_coordinator_withdraws_a_coach_or_teacher(program: Program, email: str) -> None:
    person = check_withdrawal(roll(program), Withdrawal(actor=COORDINATOR, email=email))
    assert person.email == email.strip().lower()


@pytest.mark.parametrize("actor", [ANN, TIA, PRINCIPAL])
def test_only_a_coordinator_withdraws_participants(program: Program, actor: str) -> None:
    with pytest.raises(Refused, match="only a coordinator of the cohort withdraws participants"):
        check_withdrawal(roll(program), Withdrawal(actor=actor, email=TIA))


@pytest.mark.parametrize("email", [PRINCIPAL, COORDINATOR, "zed@hazel.test"])
def test_only_coaches_and_teachers_are_withdrawn(program: Program, email: str) -> None:
    with pytest.raises(Refused, match=f"{email} is not a coach or collaborating teacher in the cohort"):
        check_withdrawal(roll(program), Withdrawal(actor=COORDINATOR, email=email))


@pytest.mark.parametrize("leaving", [BOB, TED])
def test_someone_who_withdrew_cannot_withdraw_again(program: Program, leaving: str) -> None:
    with pytest.raises(Refused, match=f"{leaving} has already withdrawn"):
        check_withdrawal(roll(program, withdrawn=(leaving,)), Withdrawal(actor=COORDINATOR, email=leaving))


def _partnerships() -> dict[str, PartnershipSummary]:
    found = {p.id: PartnershipSummary(id=p.id, coach=p.coach, partners=p.partners, school=p.school) for p in small_roster().partnerships}
    found["ann--ted"] = PartnershipSummary(id="ann--ted", coach=ANN, partners=[TED], school="hazel", stage=Stage.observe)
    found["ann-team"] = PartnershipSummary(id="ann-team", coach=ANN, partners=[TIA, TED], school="hazel", stage=Stage.co_plan)
    found["ann-old"] = PartnershipSummary(id="ann-old", coach=ANN, partners=[TIA], school="hazel", stage=Stage.closed)
    found["bob-old"] = PartnershipSummary(id="bob-old", coach=BOB, partners=[TED], school="hazel", stage=Stage.withdrawn)
    return found


def _trainings() -> dict[str, TrainingSummary]:
    return {coach: TrainingSummary(coach=coach, name=coach, school="hazel") for coach in (ANN, BOB)}


@pytest.mark.parametrize(
    ("email", "ending"),
    [
        (ANN, [ANN_TIA, "ann--ted", "ann-team"]),  # all of a coach's open partnerships
        (BOB, [BOB_TED]),
        (TIA, [ANN_TIA]),  # a teacher's, where they are the only partner
        (TED, [BOB_TED, "ann--ted"]),
    ],
)
def test_partnerships_ending_with_a_withdrawal(email: str, ending: list[str]) -> None:
    assert partnerships_ending_with(email, list(_partnerships().values())) == ending


def test_the_cohort_summary(program: Program) -> None:
    trainings, p = _trainings(), _partnerships()
    now = datetime(2027, 11, 1, tzinfo=UTC)
    ann, bob = trainings[ANN], trainings[BOB]
    ann.status = TrainingStatus.coaching
    ann.attendance = {1: Attendance.attended, 5: Attendance.attended}
    bob.attendance = {1: Attendance.absent, 5: Attendance.excused}
    trainings["cid@hazel.test"] = TrainingSummary(
        coach="cid@hazel.test", name="Cid", school="hazel", status=TrainingStatus.withdrawn, attendance={1: Attendance.made_up}
    )
    p[ANN_TIA].stage, p[ANN_TIA].cycles_completed = Stage.initiate, 1
    p["ann--ted"].stalled_since, p["ann--ted"].follow_ups, p["ann--ted"].escalations = datetime(2027, 10, 2, tzinfo=UTC), 2, 1
    p["ann-team"].stalled_since, p["ann-team"].follow_ups = datetime(2027, 10, 20, 12, tzinfo=UTC), 1
    p["ann-old"].cycles_completed, p["ann-old"].stalled_since, p["ann-old"].follow_ups = 2, datetime(2027, 9, 1, tzinfo=UTC), 1
    p[BOB_TED].stalled_since = datetime(2027, 9, 15, tzinfo=UTC)

    summary = summarize_year("spring-2027", program, T0, count_year(list(trainings.values()), list(p.values())), list(p.values()), now)

    assert (summary.cohort, summary.program, summary.school_year, summary.launched_at) == ("spring-2027", program.name, "2027-2028", T0)
    assert summary.coaches == 3
    assert summary.coaching_unlocked == 1
    assert summary.training == {"coaching": 1, "enrolled": 1, "withdrawn": 1}
    assert summary.attendance[1] == {"attended": 1, "absent": 1, "made_up": 1}
    assert summary.attendance[5] == {"attended": 1, "excused": 1}
    assert summary.attendance[8] == {}
    assert sorted(summary.attendance) == list(range(1, 9))
    assert summary.partnerships == 6
    assert summary.partnerships_by_stage == {"waiting": 1, "initiate": 1, "co-plan": 1, "observe": 1, "closed": 1, "withdrawn": 1}
    assert summary.cycles_completed == 3
    assert [(s.id, s.stage, s.days_stalled) for s in summary.stalled] == [
        (BOB_TED, Stage.pending, 47),
        ("ann--ted", Stage.observe, 30),
        ("ann-team", Stage.co_plan, 11),
    ]  # oldest first; the closed one is no longer stalled
    assert summary.follow_ups == 4
    assert summary.escalations == 1


def test_the_summary_of_a_new_cohort(program: Program) -> None:
    partnerships = [PartnershipSummary(id=p.id, coach=p.coach, partners=p.partners, school=p.school) for p in small_roster().partnerships]
    summary = summarize_year("spring-2027", program, T0, count_year(list(_trainings().values()), partnerships), partnerships, T0)
    assert summary.coaches == 2
    assert summary.coaching_unlocked == 0
    assert summary.training == {"enrolled": 2}
    assert summary.partnerships_by_stage == {"waiting": 2}
    assert summary.stalled == []
    assert (summary.cycles_completed, summary.follow_ups, summary.escalations) == (0, 0, 0)


def test_a_cohort_id_must_be_safe_for_workflow_ids(program: Program) -> None:
    with pytest.raises(ValueError):
        CohortState(
            cohort="Spring 2027!",
            program=program,
            roster=RosterRef(content_hash="0" * 64, schools=1, coaches=2, partnerships=2),
            coordinators=[COORDINATOR],
            launched_by=COORDINATOR,
        )


def test_a_launch_starts_ledgers_then_trainings_then_partnerships_in_batches() -> None:
    plan = launch_plan(RosterRef(content_hash="0" * 64, schools=3, coaches=250, partnerships=201), batch_size=100)
    assert [(b.kind, b.offset, b.size) for b in plan] == [
        ("release", 0, 3),
        ("training", 0, 100),
        ("training", 100, 100),
        ("training", 200, 50),
        ("partnership", 0, 100),
        ("partnership", 100, 100),
        ("partnership", 200, 1),
    ]


def test_problem_text_names_where() -> None:
    assert str(Problem("r.csv", 4, "email", "bad")) == "r.csv, row 4, field 'email': bad"
    assert str(Problem("p.yaml", None, "timezone", "bad")) == "p.yaml, field 'timezone': bad"
    assert str(Problem("p.yaml", None, None, "bad")) == "p.yaml: bad"

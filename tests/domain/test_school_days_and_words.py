"""Release days fall on school days; what needs doing next; how values and dates read to people."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from domain import release, to_do, words
from domain.cautions import open_partnerships_with
from domain.cohort import CohortSummary, PartnershipSummary
from domain.cycle import Stage
from domain.problems import InvalidInput, Refused
from domain.program import Holiday, Weekday, parse_program
from domain.release import ReleaseLedgerRecord, ReleaseStatus
from domain.roster import Role
from domain.training import Attendance
from tests.conftest import program_starting

SATURDAY, MONDAY = date(2026, 12, 5), date(2026, 12, 7)


def test_weekends_are_closed_by_default_and_a_program_names_its_holidays() -> None:
    program = program_starting(date(2026, 4, 28))
    assert program.closed_on(SATURDAY) == "a Saturday" and program.closed_on(SATURDAY + timedelta(days=1)) == "a Sunday"
    assert program.is_school_day(MONDAY)
    winter = program.model_copy(update={"holidays": [Holiday(name="Winter break", starts_on=date(2026, 12, 21), ends_on=date(2027, 1, 1))]})
    assert winter.closed_on(date(2026, 12, 23)) == "Winter break" and winter.is_school_day(date(2027, 1, 4))
    six_days = program.model_copy(update={"closed_weekdays": [Weekday.sunday]})
    assert six_days.is_school_day(SATURDAY)


def test_a_program_file_without_the_new_fields_still_reads_and_a_backwards_holiday_is_refused() -> None:
    raw = program_starting(date(2026, 4, 28)).model_dump(mode="json")
    del raw["closed_weekdays"], raw["holidays"]  # a file (or a workflow's input) from before they existed
    assert parse_program(raw, "program.yaml").closed_weekdays == [Weekday.saturday, Weekday.sunday]
    raw["holidays"] = [{"name": "Spring break", "starts_on": "2027-04-09", "ends_on": "2027-04-05"}]
    with pytest.raises(InvalidInput) as refused:
        parse_program(raw, "program.yaml")
    assert "Spring break ends on 2027-04-05, before it starts on 2027-04-09" in str(refused.value)


def test_a_release_day_on_a_closed_day_is_refused_saying_why() -> None:
    program = program_starting(date(2026, 4, 28))
    ledger = ReleaseLedgerRecord(
        cohort="c", school="hazel", school_year="2026-2027", principal="pat@x.test", members={"tia@x.test": Role.teacher},
        allowances={Role.teacher: 2.0},
    )  # fmt: skip
    today = date(2026, 11, 30)
    with pytest.raises(Refused, match=r"2026-12-05 is not a school day \(a Saturday\)"):
        release.check_request(ledger, "tia@x.test", 1, SATURDAY, "Co-plan", today, program=program)
    release.check_request(ledger, "tia@x.test", 1, MONDAY, "Co-plan", today, program=program)
    release.check_request(ledger, "tia@x.test", 1, SATURDAY, "Co-plan", today)  # without a calendar, as before


def test_a_second_open_partnership_with_a_teacher_is_found_a_closed_one_is_not() -> None:
    def p(pid: str, partners: list[str], stage: Stage) -> PartnershipSummary:
        return PartnershipSummary(id=pid, coach="ann@x.test", partners=partners, school="hazel", stage=stage)

    mine = [
        p("ann--tia", ["tia@x.test"], Stage.co_plan),
        p("ann--tia-2", ["tia@x.test"], Stage.closed),
        p("bob--ted", ["ted@x.test"], Stage.pending),
    ]
    assert [x.id for x in open_partnerships_with(mine, ["TIA@x.test"])] == ["ann--tia"]
    assert open_partnerships_with(mine, ["uma@x.test"]) == []


def test_the_attendance_form_opens_on_the_first_session_over_and_not_all_recorded() -> None:
    program = program_starting(date(2026, 4, 28))
    now = datetime(2026, 11, 30, tzinfo=UTC)  # sessions 1 to 6 are over
    summary = CohortSummary(
        cohort="c", program="p", school_year="2026-2027", launched_at=None, coaches=2, coaching_unlocked=2, training={"coaching": 2},
        attendance={1: {"attended": 2}, 2: {"attended": 1}}, partnerships=0, partnerships_by_stage={}, cycles_completed=0,
        stalled=[], follow_ups=0, escalations=0,
    )  # fmt: skip
    missing = to_do.missing_attendance(program, summary, now)
    assert [(m.session.number, m.missing, m.overdue) for m in missing] == [
        (2, 1, True),
        (3, 2, True),
        (4, 2, True),
        (5, 2, True),
        (6, 2, True),
    ]
    assert to_do.session_to_record(program, summary, now) == 2
    assert to_do.session_state(program, 8, now) == "future" and to_do.session_state(program, 1, now) == "overdue"
    assert to_do.next_session(program, now).number == 7  # type: ignore[union-attr]


def test_values_and_dates_read_as_people_say_them() -> None:
    assert words.label(Attendance.made_up) == "make-up" and words.label("attendance_due") == "Attendance due"
    assert words.label(ReleaseStatus.requested) == "waiting for the principal" and words.mail_status("undeliverable") == "undeliverable"
    assert words.first_name("Tanna Colwell", "tanna.colwell@esd.test") == "Tanna" and words.first_name("", "office@esd.test") == "office"
    assert words.day(date(2026, 7, 14)) == "Tue 14 Jul 2026"
    assert words.moment(datetime(2026, 7, 14, 15, 30, tzinfo=UTC), "America/Los_Angeles") == "Tue 14 Jul 2026, 08:30"
    assert [words.days(d) for d in (0.5, 1, 1.5, 2)] == ["½", "1", "1½", "2"]
    assert (
        words.together(["Tia", "Ted", "Uma"]) == "Tia, Ted and Uma"
        and words.closed_weekdays(["saturday", "sunday"]) == "Saturdays and Sundays"
    )

"""The release ledger process refuses a day the schools are closed, in its check (the Update's validator) and when it
records a request (the handler): the rule is the program's, so every door (web, API, command line) meets it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.problems import Refused
from domain.processes.ledger import LedgerProcess, ReleaseAsk
from domain.program import Holiday, Program
from domain.release import ReleaseLedgerRecord
from domain.roster import Role
from tests.conftest import program_starting, school_day_after

TIA = "tia@hazel.test"
ASKED = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)  # a Monday
SATURDAY, SUNDAY, MONDAY = date(2026, 12, 5), date(2026, 12, 6), date(2026, 12, 7)
WINTER_BREAK = Holiday(name="Winter break", starts_on=date(2026, 12, 21), ends_on=date(2027, 1, 1))


def program() -> Program:
    return program_starting(date(2026, 4, 28)).model_copy(update={"holidays": [WINTER_BREAK]})


def ledger() -> ReleaseLedgerRecord:
    return ReleaseLedgerRecord(
        cohort="fall", school="hazel", school_year="2026-2027", principal="pat@hazel.test", members={TIA: Role.teacher},
        allowances={Role.teacher: 2.0},
    )  # fmt: skip


def ask(on: date) -> ReleaseAsk:
    return ReleaseAsk(requester=TIA, days=1, on=on, purpose="Co-plan the research unit")


@pytest.mark.parametrize(
    ("on", "why"),
    [
        (SATURDAY, r"2026-12-05 is not a school day \(a Saturday\)"),
        (SUNDAY, r"2026-12-06 is not a school day \(a Sunday\)"),
        (date(2026, 12, 23), r"2026-12-23 is not a school day \(Winter break\)"),  # a Wednesday inside the break
        (date(2027, 1, 1), r"2027-01-01 is not a school day \(Winter break\)"),  # the break's last day
    ],
)
def test_a_closed_day_is_refused_by_the_check_and_by_the_request_and_nothing_is_recorded(on: date, why: str) -> None:
    process, record = LedgerProcess(program()), ledger()
    with pytest.raises(Refused, match=f"{why}; ask for a day the schools are open"):
        process.check_request(record, ask(on), ASKED)
    with pytest.raises(Refused, match=why):
        process.request_release(record, ask(on), ASKED)
    assert record.requests == [] and record.remaining(TIA) == 2.0


def test_a_school_day_is_asked_for() -> None:
    process, record = LedgerProcess(program()), ledger()
    process.check_request(record, ask(MONDAY), ASKED)
    effects = process.request_release(record, ask(MONDAY), ASKED)
    assert effects.reply.on == MONDAY and record.remaining(TIA) == 1.0
    after_the_break = date(2027, 1, 4)  # the Monday the schools open again
    assert process.request_release(record, ask(after_the_break), ASKED).reply.on == after_the_break


def test_the_next_school_day_skips_weekends_and_holidays() -> None:
    calendar = program()
    assert calendar.school_day_from(MONDAY) == MONDAY
    assert calendar.school_day_from(SATURDAY) == MONDAY and calendar.school_day_from(SUNDAY) == MONDAY
    assert calendar.school_day_from(date(2026, 12, 19)) == date(2027, 1, 4)  # a weekend, the break, New Year's weekend
    assert school_day_after(calendar, SATURDAY) == MONDAY  # the tests' helper asks the same rule
    assert all(calendar.is_school_day(school_day_after(calendar, MONDAY + timedelta(days=n))) for n in range(60))

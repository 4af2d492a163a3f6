"""The rules of a school's recurring meetings: what a series may be, its days, its life, and who records who came."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from domain.meetings import (
    MEETING_INVITEES_MAX,
    MEETING_TITLE_MAX,
    MeetingPlan,
    MeetingSeries,
    SeriesEvent,
    SeriesStatus,
    change,
    check_attendance,
    check_change,
    check_plan,
    edit,
    meeting_days,
    repetition,
    school_year_days,
    series_id,
    skipped_days,
)
from domain.problems import Refused
from domain.program import Holiday, Weekday
from tests.activities.records import program
from tests.roster_fixtures import ANN, BOB, TED, TIA

PROGRAM = program().model_copy(
    update={
        "holidays": [
            Holiday(name="Veterans Day", starts_on=date(2026, 11, 11)),
            Holiday(name="Thanksgiving break", starts_on=date(2026, 11, 25), ends_on=date(2026, 11, 27)),
        ]
    }
)
SCHOOL = [ANN, BOB, TIA, TED]
TODAY = date(2026, 10, 1)
PLAN = MeetingPlan(
    title="  Grade 4 planning ",
    place="Library",
    weekdays=[Weekday.wednesday],
    starts_at=time(15, 30),
    ends_at=time(16, 30),
    first_day=date(2026, 11, 1),
    last_day=date(2026, 11, 30),
    invitees=["Tia@Hazel.test", TED, TIA],
)


def series(**changes: object) -> MeetingSeries:
    checked = check_plan(PLAN, PROGRAM, ANN, SCHOOL, TODAY)
    made = MeetingSeries(
        **checked.model_dump(),
        cohort="c",
        id="grade-4-planning",
        school="hazel",
        coach=ANN,
        timezone=PROGRAM.timezone,
        set_up_at=datetime.now(UTC),
    )
    return made.model_copy(update=changes)


def test_a_weekly_series_meets_on_its_weekday_but_the_holidays_and_the_invite_says_so() -> None:
    s = series()
    assert s.title == "Grade 4 planning" and s.invitees == [TIA, TED]  # trimmed, lower-cased, each once
    assert meeting_days(s, PROGRAM) == [date(2026, 11, 4), date(2026, 11, 18)]
    assert skipped_days(s, PROGRAM) == [date(2026, 11, 11), date(2026, 11, 25)]
    assert repetition(s) == "FREQ=WEEKLY;BYDAY=WE"
    assert s.reminder_at == time(13, 30)


def test_twice_monthly_is_the_first_and_third_weekday_of_each_month() -> None:
    plan = PLAN.model_copy(update={"weekdays": [Weekday.thursday, Weekday.tuesday], "weeks": [3, 1], "last_day": date(2026, 12, 31)})
    checked = check_plan(plan, PROGRAM, ANN, SCHOOL, TODAY)
    assert repetition(checked) == "FREQ=MONTHLY;BYDAY=1TU,1TH,3TU,3TH"
    assert meeting_days(checked, PROGRAM) == [date(2026, 11, d) for d in (3, 5, 17, 19)] + [date(2026, 12, d) for d in (1, 3, 15, 17)]


def test_the_program_year_is_the_school_year_widened_to_the_training_sessions() -> None:
    assert school_year_days(PROGRAM) == (date(2026, 4, 20), date(2027, 6, 30))  # session 1 is in April


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"title": "  "}, f"give the meeting a title of at most {MEETING_TITLE_MAX} characters"),
        ({"title": "x" * (MEETING_TITLE_MAX + 1)}, "a title of at most"),
        ({"place": ""}, "say where the meeting is"),
        ({"weekdays": []}, "choose the weekday or weekdays the meeting is on"),
        ({"weekdays": [Weekday.monday, Weekday.saturday]}, "the schools are closed on Saturdays; choose a school day"),
        ({"weeks": [5]}, "the weeks of the month are the first to the fourth"),
        ({"ends_at": time(15, 30)}, "the meeting ends at 15:30, not after it starts at 15:30"),
        ({"starts_at": time(5, 0)}, "a meeting is held between 06:00 and 21:00"),
        ({"ends_at": time(22, 0)}, "a meeting is held between 06:00 and 21:00"),
        ({"last_day": date(2026, 10, 31)}, "the last day (2026-10-31) is before the first (2026-11-01); swap them"),
        ({"first_day": date(2026, 9, 30)}, "the first day (2026-09-30) has passed; start on 2026-10-01 or later"),
        ({"last_day": date(2027, 7, 1)}, "meetings fall within the 2026-2027 program year, 2026-04-20 to 2027-06-30"),
        ({"first_day": date(2026, 11, 25), "last_day": date(2026, 11, 25)}, "every day this pattern names"),
        ({"invitees": [" "]}, "invite at least one person of your school"),
        ({"invitees": [f"t{n}@hazel.test" for n in range(MEETING_INVITEES_MAX + 1)]}, f"at most {MEETING_INVITEES_MAX} people"),
        ({"invitees": [TIA, "zoe@fort.test"]}, "zoe@fort.test: invite people of your school in this cohort"),
        ({"invitees": [ANN]}, "(you are its organizer)"),
    ],
)
def test_a_plan_is_refused_with_what_to_change(changes: dict[str, object], reason: str) -> None:
    with pytest.raises(Refused) as refused:
        check_plan(PLAN.model_copy(update=changes), PROGRAM, ANN, SCHOOL, TODAY)
    assert reason in refused.value.reason


def test_a_series_pauses_resumes_and_is_cancelled_for_good_by_its_coach() -> None:
    paused = change(series(), SeriesEvent.pause, ANN)
    assert paused.status == SeriesStatus.paused and paused.sequence == 0  # the invite stands: calendars hear nothing
    resumed = change(paused, SeriesEvent.resume, ANN)
    assert resumed.status == SeriesStatus.active
    cancelled = change(paused, SeriesEvent.cancel, ANN)
    assert cancelled.status == SeriesStatus.cancelled and cancelled.sequence == 1
    with pytest.raises(Refused, match="Grade 4 planning is active; it cannot resume now"):
        change(resumed, SeriesEvent.resume, ANN)
    with pytest.raises(Refused, match="Grade 4 planning is paused; it cannot pause now"):
        change(paused, SeriesEvent.pause, ANN)
    for event in SeriesEvent:
        with pytest.raises(Refused, match=f"is cancelled; it cannot {event.value} now"):
            change(cancelled, event, ANN)
    with pytest.raises(Refused, match=f"only {ANN}, who set up Grade 4 planning, changes it"):
        change(series(), SeriesEvent.cancel, BOB)


def test_an_edit_bumps_the_sequence_and_is_refused_once_cancelled_or_to_another_coach() -> None:
    moved = PLAN.model_copy(update={"place": "Room 4"})
    edited = edit(series(), moved, ANN)
    assert edited.place == "Room 4" and edited.sequence == 1 and edited.coach == ANN
    with pytest.raises(Refused, match="is cancelled; set up a new series instead"):
        edit(series(status=SeriesStatus.cancelled), moved, ANN)
    with pytest.raises(Refused, match=f"only {ANN}"):
        edit(series(), moved, TIA)


def test_a_series_under_way_keeps_its_first_day_when_changed_but_may_not_move_it_into_the_past() -> None:
    later = date(2026, 11, 20)
    kept = check_change(series(), PLAN.model_copy(update={"place": "Room 4"}), PROGRAM, SCHOOL, later)
    assert kept.first_day == PLAN.first_day and kept.place == "Room 4"
    with pytest.raises(Refused, match="the first day \\(2026-11-02\\) has passed; start on 2026-11-20 or later"):
        check_change(series(), PLAN.model_copy(update={"first_day": date(2026, 11, 2)}), PROGRAM, SCHOOL, later)


def test_who_came_is_recorded_by_the_coach_for_a_day_it_met_once_it_came_for_an_invitee() -> None:
    s, met = series(), date(2026, 11, 4)
    check_attendance(s, PROGRAM, met, TIA, ANN, met)
    with pytest.raises(Refused, match="Grade 4 planning does not meet on Wednesday November 11, 2026"):
        check_attendance(s, PROGRAM, date(2026, 11, 11), TIA, ANN, date(2026, 11, 20))  # Veterans Day
    with pytest.raises(Refused, match="has not happened yet"):
        check_attendance(s, PROGRAM, date(2026, 11, 18), TIA, ANN, met)
    with pytest.raises(Refused, match=f"{BOB} is not invited to Grade 4 planning"):
        check_attendance(s, PROGRAM, met, BOB, ANN, met)
    with pytest.raises(Refused, match=f"only {ANN}"):
        check_attendance(s, PROGRAM, met, TIA, TIA, met)


def test_a_series_id_comes_from_its_title_numbered_when_taken() -> None:
    assert series_id("Tech Time!", []) == "tech-time"
    assert series_id("Tech Time", ["tech-time", "tech-time-2"]) == "tech-time-3"
    assert series_id("¿?", []) == "meeting"

"""A school's recurring meetings on the dev server: each series is a real Temporal Schedule in the school's time zone
that skips the program's holidays, reminds through the worker, pauses, changes and is cancelled; the invitees' one
recurring invite, expanded by `recurring-ical-events`, gives exactly the days the schedule fires on."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
from temporalio.client import Client, ScheduleHandle
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from activities.meetings import MeetingSeriesDesk
from activities.notifications import NoticeActivities
from domain.meetings import MeetingPlan, MeetingSeries, SeriesEvent, meeting_days, pattern_days, school_year_days, skipped_days
from domain.program import WEEKDAYS, Holiday, Program
from store import meetings, rosters
from tests.conftest import Harness, eventually, program_starting
from tests.roster_fixtures import ANN, BOB, COORDINATOR, TED, TIA, small_roster
from workflows.meeting import schedule_id

ZONE = "America/Chicago"  # not the machine's zone, nor UTC: the schedule's times are the school's


def school_program(today: date) -> Program:
    """A program year holding `today` and the months after it, open every day but the one after today's weekday, with
    an in-service day on today's weekday in one week and a break over it three weeks on."""
    closed = WEEKDAYS[(today.weekday() + 1) % 7]
    holidays = [
        Holiday(name="In-service day", starts_on=today + timedelta(days=7)),
        Holiday(name="Fall break", starts_on=today + timedelta(days=20), ends_on=today + timedelta(days=22)),
    ]
    program = program_starting(today - timedelta(days=100))  # its last session is 285 days on
    return program.model_copy(update={"timezone": ZONE, "closed_weekdays": [closed], "holidays": holidays})


def invited_days(ics: str, first: date, last: date) -> list[tuple[date, time]]:
    events = recurring_ical_events.of(icalendar.Calendar.from_ical(ics)).between(first, last + timedelta(days=1))
    return sorted((e["DTSTART"].dt.date(), e["DTSTART"].dt.time()) for e in events)


async def next_reminders(handle: ScheduleHandle) -> list[datetime]:
    return [t.astimezone(ZoneInfo(ZONE)) for t in (await handle.describe()).info.next_action_times]


def expected_reminders(series: MeetingSeries, program: Program, now: datetime) -> list[datetime]:
    at = [datetime.combine(d, series.reminder_at, ZoneInfo(ZONE)) for d in meeting_days(series, program)]
    return [t for t in at if t > now]


async def test_a_series_is_a_schedule_in_the_schools_zone_that_skips_holidays_reminds_pauses_changes_and_cancels(
    dev_env: WorkflowEnvironment, harness: Callable[[Client], Harness]
) -> None:
    h = harness(dev_env.client)
    cohort = f"meet-{uuid.uuid4().hex[:6]}"
    now = datetime.now(UTC)
    today = now.astimezone(ZoneInfo(ZONE)).date()
    program = school_program(today)
    rosters.record_launch(h.database, cohort, program, small_roster(), COORDINATOR, now)
    desk = MeetingSeriesDesk(h.database, dev_env.client, h.task_queue, NoticeActivities(h.outbox))
    weekly = MeetingPlan(
        title="Grade 4 planning",
        place="Library",
        weekdays=[WEEKDAYS[today.weekday()]],
        starts_at=time(15, 30),
        ends_at=time(16, 30),
        first_day=today,
        last_day=min(today + timedelta(days=62), school_year_days(program)[1]),  # in June, the year's last day
        invitees=[TIA, BOB],
    )
    series = await desk.set_up(cohort, program, "hazel", ANN, weekly, now)
    handle = dev_env.client.get_schedule_handle(schedule_id(cohort, series.id))

    described = await handle.describe()
    spec = described.schedule.spec
    assert spec.time_zone_name == ZONE
    [calendar] = spec.calendars
    assert [(r.start, r.end) for r in calendar.hour] == [(13, 13)] and [r.start for r in calendar.minute] == [30]  # two hours before
    skipped = skipped_days(series, program)
    holidays = [today + timedelta(days=7), today + timedelta(days=21)]  # the in-service day, and the break's day
    assert skipped == [d for d in holidays if d <= series.last_day] and skipped
    assert sorted((s.year[0].start, s.month[0].start, s.day_of_month[0].start) for s in spec.skip) == [
        (d.year, d.month, d.day) for d in skipped
    ]
    upcoming = await next_reminders(handle)
    assert upcoming and upcoming == expected_reminders(series, program, now)[: len(upcoming)]
    assert not {t.date() for t in upcoming} & set(skipped)

    [invite] = [e for e in h.outbox.entries(recipient=TIA, kind="meeting_invited")]
    assert invite.invite is not None and "EXDATE" in invite.invite
    meetings_invited = invited_days(invite.invite, series.first_day, series.last_day)
    assert meetings_invited == [(d, time(15, 30)) for d in meeting_days(series, program)]
    assert sorted({d for d, _ in meetings_invited} | set(skipped)) == pattern_days(series)

    async with h.worker():  # a firing (pressed now: today is a meeting day) holds today's meeting and reminds
        await handle.trigger()
        await eventually(lambda: h.sent("meeting_reminder", TIA), 30)
    assert h.sent("meeting_reminder", TIA) == [f"meeting_reminder {TIA} meeting-reminder:{cohort}:{series.id}:{today.isoformat()}"]
    assert meetings.held(h.database, cohort, series.id) == [today]
    await desk.mark(cohort, program, series.id, today, TIA, True, ANN, now)
    assert meetings.came(h.database, cohort, series.id, today) == [TIA]

    await desk.change(cohort, program, series.id, SeriesEvent.pause, ANN, now)
    assert (await handle.describe()).schedule.state.paused
    await desk.change(cohort, program, series.id, SeriesEvent.resume, ANN, now)
    assert not (await handle.describe()).schedule.state.paused

    later = weekly.model_copy(update={"starts_at": time(16, 0), "ends_at": time(17, 0), "invitees": [TIA, TED]})
    edited = await desk.edit(cohort, program, series.id, later, ANN, now)
    assert [r.start for r in (await handle.describe()).schedule.spec.calendars[0].hour] == [14]
    [_, updated] = h.outbox.entries(recipient=TIA, kind="meeting_invited")
    assert updated.invite is not None and "SEQUENCE:1" in updated.invite
    assert invited_days(updated.invite, edited.first_day, edited.last_day)[0] == (meeting_days(edited, program)[0], time(16, 0))
    [left_out] = h.outbox.entries(recipient=BOB, kind="meeting_cancelled")
    assert left_out.invite is not None and "METHOD:CANCEL" in left_out.invite
    assert h.outbox.entries(recipient=TED, kind="meeting_invited")

    await desk.change(cohort, program, series.id, SeriesEvent.cancel, ANN, now)
    with pytest.raises(RPCError):
        await handle.describe()
    [cancelled] = h.outbox.entries(recipient=TIA, kind="meeting_cancelled")
    assert cancelled.invite is not None and "METHOD:CANCEL" in cancelled.invite and "SEQUENCE:2" in cancelled.invite
    assert meetings.find(h.database, cohort, series.id).status == "cancelled"  # type: ignore[union-attr]


async def test_twice_monthly_tech_time_fires_on_the_first_and_third_weekday_of_each_month(
    dev_env: WorkflowEnvironment, harness: Callable[[Client], Harness]
) -> None:
    h = harness(dev_env.client)
    cohort = f"meet-{uuid.uuid4().hex[:6]}"
    now = datetime.now(UTC)
    today = now.astimezone(ZoneInfo(ZONE)).date()
    program = school_program(today)
    rosters.record_launch(h.database, cohort, program, small_roster(), COORDINATOR, now)
    desk = MeetingSeriesDesk(h.database, dev_env.client, h.task_queue, NoticeActivities(h.outbox))
    day = WEEKDAYS[(today.weekday() + 2) % 7]  # open: only the day after today's weekday is closed
    _, ends = school_year_days(program)
    plan = MeetingPlan(
        title="Tech Time",
        place="Room 12",
        weekdays=[day],
        weeks=[1, 3],
        starts_at=time(7, 30),
        ends_at=time(8, 0),
        first_day=today,
        last_day=min(today + timedelta(days=150), ends),
        invitees=[TIA, BOB],
    )
    series = await desk.set_up(cohort, program, "hazel", ANN, plan, now)
    handle = dev_env.client.get_schedule_handle(schedule_id(cohort, series.id))
    try:
        upcoming = await next_reminders(handle)
        assert upcoming == expected_reminders(series, program, now)[: len(upcoming)]
        assert all((t.day - 1) // 7 in (0, 2) and t.weekday() == WEEKDAYS.index(day) for t in upcoming)
        [invite] = h.outbox.entries(recipient=BOB, kind="meeting_invited")
        assert invite.invite is not None and "BYDAY=1" in invite.invite
        assert [d for d, _ in invited_days(invite.invite, series.first_day, series.last_day)] == meeting_days(series, program)
    finally:
        await handle.delete()

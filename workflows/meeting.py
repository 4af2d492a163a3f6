"""A school's recurring meeting, driven by a Temporal Schedule: one schedule per series (`meeting/<cohort>/<series>`).

The schedule fires at reminder time (REMINDER_BEFORE the meeting, on the meeting's own day), not at the meeting: its
calendar then names the very days the meeting does (the weekdays, and the weeks of the month as days of the month),
and a holiday skipped is the meeting's own day, so what `describe` shows is the meeting's calendar, and a run that
would only wait until reminder time is not needed. Each firing starts a short `MeetingWorkflow`: it marks the
meeting held in the database and sends the reminder. Pausing, editing and cancelling the series pause, update and
delete its schedule (activities/meetings.py).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from temporalio import workflow
from temporalio.client import (
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleCalendarSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
    ScheduleState,
)
from temporalio.common import RetryPolicy, SearchAttributeKey

from activities.names import SEND_NOTICE

with workflow.unsafe.imports_passed_through():
    from domain.meetings import REMINDER_BEFORE, WEEKS_OF_MONTH, MeetingSeries, SeriesStatus
    from domain.notices import Notice
    from domain.program import WEEKDAYS

HOLD_MEETING = "hold_meeting"
MEETING_RETRY = RetryPolicy(initial_interval=timedelta(seconds=2), backoff_coefficient=2.0, maximum_interval=timedelta(minutes=5))
# Temporal sets this on each run a schedule starts: the time it was due, even when the run starts late.
SCHEDULED_AT = SearchAttributeKey.for_datetime("TemporalScheduledStartTime")


class MeetingDue(BaseModel):
    cohort: str
    series: str


class MeetingToHold(BaseModel):
    """The meeting whose reminder is due at `at` (the schedule's time): the activity finds its day."""

    cohort: str
    series: str
    at: datetime


def schedule_id(cohort: str, series: str) -> str:
    return f"meeting/{cohort}/{series}"


@workflow.defn
class MeetingWorkflow:
    @workflow.run
    async def run(self, due: MeetingDue) -> bool:
        """Whether a reminder went out (not when the series was paused or cancelled in between)."""
        at = workflow.info().typed_search_attributes.get(SCHEDULED_AT) or workflow.now()
        notice: Notice | None = await workflow.execute_activity(
            HOLD_MEETING,
            MeetingToHold(cohort=due.cohort, series=due.series, at=at),
            result_type=Notice | None,  # type: ignore[arg-type]
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=MEETING_RETRY,
        )
        if notice is None:
            return False
        await workflow.execute_activity(
            SEND_NOTICE,
            notice,
            start_to_close_timeout=timedelta(seconds=30) * (len(notice.to) + 1),
            schedule_to_close_timeout=REMINDER_BEFORE,  # a reminder after the meeting has begun is no use
            retry_policy=MEETING_RETRY,
        )
        return True


def _weeks(weeks: list[int]) -> list[ScheduleRange]:
    """The n-th weekday of a month falls on its days 7n-6 to 7n."""
    return [ScheduleRange(7 * w - 6, 7 * w) for w in sorted(weeks) if w in WEEKS_OF_MONTH]


def _temporal_weekday(index: int) -> int:
    return (index + 1) % 7  # Temporal counts from Sunday (0); date.weekday() from Monday (0)


def meeting_spec(series: MeetingSeries, skipped: list[date]) -> ScheduleSpec:
    """The reminder times of the series in the program's zone, from its first day to its last, skipping `skipped`."""
    zone = ZoneInfo(series.timezone)
    at = series.reminder_at
    days = [ScheduleRange(_temporal_weekday(WEEKDAYS.index(d))) for d in series.weekdays]
    calendar = ScheduleCalendarSpec(
        second=[ScheduleRange(0)],
        minute=[ScheduleRange(at.minute)],
        hour=[ScheduleRange(at.hour)],
        day_of_week=days,
        **({"day_of_month": _weeks(series.weeks)} if series.weeks else {}),  # type: ignore[arg-type]
    )
    skip = [
        ScheduleCalendarSpec(
            second=[ScheduleRange(0, 59)],
            minute=[ScheduleRange(0, 59)],
            hour=[ScheduleRange(0, 23)],
            day_of_month=[ScheduleRange(d.day)],
            month=[ScheduleRange(d.month)],
            year=[ScheduleRange(d.year)],
        )
        for d in skipped
    ]
    return ScheduleSpec(
        calendars=[calendar],
        skip=skip,
        start_at=datetime.combine(series.first_day, time(0), zone),
        end_at=datetime.combine(series.last_day + timedelta(days=1), time(0), zone),
        time_zone_name=series.timezone,
    )


def meeting_schedule(series: MeetingSeries, skipped: list[date], task_queue: str) -> Schedule:
    """The series' schedule; a reminder missed while Temporal was away is sent until the meeting begins, not after."""
    return Schedule(
        action=ScheduleActionStartWorkflow(
            MeetingWorkflow.run,
            MeetingDue(cohort=series.cohort, series=series.id),
            id=schedule_id(series.cohort, series.id),
            task_queue=task_queue,
        ),
        spec=meeting_spec(series, skipped),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=REMINDER_BEFORE),
        state=ScheduleState(paused=series.status == SeriesStatus.paused),  # no note: what people type stays in payloads, encrypted
    )

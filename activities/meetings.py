"""A school's recurring meetings carried out: the series in the database, its Temporal Schedule, its invites.

`MeetingSeriesDesk` is what the doors call: it asks the domain (domain/meetings.py), then keeps the series' row,
schedule and invitees' calendars in step. The invite goes out from here at once, as a sign-in link does from the web
app, through the same outbox (one message per series version and recipient). `hold_meeting` is the activity each
firing of the schedule runs: the meeting is held, and its reminder is the notice it returns.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from zoneinfo import ZoneInfo

from temporalio import activity
from temporalio.client import Client, ScheduleUpdate, ScheduleUpdateInput

from activities.notifications import NoticeActivities
from domain import meetings, notices
from domain.meetings import MeetingPlan, MeetingSeries, SeriesEvent, SeriesStatus
from domain.notices import Notice
from domain.problems import Refused
from domain.program import Program
from store import meetings as kept
from store import members
from store.database import Database
from workflows.meeting import HOLD_MEETING, MeetingToHold, meeting_schedule, schedule_id


class MeetingActivities:
    def __init__(self, database: Database):
        self.database = database

    @activity.defn(name=HOLD_MEETING)
    async def hold_meeting(self, due: MeetingToHold) -> Notice | None:
        """The reminder of the meeting due at `due.at`, which is now held; None when the series no longer meets then."""
        series = await asyncio.to_thread(kept.find, self.database, due.cohort, due.series)
        program = await asyncio.to_thread(members.program_of, self.database, due.cohort)
        if series is None or program is None or series.status != SeriesStatus.active:
            return None
        on = due.at.astimezone(ZoneInfo(series.timezone)).date()  # the reminder goes out on the meeting's own day
        if on not in meetings.meeting_days(series, program):  # a firing pressed by hand on another day
            return None
        await asyncio.to_thread(kept.hold, self.database, series, on, due.at)  # held already: a retry sends the same key
        return notices.meeting_reminder(series, on)


class MeetingSeriesDesk:
    """Setting up, changing and cancelling a series, and recording who came, for one cohort's doors."""

    def __init__(self, database: Database, client: Client, task_queue: str, notices: NoticeActivities):
        self.database = database
        self.client = client
        self.task_queue = task_queue
        self.notices = notices

    async def _school_people(self, cohort: str, school: str, plan: MeetingPlan) -> list[str]:
        """Which of the invitees are people of the school in the cohort (one indexed query)."""
        found = await asyncio.to_thread(
            members.people, self.database, cohort, school=school, emails=plan.invitees, limit=meetings.MEETING_INVITEES_MAX + 1
        )
        return [p.email for p in found.rows]

    async def set_up(self, cohort: str, program: Program, school: str, coach: str, plan: MeetingPlan, now: datetime) -> MeetingSeries:
        today = program.local_date(now)
        checked = meetings.check_plan(plan, program, coach, await self._school_people(cohort, school, plan), today)
        taken = await asyncio.to_thread(kept.ids, self.database, cohort)
        series = MeetingSeries(
            **checked.model_dump(),
            cohort=cohort,
            id=meetings.series_id(checked.title, taken),
            school=school,
            coach=coach,
            timezone=program.timezone,
            set_up_at=now,
        )
        await asyncio.to_thread(kept.add, self.database, series)  # its unique key refuses a twin set up at the same moment
        schedule = meeting_schedule(series, meetings.skipped_days(series, program), self.task_queue)
        try:
            await self.client.create_schedule(schedule_id(cohort, series.id), schedule)
        except Exception:  # Temporal unreachable: no series without its schedule
            await asyncio.to_thread(kept.forget, self.database, cohort, series.id)
            raise
        await self.notices.deliver(notices.meeting_invited(series, program, now, [coach, *series.invitees]), now)
        return series

    async def _series(self, cohort: str, series_id: str) -> MeetingSeries:
        series = await asyncio.to_thread(kept.find, self.database, cohort, series_id)
        if series is None:
            raise Refused(f"there is no meeting series {series_id} in cohort {cohort}")
        return series

    async def change(self, cohort: str, program: Program, series_id: str, event: SeriesEvent, by: str, now: datetime) -> MeetingSeries:
        """Paused: no reminders until resumed (the calendar invite stands); cancelled: the schedule is gone and the
        invitees' calendars take the series out."""
        changed = meetings.change(await self._series(cohort, series_id), event, by)
        handle = self.client.get_schedule_handle(schedule_id(cohort, series_id))
        if event == SeriesEvent.pause:
            await handle.pause(note="paused by its coach")  # Temporal keeps notes unencrypted: no address
        elif event == SeriesEvent.resume:
            await handle.unpause(note="resumed by its coach")
        else:
            await handle.delete()
        await asyncio.to_thread(kept.save, self.database, changed)
        if event == SeriesEvent.cancel:
            await self.notices.deliver(notices.meeting_cancelled(changed, program, now, [changed.coach, *changed.invitees]), now)
        return changed

    async def edit(self, cohort: str, program: Program, series_id: str, plan: MeetingPlan, by: str, now: datetime) -> MeetingSeries:
        """The series changed: its schedule follows, the invitees get the updated invite, anyone left out a cancellation."""
        series = await self._series(cohort, series_id)
        people = await self._school_people(cohort, series.school, plan)
        checked = meetings.check_change(series, plan, program, people, program.local_date(now))
        edited = meetings.edit(series, checked, by)
        schedule = meeting_schedule(edited, meetings.skipped_days(edited, program), self.task_queue)

        def update(_: ScheduleUpdateInput) -> ScheduleUpdate:
            return ScheduleUpdate(schedule=schedule)

        await self.client.get_schedule_handle(schedule_id(cohort, series_id)).update(update)
        await asyncio.to_thread(kept.save, self.database, edited)
        await self.notices.deliver(notices.meeting_invited(edited, program, now, [edited.coach, *edited.invitees]), now)
        left_out = [e for e in series.invitees if e not in edited.invitees]
        if left_out:
            await self.notices.deliver(notices.meeting_cancelled(edited, program, now, left_out), now)
        return edited

    async def mark(self, cohort: str, program: Program, series_id: str, on: date, person: str, came: bool, by: str, now: datetime) -> None:
        """`person` came to the meeting on `on` (or did not): the coach's one tap."""
        series = await self._series(cohort, series_id)
        meetings.check_attendance(series, program, on, person, by, program.local_date(now))
        await asyncio.to_thread(kept.mark, self.database, series, on, person, came, now)

"""School meetings on the web: a coach sets up twice-monthly Tech Time and the invitees' mail holds one recurring
invite for the whole series; a weekly workshop's schedule fires, and the coach taps who came; the coordinator sees
counts only, and cancelling takes a series out of every calendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
from playwright.async_api import Browser, expect

from domain.meetings import MEETING_TITLE_MAX, meeting_days
from domain.program import WEEKDAYS, Weekday
from store import meetings
from tests.conftest import eventually, program_starting
from tests.web.conftest import WebStack, csrf_of, launch, signed_in
from tests.web.test_phone_and_axe import browser, sign_in
from workflows.meeting import schedule_id

__all__ = ["browser"]  # the module's chromium, shared with the phone and axe tests

ZONE = "America/Denver"

TECH_TIME = {"title": "Tech Time", "place": "Room 12 <b>by the library</b>", "weekday": "tuesday", "week": ["1", "3"]}
TECH_TIME |= {"starts_at": "07:30", "ends_at": "08:00"}


async def test_a_coach_sets_up_tech_time_each_invitee_gets_one_recurring_invite_and_taps_who_came(web_stack: WebStack) -> None:
    today = datetime.now(UTC).astimezone(ZoneInfo(ZONE)).date()
    weekday = WEEKDAYS[today.weekday()]
    closed = [d for d in WEEKDAYS if d not in (weekday, Weekday.tuesday)][:1]  # today and Tuesdays are school days
    program = program_starting(today - timedelta(days=200)).model_copy(update={"timezone": ZONE, "closed_weekdays": closed})
    cohort = await launch(web_stack, program)
    url = f"/cohorts/{cohort.id}/meetings"
    ann, cora = await signed_in(web_stack, cohort.ann), await signed_in(web_stack, cohort.coordinator)
    dates = {"first_day": today.isoformat(), "last_day": (today + timedelta(days=90)).isoformat()}

    form = await ann.get(url)
    assert form.status_code == 200 and f'maxlength="{MEETING_TITLE_MAX}"' in form.text
    assert f'value="{cohort.tia}"' in form.text and f'value="{cohort.ann}"' not in form.text  # her school's people, not herself
    asked = {**TECH_TIME, **dates, "invitee": [cohort.tia, cohort.ted], "csrf": csrf_of(form.text)}
    refused = await ann.post(url, data={**asked, "weekday": closed[0].value})
    assert refused.status_code == 409 and f"the schools are closed on {closed[0].value.capitalize()}s; choose" in refused.text
    assert 'value="Tech Time"' in refused.text  # kept in the form to correct
    assert meetings.listed(web_stack.database, cohort.id) == [] and not web_stack.outbox.entries(
        recipient=cohort.tia, kind="meeting_invited"
    )

    made = await ann.post(url, data=asked)
    assert made.status_code == 303
    page = await ann.get(made.headers["location"])
    assert "Tech Time is set up; 2 people were sent the calendar invite for the series" in page.text
    assert "Room 12 &lt;b&gt;by the library&lt;/b&gt;" in page.text  # what a coach types is inert
    [series] = [c.series for c in meetings.listed(web_stack.database, cohort.id)]
    for invitee in (cohort.tia, cohort.ted):
        [mail] = web_stack.outbox.entries(recipient=invitee, kind="meeting_invited")
        assert mail.invite is not None and "RRULE:FREQ=MONTHLY" in mail.invite and "BYDAY=1TU,3TU" in mail.invite
        calendar = icalendar.Calendar.from_ical(mail.invite)
        events = recurring_ical_events.of(calendar).between(series.first_day, series.last_day + timedelta(days=1))
        assert sorted(e["DTSTART"].dt.date() for e in events) == meeting_days(series, program)
        assert {e["DTSTART"].dt.strftime("%H:%M %Z") for e in events} <= {"07:30 MST", "07:30 MDT"}
    assert not web_stack.outbox.entries(recipient=cohort.bob, kind="meeting_invited")  # not invited

    # A weekly workshop meets today: its schedule fires (pressed now), the meeting is held, and Ann taps who came.
    workshop = {**asked, "title": "After-school workshop", "weekday": weekday.value, "week": []}
    assert (await ann.post(url, data=workshop)).status_code == 303
    [held] = [c.series for c in meetings.listed(web_stack.database, cohort.id) if c.series.title == "After-school workshop"]
    await web_stack.coaching.client.get_schedule_handle(schedule_id(cohort.id, held.id)).trigger()
    await eventually(lambda: meetings.held(web_stack.database, cohort.id, held.id) == [today], 30)
    day_url = f"{url}/{held.id}/held/{today.isoformat()}"
    taps = await ann.get(day_url)
    assert "Tia Teacher: not marked" in taps.text and "0 of 2 came" in taps.text
    tapped = await ann.post(day_url, data={"person": cohort.tia, "came": "yes", "csrf": csrf_of(taps.text)})
    assert tapped.status_code == 303
    marked = await ann.get(tapped.headers["location"])
    assert "Tia Teacher came on" in marked.text and "1 of 2 came" in marked.text and 'aria-pressed="true"' in marked.text
    assert meetings.came(web_stack.database, cohort.id, held.id, today) == [cohort.tia]

    counts = await cora.get(url)
    assert counts.status_code == 200 and "Tech Time" in counts.text and "1 meeting held in all; 1 person present in all" in counts.text
    assert "Set up a meeting series" not in counts.text
    assert (await cora.get(f"{url}/{series.id}")).status_code == 403  # who came is the coach's to record
    dashboard = await cora.get(f"/cohorts/{cohort.id}")
    assert "School meetings: 1 held, 1 present in all." in dashboard.text
    report = await cora.get(f"/cohorts/{cohort.id}/report")
    assert "1 meeting(s) held at 1 school(s), in 2 series; 1 present in all." in report.text  # Tech Time and the workshop

    cancelled = await ann.post(f"{url}/{series.id}/cancel", data={"csrf": csrf_of(page.text)})
    assert cancelled.status_code == 303
    [gone] = web_stack.outbox.entries(recipient=cohort.tia, kind="meeting_cancelled")
    assert gone.invite is not None and "METHOD:CANCEL" in gone.invite and "SEQUENCE:1" in gone.invite
    assert "Tech Time is cancelled" in (await ann.get(cancelled.headers["location"])).text
    assert (await ann.post(f"{url}/{held.id}/cancel", data={"csrf": csrf_of(page.text)})).status_code == 303


async def test_a_coach_sets_up_tech_time_on_a_phone_and_every_meeting_page_passes_axe(web_stack: WebStack, browser: Browser) -> None:
    cohort = await launch(web_stack)
    today = datetime.now(UTC).date()  # the launched program's zone is UTC
    ann = await sign_in(browser, web_stack, cohort.ann, "phone", "coach-meetings")
    page = ann.page
    await page.get_by_role("link", name="My school meetings").click()
    await ann.check("meetings")
    await page.get_by_label("Title").fill("Tech Time")
    await page.get_by_label("Place (a room, or a video link)").fill("Room 12")
    for choice in ("Tuesday", "The first", "The third", "Tia Teacher (teacher)", "Ted Teacher (teacher)"):
        await page.get_by_label(choice).check()
    await page.get_by_label("Starts at (UTC time)").fill("07:30")
    await page.get_by_label("Ends at").fill("08:00")
    await page.get_by_label("First day").fill(today.isoformat())
    await page.get_by_label("Last day").fill((today + timedelta(days=60)).isoformat())
    await page.get_by_role("button", name="Set up and send the invite").click()
    await ann.said("Tech Time is set up; 2 people were sent the calendar invite for the series")
    await expect(page.get_by_text("Invited: Ted Teacher, Tia Teacher")).to_be_visible()
    await ann.check("meeting-series")
    await page.get_by_role("button", name="Pause the reminders").click()
    await ann.said("Tech Time is paused: no reminders until you resume it")
    await page.get_by_role("button", name="Cancel the series (takes it out of every calendar)").click()
    await ann.said("Tech Time is cancelled; the invitees' calendars take it out")
    await ann.check("meeting-cancelled")
    await page.context.close()

"""A person's calendar feed, read over HTTP as a calendar app subscribed to it reads it."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import recurring_ical_events
from icalendar import Calendar, Component

from domain.program import Program
from tests.conftest import program_starting, school_day_after
from tests.web.conftest import Cohort, WebStack, csrf_of, roster_for, signed_in

ZONE = "America/Los_Angeles"


async def launch_with_a_three_day_session(stack: WebStack) -> Cohort:
    tag = uuid.uuid4().hex[:6]
    _, roster = roster_for(tag)
    people = Cohort(f"feed-{tag}", f"cora-{tag}@esd.test", *(f"{n}@hazel-{tag}.test" for n in ("pat", "ann", "bob", "tia", "ted")))
    program = program_starting((datetime.now(UTC) - timedelta(days=200)).date()).model_dump()
    program["sessions"][7]["days"] = 3
    await stack.coaching.launch_cohort(people.id, Program.model_validate(program | {"timezone": ZONE}), roster, people.coordinator)
    await stack.coaching.wait_until_launched(people.id)
    return people


def feed_url_on(home: str) -> str:
    found = re.search(r'<code id="feed-url">(http://\S+\.ics)</code>', home)
    assert found is not None, "the home page shows no calendar feed"
    return found.group(1)


async def ask_release(client: httpx.AsyncClient, cohort: str, on: date, purpose: str) -> None:
    form = await client.get(f"/cohorts/{cohort}/release")
    ask = {"days": "1", "on": on.isoformat(), "purpose": purpose, "csrf": csrf_of(form.text)}
    asked = await client.post(f"/cohorts/{cohort}/release", data=ask)
    assert asked.status_code == 303, asked.text


async def approve(principal: httpx.AsyncClient, cohort: str, number: int) -> None:
    school = await principal.get(f"/cohorts/{cohort}/schools/hazel")
    decided = await principal.post(
        f"/cohorts/{cohort}/schools/hazel/requests/{number}/decision", data={"decision": "approve", "csrf": csrf_of(school.text)}
    )
    assert decided.status_code == 303, decided.text


async def calendar_at(url: str, release_days: int) -> Calendar:
    """The feed once it lists this many release days (a decision reaches the read model a moment after it is made)."""
    async with httpx.AsyncClient() as app:
        for _ in range(100):
            answer = await app.get(url)
            assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/calendar")
            calendar = Calendar.from_ical(answer.text)
            if len([e for e in calendar.walk("VEVENT") if e["summary"] == "Release day"]) == release_days:
                return calendar
            await asyncio.sleep(0.1)
    raise AssertionError(f"the feed never listed {release_days} release days")


def sessions_of(calendar: Calendar) -> list[Component]:
    return [e for e in calendar.walk("VEVENT") if e["summary"] != "Release day"]


async def test_a_coachs_feed_lists_their_sessions_and_own_release_days_until_they_make_a_new_one(web_stack: WebStack) -> None:
    cohort = await launch_with_a_three_day_session(web_stack)
    c = cohort.id
    ann, tia, pat = [await signed_in(web_stack, e) for e in (cohort.ann, cohort.tia, cohort.principal)]
    home = await ann.get("/")
    url = feed_url_on(home.text)
    assert "webcal://" + url.split("://", 1)[1] in home.text

    closed_as_launched = program_starting(datetime.now(UTC).date())  # weekends closed, as in the launched program
    mine = school_day_after(closed_as_launched, (datetime.now(UTC) + timedelta(days=10)).date())
    theirs = school_day_after(closed_as_launched, mine + timedelta(days=1))
    await ask_release(ann, c, mine, "Observe the reading block")
    await ask_release(tia, c, theirs, "Co-plan the unit")
    await approve(pat, c, 1)
    await approve(pat, c, 2)

    calendar = await calendar_at(url, release_days=1)
    release = [e for e in calendar.walk("VEVENT") if e["summary"] == "Release day"]
    assert [e.decoded("dtstart") for e in release] == [mine]  # Tia's day is hers alone
    assert "Observe" not in calendar.to_ical().decode()
    sessions = sessions_of(calendar)
    assert len(sessions) == 8
    assert {str(e.decoded("dtstart").tzinfo) for e in sessions} == {ZONE}
    assert [z["tzid"] for z in calendar.walk("VTIMEZONE")] == [ZONE]

    last = next(e for e in sessions if e["summary"].endswith("Session 8"))
    first_day = last.decoded("dtstart").date()
    days = recurring_ical_events.of(calendar).between(first_day, first_day + timedelta(days=5))
    assert [e.decoded("dtstart").date() for e in days if e["uid"] == last["uid"]] == [first_day + timedelta(days=n) for n in range(3)]
    assert {e.decoded("dtstart").astimezone(ZoneInfo(ZONE)).time() for e in days} == {last.decoded("dtstart").time()}

    rotated = await ann.post("/calendar/rotate", data={"csrf": csrf_of(home.text)})
    assert rotated.status_code == 303 and rotated.headers["location"] == "/"
    new_url = feed_url_on((await ann.get("/")).text)
    assert new_url != url
    async with httpx.AsyncClient() as app:
        gone = await app.get(url)
        assert gone.status_code == 404 and gone.content == b""
    assert len(sessions_of(await calendar_at(new_url, release_days=1))) == 8

    tias_days = [e.decoded("dtstart") for e in (await calendar_at(feed_url_on((await tia.get("/")).text), 1)).walk("VEVENT")]
    assert tias_days == [theirs]  # a teacher has no training sessions in the program
    for client in (ann, tia, pat):
        await client.aclose()


async def test_rotating_needs_the_csrf_token_and_an_unknown_feed_is_not_found(web_stack: WebStack) -> None:
    cohort = await launch_with_a_three_day_session(web_stack)
    bob = await signed_in(web_stack, cohort.bob)
    url = feed_url_on((await bob.get("/")).text)
    assert (await bob.post("/calendar/rotate")).status_code == 403
    assert feed_url_on((await bob.get("/")).text) == url
    async with httpx.AsyncClient(base_url=web_stack.url) as stranger:
        assert (await stranger.get(url)).status_code == 200
        unknown = await stranger.get("/calendar/" + "A" * 43 + ".ics")
        assert unknown.status_code == 404 and unknown.content == b""
        anonymous = await stranger.post("/calendar/rotate")
        assert (anonymous.status_code, anonymous.headers["location"]) == (303, "/sign-in")  # sign in first, then the CSRF token
    await bob.aclose()

"""A coordinator's, a coach's, a teacher's and a principal's first steps, in a real browser (Debian's chromium).

Screenshots of each page land in test-artifacts/web/ (not committed).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect

from domain.cycle import Stage
from store import members
from tests.conftest import program_starting
from tests.web.conftest import ARTIFACTS, PROGRAM_OFFICE, WebStack, roster_for

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SECRET = "only for us: the unit plan needs work (quokka)"


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as p:
        launched = await p.chromium.launch(executable_path="/usr/bin/chromium", args=[*CHROMIUM_FLAGS, "--no-first-run"])
        yield launched
        await launched.close()


async def person(browser: Browser, stack: WebStack, email: str, greeting: str, phone: bool = False) -> Page:
    """`greeting`: the first name the home page greets them by (a regular expression)."""
    """A browser of this person's own, signed in through the link the program emailed them."""
    context: BrowserContext = await browser.new_context(viewport={"width": 390, "height": 844} if phone else {"width": 1280, "height": 900})
    page = await context.new_page()
    await page.goto(f"{stack.url}/sign-in")
    await page.get_by_label("Your school email").fill(email)
    await shot(page, "0-sign-in")
    await page.get_by_label("Your school email").press("Enter")  # the keyboard is enough
    await expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    await page.goto(stack.link_for(email))
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name=re.compile(f"^Hello, {greeting}$"))).to_be_visible()  # by name, not address
    await shot(page, f"home-{email.split('@')[0]}")
    return page


def a_wednesday(after: date) -> date:
    """A school day (the program's schools are closed at weekends) on or after `after`."""
    return after + timedelta(days=(2 - after.weekday()) % 7)


async def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True, animations="disabled", timeout=60_000)


async def test_a_cohort_from_upload_to_an_approved_release_day(web_stack: WebStack, browser: Browser, tmp_path: Path) -> None:
    stack = web_stack
    roster_text, _ = roster_for("browser")
    roster_text = roster_text.replace("cora-browser@esd.test", PROGRAM_OFFICE)
    email = {n: f"{n}@hazel-browser.test" for n in ("ann", "tia", "pat")}
    program = tmp_path / "program.yaml"
    program.write_text(program_starting((datetime.now(UTC) - timedelta(days=200)).date()).model_dump_json())
    broken, fixed = tmp_path / "broken" / "roster.csv", tmp_path / "roster.csv"
    broken.parent.mkdir()
    broken.write_text(roster_text.replace("Ted Teacher,ted@hazel-browser.test", "Ted Teacher,ted-at-hazel"))
    fixed.write_text(roster_text)

    # The coordinator uploads a roster with a mistake, sees the row, fixes it and launches.
    cora = await person(browser, stack, PROGRAM_OFFICE, "(office|Cora)")  # Cora once another test's roster names the office
    await cora.get_by_role("link", name="Launch a cohort").click()
    await cora.get_by_label("Program year").set_input_files(program)
    await cora.get_by_label("Roster").set_input_files(broken)
    await cora.get_by_label("Cohort id").fill("browser-cohort")
    await cora.get_by_role("button", name="Check and launch").click()
    await expect(cora.get_by_role("alert")).to_contain_text("row 7, field 'email'")
    await shot(cora, "1-launch-with-a-roster-problem")
    assert "browser-cohort" not in [c.cohort for c in members.cohorts(stack.database)]
    await cora.get_by_label("Program year").set_input_files(program)
    await cora.get_by_label("Roster").set_input_files(fixed)
    await cora.get_by_role("button", name="Check and launch").click()
    await expect(cora.get_by_role("heading", name="Attendance")).to_be_visible()
    await expect(cora.locator("p.said")).to_contain_text("Launched: Test Peer Coaching")
    await shot(cora, "2-cohort-dashboard")

    # Session 5 (the unlock session) is recorded: Ann attended.
    await cora.get_by_role("link", name="Record attendance").click()
    await cora.wait_for_function("() => window.htmx !== undefined")  # a pick before htmx has loaded would go unheard
    await cora.get_by_label("Session").select_option("5")  # the form follows the session picked
    await cora.get_by_role("group", name="Ann Coach").get_by_label("attended").check()
    await shot(cora, "3-record-attendance")
    await cora.get_by_role("button", name="Record only the marks chosen for session 5").click()
    await expect(cora.locator("p.said")).to_have_text("Session 5 recorded: 1 attended")
    await expect(cora.locator("td.mark.attended")).to_have_count(1)
    await cora.get_by_role("link", name="Notifications sent").click()
    await expect(cora.get_by_role("cell", name="Coaching unlocked")).to_be_visible()
    await shot(cora, "3b-outbox")
    for _ in range(100):  # the unlock reaches the partnership by signal
        if (await stack.coaching.partnership_record("browser-cohort", "ann--tia")).coaching_unlocked:
            break
        await asyncio.sleep(0.1)

    # The coach begins the cycle; a stale button (she moved on from her phone meanwhile) is refused.
    ann = await person(browser, stack, email["ann"], "Ann")
    await ann.get_by_role("link", name="My sessions").click()
    await expect(ann.get_by_text("Coaching is unlocked")).to_be_visible()
    await shot(ann, "3c-coach-training-year")
    await ann.get_by_role("link", name="Peer Coaching Program").click()
    await ann.get_by_role("link", name="Start a partnership").click()
    await shot(ann, "3d-start-a-partnership")
    await ann.go_back()
    await ann.get_by_role("link", name="Ann Coach with Tia Teacher").click()
    await ann.get_by_role("button", name="Begin the cycle: initiate").click()
    await expect(ann.locator("[aria-current=step]")).to_have_text("initiate")
    await shot(ann, "4-coach-began-the-cycle")
    await stack.coaching.move("browser-cohort", "ann--tia", email["ann"], Stage.co_plan)  # from another device
    await ann.get_by_role("button", name="Move to co-plan").click()
    await expect(ann.get_by_role("alert")).to_contain_text("the partnership is already in co-plan")
    await expect(ann.get_by_role("alert")).to_contain_text("Allowed now: model")
    await expect(ann.get_by_role("button", name="Move to model")).to_be_visible()
    await shot(ann, "5-coach-refused-a-stale-move")

    # The teacher writes a reflection and asks for a release day, on her phone.
    tia = await person(browser, stack, email["tia"], "Tia", phone=True)
    await tia.get_by_role("link", name="Ann Coach with Tia Teacher").click()
    await tia.get_by_label("Add a note or reflection").fill(SECRET)
    await tia.get_by_role("button", name="Add note").click()
    await expect(tia.locator("article.note")).to_contain_text(SECRET)
    await tia.get_by_role("link", name="Back to my page").click()
    await tia.get_by_role("link", name="My release time").click()
    await expect(tia.get_by_text("2 of 2 days left")).to_be_visible()
    await tia.get_by_label("Days").select_option(label="1")
    await tia.get_by_label("On (a school day)").fill(a_wednesday(datetime.now(UTC).date() + timedelta(days=14)).isoformat())
    await tia.get_by_label("What it is for").fill("Co-plan the research unit with Ann")
    await tia.get_by_role("button", name="Ask the principal").click()
    await expect(tia.locator("p.said")).to_contain_text("Request sent to Pat Principal: 1 day on Wed")
    await expect(tia.get_by_text("1 of 2 days left")).to_be_visible()
    await shot(tia, "6-teacher-release-request-phone")

    # The principal approves, and sees stages and counts, never the reflection.
    pat = await person(browser, stack, email["pat"], "Pat")
    await pat.get_by_role("link", name="release requests and partnerships").click()
    await expect(pat.get_by_text("Co-plan the research unit with Ann")).to_be_visible()
    await pat.get_by_role("button", name="Approve Tia Teacher", exact=False).click()
    await expect(pat.locator("p.said")).to_contain_text("Approved: substitute SUB-")
    await expect(pat.get_by_text("Nothing waiting.")).to_be_visible()
    await shot(pat, "7-principal-school")
    assert "quokka" not in await pat.content()  # a word no page, token or id holds by chance
    await pat.get_by_role("link", name="Ann Coach with Tia Teacher").click()
    await expect(pat.get_by_text("1 notes and reflections (private to the partnership)")).to_be_visible()
    assert "quokka" not in await pat.content()  # a word no page, token or id holds by chance
    await shot(pat, "8-principal-partnership")

    # The coordinator's pages on a phone: wide tables scroll inside the page; the page itself does not.
    phone = await person(browser, stack, PROGRAM_OFFICE, "Cora", phone=True)  # the roster names the office now
    for path, name in (("", "9-dashboard-phone"), ("/attendance", "9b-attendance-phone"), ("/outbox", "9c-outbox-phone")):
        await phone.goto(f"{stack.url}/cohorts/browser-cohort{path}")
        assert await phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
        await shot(phone, name)

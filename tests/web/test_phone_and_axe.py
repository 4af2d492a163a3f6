"""Every role's main job in real chromium, on a 1280 px desktop and on a 390 px phone.

Each page visited is checked three ways: nothing is wider than the viewport (no sideways
scroll), axe-core finds no accessibility violation (error states and htmx-swapped
sections included), and a screenshot lands in test-artifacts/web/ (not committed). Each
action ends with the message that says what it did. One cohort serves all four roles of
a viewport.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from domain.cycle import Stage
from tests.web.conftest import ARTIFACTS, Cohort, WebStack, launch
from tests.web.test_browser import CHROMIUM_FLAGS

AXE = Path(__file__).resolve().parents[1] / "services" / "node" / "node_modules" / "axe-core" / "axe.min.js"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
PARTNERSHIP_ID = re.compile(r"\b[a-z0-9]+--[a-z0-9-]+\b")  # how the engine names a partnership: never shown to people


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    if not AXE.exists():
        pytest.fail(f"axe-core is not installed at {AXE}; run `make node`")
    async with async_playwright() as p:
        launched = await p.chromium.launch(executable_path="/usr/bin/chromium", args=[*CHROMIUM_FLAGS, "--no-first-run"])
        yield launched
        await launched.close()


class Visit:
    """One person's browser at one viewport; `check` is run on every page state they see."""

    def __init__(self, page: Page, viewport: str, who: str):
        self.page, self.viewport, self.who, self.shots = page, viewport, who, 0

    async def check(self, name: str) -> None:
        page = self.page
        await page.wait_for_load_state("load")  # the stylesheet too: an unstyled table is as wide as its rows
        width = await page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"{self.who}'s {name} is {width[0]} px wide on a {width[1]} px {self.viewport}"
        await page.add_script_tag(path=str(AXE))
        violations = await page.evaluate(
            """async () => (await axe.run(document)).violations.map(
                v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`)"""
        )
        assert violations == [], f"axe on {self.who}'s {name} ({self.viewport}): {violations}"
        self.shots += 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{self.viewport}-{self.who}-{self.shots:02d}-{name}.png"
        await page.screenshot(path=str(path), full_page=True, animations="disabled", timeout=60_000)

    async def said(self, text: str) -> None:
        """The status line an action ends with."""
        await expect(self.page.get_by_role("status").filter(has_text=text)).to_be_visible()


async def sign_in(browser: Browser, stack: WebStack, email: str, viewport: str, who: str) -> Visit:
    """Bypassing the page's CSP lets the test inject axe-core; the app's own pages load nothing from elsewhere."""
    context = await browser.new_context(viewport=VIEWPORTS[viewport], bypass_csp=True)  # type: ignore[arg-type]
    page = await context.new_page()
    visit = Visit(page, viewport, who)
    await page.goto(f"{stack.url}/sign-in")
    await visit.check("sign-in")
    await page.get_by_label("Your school email").fill(email)
    await page.get_by_role("button", name="Email me a sign-in link").click()
    await expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    await visit.check("link-sent")
    await page.goto(stack.link_for(email))
    await visit.check("confirm-sign-in")  # the longest address on a phone wraps
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name=re.compile("^Hello, "))).to_be_visible()
    return visit


async def home_says_names(visit: Visit, greeting: str) -> None:
    page = visit.page
    await expect(page.get_by_role("heading", name=f"Hello, {greeting}")).to_be_visible()
    shown = await page.locator("main").evaluate(
        "m => { const c = m.cloneNode(true); c.querySelector('#feed-url')?.remove(); return c.innerText; }"
    )
    assert not PARTNERSHIP_ID.search(shown), f"an id on {visit.who}'s home: {PARTNERSHIP_ID.search(shown)}"
    assert "@" not in shown and "_" not in shown, f"an address or a raw value on {visit.who}'s home: {shown}"
    await visit.check("home")


def school_day(after: date, weekday: int = 2) -> date:
    """The first such weekday (Wednesday by default) after `after`: the program's schools are open Monday to Friday."""
    return after + timedelta(days=(weekday - after.weekday() - 1) % 7 + 1)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
async def test_every_role_does_their_main_job(web_stack: WebStack, browser: Browser, viewport: str) -> None:
    cohort = await launch(web_stack)
    await coordinator_records_attendance(web_stack, browser, cohort, viewport)
    await coach_moves_and_is_warned_of_a_second_partnership(web_stack, browser, cohort, viewport)
    await teacher_asks_for_release_days(web_stack, browser, cohort, viewport)
    await principal_approves(web_stack, browser, cohort, viewport)
    await coordinator_withdraws(web_stack, browser, cohort, viewport)


async def coordinator_records_attendance(stack: WebStack, browser: Browser, cohort: Cohort, viewport: str) -> None:
    cora = await sign_in(browser, stack, cohort.coordinator, viewport, "coordinator")
    page = cora.page
    await expect(page.get_by_role("link", name="Record attendance for session 1")).to_be_visible()
    await home_says_names(cora, "Cora")

    # The form opens on the first session that is over and not recorded, and follows the session picked.
    await page.get_by_role("link", name="Record attendance for session 1").click()
    await expect(page.get_by_label("Session")).to_have_value("1")
    await cora.check("attendance-session-1")
    await page.get_by_label("Session").select_option("2")
    await expect(page.get_by_role("button", name="Everyone present: record session 2")).to_be_visible()
    assert "session=2" in page.url
    await page.get_by_role("button", name="Record only the marks chosen for session 2").click()
    await expect(page.get_by_role("alert")).to_contain_text("Nothing was recorded: no mark was chosen or changed")
    await cora.check("attendance-nothing-chosen")
    await page.get_by_role("group", name="Bob Coach").get_by_label("absent").check()
    await page.get_by_role("button", name="Everyone present: record session 2").click()
    await cora.said("Session 2 recorded: 1 attended, 1 absent")
    # On the dashboard's grid a missing mark whose time has come and one still to come look different.
    await expect(page.locator("td.mark.overdue").first).to_have_text("missing")
    await expect(page.locator("td.mark.future").first).to_have_text("not yet")
    await cora.check("dashboard")
    # Every list is searched and filtered, and downloaded with the same filters.
    await page.get_by_label("Search").fill("tia teacher")
    await page.get_by_label("Stage", exact=True).select_option(label="Any stage")
    await page.get_by_role("button", name="Find").click()
    await expect(page.get_by_role("link", name="Ann Coach with Tia Teacher")).to_be_visible()
    await expect(page.get_by_role("link", name="Bob Coach with Ted Teacher")).to_have_count(0)
    await expect(page.locator("p.downloads").last.get_by_role("link", name="XLSX")).to_have_attribute("href", re.compile("q=tia"))
    await cora.check("dashboard-partnerships-found")
    await page.get_by_role("link", name="Notifications sent").click()
    await expect(page.get_by_role("cell", name="Coaching unlocked").first).to_be_visible()
    await cora.check("outbox")
    await page.get_by_label("Kind").select_option(label="Coaching unlocked")
    await page.get_by_role("button", name="Find").click()
    await expect(page.get_by_role("cell", name="Attendance due")).to_have_count(0)
    await cora.check("outbox-found")
    await page.get_by_role("link", name="Peer Coaching Program").click()
    await page.goto(f"{stack.url}/cohorts/{cohort.id}/people")
    await expect(page.get_by_role("link", name="Withdraw Ted Teacher…")).to_be_visible()
    await cora.check("people")
    await page.get_by_label("Search").fill("ted")
    await page.get_by_label("Role").select_option(label="collaborating teacher")
    await page.get_by_role("button", name="Find").click()
    await expect(page.get_by_role("link", name="Withdraw Tia Teacher…")).to_have_count(0)
    await expect(page.get_by_role("link", name="CSV")).to_have_attribute("href", re.compile("role=teacher"))
    await cora.check("people-found")
    await page.goto(f"{stack.url}/cohorts/{cohort.id}")
    await page.get_by_role("link", name="Year-end report").click()
    await expect(page.get_by_role("heading", name=re.compile("the year so far"))).to_be_visible()
    await expect(page.get_by_role("img", name=re.compile("Attendance per session"))).to_be_visible()
    await cora.check("year-end-report")
    await page.goto(f"{stack.url}/cohorts/new")
    await cora.check("launch-form")
    await page.context.close()


async def coach_moves_and_is_warned_of_a_second_partnership(stack: WebStack, browser: Browser, cohort: Cohort, viewport: str) -> None:
    ann = await sign_in(browser, stack, cohort.ann, viewport, "coach")
    page = ann.page
    await expect(page.get_by_text("Next session:")).to_be_visible()
    await expect(page.get_by_text("2 of 2 release days left")).to_be_visible()
    await expect(page.get_by_text("waiting on you")).to_be_visible()
    await home_says_names(ann, "Ann")

    await page.get_by_role("link", name="Ann Coach with Tia Teacher").click()
    await ann.check("partnership")
    await page.get_by_role("button", name="Begin the cycle: initiate").click()  # htmx swaps the section in place
    await ann.said("Moved to initiate")
    await expect(page.locator("[aria-current=step]")).to_have_text("initiate")
    await ann.check("partnership-moved")
    await stack.coaching.move(cohort.id, "ann--tia", cohort.ann, Stage.co_plan)  # from her other device meanwhile
    await page.get_by_role("button", name="Move to co-plan").click()
    await expect(page.get_by_role("alert")).to_contain_text("already in co-plan")
    await ann.check("partnership-stale-move-refused")

    await page.get_by_role("link", name="Peer Coaching Program").click()
    await page.get_by_role("link", name="My sessions").click()
    await expect(page.get_by_text("Coaching is unlocked")).to_be_visible()
    await ann.check("training-year")
    await page.goto(f"{stack.url}/cohorts/{cohort.id}/outbox")  # a coordinator's page: the error page says so
    await expect(page.get_by_role("alert")).to_contain_text("only a coordinator")
    await ann.check("not-allowed")

    # Tia is in Ann's open partnership already: the form asks before a second one starts.
    await page.goto(f"{stack.url}/cohorts/{cohort.id}/partnerships-new")
    await ann.check("start-partnership")
    await page.get_by_label("Tia Teacher").check()
    await page.get_by_label("Focus").fill("Inquiry circles")
    await page.get_by_role("button", name="Start", exact=True).click()
    await expect(page.get_by_role("alert")).to_contain_text("already in an open partnership")
    await expect(page.get_by_role("alert")).to_contain_text("Ann Coach with Tia Teacher")
    await ann.check("start-second-partnership-warning")
    await page.get_by_role("button", name="Start a second partnership anyway").click()
    await ann.said("Partnership started with Tia Teacher")
    await ann.check("second-partnership")
    await page.context.close()


async def teacher_asks_for_release_days(stack: WebStack, browser: Browser, cohort: Cohort, viewport: str) -> None:
    tia = await sign_in(browser, stack, cohort.tia, viewport, "teacher")
    page = tia.page
    await expect(page.get_by_text("2 of 2 release days left")).to_be_visible()
    await expect(page.get_by_role("link", name="Ann Coach with Tia Teacher").first).to_be_visible()
    await home_says_names(tia, "Tia")

    await page.get_by_role("link", name="Ann Coach with Tia Teacher").first.click()
    await page.get_by_label("Add a note or reflection").fill("The co-planned lesson went well")
    await page.get_by_role("button", name="Add note").click()
    await tia.said("Note added")
    await tia.check("note-added")

    today = datetime.now(UTC).date()
    await page.goto(f"{stack.url}/cohorts/{cohort.id}/release")
    await tia.check("release")
    saturday = school_day(today + timedelta(days=7), weekday=5)
    await ask(page, "1", saturday, "Co-plan on the weekend")
    await expect(page.get_by_role("alert")).to_contain_text("not a school day (a Saturday)")
    await tia.check("release-on-a-saturday")
    await ask(page, "1", school_day(today + timedelta(days=7)), "Co-plan the research unit with Ann")
    await tia.said("Request sent to Pat Principal: 1 day on")
    await ask(page, "½", school_day(today + timedelta(days=14)), "Observe the reading block")
    await tia.said("Request sent to Pat Principal: ½ day on")
    await expect(page.get_by_text("½ of 2 days left")).to_be_visible()

    # Cancelling asks first.
    await page.get_by_role("link", name=re.compile("^Cancel ")).first.click()
    await expect(page.get_by_role("alert")).to_contain_text("Cancel ½ day on")
    await tia.check("release-cancel-confirm")
    await page.get_by_role("button", name="Yes, cancel this day").click()
    await tia.said("Cancelled: ½ day on")
    await expect(page.get_by_text("1 of 2 days left")).to_be_visible()
    await tia.check("release-cancelled")
    await page.context.close()


async def ask(page: Page, days: str, on: date, purpose: str) -> None:
    await page.get_by_label("Days: 1, or ½ for a half day").select_option(label=days)
    await page.get_by_label("On (a school day)").fill(on.isoformat())
    await page.get_by_label("What it is for").fill(purpose)
    await page.get_by_role("button", name="Ask the principal").click()


async def principal_approves(stack: WebStack, browser: Browser, cohort: Cohort, viewport: str) -> None:
    pat = await sign_in(browser, stack, cohort.principal, viewport, "principal")
    page = pat.page
    await expect(page.get_by_text("1 release request waits for your decision.")).to_be_visible()
    await expect(page.get_by_text("Tia Teacher: 1 day on")).to_contain_text("decide by")
    await home_says_names(pat, "Pat")

    await page.get_by_role("link", name="Hazel: release requests and partnerships").click()
    await expect(page.get_by_text("Co-plan the research unit with Ann")).to_be_visible()
    await pat.check("school")
    await page.get_by_role("button", name=re.compile("^Approve Tia Teacher")).click()
    await pat.said("Approved: substitute ")
    await expect(page.get_by_role("status")).to_contain_text("booked (Tia Teacher, 1 day on")
    await expect(page.get_by_text("Nothing waiting.")).to_be_visible()
    await pat.check("school-approved")
    await page.get_by_label("Search").fill("bob")
    await page.get_by_role("button", name="Find").click()
    await expect(page.get_by_role("link", name="Bob Coach with Ted Teacher")).to_be_visible()
    await expect(page.get_by_role("link", name="Ann Coach with Tia Teacher")).to_have_count(0)
    await pat.check("school-partnerships-found")
    await page.get_by_role("link", name="Show all").click()
    await page.get_by_role("link", name="Ann Coach with Tia Teacher").first.click()
    await expect(page.get_by_text("notes and reflections (private to the partnership)")).to_be_visible()
    assert "went well" not in await page.content()
    await pat.check("partnership-building-view")
    await page.context.close()


async def coordinator_withdraws(stack: WebStack, browser: Browser, cohort: Cohort, viewport: str) -> None:
    cora = await sign_in(browser, stack, cohort.coordinator, viewport, "coordinator-withdrawing")
    page = cora.page
    await page.goto(f"{stack.url}/cohorts/{cohort.id}/partnerships/bob--ted")
    await expect(page.get_by_role("heading", name="Bob Coach with Ted Teacher")).to_be_visible()
    await page.get_by_label("Why it is withdrawn").fill("Ted moved to another school")
    await page.get_by_label("Yes, end this partnership now").check()
    await cora.check("withdraw-partnership")
    await page.get_by_role("button", name="Withdraw the partnership").click()
    await cora.said("Withdrawn: Bob Coach with Ted Teacher")
    await expect(page.locator("[aria-current=step]")).to_have_count(0)
    await cora.check("partnership-withdrawn")

    await page.goto(f"{stack.url}/cohorts/{cohort.id}/people")
    await page.get_by_role("link", name="Withdraw Ted Teacher…").click()
    await cora.check("withdraw-person")
    await page.get_by_label("Why Ted Teacher leaves").fill("Ted moved to another district")
    await page.get_by_label("Yes, withdraw Ted Teacher from the cohort").check()
    await page.get_by_role("button", name="Withdraw Ted Teacher").click()
    await cora.said("Withdrawn: Ted Teacher")
    await expect(page.get_by_role("link", name="Withdraw Ted Teacher…")).to_have_count(0)
    await cora.check("people-after-withdrawal")
    await page.context.close()

"""In chromium, on a desktop and on a phone: a teacher applies (and is first refused), confirms their email by the link
the worker would mail them, their principal endorses, and the program office's page follows along. Every page is
checked as the other browser tests check theirs: no sideways scroll, no axe violation, a screenshot."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, Page, expect

from domain import application_links
from domain.application_links import Purpose
from tests.web.conftest import PROGRAM_OFFICE, WebStack
from tests.web.test_application_pages import SECRET, open_spring
from tests.web.test_phone_and_axe import VIEWPORTS, Visit, browser, sign_in

__all__ = ["browser"]  # the chromium fixture of the browser tests, used here by name


async def visitor(browser: Browser, viewport: str, who: str) -> Visit:
    """Someone who never signs in; bypassing the page's CSP lets the test inject axe-core."""
    context = await browser.new_context(viewport=VIEWPORTS[viewport], bypass_csp=True)  # type: ignore[arg-type]
    return Visit(await context.new_page(), viewport, who)


async def office_shows(page: Page, missing: str, endorsed: str) -> None:
    """The office's page reads the database's copy, a moment behind the workflow: reload until it has caught up."""
    for _ in range(50):
        await page.reload()
        found = await page.locator("#endorsements-missing").inner_text(), await page.locator("#site-esd-112 .endorsed").inner_text()
        if found == (missing, endorsed):
            return
        await page.wait_for_timeout(200)
    raise AssertionError(f"the office sees {found}, not ({missing}, {endorsed}) endorsements missing and endorsed at Vancouver")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
async def test_a_teacher_applies_is_endorsed_and_the_office_sees_it(web_stack: WebStack, browser: Browser, viewport: str) -> None:
    offering = await open_spring(web_stack)
    office = await sign_in(browser, web_stack, PROGRAM_OFFICE, viewport, "program-office")
    await office.page.get_by_role("link", name="Offerings and applications").click()
    await office.check("offerings")
    await office.page.locator(f'a[href="/office/offerings/{offering.id}"]').click()  # each test's offering has the same name
    await office.check("offering-empty")
    await office_shows(office.page, "0", "0")

    teacher = await visitor(browser, viewport, "applicant")
    page = teacher.page
    await page.goto(f"{web_stack.url}/apply/{offering.id}")
    await teacher.check("apply")
    email = f"tess-{viewport}-{offering.id}@schools.test"
    await page.get_by_label("Your name").fill("Tess Teacher")
    await page.get_by_label("Your school email").fill(email)
    await page.get_by_label("Your role").select_option(label="teacher")
    await page.get_by_label("Your school", exact=True).fill("Hazel Dell Elementary")
    await page.get_by_label("Your district").fill("Evergreen")
    await page.get_by_label("Your region").select_option("southwest")
    await page.get_by_label("Where you would like to train").select_option(label="ESD 112, Vancouver")
    await page.get_by_label("Why you want to coach").fill("Our grade team wants to plan units with the library.")
    await page.get_by_label("Principal's name").fill("Pat Principal")
    await page.get_by_label("Principal's email").fill(email)  # their own address: refused, the form kept
    await page.get_by_role("button", name="Send my application").click()
    await expect(page.get_by_role("alert")).to_contain_text("someone other than the applicant")
    await expect(page.get_by_label("Your name")).to_have_value("Tess Teacher")
    await teacher.check("apply-refused")
    principal = f"pat-{viewport}-{offering.id}@schools.test"
    await page.get_by_label("Principal's email").fill(principal)
    await page.get_by_role("button", name="Send my application").click()
    await expect(page.get_by_role("heading", name="Check your email to confirm")).to_be_visible()
    await teacher.check("applied")
    found = re.search(r"as ([a-z0-9-]+-\d{4})\.", await page.get_by_role("status").inner_text())
    assert found is not None
    application = found.group(1)

    # The link the worker mails them, signed with the web app's secret.
    confirm = application_links.token(SECRET, Purpose.confirm, application, email)
    await page.goto(web_stack.url + application_links.path(Purpose.confirm, confirm))
    await teacher.check("confirm")
    await page.get_by_role("button", name=f"Confirm {email}").click()
    await expect(page.locator("#standing")).to_have_text("applied: waiting for your principal")
    await teacher.check("confirmed")
    await office_shows(office.page, "1", "0")

    head = await visitor(browser, viewport, "endorsing-principal")
    endorse = application_links.token(SECRET, Purpose.endorse, application, principal)
    await head.page.goto(web_stack.url + application_links.path(Purpose.endorse, endorse))
    await expect(head.page.get_by_role("heading", name=f"Tess Teacher applies to {offering.name}")).to_be_visible()
    await head.check("endorse")
    await head.page.get_by_label("How your school staffs coaching").select_option("part-time")
    await head.page.get_by_role("button", name="Endorse and commit my school").click()
    await head.said("you endorsed Tess Teacher's application")
    await expect(head.page.locator("#standing")).to_have_text("endorsed, fee due: 799 USD")
    await head.check("endorsed")

    await office_shows(office.page, "0", "1")
    await office.check("offering-endorsed")
    await office.page.get_by_role("link", name="Tess Teacher").click()
    await expect(office.page.locator("#standing")).to_have_text("endorsed, fee due: 799 USD")
    await office.check("application")
    status = application_links.token(SECRET, Purpose.status, application, email)
    await page.goto(web_stack.url + application_links.path(Purpose.status, status))
    await expect(page.locator("#standing")).to_have_text("endorsed, fee due: 799 USD")
    await teacher.check("status")
    for visit in (office, teacher, head):
        await visit.page.context.close()

"""A school's coaching plan on the web: a coach writes it and asks for endorsement, the principal endorses it,
coordinators read it and see on one page which schools have a plan and which goals partnerships work on."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, expect

from domain.plans import PLAN_GOAL_MAX_CHARS, PLAN_TEXT_MAX_CHARS
from store import school_year
from tests.web.conftest import WebStack, csrf_of, launch, signed_in
from tests.web.test_phone_and_axe import browser, sign_in

__all__ = ["browser"]  # the module's chromium, shared with the phone and axe tests

DRAFT = {
    "goal": ["Writing", "Reading across the curriculum", ""],
    "assignments": "Ann with Tia, Bob with Ted",
    "roles": "Co-plan weekly; model one lesson a cycle",
    "communication": "At the October staff meeting",
}


async def test_a_coach_writes_the_plan_the_principal_endorses_it_and_coordinators_read_it(web_stack: WebStack) -> None:
    cohort = await launch(web_stack)
    url = f"/cohorts/{cohort.id}/schools/hazel/plan"
    ann, pat, cora, tia = [await signed_in(web_stack, e) for e in (cohort.ann, cohort.principal, cohort.coordinator, cohort.tia)]

    empty = await ann.get(url)
    assert empty.status_code == 200 and "No plan yet" in empty.text and "Write the plan" in empty.text
    assert f'maxlength="{PLAN_GOAL_MAX_CHARS}"' in empty.text and f'maxlength="{PLAN_TEXT_MAX_CHARS}"' in empty.text
    refused = await ann.post(url, data={**DRAFT, "goal": ["", ""], "csrf": csrf_of(empty.text)})
    assert refused.status_code == 409 and "name at least one school improvement goal the coaching serves" in refused.text
    assert 'value="Ann with Tia, Bob with Ted"' not in refused.text and "Ann with Tia, Bob with Ted</textarea>" in refused.text
    assert school_year.plan_of(web_stack.database, cohort.id, "hazel") is None  # a refused plan writes nothing

    written = await ann.post(url, data={**DRAFT, "submit": "yes", "csrf": csrf_of(empty.text)})
    assert written.status_code == 303
    shown = await ann.get(url)
    assert "Plan saved (version 1) and sent to the principal to endorse" in shown.text
    assert "waiting for the principal&#39;s endorsement" in shown.text and "Reading across the curriculum" in shown.text
    assert "Endorse version" not in shown.text  # a coach does not endorse

    # The principal sees it on their home page and endorses it; the coordinator and the teacher cannot.
    home = await pat.get("/")
    assert "Endorse Hazel" in home.text and url in home.text
    seen = await pat.get(url)
    assert "Endorse version 1 of the plan" in seen.text
    not_theirs = await cora.post(f"{url}/endorse", data={"csrf": csrf_of((await cora.get(url)).text)})
    assert not_theirs.status_code == 409 and "only the school&#39;s principal endorses its coaching plan" in not_theirs.text
    endorsed = await pat.post(f"{url}/endorse", data={"csrf": csrf_of(seen.text)})
    assert endorsed.status_code == 303
    after = await pat.get(url)
    assert "Plan endorsed (version 1)" in after.text and "Version 1, endorsed by Pat Principal on" in after.text
    assert "Endorse Hazel" not in (await pat.get("/")).text

    read = await cora.get(url)
    assert read.status_code == 200 and "Co-plan weekly" in read.text and "Change the plan" not in read.text
    refused_write = await cora.post(url, data={**DRAFT, "csrf": csrf_of(read.text)})
    assert refused_write.status_code == 409 and "written by its coaches and its principal" in refused_write.text
    assert (await tia.get(url)).status_code == 403

    # The overview: Tia's partnership names "Writing" (the roster's school goal), Ted's names none.
    overview = await cora.get(f"/cohorts/{cohort.id}/plans")
    assert overview.status_code == 200 and "1 of 1 school have an endorsed plan" in overview.text
    assert "endorsed on" in overview.text
    assert '<td data-label="Goal">Writing</td><td data-label="Partnerships">1</td>' in overview.text
    assert '<td data-label="Goal">Reading across the curriculum</td><td data-label="Partnerships">0</td>' in overview.text
    assert "2 partnerships; <strong>1 names no plan goal</strong>" in overview.text
    assert (await pat.get(f"/cohorts/{cohort.id}/plans")).status_code == 403

    # A change needs endorsing again; a coach starting a partnership is offered the plan's goals.
    changed = await ann.post(url, data={**DRAFT, "goal": ["Writing", "Numeracy"], "csrf": csrf_of(shown.text)})
    assert changed.status_code == 303
    assert "Plan saved (version 2); a draft, not yet asked of the principal" in (await ann.get(url)).text
    offered = await ann.get(f"/cohorts/{cohort.id}/partnerships-new")
    assert '<option value="Writing"></option>' in offered.text and '<option value="Numeracy"></option>' in offered.text
    for client in (ann, pat, cora, tia):
        await client.aclose()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
async def test_in_chromium_a_coach_writes_the_plan_and_the_principal_endorses_it(
    web_stack: WebStack, browser: Browser, viewport: str
) -> None:
    cohort = await launch(web_stack)
    ann = await sign_in(browser, web_stack, cohort.ann, viewport, "plan-coach")
    page = ann.page
    await page.get_by_role("link", name="Write Hazel's coaching plan").click()
    await ann.check("plan-empty")
    await page.get_by_label("Goal 1", exact=True).fill("Writing")
    await page.get_by_label("Goal 2", exact=True).fill("Reading across the curriculum")
    await page.get_by_label("Who the coaches work with").fill("Ann with Tia, Bob with Ted")
    await page.get_by_label("The coaches' roles and responsibilities").fill("Co-plan weekly")
    await page.get_by_label("How the staff will hear of it").fill("At the October staff meeting")
    await page.get_by_label("Ask the principal to endorse it").check()
    await page.get_by_role("button", name="Save the plan").click()
    await ann.said("Plan saved (version 1) and sent to the principal to endorse")
    await ann.check("plan-written")
    await page.goto(f"{web_stack.url}/cohorts/{cohort.id}/partnerships-new")
    await expect(page.locator("#plan-goals option[value='Writing']")).to_have_count(1)
    await ann.check("start-partnership-with-plan-goals")
    await page.context.close()

    pat = await sign_in(browser, web_stack, cohort.principal, viewport, "plan-principal")
    page = pat.page
    await page.get_by_role("link", name="Endorse Hazel's coaching plan").click()
    await expect(page.get_by_text("Reading across the curriculum")).to_be_visible()
    await pat.check("plan-to-endorse")
    await page.get_by_role("button", name="Endorse version 1 of the plan").click()
    await pat.said("Plan endorsed (version 1)")
    await pat.check("plan-endorsed")
    await page.context.close()

    cora = await sign_in(browser, web_stack, cohort.coordinator, viewport, "plan-coordinator")
    page = cora.page
    await page.get_by_role("link", name="Coaching plans").click()
    await expect(page.get_by_text("1 of 1 school have an endorsed plan")).to_be_visible()
    await cora.check("plans-overview")
    await page.get_by_role("link", name="Hazel's year 2 decisions").click()
    await expect(page.get_by_role("heading", name="Hazel: year 2")).to_be_visible()
    await cora.check("year-two-read")
    await page.goto(f"{web_stack.url}/cohorts/{cohort.id}/tiers")
    await expect(page.get_by_role("cell", name="too few to show").first).to_be_visible()
    await cora.check("tier-movement")
    await page.context.close()

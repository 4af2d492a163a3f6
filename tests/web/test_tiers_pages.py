"""The Tiers Model self-assessment on the web: a teacher places themselves on the scale while their round is open and
sees their answers; their coach sees them too; the principal and the coordinator see only how many moved up."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, expect
from sqlalchemy import func, select

from domain.tiers import TOO_FEW
from store import tables
from tests.web.conftest import WebStack, csrf_of, launch, signed_in
from tests.web.test_phone_and_axe import browser, sign_in

__all__ = ["browser"]  # the module's chromium, shared with the phone and axe tests

ANSWERS = {"tier:planning": "2", "tier:teaching": "3", "tier:student-use": "2"}


async def test_a_teacher_self_assesses_their_coach_sees_it_and_others_see_counts(web_stack: WebStack) -> None:
    cohort = await launch(web_stack)  # the pre round is open for everyone from the launch, for its days
    url = f"/cohorts/{cohort.id}/tiers"
    tia, ann, bob, pat, cora = [
        await signed_in(web_stack, e) for e in (cohort.tia, cohort.ann, cohort.bob, cohort.principal, cohort.coordinator)
    ]

    home = await tia.get("/")
    assert "Place yourself on the Technology integration tiers (before coaching)" in home.text
    form = await tia.get(url)
    assert form.status_code == 200 and 'name="tier:planning"' in form.text and "Awareness" in form.text
    assert "Opens on" in form.text  # the round after the year is still to come
    missing = await tia.post(f"{url}/pre", data={"tier:planning": "2", "csrf": csrf_of(form.text)})
    assert missing.status_code == 409 and "choose a tier for every dimension; missing: teaching, student-use" in missing.text
    odd = await tia.post(f"{url}/pre", data={**ANSWERS, "tier:teaching": "lots", "csrf": csrf_of(form.text)})
    assert odd.status_code == 400 and "choose one of the tiers for teaching" in odd.text
    early = await tia.post(f"{url}/post", data={**ANSWERS, "csrf": csrf_of(form.text)})
    assert early.status_code == 409 and "the self-assessment after the year opens on" in early.text
    assert (await tia.post(f"{url}/later", data={**ANSWERS, "csrf": csrf_of(form.text)})).status_code == 422
    assert (await tia.get(url)).status_code == 200  # nothing half-done: no answers were kept
    assert _answered(web_stack, cohort.id, cohort.tia) == 0

    given = await tia.post(f"{url}/pre", data={**ANSWERS, "csrf": csrf_of(form.text)})
    assert given.status_code == 303 and _answered(web_stack, cohort.id, cohort.tia) == 1
    mine = await tia.get(url)
    assert "Self-assessment before coaching saved: you placed yourself at Exploration" in mine.text
    assert "Planning lessons with technology: <strong>Exploration</strong> (tier 2)" in mine.text
    assert "Save my new answers" in mine.text
    assert "Place yourself on" not in (await tia.get("/")).text

    coach = await ann.get(url)
    assert "My collaborating teachers' answers" in coach.text and "Tia Teacher" in coach.text
    assert "Teaching with technology: <strong>Integration</strong> (tier 3)" in coach.text
    other_coach = await bob.get(url)
    assert "Ted Teacher" in other_coach.text and "Tia Teacher" not in other_coach.text
    assert "Integration</strong> (tier 3)" not in other_coach.text

    for client, group in ((pat, "Hazel"), (cora, "The whole cohort")):
        seen = await client.get(url)
        assert seen.status_code == 200 and group in seen.text and TOO_FEW in seen.text
        assert "Tia Teacher" not in seen.text and "tier 3" not in seen.text and 'name="tier:' not in seen.text
    assert "Schools of the part-time model" in (await cora.get(url)).text
    for client in (tia, ann, bob, pat, cora):
        await client.aclose()


def _answered(stack: WebStack, cohort: str, email: str) -> int:
    """Rounds this person has answers kept for (sealed: counted here, read only through the pages)."""
    a = tables.self_assessments.c
    with stack.database.begin() as db:
        return int(db.execute(select(func.count()).where(a.cohort == cohort, a.email == email)).scalar_one())


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
async def test_in_chromium_a_teacher_self_assesses(web_stack: WebStack, browser: Browser, viewport: str) -> None:
    cohort = await launch(web_stack)
    tia = await sign_in(browser, web_stack, cohort.tia, viewport, "tiers-teacher")
    page = tia.page
    await page.get_by_role("link", name="Place yourself on the Technology integration tiers (before coaching)").click()
    await tia.check("tiers-form")
    await page.get_by_role("button", name="Save my answers").click()  # nothing chosen: the browser asks first
    await expect(page.get_by_role("status")).to_have_count(0)
    await page.get_by_role("group", name="Planning lessons with technology").get_by_label("Exploration").check()
    await page.get_by_role("group", name="Teaching with technology").get_by_label("Integration").check()
    await page.get_by_role("group", name="Students' own use of technology").get_by_label("Exploration").check()
    await page.get_by_role("button", name="Save my answers").click()
    await tia.said("you placed yourself at Exploration")
    await expect(page.get_by_text("Your answers: you placed yourself at Exploration")).to_be_visible()
    await tia.check("tiers-answered")
    await page.context.close()

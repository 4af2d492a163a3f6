"""The principal's year-2 decision on the web: after the last session the principal sees each partnership and coach as
stages and counts, and the school's tier movement, and decides continue, expand or conclude with a reason; the
coordinators read the decisions. Never a note, a reflection or anyone's own answers."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from playwright.async_api import Browser, expect

from domain.cycle import Stage
from domain.tiers import TOO_FEW, Round
from domain.year_two import REASON_MAX_CHARS
from store import read_model, school_year
from tests.conftest import eventually, program_starting
from tests.web.conftest import Cohort, WebStack, csrf_of, launch, signed_in
from tests.web.test_phone_and_axe import browser, sign_in

__all__ = ["browser"]  # the module's chromium, shared with the phone and axe tests

NOTE = "year-two-note-marker-5521"
REFLECTION = "year-two-reflection-marker-7730"


async def launch_after_the_year(stack: WebStack, **settings: object) -> Cohort:
    """A cohort of the small roster whose last session ended days ago, its year still open (attendance is due a month
    after each session): year 2 is open, and each self-assessment round is open for everyone from the launch."""
    program = program_starting((datetime.now(UTC) - timedelta(days=390)).date(), attendance_grace_days=30, **settings)
    assert program.year_two_opens() < datetime.now(UTC)
    return await launch(stack, program)


async def coach_writes_privately(stack: WebStack, cohort: Cohort, note: str, reflection: str) -> None:
    """Ann's partnership with Tia: a note, a cycle to reflect (with a note on the move), one cycle completed."""
    c, pid = stack.coaching, "ann--tia"
    await c.add_note(cohort.id, pid, cohort.ann, f"{note} in a note")
    for stage in (Stage.initiate, Stage.co_plan, Stage.modeling, Stage.observe):
        await c.move(cohort.id, pid, cohort.ann, stage)
    await c.move(cohort.id, pid, cohort.ann, Stage.reflect, f"{reflection} on the move to reflect")
    await c.move(cohort.id, pid, cohort.ann, Stage.initiate)  # a new cycle: one completed

    def counted() -> bool:  # the read model, which the pages count from, hears of it a moment later
        row = read_model.partnership(stack.database, cohort.id, pid)
        return row is not None and row.cycles_completed == 1

    await eventually(counted)
    await eventually(lambda: read_model.ledgers(stack.database, cohort.id, "hazel"))


async def test_the_principal_decides_year_two_and_the_coordinator_reads_it(web_stack: WebStack) -> None:
    cohort = await launch_after_the_year(web_stack)
    await coach_writes_privately(web_stack, cohort, NOTE, REFLECTION)
    url = f"/cohorts/{cohort.id}/schools/hazel/year-two"
    pat, cora, ann = [await signed_in(web_stack, e) for e in (cohort.principal, cohort.coordinator, cohort.ann)]

    home = await pat.get("/")
    assert "Decide year 2 at Hazel" in home.text and "4 partnerships or coaches to decide" in home.text
    shown = await pat.get(url)
    assert shown.status_code == 200 and f'maxlength="{REASON_MAX_CHARS}"' in shown.text
    assert "Ann Coach with Tia Teacher" in shown.text and "Tier movement of the school&#39;s collaborating teachers" not in shown.text
    assert f"<strong>{TOO_FEW}</strong>" in shown.text
    assert '<td data-label="Cycles completed">1</td>' in shown.text and shown.text.count("Not decided yet.") == 4
    assert NOTE not in shown.text and REFLECTION not in shown.text

    subject = "partnership:ann--tia"
    unreasoned = await pat.post(url, data={"subject": subject, "choice": "expand", "reason": " ", "csrf": csrf_of(shown.text)})
    assert unreasoned.status_code == 409 and "give a reason for the decision" in unreasoned.text
    unchosen = await pat.post(url, data={"subject": subject, "choice": "maybe", "reason": "Why not", "csrf": csrf_of(shown.text)})
    assert unchosen.status_code == 400 and "choose continue, expand or conclude" in unchosen.text
    stranger = await pat.post(
        url, data={"subject": "coach:nobody@x.test", "choice": "conclude", "reason": "No", "csrf": csrf_of(shown.text)}
    )
    assert stranger.status_code == 409 and "is not a partnership or coach of this school" in stranger.text
    assert (await web_stack.coaching.school_year_record(cohort.id, "hazel")).decisions == {}  # a refusal writes nothing

    decided = await pat.post(
        url, data={"subject": subject, "choice": "expand", "reason": "Tia's team wants in", "csrf": csrf_of(shown.text)}
    )
    assert decided.status_code == 303
    after = await pat.get(url)
    assert "Year 2 decided: Expand (more teachers)" in after.text and "Decided: <strong>Expand (more teachers)</strong>" in after.text
    assert "Tia&#39;s team wants in" in after.text and after.text.count("Not decided yet.") == 3
    assert "3 partnerships or coaches to decide" in (await pat.get("/")).text

    read = await cora.get(url)
    assert read.status_code == 200 and "Tia&#39;s team wants in" in read.text and "Save the decision" not in read.text
    refused = await cora.post(url, data={"subject": subject, "choice": "conclude", "reason": "No", "csrf": csrf_of(read.text)})
    assert refused.status_code == 409 and "only the school&#39;s principal decides its year 2" in refused.text
    assert (await ann.get(url)).status_code == 403
    for _ in range(100):  # the read model hears of it a moment later
        if school_year.decisions(web_stack.database, cohort.id).get("hazel"):
            break
        await asyncio.sleep(0.05)
    [kept] = school_year.decisions(web_stack.database, cohort.id)["hazel"]
    assert kept.reason == "Tia's team wants in"
    for client in (pat, cora, ann):
        await client.aclose()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
async def test_in_chromium_a_principal_decides_year_two_and_sees_no_note_or_answer(
    web_stack: WebStack, browser: Browser, viewport: str
) -> None:
    cohort = await launch_after_the_year(web_stack)
    await coach_writes_privately(web_stack, cohort, NOTE, REFLECTION)
    answers = {"planning": 4, "teaching": 5, "student-use": 1}
    await web_stack.coaching.assess(cohort.id, "hazel", cohort.tia, Round.pre, answers)
    pat = await sign_in(browser, web_stack, cohort.principal, viewport, "year-two-principal")
    page = pat.page
    await page.get_by_role("link", name="Decide year 2 at Hazel").click()
    await pat.check("year-two")
    section = page.get_by_role("region", name="Ann Coach with Tia Teacher")
    await section.get_by_label("Continue").check()
    await section.get_by_label("Reason").fill("Two cycles done; keep going")
    await section.get_by_role("button", name="Save the decision for Ann Coach with Tia Teacher").click()
    await pat.said("Year 2 decided: Continue")
    await expect(section.get_by_text("Decided: Continue")).to_be_visible()
    await pat.check("year-two-decided")
    text = await page.locator("main").inner_text()
    assert NOTE not in text and REFLECTION not in text
    for tier in ("Expansion", "Transformation", "Awareness"):  # Tia's own answers: anyone's tier names
        assert tier not in text
    await page.context.close()

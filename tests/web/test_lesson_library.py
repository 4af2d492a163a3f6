"""The lesson library in a real browser: a coach publishes a lesson from a closed cycle, the collaborating teacher
agrees, and a coach of another cohort finds it by search; until then it is the partnership's alone, and nothing
private of the partnership goes with it. A coordinator features it."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import Browser, expect

from domain.cycle import Outcome, Stage
from store import read_model
from tests.conftest import eventually
from tests.web.conftest import Cohort, WebStack, csrf_of, launch, signed_in
from tests.web.test_phone_and_axe import browser as chromium
from tests.web.test_phone_and_axe import sign_in

PID = "ann--tia"
GOAL = "Students cite two sources in their research notes"
PRIVATE = "privatenote-4471 Tia was nervous about the observation"
TITLE = "Researching volcanoes with the library's databases"
in_chromium = chromium  # the phone and axe tests' `browser` fixture


async def _a_closed_cycle(stack: WebStack, cohort: Cohort, ann: httpx.AsyncClient) -> None:
    """Ann and Tia go through one whole cycle with a goal met, a private note and an artifact; then Ann closes it."""
    c = stack.coaching
    await c.move(cohort.id, PID, cohort.ann, Stage.initiate)
    await c.set_goal(cohort.id, PID, cohort.tia, "Grade 4 research unit", GOAL)
    await c.add_note(cohort.id, PID, cohort.tia, PRIVATE, None)
    section = f"/cohorts/{cohort.id}/partnerships/{PID}/artifacts"
    form = await ann.get(section)
    added = await ann.post(
        f"{section}/links", data={"title": "Source organizer", "link": "https://example.org/organizer", "csrf": csrf_of(form.text)}
    )
    assert added.status_code == 303, added.text
    for stage in (Stage.co_plan, Stage.modeling, Stage.observe, Stage.reflect):
        await c.move(cohort.id, PID, cohort.ann, stage)
    await c.record_outcome(cohort.id, PID, cohort.ann, Outcome.met, "evidence-9913 every essay cited two")
    await c.move(cohort.id, PID, cohort.ann, Stage.closed)

    def closed() -> bool:
        row = read_model.partnership(stack.database, cohort.id, PID)
        return row is not None and row.cycles_completed == 1

    await eventually(closed)


async def test_a_coach_publishes_from_a_closed_cycle_the_teacher_agrees_and_a_coach_elsewhere_finds_it(
    web_stack: WebStack, in_chromium: Browser
) -> None:
    cohort, elsewhere = await launch(web_stack), await launch(web_stack)
    ann_http = await signed_in(web_stack, cohort.ann)
    await _a_closed_cycle(web_stack, cohort, ann_http)

    ann = await sign_in(in_chromium, web_stack, cohort.ann, "desktop", "lesson-coach")
    page = ann.page
    await page.goto(f"{web_stack.url}/cohorts/{cohort.id}/partnerships/{PID}")
    await page.get_by_role("link", name="Publish as a lesson").click()
    await expect(page.get_by_label("Title", exact=True)).to_have_value("Grade 4 research unit")  # started from the cycle's goal
    await expect(page.get_by_label(re.compile("^The lesson"))).to_have_value(re.compile(f"Goal: {GOAL}\nOutcome: the goal was met"))
    await ann.check("lesson-publish")
    await page.get_by_label("Title", exact=True).fill(TITLE)
    await page.get_by_role("button", name="Publish as a lesson").click()
    await expect(page.get_by_role("alert")).to_contain_text("choose at least one grade level")  # nothing written
    await ann.check("lesson-refused")
    await expect(page.get_by_label("Title", exact=True)).to_have_value(TITLE)  # what she typed is kept
    await page.get_by_role("checkbox", name="4", exact=True).check()
    await page.get_by_role("checkbox", name="Science", exact=True).check()
    await page.get_by_role("checkbox", name="Library databases").check()
    await page.get_by_label("Standards (optional", exact=False).fill("CCSS.ELA-LITERACY.W.4.7")
    summary = page.get_by_label(re.compile("^The lesson"))
    await summary.fill(await summary.input_value() + "\nStudents compare two sources on volcanoes <b>and</b> cite them.")
    await page.get_by_role("checkbox", name=re.compile("Source organizer")).check()
    await page.get_by_role("button", name="Publish as a lesson").click()
    await ann.said("Saved as a draft")
    await ann.check("lesson-draft")
    lesson = page.url.removeprefix(web_stack.url)
    assert re.fullmatch(r"/lessons/\d+", lesson)

    stranger = await signed_in(web_stack, elsewhere.bob)
    assert (await stranger.get(lesson)).status_code == 404  # a draft is the partnership's alone
    assert TITLE not in (await stranger.get("/lessons", params={"q": "volcano"})).text

    [asked] = web_stack.outbox.entries(recipient=cohort.tia, kind="lesson_agreement_asked")  # told, with the lesson's address
    assert lesson in asked.body and "Ann" in asked.subject
    tia = await sign_in(in_chromium, web_stack, cohort.tia, "desktop", "lesson-teacher")
    await tia.page.get_by_role("link", name="Lesson library").click()
    await expect(tia.page.get_by_role("heading", name="Waiting for your agreement")).to_be_visible()
    await tia.check("library-waiting")
    await tia.page.get_by_role("link", name=TITLE).click()
    await tia.page.get_by_role("button", name="I agree to publish this lesson").click()
    await tia.said("is published: everyone in the program can read it now")

    reader = await sign_in(in_chromium, web_stack, elsewhere.ann, "desktop", "lesson-reader")
    found = reader.page
    await found.get_by_role("link", name="Lesson library").click()
    await found.get_by_label("Search").fill('volcano "sources')  # stemmed, and a stray quote is no syntax error
    await found.get_by_label("Grade level").select_option("4")
    await found.get_by_role("button", name="Find lessons").click()
    await reader.check("library-found")
    await found.get_by_role("link", name=TITLE).click()
    await expect(found.get_by_text("Students compare two sources on volcanoes <b>and</b> cite them.")).to_be_visible()  # inert
    await expect(found.get_by_role("link", name="Source organizer")).to_have_attribute("href", "https://example.org/organizer")
    await reader.check("lesson-read")
    shown = await found.locator("main").inner_text()
    assert "privatenote-4471" not in shown and "evidence-9913" not in shown and "Tia Teacher" not in shown  # teachers are counted
    assert "with a collaborating teacher" in shown

    assert (await stranger.post(f"{lesson}/feature", data={"csrf": csrf_of((await stranger.get(lesson)).text)})).status_code == 403
    cora = await signed_in(web_stack, cohort.coordinator)
    featured = await cora.post(f"{lesson}/feature", data={"featured": "yes", "csrf": csrf_of((await cora.get(lesson)).text)})
    assert featured.status_code == 303
    assert re.search(
        rf"{re.escape(TITLE.replace(chr(39), '&#39;'))}</a> <span class=\"muted\">· featured", (await stranger.get("/lessons")).text
    )
    for visit in (ann, tia, reader):
        await visit.page.context.close()
    for client in (ann_http, stranger, cora):
        await client.aclose()

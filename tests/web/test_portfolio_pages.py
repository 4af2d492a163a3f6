"""A coach's portfolio on the web: the coach chooses what goes in, writes a summary and downloads it as PDF and HTML;
only the readers the coach names see it, and only while they are named. And the database keeps it the same on SQLite
and PostgreSQL, its summary sealed."""

from __future__ import annotations

import asyncio
import io
import re
from datetime import UTC, datetime

import httpx
import pytest
from playwright.async_api import Browser, expect
from pypdf import PdfReader
from sqlalchemy import select

from domain.cycle import Outcome, Stage
from domain.plans import PlanDraft
from domain.portfolio import SUMMARY_MAX_CHARS
from store import portfolios, rosters, school_year, tables
from store.database import Database
from store.sealed import Sealer
from tests.conftest import TEST_KEYS, program_starting
from tests.roster_fixtures import ANN, COORDINATOR, PRINCIPAL, small_roster
from tests.web.conftest import Cohort, WebStack, csrf_of, launch, signed_in
from tests.web.test_phone_and_axe import browser as chromium
from tests.web.test_phone_and_axe import sign_in

SUMMARY = "Summarymarker7731 my year of coaching"
GOAL, EVIDENCE = "Goalmarker4410 cite two sources", "Evidencemarker5521 essays"
COACH_NOTE, TEACHER_NOTE = "coachnote-3390", "teachernote-6128"
PID = "ann--tia"
in_chromium = chromium  # the phone and axe tests' `browser` fixture: one chromium for this module's tests


def _row(database: Database, cohort: str) -> tuple[bytes | None, list[str], datetime] | None:
    f = tables.portfolios.c
    with database.begin() as db:
        row = db.execute(select(f.summary, f.chosen, f.updated_at).where(f.cohort == cohort)).one_or_none()
    return None if row is None else (row.summary, row.chosen, row.updated_at)


def _readers(database: Database, cohort: str) -> list[str]:
    r = tables.portfolio_readers.c
    with database.begin() as db:
        return list(db.execute(select(r.email).where(r.cohort == cohort)).scalars())


async def _a_closed_cycle(stack: WebStack, cohort: Cohort, ann: httpx.AsyncClient, tia: httpx.AsyncClient) -> None:
    """Ann and Tia go through one whole cycle: a goal met, notes from both, a link from each; then Ann closes it."""
    c = stack.coaching
    await c.move(cohort.id, PID, cohort.ann, Stage.initiate)
    await c.set_goal(cohort.id, PID, cohort.tia, "Grade 4 research unit", GOAL)
    await c.add_note(cohort.id, PID, cohort.ann, COACH_NOTE, None)
    await c.add_note(cohort.id, PID, cohort.tia, TEACHER_NOTE, None)
    section = f"/cohorts/{cohort.id}/partnerships/{PID}/artifacts"
    for client, title in ((ann, "Coach's lesson plan"), (tia, "Teacher's artifactmarker-8120")):
        form = await client.get(section)
        added = await client.post(f"{section}/links", data={"title": title, "link": "https://example.org/x", "csrf": csrf_of(form.text)})
        assert added.status_code == 303, added.text
    for stage in (Stage.co_plan, Stage.modeling, Stage.observe, Stage.reflect):
        await c.move(cohort.id, PID, cohort.ann, stage)
    await c.record_outcome(cohort.id, PID, cohort.ann, Outcome.met, EVIDENCE)
    await c.move(cohort.id, PID, cohort.ann, Stage.closed, "closingmarker-2207 what I learned")


async def test_a_coach_puts_together_a_portfolio_exports_it_and_alone_decides_who_reads_it(web_stack: WebStack) -> None:
    cohort = await launch(web_stack)
    ann, tia = await signed_in(web_stack, cohort.ann), await signed_in(web_stack, cohort.tia)
    pat, cora = await signed_in(web_stack, cohort.principal), await signed_in(web_stack, cohort.coordinator)
    await _a_closed_cycle(web_stack, cohort, ann, tia)
    mine, theirs = f"/cohorts/{cohort.id}/portfolio", f"/cohorts/{cohort.id}/portfolios/{cohort.ann}"

    home = await ann.get("/")
    assert f'href="{mine}"' in home.text
    editor = await ann.get(mine)
    assert editor.status_code == 200
    assert f'value="cycle:{PID}:1"' in editor.text and GOAL in editor.text and "Coach&#39;s lesson plan" in editor.text
    assert "artifactmarker-8120" not in editor.text  # the teacher's artifact stays in the partnership
    key = next(part.split('"')[0] for part in editor.text.split('value="artifact:')[1:])
    chosen = {"chosen": [f"cycle:{PID}:1", f"artifact:{key}"], "summary": SUMMARY, "csrf": csrf_of(editor.text)}
    saved = await ann.post(mine, data=chosen)
    assert saved.status_code == 303
    assert "Portfolio saved" in (await ann.get(mine)).text

    pdf = await ann.get(f"{mine}.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert "attachment" in pdf.headers["content-disposition"]
    words = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    for marker in ("Summarymarker7731", "Goalmarker4410", "Outcome: met", "Evidencemarker5521", "coachnote-3390", "closingmarker-2207"):
        assert marker in words, marker
    assert TEACHER_NOTE not in words and "artifactmarker-8120" not in words and cohort.tia not in words
    html = await ann.get(f"{mine}.html")
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "attachment" in html.headers["content-disposition"]
    assert SUMMARY in html.text and GOAL in html.text and EVIDENCE in html.text and "Coach&#39;s lesson plan" in html.text
    assert TEACHER_NOTE not in html.text and cohort.tia not in html.text

    row = _row(web_stack.database, cohort.id)
    assert row is not None and row[0] is not None and b"Summarymarker7731" not in row[0]  # sealed at rest
    assert row[1] == [f"cycle:{PID}:1", f"artifact:{key}"]

    async def kept_from(client: httpx.AsyncClient) -> None:
        """Nobody but the coach and a named reader sees any of it: the page, the downloads, the list of shared ones."""
        for url in (theirs, f"{mine}.pdf", f"{mine}.html"):
            seen = await client.get(url)
            assert seen.status_code in (403, 404), url
            assert "Summarymarker7731" not in seen.text and "Goalmarker4410" not in seen.text
        assert cohort.ann not in (await client.get(f"/cohorts/{cohort.id}/portfolios")).text

    for other in (pat, cora, tia):
        await kept_from(other)
    assert (await tia.get(mine)).headers.get("location") == f"/cohorts/{cohort.id}/portfolios"  # a teacher keeps none

    form = await ann.get(mine)
    shared = await ann.post(f"{mine}/readers", data={"email": cohort.principal.upper(), "csrf": csrf_of(form.text)})
    assert shared.status_code == 303
    listed = await pat.get(f"/cohorts/{cohort.id}/portfolios")
    assert f'href="{theirs}"' in listed.text
    read = await pat.get(theirs)
    assert read.status_code == 200 and "Summarymarker7731" in read.text and GOAL in read.text and EVIDENCE in read.text
    assert TEACHER_NOTE not in read.text
    assert (await pat.get(f"{mine}.pdf")).status_code == 403  # a reader reads; only the coach makes a file of it
    await kept_from(cora)  # a coordinator the coach did not name still sees nothing

    # Refusals write nothing.
    before = _row(web_stack.database, cohort.id)
    form = await ann.get(mine)
    for data, reason in (
        ({"email": "stranger@elsewhere.test"}, "stranger@elsewhere.test is not in this cohort"),
        ({"email": cohort.ann}, "you always see your own portfolio"),
        ({"email": cohort.principal}, "already reads your portfolio"),
    ):
        refused = await ann.post(f"{mine}/readers", data=data | {"csrf": csrf_of(form.text)})
        assert refused.status_code == 409 and reason in refused.text
    too_long = await ann.post(mine, data={"summary": "x" * (SUMMARY_MAX_CHARS + 1), "csrf": csrf_of(form.text)})
    assert too_long.status_code == 409 and f"the summary is at most {SUMMARY_MAX_CHARS} characters" in too_long.text
    not_hers = await ann.post(mine, data={"chosen": ["cycle:bob--ted:1"], "summary": "other", "csrf": csrf_of(form.text)})
    assert not_hers.status_code == 409 and "cycle:bob--ted:1: not among your school&#39;s plan" in not_hers.text
    assert _row(web_stack.database, cohort.id) == before
    assert _readers(web_stack.database, cohort.id) == [cohort.principal]

    removed = await ann.post(f"{mine}/readers/remove", data={"email": cohort.principal, "csrf": csrf_of(form.text)})
    assert removed.status_code == 303
    await kept_from(pat)
    assert _readers(web_stack.database, cohort.id) == []
    for client in (ann, tia, pat, cora):
        await client.aclose()


def test_the_database_keeps_the_choice_the_sealed_summary_and_the_readers(database: Database) -> None:
    at = datetime(2026, 11, 29, 12, tzinfo=UTC)
    rosters.record_launch(database, "c", program_starting(at.date()), small_roster(), COORDINATOR, at)
    sealer = Sealer(TEST_KEYS)
    assert portfolios.kept(database, sealer, "c", ANN).chosen == []  # nothing until the coach saves
    portfolios.share(database, "c", ANN, PRINCIPAL, at)  # sharing before saving: an empty portfolio is shared
    portfolios.save(database, sealer, "c", ANN, "Summarymarker7731", ["cycle:ann--tia:1"], at)
    kept = portfolios.kept(database, sealer, "c", ANN)
    assert (kept.summary, kept.chosen, kept.reader_emails) == ("Summarymarker7731", ["cycle:ann--tia:1"], [PRINCIPAL])
    sealed = _row(database, "c")
    assert sealed is not None and sealed[0] is not None and b"Summarymarker7731" not in sealed[0]
    assert portfolios.shared_with(database, "c", PRINCIPAL) == [ANN]
    portfolios.save(database, sealer, "c", ANN, None, [], at)
    assert portfolios.kept(database, sealer, "c", ANN).summary is None
    assert portfolios.unshare(database, "c", ANN, PRINCIPAL) and not portfolios.unshare(database, "c", ANN, PRINCIPAL)
    assert portfolios.shared_with(database, "c", PRINCIPAL) == []


async def test_the_schools_coaching_plan_goes_in_when_the_coach_chooses_it(web_stack: WebStack) -> None:
    cohort = await launch(web_stack)
    draft = PlanDraft(
        actor=cohort.ann,
        goals=["Plangoalmarker-6604 every student reads daily"],
        assignments="assignmentsmarker-1188: Ann with Tia",
        roles="Rolesmarker-2291 the coach co-plans",
        communication="Staff meetings",
    )
    await web_stack.coaching.write_plan(cohort.id, "hazel", draft)
    await web_stack.coaching.endorse_plan(cohort.id, "hazel", cohort.principal)
    for _ in range(100):  # the school's workflow publishes its plan a moment later
        found = school_year.plan_of(web_stack.database, cohort.id, "hazel")
        if found is not None and found.endorsed:
            break
        await asyncio.sleep(0.1)
    ann = await signed_in(web_stack, cohort.ann)
    mine = f"/cohorts/{cohort.id}/portfolio"
    editor = await ann.get(mine)
    assert 'value="plan"' in editor.text and "(endorsed)" in editor.text
    saved = await ann.post(mine, data={"chosen": ["plan"], "summary": "", "csrf": csrf_of(editor.text)})
    assert saved.status_code == 303
    words = " ".join(page.extract_text() for page in PdfReader(io.BytesIO((await ann.get(f"{mine}.pdf")).content)).pages)
    assert "Plangoalmarker-6604" in words and "Rolesmarker-2291" in words
    assert "assignmentsmarker-1188" not in words  # the plan's assignments name teachers: they stay in the plan
    html = (await ann.get(f"{mine}.html")).text
    assert "Plangoalmarker-6604" in html and "assignmentsmarker-1188" not in html
    await ann.aclose()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
async def test_in_a_browser_the_coach_chooses_and_shares_and_the_reader_reads(
    web_stack: WebStack, in_chromium: Browser, viewport: str
) -> None:
    """Each page state is checked for width and by axe (tests/web/test_phone_and_axe.py's `Visit`)."""
    cohort = await launch(web_stack)
    c = web_stack.coaching
    await c.move(cohort.id, PID, cohort.ann, Stage.initiate)
    await c.set_goal(cohort.id, PID, cohort.ann, "Grade 4 research unit", GOAL)
    await c.add_note(cohort.id, PID, cohort.ann, COACH_NOTE, "https://example.org/a-rather-long-address/that/wraps/on/a/phone")

    browser = in_chromium
    ann = await sign_in(browser, web_stack, cohort.ann, viewport, "portfolio-coach")
    page = ann.page
    await page.get_by_role("link", name="My coaching portfolio").click()
    await expect(page.get_by_role("heading", name="My coaching portfolio")).to_be_visible()
    await ann.check("portfolio")
    await page.get_by_role("checkbox", name=re.compile("cycle 1")).check()
    await page.get_by_label(re.compile("^Summary")).fill(SUMMARY)
    await page.get_by_role("button", name="Save my portfolio").click()
    await ann.said("Portfolio saved")
    await page.get_by_label(re.compile("^Share with")).fill("stranger@elsewhere.test")
    await page.get_by_role("button", name="Share my portfolio").click()
    await expect(page.get_by_role("alert")).to_contain_text("is not in this cohort")
    await ann.check("portfolio-refused")
    await page.get_by_label(re.compile("^Share with")).fill(cohort.principal)
    await page.get_by_role("button", name="Share my portfolio").click()
    await ann.said("can now read your portfolio")
    await ann.check("portfolio-shared")
    await page.get_by_role("link", name="Read it as your readers see it").click()
    await expect(page.get_by_role("heading", name=re.compile("coaching portfolio$"))).to_be_visible()
    await ann.check("portfolio-preview")

    pat = await sign_in(browser, web_stack, cohort.principal, viewport, "portfolio-reader")
    await pat.page.get_by_role("link", name="Coaching portfolios shared with me").click()
    await pat.check("portfolios-shared")
    await pat.page.get_by_role("link", name=re.compile("Ann")).click()
    await expect(pat.page.get_by_text(SUMMARY)).to_be_visible()
    await pat.check("portfolio-read")
    for visit in (ann, pat):
        await visit.page.context.close()

"""Artifacts on the web: the coach uploads a PDF and a teacher downloads it as it was; nobody else sees a title or gets
the file; a file too big or of the wrong kind is refused in the domain's words and nothing is stored."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fpdf import FPDF
from playwright.async_api import Browser, async_playwright, expect
from sqlalchemy import func, select

from domain.artifacts import ARTIFACT_MAX_BYTES, MB
from store import tables
from tests.web.conftest import Cohort, WebStack, csrf_of, launch, signed_in
from tests.web.test_browser import CHROMIUM_FLAGS, person

MARKER = "artifact-title-marker-4417"


def a_pdf(text: str) -> bytes:
    document = FPDF()
    document.add_page()
    document.set_font("helvetica", size=12)
    document.cell(text=text)
    return bytes(document.output())


def stored(stack: WebStack, cohort: Cohort) -> list[dict[str, object]]:
    with stack.database.begin() as db:
        rows = db.execute(select(tables.artifacts).where(tables.artifacts.c.cohort == cohort.id)).all()
    return [dict(r._mapping) for r in rows]


async def upload(client: httpx.AsyncClient, section: str, title: str, name: str, content: bytes) -> httpx.Response:
    form = await client.get(section)
    assert form.status_code == 200, form.text
    return await client.post(f"{section}/files", data={"csrf": csrf_of(form.text), "title": title}, files={"file": (name, content)})


async def test_a_coach_uploads_a_pdf_and_a_teacher_downloads_it_byte_for_byte(web_stack: WebStack) -> None:
    cohort = await launch(web_stack)
    page = f"/cohorts/{cohort.id}/partnerships/ann--tia"
    section = f"{page}/artifacts"
    ann, tia = await signed_in(web_stack, cohort.ann), await signed_in(web_stack, cohort.tia)

    on_the_page = await ann.get(page)
    assert f'hx-get="{section}"' in on_the_page.text and f'href="{section}"' in on_the_page.text  # loads in place, or by link
    plan = a_pdf(f"Week 3 plan {MARKER}")
    added = await upload(ann, section, f"Lesson plan {MARKER}", "Week 3 plan ✓.pdf", plan)
    assert added.status_code == 303 and added.headers["location"] == section
    shown = await ann.get(section)
    assert f"File added: Lesson plan {MARKER}" in shown.text and "Cycle 1 · waiting" in shown.text

    [row] = stored(web_stack, cohort)
    raw = b"".join(v if isinstance(v, bytes) else str(v).encode() for v in row.values())
    assert MARKER.encode() not in raw and plan not in raw  # sealed at rest
    assert row["kind"] == "file" and row["media_type"] == "application/pdf" and row["size"] == len(plan)

    listed = await tia.get(section)
    assert f"Lesson plan {MARKER}" in listed.text and "Week 3 plan ✓.pdf" in listed.text
    download = await tia.get(f"{section}/{row['id']}")
    assert download.status_code == 200 and download.content == plan
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"] == (
        "attachment; filename=\"Week 3 plan _.pdf\"; filename*=UTF-8''Week%203%20plan%20%E2%9C%93.pdf"
    )
    assert download.headers["x-content-type-options"] == "nosniff"

    fragment = await tia.post(
        f"{section}/links",
        data={"csrf": csrf_of(listed.text), "title": "Slides", "link": "https://example.org/slides"},
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 200 and fragment.text.lstrip().startswith('<section id="artifacts"')
    assert "Link added: Slides" in fragment.text and 'href="https://example.org/slides"' in fragment.text

    not_hers = await tia.post(f"{section}/{row['id']}/remove", data={"csrf": csrf_of(listed.text)})
    assert not_hers.status_code == 409 and f"only the person who added “Lesson plan {MARKER}” removes it" in not_hers.text
    removed = await ann.post(f"{section}/{row['id']}/remove", data={"csrf": csrf_of(shown.text)})
    assert removed.status_code == 303
    assert [r["kind"] for r in stored(web_stack, cohort)] == ["link"]
    for client in (ann, tia):
        await client.aclose()


async def test_a_download_is_sandboxed(web_stack: WebStack) -> None:
    """A browser that shows the file anyway runs nothing in it: the download's own policy reaches the browser."""
    cohort = await launch(web_stack)
    section = f"/cohorts/{cohort.id}/partnerships/ann--tia/artifacts"
    ann = await signed_in(web_stack, cohort.ann)
    await upload(ann, section, "Notes", "notes.txt", b"<script>alert(1)</script> plain notes\n")
    [row] = stored(web_stack, cohort)
    download = await ann.get(f"{section}/{row['id']}")
    assert download.headers["content-type"] == "text/plain; charset=utf-8"
    assert download.headers["content-disposition"].startswith('attachment; filename="notes.txt"')
    assert "sandbox" in download.headers["content-security-policy"]
    await ann.aclose()


async def test_the_principal_a_coordinator_and_another_coach_see_no_title_and_get_no_file(web_stack: WebStack) -> None:
    cohort = await launch(web_stack)
    page = f"/cohorts/{cohort.id}/partnerships/ann--tia"
    section = f"{page}/artifacts"
    ann = await signed_in(web_stack, cohort.ann)
    plan = a_pdf("private plan")
    assert (await upload(ann, section, f"Plan {MARKER}", "plan.pdf", plan)).status_code == 303
    [row] = stored(web_stack, cohort)

    for who in (cohort.principal, cohort.coordinator, cohort.bob):
        other = await signed_in(web_stack, who)
        seen = await other.get(page)
        assert MARKER not in seen.text and section not in seen.text
        assert seen.status_code == (403 if who == cohort.bob else 200)
        listed = await other.get(section)
        assert listed.status_code == 403 and MARKER not in listed.text
        download = await other.get(f"{section}/{row['id']}")
        assert download.status_code in (403, 404) and plan not in download.content and MARKER not in download.text
        assert "only the coach and the collaborating teachers of a partnership see its artifacts" in download.text
        home = await other.get("/")
        assert MARKER not in home.text
        report = await other.get(f"/cohorts/{cohort.id}/report.csv")
        assert MARKER not in report.text
        refused = await other.post(f"{section}/links", data={"csrf": csrf_of(home.text), "title": "Mine", "link": "https://example.org"})
        assert refused.status_code == 403
        await other.aclose()
    assert len(stored(web_stack, cohort)) == 1
    await ann.aclose()


async def test_a_file_too_big_or_of_the_wrong_kind_is_refused_in_the_domains_words_and_nothing_is_stored(
    web_stack: WebStack,
) -> None:
    cohort = await launch(web_stack)
    section = f"/cohorts/{cohort.id}/partnerships/ann--tia/artifacts"
    tia = await signed_in(web_stack, cohort.tia)

    start = a_pdf("big")
    big = start + bytes(int(7.2 * MB) - len(start))
    too_big = await upload(tia, section, "Scans", "scans.pdf", big)
    assert too_big.status_code == 409
    assert "Not done: the file is 7.2 MB; an artifact is at most 5 MB" in too_big.text
    assert 'value="Scans"' in too_big.text  # the title is kept to correct

    just_over = await upload(tia, section, "Scans", "scans.pdf", a_pdf("edge") + bytes(ARTIFACT_MAX_BYTES))
    assert just_over.status_code == 409 and "the file is 5.1 MB; an artifact is at most 5 MB" in just_over.text

    program = await upload(tia, section, "Tool", "tool.exe", b"MZ\x90\x00" + bytes(200))
    assert program.status_code == 409
    assert "Not done: a .exe file is not one of the kinds an artifact may be: PDF, PNG image" in program.text

    disguised = await upload(tia, section, "Plan", "plan.pdf", b"MZ\x90\x00" + bytes(200))
    assert disguised.status_code == 409 and "a .pdf file is not one of the kinds an artifact may be" in disguised.text

    form = await tia.get(section)
    no_title = await tia.post(f"{section}/links", data={"csrf": csrf_of(form.text), "title": " ", "link": "https://example.org"})
    assert no_title.status_code == 409 and "give the artifact a title" in no_title.text
    bad_link = await tia.post(f"{section}/links", data={"csrf": csrf_of(form.text), "title": "x", "link": "javascript:alert(1)"})
    assert bad_link.status_code == 409 and "a link must be a web address starting with http:// or https://" in bad_link.text

    with web_stack.database.begin() as db:
        count = db.execute(select(func.count()).select_from(tables.artifacts).where(tables.artifacts.c.cohort == cohort.id)).scalar_one()
    assert count == 0
    await tia.aclose()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as p:
        launched = await p.chromium.launch(executable_path="/usr/bin/chromium", args=[*CHROMIUM_FLAGS, "--no-first-run"])
        yield launched
        await launched.close()


async def test_in_a_browser_the_section_loads_in_place_and_takes_a_file(web_stack: WebStack, browser: Browser, tmp_path: Path) -> None:
    cohort = await launch(web_stack)
    page = await person(browser, web_stack, cohort.ann, "Ann")
    await page.goto(f"{web_stack.url}/cohorts/{cohort.id}/partnerships/ann--tia")
    section = page.locator("#artifacts")
    await expect(section.get_by_role("button", name="Upload the file")).to_be_visible()  # htmx loaded it into the page
    plan = tmp_path / "plan.pdf"
    plan.write_bytes(a_pdf("Week 3"))
    await page.locator("#file-title").fill("Week 3 plan")
    await section.get_by_label("File:").set_input_files(plan)
    await section.get_by_role("button", name="Upload the file").click()
    await expect(section.get_by_role("status")).to_have_text(
        "File added: Week 3 plan; only the partnership's coach and teachers can open it"
    )
    await expect(section.get_by_role("link", name="Week 3 plan")).to_have_attribute("download", "")
    assert page.url.endswith("/partnerships/ann--tia")  # swapped in place: still on the partnership's page
    await page.context.close()

"""In chromium, a coordinator opens the cohort's report and downloads it in each format from the page's links."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from playwright.async_api import Browser
from pypdf import PdfReader

from tests.web.conftest import WebStack, launch
from tests.web.test_browser import browser, person

__all__ = ["browser"]  # the chromium fixture of the browser tests, used here by name


async def test_a_coordinator_downloads_the_report_in_each_format(web_stack: WebStack, browser: Browser) -> None:
    cohort = await launch(web_stack)
    page = await person(browser, web_stack, cohort.coordinator, "Cora")
    await page.goto(f"{web_stack.url}/cohorts/{cohort.id}/report")
    got: dict[str, bytes] = {}
    for form in ("HTML", "PDF", "CSV", "XLSX"):
        async with page.expect_download() as arriving:
            await page.get_by_role("link", name=form, exact=True).click()
        download = await arriving.value
        assert download.suggested_filename.startswith(f"{cohort.id}-report-") and download.suggested_filename.endswith(f".{form.lower()}")
        path = await download.path()
        got[form] = path.read_bytes()

    figures = {(r["section"], r["group"], r["measure"]): r["value"] for r in csv.DictReader(io.StringIO(got["CSV"].decode()))}
    assert figures[("attendance", "session 5", "attended")] == "2"
    assert "Coaches: 2. Coaching unlocked: 2." in " ".join(p.extract_text() for p in PdfReader(io.BytesIO(got["PDF"])).pages)
    assert "Attendance" in load_workbook(io.BytesIO(got["XLSX"]), read_only=True).sheetnames
    assert b"<html" in got["HTML"].lower() and b"Tier movement" in got["HTML"]
    await page.context.close()

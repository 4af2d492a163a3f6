"""Lists found by text and filters over HTTP, and downloaded as CSV and Excel with the same filters and the same
access: the real app, its real database (SQLite) and a real Temporal dev server."""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import openpyxl
import pytest

from domain.roster import parse_roster_csv
from tests.conftest import program_starting
from tests.roster_fixtures import SMALL
from tests.web.conftest import WebStack, signed_in
from web import downloads


class People:
    def __init__(self, tag: str):
        self.cohort = f"lists-{tag}"
        self.coordinator = f"cora-{tag}@esd.test"
        self.pat, self.ann, self.bob, self.tia, self.ted = (f"{n}@hazel-{tag}.test" for n in ("pat", "ann", "bob", "tia", "ted"))
        self.pam, self.una, self.uli = (f"{n}@elm-{tag}.test" for n in ("pam", "una", "uli"))


@pytest.fixture(scope="module")
async def people(web_stack: WebStack) -> AsyncIterator[People]:
    """Two schools; a teacher whose name has the wildcards of LIKE in it, and one it would match if they were wildcards."""
    tag = uuid.uuid4().hex[:6]
    found = People(tag)
    elm = (
        f"Pam Principal,{found.pam},principal,Elm,Vancouver,part-time,,,,\n"
        f"Una Oak,{found.una},coach,Elm,Vancouver,,,,,\n"
        f"Uli 100%_Off,{found.uli},teacher,Elm,Vancouver,,{found.una},,Fractions,\n"
        f"Ugo 1000 Off,ugo@elm-{tag}.test,teacher,Elm,Vancouver,,{found.una},,Decimals,\n"
    )
    text = SMALL.replace("@hazel.test", f"@hazel-{tag}.test").replace("cora@esd.test", found.coordinator) + elm
    program = program_starting((datetime.now(UTC) - timedelta(days=200)).date())
    await web_stack.coaching.launch_cohort(found.cohort, program, parse_roster_csv(text, "lists.csv"), found.coordinator)
    await web_stack.coaching.wait_until_launched(found.cohort)
    yield found


def listed(html: str) -> list[str]:
    """The partnerships a page links to, by id."""
    return sorted(set(re.findall(r'/partnerships/([a-z0-9-]+--[a-z0-9-]+)"', html)))


async def sheets(client: httpx.AsyncClient, path: str, params: dict[str, str]) -> tuple[list[list[str]], list[list[Any]]]:
    """The download as CSV and as XLSX, each parsed back: its rows, headings first."""
    as_csv = await client.get(f"{path}.csv", params=params)
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv"), as_csv.text
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    as_xlsx = await client.get(f"{path}.xlsx", params=params)
    assert as_xlsx.status_code == 200, as_xlsx.text
    book = openpyxl.load_workbook(io.BytesIO(as_xlsx.content), read_only=True)
    cells = [list(r) for r in book.active.iter_rows(values_only=True)]  # type: ignore[union-attr]
    return rows, cells


def column(rows: list[list[Any]], heading: str) -> list[Any]:
    at = rows[0].index(heading)
    return [row[at] for row in rows[1:]]


async def test_a_coordinator_finds_partnerships_and_downloads_what_is_found(web_stack: WebStack, people: People) -> None:
    client = await signed_in(web_stack, people.coordinator)
    cohort = f"/cohorts/{people.cohort}"
    everything = await client.get(cohort)
    assert listed(everything.text) == ["ann--tia", "bob--ted", "una--ugo", "una--uli"]
    assert 'role="search"' in everything.text and f'href="{cohort}/partnerships.csv"' in everything.text

    by_name = await client.get(cohort, params={"q": "TIA TEACHER", "school": "", "stage": "", "stalled": "", "coach": ""})
    assert listed(by_name.text) == ["ann--tia"]
    assert f'href="{cohort}/partnerships.csv?q=TIA+TEACHER"' in by_name.text  # the download keeps the filters
    assert listed((await client.get(cohort, params={"school": "elm"})).text) == ["una--ugo", "una--uli"]
    assert listed((await client.get(cohort, params={"coach": people.bob.upper()})).text) == ["bob--ted"]
    assert listed((await client.get(cohort, params={"q": "100%_"})).text) == ["una--uli"]  # % and _ are themselves
    assert listed((await client.get(cohort, params={"q": "0_O"})).text) == []
    assert listed((await client.get(cohort, params={"q": "fractions"})).text) == []  # the focus is the partnership's own
    assert listed((await client.get(cohort, params={"stalled": "yes"})).text) == []
    assert listed((await client.get(cohort, params={"stalled": "no", "stage": "pending", "school": "elm"})).text) == [
        "una--ugo",
        "una--uli",
    ]
    assert (await client.get(cohort, params={"stage": "nowhere"})).status_code == 422

    rows, cells = await sheets(client, f"{cohort}/partnerships", {"school": "elm", "q": "off"})
    assert rows[0] == cells[0] and rows[0][:3] == ["Partnership", "Coach", "Coach's email"]
    assert column(rows, "Reference") == column(cells, "Reference") == ["una--ugo", "una--uli"]
    assert column(rows, "Partnership") == ["Una Oak with Ugo 1000 Off", "Una Oak with Uli 100%_Off"]
    assert column(cells, "School") == ["Elm", "Elm"] and column(cells, "Stage") == ["waiting", "waiting"]
    assert "Focus" not in rows[0] and not any("Fractions" in str(c) for r in cells for c in r)  # no partnership's own words
    everyone, _ = await sheets(client, f"{cohort}/partnerships", {})
    assert len(everyone) == 5

    grid, grid_cells = await sheets(client, f"{cohort}/attendance", {})
    assert column(grid, "Coach") == column(grid_cells, "Coach") == ["Ann Coach", "Bob Coach", "Una Oak"]
    assert grid[0][4].startswith("Session 1 (") and column(grid, grid[0][4]) == ["missing"] * 3
    await client.aclose()


async def test_a_coordinator_finds_people_and_notifications(web_stack: WebStack, people: People) -> None:
    client = await signed_in(web_stack, people.coordinator)
    path = f"/cohorts/{people.cohort}/people"
    found = await client.get(path, params={"q": "off", "role": "", "school": ""})
    assert "Uli 100%_Off" in found.text and "Ugo 1000 Off" in found.text and "Ann Coach" not in found.text
    literal = await client.get(path, params={"q": "0%_o"})
    assert "Uli 100%_Off" in literal.text and "Ugo 1000 Off" not in literal.text
    coaches = await client.get(path, params={"role": "coach", "school": "hazel"})
    assert "Ann Coach" in coaches.text and "Bob Coach" in coaches.text and "Una Oak" not in coaches.text
    assert f'href="{path}.xlsx?role=coach&amp;school=hazel"' in coaches.text

    rows, cells = await sheets(client, path, {"role": "teacher"})
    assert rows[0] == cells[0] == ["Name", "Email", "Role", "School"]
    assert column(rows, "Name") == column(cells, "Name") == ["Ted Teacher", "Tia Teacher", "Ugo 1000 Off", "Uli 100%_Off"]
    assert set(column(rows, "Role")) == {"collaborating teacher"}

    outbox = f"/cohorts/{people.cohort}/outbox"
    launched = await client.get(outbox, params={"kind": "cohort_launched", "status": "", "q": ""})
    assert launched.status_code == 200
    sent, sent_cells = await sheets(client, outbox, {"kind": "cohort_launched"})
    assert sent[0] == ["Status", "Asked", "Sent", "Kind", "To", "Email", "Subject"]
    assert set(column(sent, "Kind")) <= {"Cohort launched"} and len(sent) == len(sent_cells)
    mine, _ = await sheets(client, outbox, {"q": people.una})
    assert mine[1:] and all(people.una in row[5] or people.una in row[6].lower() for row in mine[1:])  # to Una, or about her
    assert (await client.get(outbox, params={"status": "lost"})).status_code == 422
    await client.aclose()


async def test_principals_and_teachers_download_only_what_they_see(web_stack: WebStack, people: People) -> None:
    pat = await signed_in(web_stack, people.pat)
    cohort = f"/cohorts/{people.cohort}"
    school = await pat.get(f"{cohort}/schools/hazel", params={"q": "bob"})
    assert school.status_code == 200 and listed(school.text) == ["bob--ted"]
    assert f'href="{cohort}/schools/hazel/partnerships.csv?q=bob"' in school.text
    rows, cells = await sheets(pat, f"{cohort}/schools/hazel/partnerships", {"q": "bob"})
    assert column(rows, "Reference") == column(cells, "Reference") == ["bob--ted"]
    requests, _ = await sheets(pat, f"{cohort}/schools/hazel/requests", {})
    assert requests[0][:3] == ["Who", "Role", "Day"]
    for forbidden in ("/schools/elm/partnerships", "/schools/elm/requests", "/partnerships", "/people", "/outbox", "/attendance"):
        for form in ("csv", "xlsx"):
            assert (await pat.get(f"{cohort}{forbidden}.{form}")).status_code == 403, forbidden
    await pat.aclose()

    tia = await signed_in(web_stack, people.tia)
    for forbidden in ("/schools/hazel/partnerships", "/schools/hazel/requests", "/partnerships", "/people", "/outbox"):
        assert (await tia.get(f"{cohort}{forbidden}.csv")).status_code == 403, forbidden
    await tia.aclose()


async def test_a_huge_offset_is_refused_not_a_crash(web_stack: WebStack, people: People) -> None:
    client = await signed_in(web_stack, people.coordinator)
    assert (await client.get(f"/cohorts/{people.cohort}/people", params={"offset": str(2**63)})).status_code == 422
    assert (await client.get(f"/cohorts/{people.cohort}/people", params={"offset": str(2**63 - 1)})).status_code == 200
    await client.aclose()


async def test_a_download_reads_the_list_a_page_at_a_time_and_holds_it_all(
    web_stack: WebStack, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = await signed_in(web_stack, people.coordinator)
    path = f"/cohorts/{people.cohort}/people"
    whole, whole_cells = await sheets(client, path, {})
    monkeypatch.setattr(downloads, "DOWNLOAD_ROWS", 2)  # the app runs in this process: pages of two rows
    paged, paged_cells = await sheets(client, path, {})
    assert paged == whole and paged_cells == whole_cells and len(whole) == 1 + 10  # the headings and everyone
    odd, _ = await sheets(client, path, {"school": "elm"})
    assert len(odd) == 1 + 4
    await client.aclose()

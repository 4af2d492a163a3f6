"""A cohort of 1,000 coaches and 1,000 teachers: every page and API answer its people open stays small.

Lists come a page at a time, so what a page weighs does not grow with the cohort.
This is a size test, not a timed one (timings belong to the benchmark). The sizes
measured are written to test-artifacts/web/page-sizes.json.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

from store import read_model
from store.database import Database
from tests.conftest import eventually, program_starting
from tests.roster_fixtures import many_coaches
from tests.web.conftest import ARTIFACTS, WebStack, csrf_of, signed_in

COACHES, SCHOOLS = 1000, 5
MAX_BYTES = 150_000
COORDINATOR, PRINCIPAL = "cora@esd.test", "principal0@school0.test"
COACH, TEACHER, PARTNERSHIP, SCHOOL = "coach0@school0.test", "teacher0@school0.test", "coach0--teacher0", "school-0"


def _published(database: Database, cohort: str) -> bool:
    """Whether the partnership and the school ledger the pages ask about have published their records."""
    found = read_model.partnership(database, cohort, PARTNERSHIP)
    return found is not None and found.revision > 0 and bool(read_model.ledgers(database, cohort, SCHOOL))


async def test_every_page_of_a_thousand_coach_cohort_stays_small(web_stack: WebStack) -> None:
    c = f"thousand-{uuid.uuid4().hex[:6]}"
    roster = many_coaches(COACHES, SCHOOLS)  # five schools of 200 coaches and 200 teachers, one partnership each
    program = program_starting((datetime.now(UTC) + timedelta(days=30)).date())
    await web_stack.coaching.launch_cohort(c, program, roster, COORDINATOR)
    await web_stack.coaching.wait_until_launched(c)
    # Started is not yet running: the worker is still working through the new workflows' first tasks,
    # and a page asking one of them for its record would wait behind the rest.
    await eventually(lambda: _published(web_stack.database, c), seconds=120)

    pages = {
        COORDINATOR: [
            "/",
            f"/cohorts/{c}",
            f"/cohorts/{c}?coaches=950&offset=950",
            f"/cohorts/{c}/attendance",
            f"/cohorts/{c}/outbox",
            f"/cohorts/{c}/training/{COACH}",
            f"/cohorts/{c}/partnerships/{PARTNERSHIP}",
            f"/cohorts/{c}/schools/{SCHOOL}",
            "/api/me",
            f"/api/cohorts/{c}/summary",
            f"/api/cohorts/{c}/partnerships?limit=100",
            f"/api/cohorts/{c}/schools/{SCHOOL}?limit=100",
        ],
        COACH: [
            "/",
            f"/cohorts/{c}/training/{COACH}",
            f"/cohorts/{c}/partnerships/{PARTNERSHIP}",
            f"/cohorts/{c}/partnerships-new",
            f"/cohorts/{c}/release",
            f"/api/cohorts/{c}/partnerships",
            f"/api/cohorts/{c}/partnerships/{PARTNERSHIP}",
        ],
        TEACHER: ["/", f"/cohorts/{c}/partnerships/{PARTNERSHIP}", f"/cohorts/{c}/release", f"/api/cohorts/{c}/partnerships"],
        PRINCIPAL: [
            "/",
            f"/cohorts/{c}/schools/{SCHOOL}",
            f"/cohorts/{c}/partnerships/{PARTNERSHIP}",
            f"/api/cohorts/{c}/schools/{SCHOOL}?limit=100",
            f"/api/cohorts/{c}/partnerships?limit=100",
        ],
    }
    sizes: dict[str, dict[str, int]] = {}
    for email, paths in pages.items():
        person = await signed_in(web_stack, email)
        sizes[email] = {}
        for path in paths:
            answer = await person.get(path)
            assert answer.status_code == 200, f"{email} {path}: {answer.status_code} {answer.text[:300]}"
            sizes[email][path.replace(c, "{cohort}")] = len(answer.content)
        await person.aclose()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "page-sizes.json").write_text(json.dumps(sizes, indent=2))
    too_big = {f"{email} {path}": size for email, found in sizes.items() for path, size in found.items() if size > MAX_BYTES}
    assert not too_big, f"pages over {MAX_BYTES:,} bytes: {too_big}"

    # Each list is a page of it, with the way on to the next.
    cora = await signed_in(web_stack, COORDINATOR)
    first = (await cora.get(f"/cohorts/{c}")).text
    assert first.count('<th scope="row">') == 50 and "1–50 of 1000" in first
    assert f'href="/cohorts/{c}?coaches=50#attendance"' in first and f'href="/cohorts/{c}?offset=50#by-stage"' in first
    last = (await cora.get(f"/cohorts/{c}?coaches=950")).text
    attendance = last.split('id="attendance"')[1].split('id="stalled"')[0]
    assert "951–1000 of 1000" in attendance and 'rel="next"' not in attendance and 'rel="prev"' in attendance
    tail = (await cora.get(f"/api/cohorts/{c}/partnerships", params={"limit": 100, "offset": 950})).json()
    assert tail["total"] == COACHES and len(tail["rows"]) == 50
    recorded = await cora.post(f"/cohorts/{c}/attendance", data={"session": "1", "coaches": "0", "csrf": csrf_of(first)})
    assert recorded.status_code == 303 and recorded.headers["location"] == f"/cohorts/{c}/attendance?session=1&coaches=50#coaches"
    await cora.aclose()

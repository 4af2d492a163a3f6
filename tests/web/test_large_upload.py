"""A 6,000-row roster launches through the web upload; the page names its limits and the way round them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from store import tables
from tests.conftest import program_starting
from tests.roster_fixtures import many_coaches_csv
from tests.web.conftest import PROGRAM_OFFICE, WebStack, csrf_of, signed_in
from web.coordinator_pages import ROSTER_MAX_PEOPLE


async def test_a_6000_row_roster_launches_through_the_web(web_stack: WebStack) -> None:
    office = await signed_in(web_stack, PROGRAM_OFFICE)
    form = await office.get("/cohorts/new")
    assert f"{ROSTER_MAX_PEOPLE:,}" in form.text  # the page says how many people a web launch takes
    cohort = f"region-{uuid.uuid4().hex[:6]}"
    roster = many_coaches_csv(3_000, schools=300).replace("cora@esd.test", PROGRAM_OFFICE)  # 6,301 rows, about 330 KB
    program = program_starting((datetime.now(UTC) + timedelta(days=60)).date()).model_dump_json()
    files = {"program": ("program.yaml", program.encode()), "roster": ("region.csv", roster.encode())}

    launched = await office.post("/cohorts", data={"csrf": csrf_of(form.text), "cohort": cohort}, files=files)

    try:
        assert launched.status_code == 303 and launched.headers["location"] == f"/cohorts/{cohort}", launched.text[:2000]
        with web_stack.database.begin() as db:
            people = db.execute(select(func.count()).select_from(tables.people).where(tables.people.c.cohort == cohort)).scalar_one()
        assert people == 6_301
        assert (await office.get(f"/cohorts/{cohort}")).status_code == 200
    finally:
        # The cohort goes on starting its 6,000 workflows; the other tests share this worker, so stop them here.
        client = web_stack.coaching.client
        async for wf in client.list_workflows(f"CoachingCohort = '{cohort}' AND ExecutionStatus = 'Running'"):
            await client.get_workflow_handle(wf.id, run_id=wf.run_id).terminate(reason="the test is over")
        await office.aclose()

"""A 6,000-row roster is accepted through the web upload: stored whole and its cohort started.

The cohort is stopped at once: the workers starting its 6,000 workflows are the benchmark's
business (`python -m bench pages`), not this shared test worker's.
"""

from __future__ import annotations

import asyncio
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
    # Its 6,000 workflows would keep this shared worker busy for minutes: the cohort stops starting more now.
    await web_stack.coaching.cohort(cohort).terminate(reason="the test needs the launch, not the year")

    try:
        assert launched.status_code == 303 and launched.headers["location"] == f"/cohorts/{cohort}", launched.text[:2000]
        with web_stack.database.begin() as db:
            people = db.execute(select(func.count()).select_from(tables.people).where(tables.people.c.cohort == cohort)).scalar_one()
        assert people == 6_301
        assert (await office.get(f"/cohorts/{cohort}")).status_code == 200
    finally:
        await office.aclose()
        await _stop_every_workflow_of(web_stack, cohort)


async def _stop_every_workflow_of(web_stack: WebStack, cohort: str) -> None:
    """Stop what the cohort started before it was stopped, again until none runs: start activities already in
    flight finish after their cohort is gone."""
    client = web_stack.coaching.client
    gate = asyncio.Semaphore(32)

    async def stop(workflow_id: str, run_id: str | None) -> None:
        async with gate:
            await client.get_workflow_handle(workflow_id, run_id=run_id).terminate(reason="the test is over")

    quiet = 0
    while quiet < 3:
        running = [(wf.id, wf.run_id) async for wf in client.list_workflows(f"CoachingCohort = '{cohort}' AND ExecutionStatus = 'Running'")]
        await asyncio.gather(*(stop(*wf) for wf in running))
        quiet = quiet + 1 if not running else 0
        await asyncio.sleep(1)

"""Launching from the web as the program office (PEERCOACH_COORDINATORS), and the mail server's word on the roster's
addresses: the real app on its own port with SMTP set (aiosmtpd, which like many servers does not offer SMTPUTF8),
in front of the web tests' Temporal dev server and database."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import uvicorn

from domain.cohort import check_launch
from domain.problems import Refused
from store import rosters
from tests.activities.conftest import SmtpServer, free_port
from tests.conftest import program_starting
from tests.web.conftest import PROGRAM_OFFICE, WebStack, csrf_of, roster_for, signed_in
from web.app import create_app
from workers.settings import Settings


@asynccontextmanager
async def app_with_smtp(stack: WebStack, data_dir: Path, smtp_port: int) -> AsyncIterator[WebStack]:
    """The web app as it runs with SMTP set, sharing the web tests' engine and database."""
    port = free_port()
    settings = Settings(
        data_dir=data_dir,
        web_port=port,
        web_secret="a secret for the web tests",
        coordinators=PROGRAM_OFFICE,
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        smtp_timeout_seconds=5,
        _env_file=None,  # type: ignore[call-arg]
    )
    server = uvicorn.Server(uvicorn.Config(create_app(settings, stack.coaching), host="127.0.0.1", port=port, log_config=None))
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    try:
        yield WebStack(url=f"http://127.0.0.1:{port}", coaching=stack.coaching, database=stack.database, outbox=stack.outbox)
    finally:
        server.should_exit = True
        await serving


PROGRAM = program_starting((datetime.now(UTC) - timedelta(days=10)).date()).model_dump_json().encode()


async def upload(client: httpx.AsyncClient, roster: str, cohort: str) -> httpx.Response:
    form = await client.get("/cohorts/new")
    files = {"program": ("program.yaml", PROGRAM), "roster": ("roster.csv", roster.encode())}
    return await client.post("/cohorts", data={"csrf": csrf_of(form.text), "cohort": cohort}, files=files)


async def test_a_launch_warns_of_addresses_the_mail_server_cannot_take(web_stack: WebStack, tmp_path: Path) -> None:
    tag = uuid.uuid4().hex[:6]
    roster, _ = roster_for(tag)
    roster = roster.replace(f"cora-{tag}@esd.test", PROGRAM_OFFICE) + f"Zoë Zed,zoë@hazel-{tag}.test,teacher,Hazel,Vancouver,,,,,\n"
    smtp = SmtpServer(free_port())
    smtp.start()
    try:
        async with app_with_smtp(web_stack, tmp_path, smtp.port) as stack:
            office = await signed_in(stack, PROGRAM_OFFICE)
            launched = await upload(office, roster, f"mail-{tag}")
            assert launched.status_code == 200 and "is launched" in launched.text, launched.text
            assert "The mail server cannot take these addresses" in launched.text
            assert f"does not offer SMTPUTF8, so it cannot take zoë@hazel-{tag}.test" in launched.text
            smtp.stop()  # a mail server that cannot be asked does not stop a launch, nor warn of anything
            down = await upload(office, roster.replace(f"zoë@hazel-{tag}", f"zoe@hazel-{tag}"), f"down-{tag}")
            assert down.status_code == 303 and down.headers["location"] == f"/cohorts/down-{tag}"
            await office.aclose()
    finally:
        if smtp._controller is not None:
            smtp.stop()


async def test_the_program_office_launches_a_roster_that_does_not_name_it_and_sees_its_dashboard(web_stack: WebStack) -> None:
    office = await signed_in(web_stack, PROGRAM_OFFICE)
    form = await office.get("/cohorts/new")
    assert f"You launch the cohort as <strong>{PROGRAM_OFFICE}</strong>, of the program office" in form.text
    tag = uuid.uuid4().hex[:6]
    roster, _ = roster_for(tag)  # its coordinator is Cora, not the office
    launched = await upload(office, roster, f"office-{tag}")
    assert launched.status_code == 303, launched.text
    dashboard = await office.get(launched.headers["location"])
    assert dashboard.status_code == 200 and "Record attendance" in dashboard.text
    assert (await office.get(f"/cohorts/office-{tag}/people")).status_code == 200
    await office.aclose()


async def test_the_program_office_sees_the_lists_of_a_cohort_it_launched_and_no_other(web_stack: WebStack) -> None:
    """Who may look is the database's answer (the cohort's row says who launched it), whatever launched the workflows."""
    tag = uuid.uuid4().hex[:6]
    _, roster = roster_for(tag)  # its coordinator is Cora, not the office
    at = datetime.now(UTC)
    rosters.record_launch(web_stack.database, f"theirs-{tag}", program_starting(at.date()), roster, PROGRAM_OFFICE, at)
    _, other = roster_for(f"{tag}x")
    rosters.record_launch(web_stack.database, f"cora-s-{tag}", program_starting(at.date()), other, f"cora-{tag}x@esd.test", at)
    office = await signed_in(web_stack, PROGRAM_OFFICE)
    people = await office.get(f"/cohorts/theirs-{tag}/people")
    assert people.status_code == 200 and "Ann Coach" in people.text
    assert (await office.get(f"/cohorts/theirs-{tag}/people.csv")).status_code == 200
    assert (await office.get(f"/cohorts/cora-s-{tag}/people")).status_code == 403
    await office.aclose()


def test_the_program_office_may_launch_any_valid_roster_under_a_valid_id() -> None:
    _, roster = roster_for("rule")
    check_launch("spring-2027", roster, PROGRAM_OFFICE, program_office=True)
    with pytest.raises(Refused, match="is not a coordinator in this roster"):
        check_launch("spring-2027", roster, PROGRAM_OFFICE)
    with pytest.raises(Refused, match="cannot be a cohort id"):
        check_launch("Spring 2027", roster, PROGRAM_OFFICE, program_office=True)

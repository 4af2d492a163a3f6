"""The web app served by uvicorn on a real port, in front of its own Temporal dev server and worker.

The web tests share one dev server, one worker and one database; each test
launches its own cohort with its own email addresses.
"""

from __future__ import annotations

import asyncio
import re
import socket
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import uvicorn

from domain.program import Program
from domain.roster import Roster, parse_roster_csv
from domain.training import Attendance
from peercoach.client import CoachingClient
from peercoach.local_temporal import start_dev_environment
from store.database import Database
from store.outbox import Outbox
from tests.conftest import TEST_CONVERTER, program_starting
from tests.databases import sqlite_database
from tests.roster_fixtures import SMALL
from web.app import create_app
from workers.settings import Settings
from workers.worker import create_worker

PROGRAM_OFFICE = "office@esd.test"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"


@dataclass
class WebStack:
    url: str
    coaching: CoachingClient
    database: Database
    outbox: Outbox

    def link_for(self, email: str) -> str:
        """The newest sign-in link the notification system delivered to this person."""
        entries = self.outbox.entries(recipient=email, kind="sign_in")
        assert entries, f"no sign-in link was sent to {email}"
        found = re.search(r"http://\S+/sign-in/\S+", entries[-1].body)
        assert found is not None
        return found.group(0)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
async def web_stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[WebStack]:
    env = await start_dev_environment(TEST_CONVERTER)
    port = _free_port()
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("web"),
        task_queue=f"web-{uuid.uuid4().hex[:8]}",
        web_port=port,
        web_secret="a secret for the web tests",
        coordinators=PROGRAM_OFFICE,
        _env_file=None,  # type: ignore[call-arg]
    )
    database = sqlite_database(settings.data_dir)  # the app opens its own; the worker and the tests read the outbox here
    coaching = CoachingClient(env.client, settings.task_queue, database)
    server = uvicorn.Server(uvicorn.Config(create_app(settings, coaching), host="127.0.0.1", port=port, log_config=None))
    async with create_worker(env.client, settings, database=database):
        serving = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.05)
        yield WebStack(url=f"http://127.0.0.1:{port}", coaching=coaching, database=database, outbox=Outbox(database))
        server.should_exit = True
        await serving
    database.dispose()
    await env.shutdown()


@dataclass
class Cohort:
    """A running cohort of the small roster, with addresses of its own; coaching is unlocked for Ann and Bob."""

    id: str
    coordinator: str
    principal: str
    ann: str
    bob: str
    tia: str
    ted: str


def roster_for(tag: str) -> tuple[str, Roster]:
    text = SMALL.replace("@hazel.test", f"@hazel-{tag}.test").replace("cora@esd.test", f"cora-{tag}@esd.test")
    return text, parse_roster_csv(text, "roster.csv")


async def launch(stack: WebStack, program: Program | None = None) -> Cohort:
    """`program`: the calendar to launch with (by default one whose session 5 ended weeks ago)."""
    tag = uuid.uuid4().hex[:6]
    _, roster = roster_for(tag)
    people = Cohort(f"web-{tag}", f"cora-{tag}@esd.test", *(f"{n}@hazel-{tag}.test" for n in ("pat", "ann", "bob", "tia", "ted")))
    program = program or program_starting((datetime.now(UTC) - timedelta(days=200)).date())
    await stack.coaching.launch_cohort(people.id, program, roster, people.coordinator)
    await stack.coaching.wait_until_launched(people.id)
    attended = {people.ann: Attendance.attended, people.bob: Attendance.attended}
    await stack.coaching.record_attendance(people.id, people.coordinator, 5, attended)
    for pid in ("ann--tia", "bob--ted"):  # the unlock reaches partnerships by signal, a moment later
        for _ in range(100):
            if (await stack.coaching.partnership_record(people.id, pid)).coaching_unlocked:
                break
            await asyncio.sleep(0.1)
    return people


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None, "the page has no CSRF field"
    return found.group(1)


async def signed_in(stack: WebStack, email: str) -> httpx.AsyncClient:
    """A browser-like client that signed in the way a person does: ask for a link, open it, press the button."""
    client = httpx.AsyncClient(base_url=stack.url, timeout=30)
    form = await client.get("/sign-in")
    sent = await client.post("/sign-in", data={"email": email, "csrf": csrf_of(form.text)})
    assert sent.status_code == 200 and "Check your email" in sent.text
    link = stack.link_for(email)
    confirm = await client.get(link)
    assert confirm.status_code == 200, confirm.text
    done = await client.post(link, data={"csrf": csrf_of(confirm.text)})
    assert done.status_code == 303 and done.headers["location"] == "/"
    return client

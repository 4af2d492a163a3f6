"""A state-sized roster launches from the command line: stored once, and a cohort whose input stays small.

No worker runs here: what the launch stores and sends is the test; starting the 20,000
workflows is measured by the benchmark's 10,000-coach launch.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml
from sqlalchemy import func, select
from temporalio.testing import WorkflowEnvironment

from store import tables
from tests.cli.conftest import Terminal
from tests.conftest import TEST_KEYS, program_starting
from tests.databases import sqlite_database
from tests.roster_fixtures import many_coaches_csv
from workflows import ids


async def test_a_20000_row_roster_launches_from_the_command_line(dev_env: WorkflowEnvironment, tmp_path: Path) -> None:
    program = tmp_path / "program.yaml"
    program.write_text(yaml.safe_dump(program_starting((datetime.now(UTC) + timedelta(days=30)).date()).model_dump(mode="json")))
    roster = tmp_path / "state.csv"
    roster.write_text(many_coaches_csv(10_000, schools=400))  # 20,402 rows, about 1 MB
    database = sqlite_database(tmp_path)
    cohort = f"state-{uuid.uuid4().hex[:6]}"
    # No worker listens on this task queue: the test is about what a launch stores and sends, not the 20,000 workflows it starts.
    terminal = Terminal(
        {
            **os.environ,
            "PEERCOACH_TEMPORAL_ADDRESS": dev_env.client.service_client.config.target_host,
            "PEERCOACH_TASK_QUEUE": f"nobody-{cohort}",
            "PEERCOACH_DATA_DIR": str(tmp_path),
            "PEERCOACH_CODEC_KEYS": TEST_KEYS.to_json(),
        }
    )

    launched = await terminal("cohort", "launch", "--program", str(program), "--roster", str(roster), "--cohort", cohort, "--no-wait")

    assert launched.code == 0, launched.err
    assert f"Launching cohort {cohort}: 10000 coaches, 10000 partnerships, 400 schools" in launched.out
    with database.begin() as db:
        people = db.execute(select(func.count()).select_from(tables.people).where(tables.people.c.cohort == cohort)).scalar_one()
        versions = db.execute(select(tables.roster_versions.c.file_name).where(tables.roster_versions.c.cohort == cohort)).all()
    assert people == 20_401 and [tuple(v) for v in versions] == [("state.csv",)]
    history = await dev_env.client.get_workflow_handle(ids.cohort_id(cohort)).fetch_history()
    started = history.events[0].workflow_execution_started_event_attributes
    assert started.input.ByteSize() < 64 * 1024  # a reference to the stored roster, not the people
    await dev_env.client.get_workflow_handle(ids.cohort_id(cohort)).terminate(reason="the test is over")

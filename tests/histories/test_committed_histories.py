"""Histories recorded from real runs (committed here) replay under the current code.

Each JSON file is every event of one workflow run, recorded by
`python -m tests.histories.record VERSION` with the code of its day, in a folder per version. Replaying them with
the worker's workflows, sandbox and data converter fails on any change that would
make a running workflow nondeterministic, so such a change fails the build
instead of breaking the cohorts that are running. Together the versions cover every
workflow the worker registers (a workflow added later appears only in versions recorded
since); each version has a run that continued as new and runs that completed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory

from tests.conftest import TEST_CONVERTER
from workers.worker import WORKFLOWS, create_replayer

HERE = Path(__file__).parent
FILES = sorted(HERE.glob("*/*.json"))


def history(path: Path) -> WorkflowHistory:
    return WorkflowHistory.from_json(path.stem, path.read_text(encoding="utf-8"))


def workflow_type(h: WorkflowHistory) -> str:
    return h.events[0].workflow_execution_started_event_attributes.workflow_type.name


def test_every_workflow_the_worker_registers_has_a_recorded_history() -> None:
    assert {workflow_type(history(path)) for path in FILES} == {w.__name__ for w in WORKFLOWS}


@pytest.mark.parametrize("version", sorted({p.parent.name for p in FILES}))
def test_each_version_has_a_continued_run_and_completed_ones_of_workflows_still_registered(version: str) -> None:
    histories = [history(path) for path in FILES if path.parent.name == version]

    assert {workflow_type(h) for h in histories} <= {w.__name__ for w in WORKFLOWS}
    last_events = {h.events[-1].event_type for h in histories}
    assert EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW in last_events
    assert EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED in last_events


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.stem}" for p in FILES])
async def test_a_committed_history_replays(path: Path) -> None:
    result = await create_replayer(TEST_CONVERTER).replay_workflow(history(path), raise_on_replay_failure=False)

    assert result.replay_failure is None, f"{path.name} no longer replays: {result.replay_failure}"

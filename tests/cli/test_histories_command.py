"""`peercoach histories check` against a real dev server: running workflows replay under this code, or are named.

A running cohort (its trainings, partnerships and school ledger, a partnership
moved) replays cleanly through the command as an operator runs it. Then the same
command is run with a partnership workflow changed without a patch (a new timer
where the real one's first task does something else), registered under the real
one's name: it names exactly the partnerships that would break, and exits 1.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from temporalio import workflow
from temporalio.converter import DataConverter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer, UnsandboxedWorkflowRunner
from typer.testing import CliRunner

from peercoach import cli, histories_command
from tests.cli.conftest import Terminal
from tests.conftest import TEST_KEYS, program_starting
from tests.roster_fixtures import ANN, COORDINATOR, SMALL
from workers.plaintext import PlaintextGuard, worker_data_converter
from workers.worker import WORKFLOWS

WORKFLOWS_OF_SMALL = 7  # the cohort, two trainings, two partnerships, the school's ledger and its year


@workflow.defn(name="PartnershipWorkflow")
class ChangedPartnershipWorkflow:
    """The partnership workflow as a careless change would leave it: its first task now sets a timer first."""

    @workflow.run
    async def run(self, input: dict[str, Any]) -> None:
        await workflow.sleep(timedelta(days=1))


def changed_replayer(converter: DataConverter) -> Replayer:
    """The worker's replayer (`workers.worker.create_replayer`), with the changed partnership workflow in place of the real one."""
    workflows = [ChangedPartnershipWorkflow if w.__name__ == "PartnershipWorkflow" else w for w in WORKFLOWS]
    return Replayer(
        workflows=workflows,
        workflow_runner=UnsandboxedWorkflowRunner(),  # the changed class lives in this test module
        data_converter=worker_data_converter(converter, refuse_plaintext=True),
        interceptors=[PlaintextGuard(refuse_plaintext=True)],
    )


async def running(env: WorkflowEnvironment, cohort: str, workflow_type: str | None = None) -> list[str]:
    query = f"CoachingCohort = '{cohort}' AND ExecutionStatus = 'Running'"
    if workflow_type:
        query += f" AND WorkflowType = '{workflow_type}'"
    return sorted([wf.id async for wf in env.client.list_workflows(query)])


async def eventually_true(check, what: str, seconds: float = 20) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + seconds
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, f"never happened: {what}"
        await asyncio.sleep(0.3)


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[str, str]:
    program = program_starting((datetime.now(UTC) - timedelta(days=200)).date())
    program_file, roster_file = tmp_path / "program.yaml", tmp_path / "roster.csv"
    program_file.write_text(yaml.safe_dump(program.model_dump(mode="json")))
    roster_file.write_text(SMALL)
    return str(program_file), str(roster_file)


async def test_running_workflows_replay_or_are_named(
    terminal: Terminal, dev_env: WorkflowEnvironment, dev_cohort: str, inputs: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cohort = dev_cohort
    program, roster = inputs
    launched = await terminal("cohort", "launch", "--program", program, "--roster", roster, "--cohort", cohort)
    assert launched.code == 0, launched.err
    assert (await terminal("attendance", "record", cohort, "--session", "5", "--present", ANN, "--as", COORDINATOR)).code == 0

    async def moved() -> bool:  # Ann's partnership hears of the unlock from her training a moment later
        advanced = await terminal("partnership", "advance", f"{cohort}/ann--tia", "--as", ANN, "--to", "initiate", "--note", "We met")
        return advanced.code == 0

    await eventually_true(moved, "Ann's partnership moved to initiate")
    await eventually_true(lambda: _count(dev_env, cohort, WORKFLOWS_OF_SMALL), f"{WORKFLOWS_OF_SMALL} running workflows in visibility")

    # As an operator runs it, before deleting a patch: every running workflow replays under this code.
    checked = await terminal("histories", "check", "--query", f"CoachingCohort = '{cohort}'")
    assert checked.code == 0, checked.out + checked.err
    assert f"{WORKFLOWS_OF_SMALL} of {WORKFLOWS_OF_SMALL} running workflows replayed cleanly." in checked.out
    assert "does not replay" not in checked.out

    # Nothing matches: said so, and nothing fails.
    nothing = await terminal("histories", "check", "--query", "CoachingCohort = 'no-such-cohort'")
    assert nothing.code == 0 and "No running workflow matches; nothing to replay." in nothing.out

    # The same command with the partnership workflow changed without a patch: both partnerships are named, exit 1.
    monkeypatch.setattr(histories_command, "create_replayer", changed_replayer)
    address = dev_env.client.service_client.config.target_host
    args = ["--address", address, "histories", "check", "--query", f"CoachingCohort = '{cohort}'"]
    env = {"PEERCOACH_CODEC_KEYS": TEST_KEYS.to_json()}
    result = await asyncio.to_thread(CliRunner().invoke, cli.app, args, env=env)  # the command runs its own event loop
    partnerships = await running(dev_env, cohort, "PartnershipWorkflow")
    assert result.exit_code == 1, result.output
    assert f"{WORKFLOWS_OF_SMALL - len(partnerships)} of {WORKFLOWS_OF_SMALL} running workflows replayed cleanly." in result.output
    failed = [line for line in result.output.splitlines() if " does not replay: " in line]
    assert sorted(line.split(" (run ")[0] for line in failed) == partnerships and len(partnerships) == 2
    assert all("Nondeterminism error" in line for line in failed), result.output


async def _count(env: WorkflowEnvironment, cohort: str, expected: int) -> bool:
    return len(await running(env, cohort)) == expected

"""`peercoach histories check`: replay every running workflow's history under this code.

A branch kept behind `workflow.patched` / `workflow.deprecate_patch` may be deleted
only once no running workflow still needs it. Replaying the histories of the
running workflows with this version's workflows, sandbox and data converter (the
worker's) says so: a workflow whose history does not replay here would fail in the
worker with a nondeterminism error once this code is deployed.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Annotated

import typer
from temporalio.client import Client, WorkflowHistory
from temporalio.worker import Replayer

from peercoach.invocation import run, settings
from peercoach.output import console
from workers.worker import WORKFLOWS, connect, create_replayer

histories_app = typer.Typer(help="The histories of running workflows, against this version of the code.", no_args_is_help=True)

# Only the program's own workflow types: a namespace may also hold workflows this code does not run.
RUNNING = 'ExecutionStatus = "Running" AND WorkflowType IN (' + ", ".join(f'"{w.__name__}"' for w in WORKFLOWS) + ")"


# The SDK's core reports a failed replay as its whole activation failure; the sentence is its message.
_CORE_MESSAGE = re.compile(r'message: "((?:[^"\\]|\\.)*)"')


@dataclass(frozen=True)
class Replayed:
    workflow_ids: dict[str, str]  # run id -> workflow id, for every history replayed
    failures: Mapping[str, Exception]  # by run id

    @property
    def clean(self) -> int:
        return len(self.workflow_ids) - len(self.failures)


def reason(failure: Exception) -> str:
    """Why a history did not replay, e.g. "[TMPRL1100] Nondeterminism error: Timer machine does not handle this event: ..."."""
    found = _CORE_MESSAGE.search(str(failure))
    return found.group(1) if found else str(failure)


async def replay_running(client: Client, replayer: Replayer, query: str | None = None) -> Replayed:
    """Replay the history of every running workflow of the program (those `query` also matches, if given)."""
    workflow_ids: dict[str, str] = {}  # the replayer names a failure by its run id only

    async def histories() -> AsyncIterator[WorkflowHistory]:
        async for history in client.list_workflows(RUNNING + (f" AND ({query})" if query else "")).map_histories():
            workflow_ids[history.run_id] = history.workflow_id
            yield history

    results = await replayer.replay_workflows(histories(), raise_on_replay_failure=False)
    return Replayed(workflow_ids, results.replay_failures)


@histories_app.command("check")
def check(
    query: Annotated[
        str | None,
        typer.Option(help="Only the running workflows this visibility query also matches, e.g. \"CoachingCohort = 'COHORT'\"."),
    ] = None,
) -> None:
    """Replay every running workflow's history with this code; exits 1 if any does not replay (check before deleting a patch)."""

    async def go() -> Replayed:
        client = await connect(settings())
        # The worker's replayer: its workflows and sandbox, its converter over this client's keys.
        return await replay_running(client, create_replayer(client.data_converter), query)

    replayed = run(go())
    if not replayed.workflow_ids:
        console.print("No running workflow matches; nothing to replay.", highlight=False)
        return
    console.print(f"{replayed.clean} of {len(replayed.workflow_ids)} running workflows replayed cleanly.", highlight=False)
    for run_id, failure in replayed.failures.items():
        console.print(f"{replayed.workflow_ids[run_id]} (run {run_id}) does not replay: {reason(failure)}", highlight=False, markup=False)
    if replayed.failures:
        raise typer.Exit(1)

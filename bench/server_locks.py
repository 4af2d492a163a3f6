"""`python -m bench.server_locks`: why a long year on one time-skipping test server slows down.

The test server keeps every time lock and unlock it has seen in a list and walks
that list on each change. Every workflow task and activity adds a lock and an
unlock, so an Update costs more the longer the server has run. This probe times
plain Updates (300 workflows, one trivial Update each, three rounds) on a fresh
server, then after each further batch of lock/unlock pairs sent through the test
service, which add to that list as tasks do. It prints one line per round.
"""

from __future__ import annotations

import asyncio
import time
from typing import Annotated

import typer
from temporalio import workflow
from temporalio.api.testservice.v1 import LockTimeSkippingRequest, UnlockTimeSkippingRequest
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from peercoach.local_temporal import test_server_binary

WORKFLOWS = 300
ROUNDS_OF_UPDATES = 3
PAIRS_AT_ONCE = 50


@workflow.defn
class Counter:
    def __init__(self) -> None:
        self.count = 0

    @workflow.run
    async def run(self) -> None:
        await workflow.wait_condition(lambda: self.count < 0)

    @workflow.update
    def bump(self) -> int:
        self.count += 1
        return self.count


async def _probe(rounds: int, pairs: int) -> None:
    env = await WorkflowEnvironment.start_time_skipping(test_server_existing_path=test_server_binary())
    try:
        service = env.client.test_service
        # the server is what is measured: the trivial workflow runs outside the sandbox
        async with Worker(env.client, task_queue="locks", workflows=[Counter], workflow_runner=UnsandboxedWorkflowRunner()):
            handles = [await env.client.start_workflow(Counter.run, id=f"counter-{i}", task_queue="locks") for i in range(WORKFLOWS)]

            async def pair() -> None:
                await service.lock_time_skipping(LockTimeSkippingRequest())
                await service.unlock_time_skipping(UnlockTimeSkippingRequest())

            print("lock/unlock pairs sent | ms per Update (p50 of rounds)")
            for n in range(rounds + 1):
                took = []
                for _ in range(ROUNDS_OF_UPDATES):
                    began = time.monotonic()
                    await asyncio.gather(*(h.execute_update(Counter.bump) for h in handles))
                    took.append((time.monotonic() - began) / WORKFLOWS * 1000)
                print(f"{n * pairs:>22,} | {sorted(took)[len(took) // 2]:.2f}", flush=True)
                if n < rounds:
                    for _ in range(pairs // PAIRS_AT_ONCE):
                        await asyncio.gather(*(pair() for _ in range(PAIRS_AT_ONCE)))
    finally:
        await env.shutdown()


def main(
    rounds: Annotated[int, typer.Option(help="Batches of lock/unlock pairs.")] = 5,
    pairs: Annotated[int, typer.Option(help="Lock/unlock pairs per batch.")] = 20_000,
) -> None:
    asyncio.run(_probe(rounds, pairs))


if __name__ == "__main__":
    typer.run(main)

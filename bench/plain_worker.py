"""`python -m bench.plain_worker`: the worker for plain Temporal, the SDK's defaults and one trivial workflow.

Kept apart from the rest of the benchmark: the sandbox imports a workflow's module again for every run.
"""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import sys

from temporalio import workflow
from temporalio.client import Client
from temporalio.worker import Worker


@workflow.defn
class PlainWorkflow:
    """Waits for one Update, answers it and completes: the least a workflow with an Update can do."""

    def __init__(self) -> None:
        self.finished = False

    @workflow.run
    async def run(self) -> None:
        await workflow.wait_condition(lambda: self.finished)

    @workflow.update
    def finish(self) -> int:
        self.finished = True
        return 1


async def _serve(address: str, task_queue: str) -> None:
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    client = await Client.connect(address)
    async with Worker(client, task_queue=task_queue, workflows=[PlainWorkflow]):
        print("plain worker started", flush=True)
        await stop.wait()
    del client  # the SDK can crash at exit while a client is referenced (sdk-python issue 300)
    gc.collect()
    await asyncio.sleep(0.2)


if __name__ == "__main__":
    asyncio.run(_serve(os.environ["PEERCOACH_TEMPORAL_ADDRESS"], os.environ["PEERCOACH_TASK_QUEUE"]))
    sys.stdout.flush()
    os._exit(0)

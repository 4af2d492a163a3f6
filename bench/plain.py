"""Plain Temporal on this machine: trivial workflows, one Update each, driven from the benchmark's client.

Their worker is `python -m bench.plain_worker`, a process of its own like the real worker.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime

from pydantic import BaseModel
from temporalio.client import Client

from bench.plain_worker import PlainWorkflow
from bench.processes import CpuMeter
from bench.stats import Latencies, bounded


class Quiet(BaseModel):
    """The workflows that got their Updates one at a time, and when."""

    workflow_ids: list[str]
    start: datetime
    end: datetime


class PlainFigures(BaseModel):
    """starts: the start phase alone; completions: workflows from start to completed per second over the whole run;
    updates: round trips one at a time (a person at a door on a quiet system) and `concurrency` at a time (a busy one),
    each followed by the workflow's result."""

    workflows: int
    concurrency: int
    starts_per_s: float
    completions_per_s: float
    updates_per_s: float  # concurrency at a time
    update_ms: Latencies  # concurrency at a time
    update_one_at_a_time_ms: Latencies
    cpu_ms_per_start: dict[str, float]  # worker and server CPU time per workflow, from its start to its first task done
    cpu_ms_per_update: dict[str, float]  # worker and server CPU time over the Update phases, per Update (and its completion)


async def measure(client: Client, task_queue: str, workflows: int, concurrency: int, cpu: CpuMeter) -> tuple[PlainFigures, Quiet]:
    """Start `workflows` workflows; when each has run its first task, give each its Update and wait for it to complete.

    Also says which workflows were updated one at a time, and when."""
    run = uuid.uuid4().hex[:8]
    ids = [f"plain/{run}/{n}" for n in range(workflows)]
    quiet, busy = ids[: max(1, workflows // 5)], ids[max(1, workflows // 5) :]

    async def start(workflow_id: str) -> None:
        await client.start_workflow(PlainWorkflow.run, id=workflow_id, task_queue=task_queue)

    cpu.start()
    began = time.monotonic()
    await bounded(concurrency, [start(i) for i in ids])
    start_seconds = time.monotonic() - began
    await bounded(concurrency, [_first_task_done(client, i) for i in ids])  # no backlog of first tasks behind the Updates
    start_cpu_ms = cpu.per(workflows)

    async def update_and_complete(workflow_id: str, latencies: list[float]) -> None:
        handle = client.get_workflow_handle(workflow_id)
        sent = time.monotonic()
        await handle.execute_update(PlainWorkflow.finish)
        latencies.append(time.monotonic() - sent)
        await handle.result()

    one_at_a_time: list[float] = []
    cpu.start()
    quiet_from = datetime.now(UTC)
    for workflow_id in quiet:
        await update_and_complete(workflow_id, one_at_a_time)
    quiet_until = datetime.now(UTC)
    at_once: list[float] = []
    updating = time.monotonic()
    await bounded(concurrency, [update_and_complete(i, at_once) for i in busy])
    update_seconds = time.monotonic() - updating
    cpu_ms = cpu.per(workflows)
    figures = PlainFigures(
        workflows=workflows,
        concurrency=concurrency,
        starts_per_s=workflows / start_seconds,
        completions_per_s=workflows / (time.monotonic() - began),
        updates_per_s=len(busy) / update_seconds,
        update_ms=Latencies.of(at_once),
        update_one_at_a_time_ms=Latencies.of(one_at_a_time),
        cpu_ms_per_start=start_cpu_ms,
        cpu_ms_per_update=cpu_ms,
    )
    return figures, Quiet(workflow_ids=quiet, start=quiet_from, end=quiet_until)


async def _first_task_done(client: Client, workflow_id: str) -> None:
    handle = client.get_workflow_handle(workflow_id)
    while (await handle.describe()).raw_description.workflow_execution_info.history_length < 4:  # started, task scheduled/started/completed
        await asyncio.sleep(0.1)

"""The time-skipping servers a simulated year runs on, one after another.

Temporal's time-skipping test server slows down with every workflow task and
activity it has run: it keeps every time lock and unlock since it started in a
list and walks that list on each change. On this machine an Update took 1.5 ms
on a fresh server and 13.7 ms after 100,000 lock and unlock pairs
(`python -m bench.server_locks`), and a state-sized year on one server
had not finished after 76 minutes.

So a long year runs on a relay of servers. At a quiet moment every few simulated
weeks, each running workflow of the cohort is carried to a fresh server: it is
started there, at the same clock time, with the input it would continue as new
with (its `resume_input` query), its search attributes and its memo. Timers are
not carried: each workflow sets its own again from its record. The outbox and the substitute desk are files every worker shares.
"""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from google.protobuf.empty_pb2 import Empty
from temporalio.api.testservice.v1 import SleepRequest
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.common import RawValue, SearchAttributePair, TypedSearchAttributes
from temporalio.converter import DataConverter
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from peercoach.client import CoachingClient
from peercoach.local_temporal import start_time_skipping_environment
from store import members, read_model
from store.database import Database
from workers.settings import Settings
from workers.worker import create_worker
from workflows import ids
from workflows import search_attributes as sa

AT_ONCE = 16  # workflows described, queried or started at a time while carrying
WORKER_STOPS_WITHIN = 120  # seconds
CARRIED_WITHIN = 600  # seconds for a whole move (3,126 workflows took well under a minute)
RPC_TIMEOUT = timedelta(seconds=30)
SETTLING = 0.2  # seconds to wait for a workflow that is busy (a task or an activity under way) before looking again


class SimulationStuck(Exception):
    pass


@dataclass
class Carried:
    """One running workflow as it stands, ready to start on the next server."""

    workflow_id: str
    history_length: int  # when it was taken
    workflow_type: str
    task_queue: str
    resume_input: RawValue
    search_attributes: list[SearchAttributePair[Any]]
    memo: dict[str, Any]


class Servers:
    """The server the year is on now, its worker, and its clock; `carry_over` moves the cohort to a fresh one."""

    def __init__(self, converter: DataConverter, settings: Settings):
        self.converter = converter
        self.settings = settings
        self.database = Database(settings.database)
        self.database.upgrade()  # a simulation's own data directory: its database is made here
        self.carried = 0  # times the cohort moved to a fresh server
        self._env: WorkflowEnvironment | None = None
        self._running: AsyncExitStack | None = None
        self._moving = asyncio.Lock()  # the clock is not read while the cohort is between servers

    async def __aenter__(self) -> Servers:
        try:
            await self._start()
        except BaseException:
            await self._stop()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stop()

    @property
    def client(self) -> Client:
        assert self._env is not None
        return self._env.client

    @property
    def coaching(self) -> CoachingClient:
        return CoachingClient(self.client, self.settings.task_queue, self.database)

    async def _start(self) -> None:
        self._env = await start_time_skipping_environment(self.converter)
        self._running = AsyncExitStack()
        # One Python process plays the people and runs the worker with every workflow of a state-sized cohort in its
        # cache: at a busy moment a workflow task can wait over 2 s for the interpreter, which the SDK's deadlock
        # detector takes for a deadlock. Its eviction can then leave an Update's task behind, and that workflow
        # (and the worker's shutdown) hang for good: seen once in a 1,000-coach year, at simulated 2027-11-24.
        worker = create_worker(self._env.client, self.settings, database=self.database, deadlock_detection=False)
        await self._running.enter_async_context(worker)

    async def _stop(self) -> None:
        try:
            if self._running is not None:
                running, self._running = self._running, None
                try:
                    await asyncio.wait_for(running.aclose(), timeout=WORKER_STOPS_WITHIN)
                except TimeoutError:
                    raise SimulationStuck(f"the worker did not stop within {WORKER_STOPS_WITHIN} s; the simulation was stopped") from None
        finally:
            if self._env is not None:
                env, self._env = self._env, None
                await env.shutdown()

    # -- the clock ----------------------------------------------------------------------

    async def now(self) -> datetime:
        async with self._moving:
            return await self._now()

    async def _now(self) -> datetime:
        response = await self.client.test_service.get_current_time(Empty(), timeout=timedelta(seconds=30))
        return response.time.ToDatetime().replace(tzinfo=UTC)

    async def skip_to(self, at: datetime) -> None:
        """Let the clock run to `at` (through every timer of the engine on the way, each once the engine is idle)."""
        now = await self._now()
        if now >= at:
            return
        request = SleepRequest()
        request.duration.FromTimedelta(at - now)
        try:
            # It returns once the engine is idle at `at`: after a busy moment of a large cohort, well past the 30 s default.
            await self.client.test_service.unlock_time_skipping_with_sleep(request, timeout=timedelta(hours=1))
        except RPCError as err:  # not asked again: a second unlock could unbalance the server's clock locks
            raise SimulationStuck(
                f"the time-skipping test server failed to move its clock to {at:%Y-%m-%d %H:%M}: {err.message[:300]}"
            ) from None

    # -- moving the cohort to a fresh server --------------------------------------------------

    async def carry_over(self, cohort: str) -> int:
        """Move every running workflow of the cohort to a fresh server; returns how many moved."""
        async with self._moving:
            try:
                async with asyncio.timeout(CARRIED_WITHIN):
                    return await self._carry_over(cohort)
            except TimeoutError:
                raise SimulationStuck(
                    f"moving the cohort to a fresh time-skipping server took over {CARRIED_WITHIN} s; the simulation was stopped"
                ) from None

    async def _carry_over(self, cohort: str) -> int:
        everyone = 1_000_000  # one page: the whole cohort
        schools = await asyncio.to_thread(members.schools, self.database, cohort)
        trainings = await asyncio.to_thread(read_model.trainings, self.database, cohort, None, everyone)
        partnerships = await asyncio.to_thread(read_model.find_partnerships, self.database, cohort, limit=everyone)
        workflow_ids = [
            ids.cohort_id(cohort),
            *(ids.ledger_id(cohort, school.id) for school in schools),
            *(ids.training_id(cohort, t.coach) for t in trainings.rows),
            *(ids.partnership_id(cohort, p.id) for p in partnerships.rows),
        ]
        gate = asyncio.Semaphore(AT_ONCE)
        taken = dict(zip(workflow_ids, await self._take(workflow_ids, gate), strict=True))
        # Each workflow was taken on its own while the held clock still ran with wall time: take again any that
        # changed since (a timer fell due, a message arrived), until none has.
        while True:
            running = {wid: carried for wid, carried in taken.items() if carried is not None}
            lengths = await self._history_lengths(list(running), gate)
            changed = [wid for (wid, c), length in zip(running.items(), lengths, strict=True) if length != c.history_length]
            if not changed:
                break
            taken.update(zip(changed, await self._take(changed, gate), strict=True))
        at = await self._now()
        await self._stop()
        await self._start()
        await self.skip_to(at)
        await asyncio.gather(*(self._resume(c, gate) for c in running.values()))
        self.carried += 1
        return len(running)

    async def _take(self, workflow_ids: list[str], gate: asyncio.Semaphore) -> list[Carried | None]:
        return await asyncio.gather(*(self._as_it_stands(self.client.get_workflow_handle(wid), gate) for wid in workflow_ids))

    async def _history_lengths(self, workflow_ids: list[str], gate: asyncio.Semaphore) -> list[int]:
        async def length(wid: str) -> int:
            async with gate:
                return (await self.client.get_workflow_handle(wid).describe(rpc_timeout=RPC_TIMEOUT)).history_length

        return await asyncio.gather(*(length(wid) for wid in workflow_ids))

    async def _as_it_stands(self, handle: WorkflowHandle[Any, Any], gate: asyncio.Semaphore) -> Carried | None:
        """The workflow's resume input, taken while nothing happens to it (None once it has closed)."""
        async with gate:
            while True:
                before = await handle.describe(rpc_timeout=RPC_TIMEOUT)
                if before.status != WorkflowExecutionStatus.RUNNING:
                    return None
                busy = before.raw_description.pending_activities or before.raw_description.HasField("pending_workflow_task")
                if not busy:  # a change after `before` shows in carry_over's second look, which takes it again
                    resume_input = await handle.query("resume_input", result_type=RawValue, rpc_timeout=RPC_TIMEOUT)
                    break
                await asyncio.sleep(SETTLING)
            ours = {key.name for key in sa.ALL}
            return Carried(
                workflow_id=handle.id,
                history_length=before.history_length,
                workflow_type=before.workflow_type,
                task_queue=before.task_queue,
                resume_input=resume_input,
                search_attributes=[pair for pair in before.typed_search_attributes if pair.key.name in ours],
                memo=dict(await before.memo()),
            )

    async def _resume(self, carried: Carried, gate: asyncio.Semaphore) -> None:
        async with gate:
            await self.client.start_workflow(
                carried.workflow_type,
                carried.resume_input,
                id=carried.workflow_id,
                task_queue=carried.task_queue,
                search_attributes=TypedSearchAttributes(carried.search_attributes),
                memo=carried.memo,
            )

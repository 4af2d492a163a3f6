"""A state-sized launch: a 10,000-coach roster (about 31,000 workflows) launched, its rate, and the cohort's largest payload.

On a dev server of its own, with the real worker process and a fresh database. The
roster is made as for the pages (`bench.pages.roster`: schools of eight coaches, two
partnerships a coach); the program is the sample calendar moved so session 1 begins
two hours after the launch, as coordinators launch. Plain Temporal's start rate is
measured first on the same server (`bench/plain.py`), for a ratio.

The launch is timed from `launch_cohort` (the roster stored in the database, the
cohort workflow started) until the cohort says every workflow has started; then until
the read model shows every training, partnership and school ledger (each has run its
first workflow task). The cohort's history is read run by run, following
continue-as-new, and every payload in it (workflow input, activity inputs and results,
memos, search attributes, the input it continues as new with) is weighed as Temporal
stores it: encrypted by the codec (workers/codec.py).
"""

from __future__ import annotations

import asyncio
import time as stopwatch
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from pydantic import BaseModel
from sqlalchemy import func, select
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHistory

from bench import plain
from bench.cohort import program_about_to_begin
from bench.histories import every_run, task_times
from bench.pages import COORDINATOR, roster, workflows_of
from bench.processes import CpuMeter, Owned, dev_server, free_port, until_logged, until_up, worker
from bench.stats import Latencies, bounded
from domain.processes.cohort import LaunchProgress
from peercoach.client import CoachingClient
from store import tables
from store.database import Database
from workers.settings import Settings
from workers.worker import connect
from workflows import ids

HEADROOM = timedelta(hours=2)  # session 1 does not begin while the launch runs
SAMPLE = 200  # partnerships whose first workflow task is timed from their histories
TEMPORAL_BLOB_LIMIT = 2 * 1024 * 1024  # the server refuses a payload over 2 MB (it warns from 512 KB)


class LargestPayload(BaseModel):
    bytes: int
    run: int  # the cohort's run, the first is 1
    event: str
    field: str


class LaunchFigures(BaseModel):
    coaches: int
    schools: int
    partnerships: int
    roster_rows: int
    workflows: int  # started by the launch: a ledger a school, a training a coach, one a partnership
    roster_read_s: float  # the CSV through the real loader
    stored_s: float  # until launch_cohort returned: the roster stored, the cohort workflow started
    launch_s: float  # until the cohort said every workflow had started
    launch_per_s: float
    plain_workflows: int
    plain_starts_per_s: float | None
    cpu_ms_per_workflow: dict[str, float]  # worker and server, until every workflow had started
    cpu_ms_per_workflow_settled: dict[str, float]  # worker and server, until settled (or the timeout)
    settled_s: float | None  # until the read model showed every partnership's and ledger's first record; None: not within the timeout
    unsettled: int  # partnerships and ledgers whose first record the read model did not show (0 when settled)
    sampled_partnerships: int
    first_task_wait_ms: Latencies  # a sample of partnerships: from their first workflow task scheduled until a worker took it
    first_task_work_ms: Latencies  # and until the worker completed it
    cohort_runs: int
    cohort_events: int
    largest_payloads: list[LargestPayload]  # the largest few, each of a different event and field
    peak_rss_mb: dict[str, float | None]


def payloads(message: Message, path: str = "") -> Iterator[tuple[str, Payload]]:
    """Every Payload in a protobuf message, with where it is (`input.payloads`, `memo.fields[summary]`)."""
    if isinstance(message, Payload):
        yield path, message
        return
    for field, value in message.ListFields():
        if field.type != FieldDescriptor.TYPE_MESSAGE:
            continue
        name = f"{path}.{field.name}" if path else field.name
        entry = field.message_type
        if entry is not None and entry.GetOptions().map_entry:  # memo and search-attribute fields: a Payload by name
            for key, item in value.items():
                if isinstance(item, Message):
                    yield from payloads(item, f"{name}[{key}]")
        elif isinstance(value, Message):
            yield from payloads(value, name)
        else:  # a repeated field
            for item in value:
                yield from payloads(item, name)


def largest_payloads(runs: list[WorkflowHistory], keep: int = 5) -> list[LargestPayload]:
    """The largest payload of each kind (event type and field), the largest `keep` kinds."""
    best: dict[tuple[str, str], LargestPayload] = {}
    for n, history in enumerate(runs, start=1):
        for event in history.events:
            kind = EventType.Name(event.event_type).removeprefix("EVENT_TYPE_").lower()
            for field, payload in payloads(event):
                size = payload.ByteSize()
                key = (kind, field.split(".", 1)[1] if "." in field else field)
                if key not in best or size > best[key].bytes:
                    best[key] = LargestPayload(bytes=size, run=n, event=kind, field=key[1])
    return sorted(best.values(), key=lambda p: p.bytes, reverse=True)[:keep]


def _unsettled(database: Database, cohort: str, schools: int) -> int:
    """Partnerships and school ledgers whose first record the read model does not show yet.

    Those publish from their first workflow task; a training publishes only when it changes
    (its row, written at launch, stays at revision 0 until then), so trainings are not counted."""
    p, ledger = tables.partnerships.c, tables.ledgers.c
    with database.begin() as db:
        waiting = db.execute(select(func.count()).select_from(tables.partnerships).where(p.cohort == cohort, p.revision == 0)).scalar_one()
        ledgers = db.execute(select(func.count()).select_from(tables.ledgers).where(ledger.cohort == cohort)).scalar_one()
    return int(waiting) + schools - int(ledgers)


async def measure(
    work: Path,
    coaches: int,
    plain_workflows: int,
    concurrency: int,
    settle_timeout: float,
    in_memory: bool,
    postgres: str | None,
    say: Callable[[str], None],
) -> LaunchFigures:
    port = free_port()
    address = f"localhost:{port}"
    server = dev_server(work, port, in_memory)
    processes: list[Owned] = [server]
    try:
        await until_up(address, server)
        plain_starts = None
        if plain_workflows > 0:
            say(f"plain Temporal on the same server: {plain_workflows} workflows started, {concurrency} at a time")
            plain_worker = worker("bench.plain_worker", address, "bench-plain", work)
            processes.append(plain_worker)
            await until_logged(plain_worker, "plain worker started")
            plain_client = await Client.connect(address)
            plain_figures, _ = await plain.measure(
                plain_client, "bench-plain", plain_workflows, concurrency, CpuMeter(worker=plain_worker, server=server)
            )
            plain_starts = plain_figures.starts_per_s
            plain_worker.stop()
            processes.remove(plain_worker)
            del plain_client

        settings = Settings(
            data_dir=work / "peercoach",
            temporal_address=address,
            task_queue="bench-launch",
            database_url=postgres,
            _env_file=None,  # type: ignore[call-arg]
        )
        client = await connect(settings)
        database = Database(settings.database)
        database.upgrade()
        coaching = CoachingClient(client, settings.task_queue, database)
        real_worker = worker(
            "workers", address, settings.task_queue, settings.data_dir, {"PEERCOACH_DATABASE_URL": postgres} if postgres else {}
        )
        processes.append(real_worker)
        await until_logged(real_worker, "worker started")

        began = stopwatch.monotonic()
        people = roster(coaches, "launch")
        roster_read_s = stopwatch.monotonic() - began
        workflows = workflows_of(people)
        cohort = f"launch-{coaches}-{datetime.now(UTC):%H%M%S}"
        say(f"launching {cohort}: {coaches} coaches, {len(people.partnerships)} partnerships ({workflows} workflows)")
        cpu = CpuMeter(worker=real_worker, server=server)
        cpu.start()
        began = stopwatch.monotonic()
        await coaching.launch_cohort(cohort, program_about_to_begin(HEADROOM), people, COORDINATOR)
        stored_s = stopwatch.monotonic() - began
        said = [began]

        def progress(p: LaunchProgress) -> None:
            if stopwatch.monotonic() - said[0] >= 30:
                said[0] = stopwatch.monotonic()
                say(f"  {p.started:,} of {p.total:,} started after {said[0] - began:.0f} s")

        await coaching.wait_until_launched(cohort, progress, every=1.0)
        launch_s = stopwatch.monotonic() - began
        cpu_ms = cpu.per(workflows)
        say(f"launched in {launch_s:.0f} s; until the read model shows every partnership and ledger (at most {settle_timeout:.0f} s)")
        settled_s: float | None = None
        unsettled = len(people.partnerships) + len(people.schools)
        while stopwatch.monotonic() - began < launch_s + settle_timeout:
            unsettled = await asyncio.to_thread(_unsettled, database, cohort, len(people.schools))
            if unsettled == 0:
                settled_s = stopwatch.monotonic() - began
                break
            await asyncio.sleep(2)
        settled_cpu_ms = cpu.per(workflows)
        sample = people.partnerships[:: max(1, len(people.partnerships) // SAMPLE)]
        say(f"reading the cohort's history, every run, and the first workflow task of {len(sample)} partnerships")
        histories = await bounded(
            concurrency, [client.get_workflow_handle(ids.partnership_id(cohort, p.id)).fetch_history() for p in sample]
        )
        waited, worked = [], []
        for history in histories:
            w, k = task_times(list(history.events))
            waited += w[:1]
            worked += k[:1]
        runs = await every_run(client, ids.cohort_id(cohort))
        peak = {"worker": real_worker.read_peak_rss(), "server": server.read_peak_rss()}
        del client, coaching  # the SDK can crash at exit while a client is referenced (sdk-python issue 300)
    finally:
        for process in reversed(processes):
            process.stop()
    return LaunchFigures(
        coaches=coaches,
        schools=len(people.schools),
        partnerships=len(people.partnerships),
        roster_rows=len(people.people),
        workflows=workflows,
        roster_read_s=roster_read_s,
        stored_s=stored_s,
        launch_s=launch_s,
        launch_per_s=workflows / launch_s,
        plain_workflows=plain_workflows,
        plain_starts_per_s=plain_starts,
        cpu_ms_per_workflow=cpu_ms,
        cpu_ms_per_workflow_settled=settled_cpu_ms,
        settled_s=settled_s,
        unsettled=unsettled,
        sampled_partnerships=len(sample),
        first_task_wait_ms=Latencies.of(waited),
        first_task_work_ms=Latencies.of(worked),
        cohort_runs=len(runs),
        cohort_events=sum(len(h.events) for h in runs),
        largest_payloads=largest_payloads(runs),
        peak_rss_mb=peak,
    )

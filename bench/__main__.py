"""`python -m bench`: see bench/__init__.py. Writes JSON (--out) and prints a table of figures and targets.

`python -m bench pages`: the web app's pages in a program of state size, and a 10,000-coach launch (bench/pages.py, bench/launch.py).
`python -m bench simulate`: `peercoach simulate` of a 1,000-coach and a 10,000-coach year (bench/simulate.py).
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from pydantic import BaseModel
from temporalio.client import Client

from bench import cohort as project
from bench import launch, pages, plain, spring
from bench.histories import CohortCost, CycleCost, TaskTimes, cohort_cost, cycle_cost, workflow_tasks
from bench.launch import LaunchFigures
from bench.pages import PagesFigures
from bench.processes import CpuMeter, dev_server, free_port, until_logged, until_up, worker
from bench.report import Targets, show, show_pages, show_simulate
from bench.simulate import SimulateBench, measure
from peercoach.client import CoachingClient
from peercoach.output import errors
from store.database import Database
from workers.settings import Settings
from workers.worker import connect
from workflows import ids


class Memory(BaseModel):
    """Peak resident memory (VmHWM), MB."""

    plain_worker: float | None
    worker: float | None
    server_after_plain: float | None
    server: float | None


class Bench(BaseModel):
    at: datetime
    cpus: int | None
    load_average: dict[str, list[float]]  # before and after: this machine is shared
    server: str
    plain: plain.PlainFigures
    cohort: project.CohortFigures
    cycle: CycleCost
    plain_tasks_one_at_a_time: TaskTimes  # the plain workflows updated one at a time
    partnership_tasks_one_at_a_time: TaskTimes  # the partnerships moved one move at a time
    cohort_launching: CohortCost  # per workflow launched
    cohort_moving: CohortCost  # per move
    memory: Memory
    targets: Targets


app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


@app.callback(invoke_without_command=True)
def main(
    ctx: typer.Context,
    coaches: Annotated[int, typer.Option(help="Coaches in the benchmark cohort (two partnerships each).")] = 500,
    plain_workflows: Annotated[int, typer.Option(help="Trivial workflows for the plain Temporal figures.")] = 1000,
    concurrency: Annotated[int, typer.Option(help="Starts and Updates in flight at once, in both halves.")] = 50,
    sqlite: Annotated[
        bool, typer.Option("--sqlite", help="Keep the dev server on a temporary SQLite file, as `peercoach dev` does (default: in memory).")
    ] = False,
    out: Annotated[Path, typer.Option(help="Where to write the JSON figures.")] = Path(".peercoach/bench.json"),
) -> None:
    """Measure plain Temporal and this program on this machine (`pages`: the web app's pages and a big launch; `simulate`: a year)."""
    if ctx.invoked_subcommand is not None:
        return
    load_before = _load_average()
    with tempfile.TemporaryDirectory(prefix="peercoach-bench-") as work:
        bench = asyncio.run(_measure(Path(work), coaches, plain_workflows, concurrency, in_memory=not sqlite))
    bench = bench.model_copy(update={"load_average": {"before": load_before, "after": _load_average()}})
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(bench.model_dump(mode="json"), indent=2) + "\n")
    show(bench)
    errors.print(f"[dim]figures written to {out}[/dim]")


async def _measure(work: Path, coaches: int, plain_workflows: int, concurrency: int, in_memory: bool) -> Bench:
    port = free_port()
    address = f"localhost:{port}"
    server = dev_server(work, port, in_memory)
    try:
        await until_up(address, server)
        say = lambda message: errors.print(f"[dim]{message}[/dim]")  # noqa: E731
        say(f"plain Temporal: {plain_workflows} workflows, one Update each, {concurrency} at a time")
        plain_worker = worker("bench.plain_worker", address, "bench-plain", work)
        try:
            await until_logged(plain_worker, "plain worker started")
            plain_client = await Client.connect(address)
            cpu = CpuMeter(worker=plain_worker, server=server)
            plain_figures, plain_quiet = await plain.measure(plain_client, "bench-plain", plain_workflows, concurrency, cpu)
            plain_tasks = await workflow_tasks(plain_client, plain_quiet.workflow_ids, plain_quiet.start, plain_quiet.end, concurrency)
        finally:
            plain_worker.stop()
        server_after_plain = server.read_peak_rss()

        settings = Settings(data_dir=work / "peercoach", temporal_address=address, task_queue="bench", _env_file=None)  # type: ignore[call-arg]
        client = await connect(settings)  # makes the data directory's key, which the worker then reads
        database = Database(settings.database)
        database.upgrade()  # the worker process opens the same file
        coaching = CoachingClient(client, settings.task_queue, database)
        real_worker = worker("workers", address, settings.task_queue, settings.data_dir)
        try:
            await until_logged(real_worker, "worker started")
            cohort = f"bench-{datetime.now(UTC):%H%M%S}"
            figures, timeline = await project.run(coaching, cohort, coaches, concurrency, CpuMeter(worker=real_worker, server=server), say)
            real_worker.read_peak_rss()
            say("reading histories")
            partnerships = [ids.partnership_id(cohort, p.id) for p in project.roster(coaches).partnerships]
            cycle = await cycle_cost(client, partnerships, len(project.CYCLE), concurrency)
            quiet = timeline.one_at_a_time
            partnership_tasks = await workflow_tasks(client, quiet.workflow_ids, quiet.start, quiet.end, concurrency)
            cohort_id = ids.cohort_id(cohort)
            cohort_launching = await cohort_cost(client, cohort_id, figures.workflows_launched, timeline.launch_from, timeline.launched_at)
            cohort_moving = await cohort_cost(client, cohort_id, figures.moves, timeline.moves_from, timeline.settled_at)
        finally:
            real_worker.stop()
        memory = Memory(
            plain_worker=plain_worker.peak_rss_mb,
            worker=real_worker.peak_rss_mb,
            server_after_plain=server_after_plain,
            server=server.read_peak_rss(),
        )
        del client, coaching  # the SDK can crash at exit while a client is referenced (sdk-python issue 300)
        gc.collect()
    finally:
        server.stop()
    return Bench(
        at=datetime.now(UTC),
        cpus=os.cpu_count(),
        load_average={},
        server="dev server, in memory" if in_memory else "dev server, SQLite file (as `peercoach dev`)",
        plain=plain_figures,
        cohort=figures,
        cycle=cycle,
        plain_tasks_one_at_a_time=plain_tasks,
        partnership_tasks_one_at_a_time=partnership_tasks,
        cohort_launching=cohort_launching,
        cohort_moving=cohort_moving,
        memory=memory,
        targets=Targets.judge(plain_figures, figures, cycle),
    )


class PagesBench(BaseModel):
    at: datetime
    cpus: int | None
    load_average: dict[str, list[float]]  # before and after: this machine is shared
    server: str
    pages: PagesFigures | None
    launch: LaunchFigures | None


@app.command("pages")
def pages_mode(
    cohort: Annotated[
        list[int] | None,
        typer.Option(
            "--cohort", help="Coaches in a cohort, repeated for each (the first is the one whose pages are timed). Default: 1000, 200, 200."
        ),
    ] = None,
    requests: Annotated[int, typer.Option(help="Requests timed per page, one at a time.")] = 50,
    warmup: Annotated[int, typer.Option(help="Requests per page before the timed ones.")] = 3,
    concurrency: Annotated[int, typer.Option(help="Attendance Updates, moves and plain starts in flight at once while setting up.")] = 50,
    launch_coaches: Annotated[
        int, typer.Option(help="Coaches in the big launch (three workflows each, and a ledger per eight); 0: skip it.")
    ] = 10_000,
    launch_settle_timeout: Annotated[
        float, typer.Option(help="Seconds after the launch to wait for every partnership's and ledger's first record in the read model.")
    ] = 1800,
    plain_workflows: Annotated[int, typer.Option(help="Trivial workflows started for plain Temporal's start rate (0: skip it).")] = 1000,
    skip_pages: Annotated[bool, typer.Option("--skip-pages", help="Only the big launch.")] = False,
    postgres: Annotated[
        str | None,
        typer.Option(
            help="The program's database on this PostgreSQL URL instead of a fresh SQLite file (its tables are used as they are)."
        ),
    ] = None,
    sqlite: Annotated[bool, typer.Option("--sqlite", help="Keep the dev server on a temporary SQLite file (default: in memory).")] = False,
    out: Annotated[Path, typer.Option(help="Where to write the JSON figures.")] = Path(".peercoach/bench-pages.json"),
) -> None:
    """The web app's pages timed with a 1,000-coach cohort beside two of 200, every partnership moved; then a 10,000-coach launch."""
    sizes = cohort or [1000, 200, 200]
    say = lambda message: errors.print(f"[dim]{message}[/dim]")  # noqa: E731
    bench = PagesBench(
        at=datetime.now(UTC),
        cpus=os.cpu_count(),
        load_average={"before": _load_average()},
        server="dev server, in memory" if not sqlite else "dev server, SQLite file (as `peercoach dev`)",
        pages=None,
        launch=None,
    )

    def write(update: dict[str, object]) -> PagesBench:
        """After each part, so a launch that fails leaves the pages' figures."""
        done = bench.model_copy(update=update | {"at": datetime.now(UTC), "load_average": bench.load_average | {"after": _load_average()}})
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(done.model_dump(mode="json"), indent=2) + "\n")
        return done

    if not skip_pages:
        with tempfile.TemporaryDirectory(prefix="peercoach-bench-pages-") as work:
            timed = asyncio.run(pages.measure(Path(work), sizes, requests, warmup, concurrency, not sqlite, postgres, say))
        bench = write({"pages": timed})
        gc.collect()
    if launch_coaches > 0:
        with tempfile.TemporaryDirectory(prefix="peercoach-bench-launch-") as work:
            launched = asyncio.run(
                launch.measure(Path(work), launch_coaches, plain_workflows, concurrency, launch_settle_timeout, not sqlite, postgres, say)
            )
        bench = write({"launch": launched})
    show_pages(bench)
    errors.print(f"[dim]figures written to {out}[/dim]")


@app.command("spring")
def spring_mode(
    applicants: Annotated[int, typer.Option(help="Applicants to one offering, each applying, confirming and endorsed.")] = 1000,
    concurrency: Annotated[int, typer.Option(help="Applicants acting at once after the first 50.")] = 20,
    plain_workflows: Annotated[int, typer.Option(help="Trivial workflows for the plain Temporal figures.")] = 500,
    out: Annotated[Path, typer.Option(help="Where to write the JSON figures.")] = Path(".peercoach/bench-spring.json"),
) -> None:
    """An offering's spring at state size: every applicant's Updates, then everyone placed at once, beside plain Temporal."""
    say = lambda message: errors.print(message)  # noqa: E731
    load_before = _load_average()
    with tempfile.TemporaryDirectory(prefix="peercoach-bench-spring-") as work:
        figures = asyncio.run(spring.measure(Path(work), applicants, concurrency, plain_workflows, say))
    out.parent.mkdir(parents=True, exist_ok=True)
    written = {"at": datetime.now(UTC).isoformat(), "load_average": {"before": load_before, "after": _load_average()}}
    out.write_text(json.dumps(written | figures.model_dump(mode="json"), indent=2) + "\n")
    spring.show(figures, say)
    errors.print(f"[dim]figures written to {out}; load average before {load_before}, after {_load_average()}[/dim]")


@app.command("simulate")
def simulate_mode(
    coaches: Annotated[int, typer.Option(help="Coaches in the year played twice with the same seed (its JSON must not change).")] = 1000,
    large: Annotated[int, typer.Option(help="Coaches in the large year, played once (0: skip it).")] = 10_000,
    seed: Annotated[int, typer.Option(help="The seed of every run.")] = 1,
    timeout: Annotated[float, typer.Option(help="Seconds before a run is stopped and recorded as not finished.")] = 3600,
    out: Annotated[Path, typer.Option(help="Where to write the JSON figures.")] = Path(".peercoach/bench-simulate.json"),
) -> None:
    """`peercoach simulate` of a program year: its wall time against the targets, and whether the same seed prints the same JSON."""
    say = lambda message: errors.print(f"[dim]{message}[/dim]")  # noqa: E731
    load_before = _load_average()
    runs = measure(coaches, large, timeout, seed, say)
    first, second = runs[0], runs[1]
    identical = first[1] == second[1] if first[0].finished and second[0].finished else None
    bench = SimulateBench(
        at=datetime.now(UTC),
        cpus=os.cpu_count(),
        load_average={"before": load_before, "after": _load_average()},
        runs=[run for run, _ in runs],
        identical=identical,
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(bench.model_dump(mode="json"), indent=2) + "\n")
    show_simulate(bench)
    errors.print(f"[dim]figures written to {out}[/dim]")


def _load_average() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


if __name__ == "__main__":
    began = time.monotonic()
    code = 0
    try:
        app()
    except SystemExit as done:  # click ends every run with one
        if isinstance(done.code, str):
            errors.print(done.code)
        code = done.code if isinstance(done.code, int) else 0 if done.code is None else 1
    errors.print(f"[dim]bench took {time.monotonic() - began:.0f} s[/dim]")
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # the SDK can crash at exit while a client is referenced (sdk-python issue 300)

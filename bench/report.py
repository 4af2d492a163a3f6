"""The targets, and the table the benchmark prints."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from bench.cohort import CohortFigures
from bench.histories import CycleCost
from bench.launch import TEMPORAL_BLOB_LIMIT
from bench.pages import MAX_BYTES, P95_TARGET_MS
from bench.plain import PlainFigures
from bench.stats import Latencies
from peercoach.output import console, table

if TYPE_CHECKING:
    from bench.__main__ import Bench, PagesBench
    from bench.simulate import SimulateBench


class Target(BaseModel):
    name: str
    value: float
    limit: float
    at_least: bool  # the value must be >= limit (else <=)

    @property
    def met(self) -> bool:
        return self.value >= self.limit if self.at_least else self.value <= self.limit


class Targets(BaseModel):
    launch_vs_plain_starts: Target
    move_p50_vs_plain_update_p50: Target  # one at a time
    move_p50_vs_plain_update_p50_busy: Target  # `concurrency` at a time
    history_events_per_cycle: Target

    @staticmethod
    def judge(plain: PlainFigures, cohort: CohortFigures, cycle: CycleCost) -> Targets:
        return Targets(
            launch_vs_plain_starts=Target(
                name="cohort launch throughput / plain start throughput",
                value=cohort.launch_per_s / plain.starts_per_s,
                limit=0.8,
                at_least=True,
            ),
            move_p50_vs_plain_update_p50=Target(
                name="move p50 / plain Update p50, one at a time",
                value=cohort.move_one_at_a_time_ms.p50 / plain.update_one_at_a_time_ms.p50,
                limit=1.3,
                at_least=False,
            ),
            move_p50_vs_plain_update_p50_busy=Target(
                name=f"move p50 / plain Update p50, {cohort.concurrency} at a time",
                value=cohort.move_ms.p50 / plain.update_ms.p50,
                limit=1.3,
                at_least=False,
            ),
            history_events_per_cycle=Target(
                name="history events per partnership cycle (most of any)", value=cycle.history_events_max, limit=150, at_least=False
            ),
        )

    def all(self) -> list[Target]:
        return [
            self.launch_vs_plain_starts,
            self.move_p50_vs_plain_update_p50,
            self.move_p50_vs_plain_update_p50_busy,
            self.history_events_per_cycle,
        ]


def _n(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value:,.{digits}f}"


def _task_times(waited: Latencies, worked: Latencies) -> str:
    return f"p50 {waited.p50:.0f} / {worked.p50:.0f}, p95 {waited.p95:.0f} / {worked.p95:.0f}"


def show(b: Bench) -> None:
    p, c, cy, m = b.plain, b.cohort, b.cycle, b.memory
    launching, moving = b.cohort_launching, b.cohort_moving
    console.print(
        f"[bold]Benchmark[/bold] {b.at:%Y-%m-%d %H:%M} UTC, {b.cpus} CPUs, {b.server}; load average before {b.load_average.get('before')}, "
        f"after {b.load_average.get('after')}. {c.concurrency} calls in flight at a time in both halves."
    )
    ratio = lambda mine, theirs: _n(mine / theirs, 2)  # noqa: E731
    one, plain_one = c.move_one_at_a_time_ms, p.update_one_at_a_time_ms
    rows: list[list[Any]] = [
        [
            "workflows started /s",
            _n(p.starts_per_s),
            _n(c.launch_per_s),
            ratio(c.launch_per_s, p.starts_per_s),
            f"launch: {c.workflows_launched} workflows",
        ],
        [
            "Update round trip ms, one at a time: p50",
            _n(plain_one.p50),
            _n(one.p50),
            ratio(one.p50, plain_one.p50),
            f"{plain_one.count} / {one.count} Updates",
        ],
        ["  p95", _n(plain_one.p95), _n(one.p95), ratio(one.p95, plain_one.p95), ""],
        ["  p99", _n(plain_one.p99), _n(one.p99), ratio(one.p99, plain_one.p99), ""],
        [
            f"Updates /s, {c.concurrency} at a time",
            _n(p.updates_per_s),
            _n(c.moves_per_s),
            ratio(c.moves_per_s, p.updates_per_s),
            f"{p.update_ms.count} / {c.move_ms.count} Updates",
        ],
        ["  p50 ms", _n(p.update_ms.p50), _n(c.move_ms.p50), ratio(c.move_ms.p50, p.update_ms.p50), ""],
        ["  p95 ms", _n(p.update_ms.p95), _n(c.move_ms.p95), ratio(c.move_ms.p95, p.update_ms.p95), ""],
        ["  p99 ms", _n(p.update_ms.p99), _n(c.move_ms.p99), ratio(c.move_ms.p99, p.update_ms.p99), ""],
        [
            "worker / server CPU ms per workflow started",
            f"{p.cpu_ms_per_start['worker']:.1f} / {p.cpu_ms_per_start['server']:.1f}",
            f"{c.cpu_ms_per_workflow_launched['worker']:.1f} / {c.cpu_ms_per_workflow_launched['server']:.1f}",
            "",
            "plain: until its first task is done; this program: until the launch reports done",
        ],
        [
            "worker CPU ms per Update",
            _n(p.cpu_ms_per_update["worker"]),
            _n(c.cpu_ms_per_move["worker"]),
            ratio(c.cpu_ms_per_move["worker"], p.cpu_ms_per_update["worker"]),
            "plain: with its completion; this program: with everything a move causes",
        ],
        [
            "server CPU ms per Update",
            _n(p.cpu_ms_per_update["server"]),
            _n(c.cpu_ms_per_move["server"]),
            ratio(c.cpu_ms_per_move["server"], p.cpu_ms_per_update["server"]),
            "",
        ],
        ["workflows completed /s", _n(p.completions_per_s), "", "", "plain: start to completion"],
        ["worker peak RSS MB", _n(m.plain_worker), _n(m.worker), "", ""],
        ["server peak RSS MB", _n(m.server_after_plain), _n(m.server), "", "this program's column: peak over the whole run"],
    ]
    console.print(table(f"Plain Temporal ({p.workflows} workflows) and this program ({c.coaches} coaches, {c.partnerships} partnerships)",
                        ["", "plain", "this program", "ratio", ""], rows))  # fmt: skip

    cost = [
        ["history events", f"{cy.history_events_mean:.1f} (most {cy.history_events_max})"],
        ["billable actions", f"{cy.actions_mean:.1f}: " + ", ".join(f"{k} {v:g}" for k, v in cy.actions_by_kind.items())],
        ["partnership workflow tasks per move", f"{cy.workflow_tasks_per_move:.2f}"],
        ["partnership task: waited / worked ms", _task_times(cy.task_wait_ms, cy.task_work_ms)],
        ["partnership's first task worked ms", f"p50 {cy.first_task_work_ms.p50:.0f}, p95 {cy.first_task_work_ms.p95:.0f}"],
        [
            "one at a time, task worked ms: plain / partnership",
            f"p50 {b.plain_tasks_one_at_a_time.work_ms.p50:.1f} / {b.partnership_tasks_one_at_a_time.work_ms.p50:.1f}, "
            f"p95 {b.plain_tasks_one_at_a_time.work_ms.p95:.1f} / {b.partnership_tasks_one_at_a_time.work_ms.p95:.1f}",
        ],
        ["cohort, per move: workflow tasks, signals", f"{moving.tasks_per_unit:.2f}, {moving.signals_per_unit:.2f}"],
        [
            "cohort, per workflow launched: tasks, signals",
            f"{launching.tasks_per_unit:.2f}, {launching.signals_per_unit:.2f} ({launching.events} events in {launching.runs} runs)",
        ],
        ["cohort task while launching: waited / worked ms", _task_times(launching.task_wait_ms, launching.task_work_ms)],
        ["cohort task while moving: waited / worked ms", _task_times(moving.task_wait_ms, moving.task_work_ms)],
        [
            "launch / unlock / moves / settle s",
            f"{c.launch_s:.1f} / {c.unlock_s:.1f} / {c.moves_s:.1f} / {c.settled_after_last_move_s:.1f}",
        ],
    ]
    console.print(table("One partnership cycle (launched, unlocked, initiate .. reflect, closed), mean per partnership", ["", ""], cost))

    verdicts = [
        [t.name, _n(t.value, 2), f"{'>=' if t.at_least else '<='} {t.limit:g}", "pass" if t.met else "MISS"] for t in b.targets.all()
    ]
    console.print(table("Targets", ["", "measured", "target", ""], verdicts))


def show_pages(b: PagesBench) -> None:
    """`python -m bench pages`: the pages with pass/miss against their targets, then the big launch."""
    console.print(
        f"[bold]Pages benchmark[/bold] {b.at:%Y-%m-%d %H:%M} UTC, {b.cpus} CPUs, {b.server}; "
        f"load average before {b.load_average.get('before')}, after {b.load_average.get('after')}."
    )
    if b.pages is not None:
        f, s = b.pages, b.pages.setup
        cohorts = ", ".join(f"{c.cohort} ({c.coaches} coaches, {c.workflows} workflows, launched in {c.launch_s:.0f} s)" for c in s.cohorts)
        console.print(
            f"Database: {f.database}. Cohorts: {cohorts}. {s.attendance_updates:,} attendance Updates in {s.attendance_s:.0f} s "
            f"(coaching unlocked {s.unlock_wait_s:.0f} s after), {s.moves:,} moves in {s.moves_s:.0f} s "
            f"(p50 {s.move_ms.p50:.0f} ms, p95 {s.move_ms.p95:.0f} ms), read model caught up {s.caught_up_s:.0f} s after the last. "
            f"Timed cohort's partnerships by stage: {', '.join(f'{k} {v}' for k, v in s.by_stage.items())}; "
            f"its outbox: {s.outbox_rows:,} messages."
        )
        rows: list[list[Any]] = []
        for page in f.pages:
            cpu = page.cpu_ms_per_request
            verdict = "pass" if page.fast and page.small else "MISS" + ("" if page.status == 200 else f" ({page.status})")
            rows.append(
                [
                    page.page,
                    page.path,
                    _n(page.ms.p50, 0),
                    _n(page.ms.p95, 0),
                    _n(page.ms.max, 0),
                    f"{page.bytes / 1000:,.1f}",
                    f"{cpu.get('web', 0):.0f} / {cpu.get('worker', 0):.0f} / {cpu.get('server', 0):.0f}",
                    verdict,
                ]
            )
        title = (
            f"Pages, {f.requests} requests each one at a time after {f.warmup} warm-up "
            f"(targets: p95 < {P95_TARGET_MS:.0f} ms, < {MAX_BYTES / 1000:.0f} KB)"
        )
        console.print(table(title, ["page", "path", "p50 ms", "p95 ms", "max ms", "KB", "CPU ms/request web / worker / server", ""], rows))
        queries = [[q.query, _n(q.ms.p50, 1), _n(q.ms.p95, 1)] for q in f.queries]
        console.print(
            table("The reads behind the pages, in the benchmark's process (no HTTP, no template)", ["", "p50 ms", "p95 ms"], queries)
        )
        peak = f.peak_rss_mb
        console.print(f"Peak RSS MB: web {_n(peak.get('web'), 0)}, worker {_n(peak.get('worker'), 0)}, server {_n(peak.get('server'), 0)}")
    if b.launch is not None:
        la = b.launch
        settled = f"{la.settled_s:.0f} s" if la.settled_s is not None else f"not within the timeout ({la.unsettled:,} still unpublished)"
        ratio = f"{la.launch_per_s / la.plain_starts_per_s:.2f}" if la.plain_starts_per_s else ""
        rows = [
            ["roster", f"{la.coaches:,} coaches, {la.schools:,} schools, {la.partnerships:,} partnerships, {la.roster_rows:,} rows"],
            ["workflows launched", f"{la.workflows:,} (and the cohort's own)"],
            ["roster read (CSV loader)", f"{la.roster_read_s:.1f} s"],
            ["launch_cohort returned (roster stored, cohort started)", f"{la.stored_s:.1f} s"],
            ["every workflow started", f"{la.launch_s:.0f} s: {la.launch_per_s:,.1f} workflows/s"],
            [
                f"plain Temporal starts, same server ({la.plain_workflows} workflows)",
                f"{_n(la.plain_starts_per_s)} /s; ratio launch / plain {ratio}" if la.plain_starts_per_s else "not measured",
            ],
            [
                "worker / server CPU ms per workflow launched",
                f"{la.cpu_ms_per_workflow.get('worker', 0):.1f} / {la.cpu_ms_per_workflow.get('server', 0):.1f}",
            ],
            ["every partnership and ledger in the read model", settled],
            [
                "worker / server CPU ms per workflow, until then",
                f"{la.cpu_ms_per_workflow_settled.get('worker', 0):.1f} / {la.cpu_ms_per_workflow_settled.get('server', 0):.1f}",
            ],
            [
                f"partnership's first workflow task, {la.sampled_partnerships} sampled: waited / worked ms",
                f"p50 {la.first_task_wait_ms.p50:,.0f} / {la.first_task_work_ms.p50:,.0f}, "
                f"p95 {la.first_task_wait_ms.p95:,.0f} / {la.first_task_work_ms.p95:,.0f}",
            ],
            ["cohort workflow", f"{la.cohort_runs} runs, {la.cohort_events:,} history events"],
            [
                "peak RSS MB worker / server",
                f"{_n(la.peak_rss_mb.get('worker'), 0)} / {_n(la.peak_rss_mb.get('server'), 0)}",
            ],
        ]
        for p in la.largest_payloads:
            rows.append([f"payload: {p.event} {p.field} (run {p.run})", f"{p.bytes:,} bytes"])
        largest = la.largest_payloads[0].bytes if la.largest_payloads else 0
        rows.append(["largest payload / Temporal's 2 MB limit", f"{largest / TEMPORAL_BLOB_LIMIT:.2%}"])
        console.print(table(f"Launch of {la.coaches:,} coaches: completed", ["", ""], rows))


def show_simulate(b: SimulateBench) -> None:
    """`python -m bench simulate`: each run's wall time against its target, beside the figure from before the virtual clock."""
    console.print(
        f"[bold]Simulate benchmark[/bold] {b.at:%Y-%m-%d %H:%M} UTC, {b.cpus} CPUs; "
        f"load average before {b.load_average.get('before')}, after {b.load_average.get('after')}."
    )
    rows: list[list[Any]] = []
    for run in b.runs:
        target = run.target_s
        if not run.finished:
            verdict = f"MISS: {run.reason}"
        elif target is None:
            verdict = ""
        else:
            verdict = "pass" if run.wall_s < target else "MISS"
        rows.append(
            [
                f"{run.coaches:,} coaches, seed {run.seed}",
                f"{run.wall_s:,.1f}",
                "" if target is None else f"< {target:,.0f}",
                _n(run.cpu_s),
                _n(run.peak_rss_mb, 0),
                "" if run.moves is None else f"{run.partnerships:,} partnerships, {run.moves:,} moves, {run.notices:,} notices",
                verdict,
            ]
        )
    console.print(
        table("peercoach simulate --json, one process each", ["year", "wall s", "target s", "CPU s", "peak RSS MB", "", ""], rows)
    )
    same = {True: "yes", False: "NO: the same seed printed different JSON", None: "not known (a run did not finish)"}[b.identical]
    console.print(f"Two runs with the same seed printed the same JSON, byte for byte: {same}")
    console.print(f"Before (measured before the simulator played the processes on a virtual clock): {b.before}")

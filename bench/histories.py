"""What a partnership cycle costs in Temporal: history events, billable actions, workflow tasks.

Actions are counted from the histories the way Temporal Cloud bills them
(docs.temporal.io/cloud/actions), each once:

- workflow started: WorkflowExecutionStarted (a child's start is billed once, here on the child);
- timer started: TimerStarted (`wait_condition(timeout=...)` starts one);
- activity: each ActivityTaskScheduled, plus each retry (the final ActivityTaskStarted's attempt - 1);
- signal: each SignalExternalWorkflowExecutionInitiated (sent by this workflow), and each
  WorkflowExecutionSignaled (received: sent on its behalf by the cohort or a client);
- update: each WorkflowExecutionUpdateAccepted (the benchmark makes no refused Updates;
  Cloud bills those too, and they leave no history);
- search attribute upsert: each UpsertWorkflowSearchAttributes (those given at start are free);
- memo upsert: each WorkflowPropertiesModified (counted to be safe: a cost estimate should not be low);
- child workflow: StartChildWorkflowExecutionInitiated is not counted again (see the first line).

Workflow tasks are not billed; they are counted because each one is a round trip to
the worker and a write to the server.
"""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import UTC, datetime

from pydantic import BaseModel
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client, WorkflowHistory

from bench.stats import Latencies, bounded

E = EventType
BILLED = {
    E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED: "workflow started",
    E.EVENT_TYPE_TIMER_STARTED: "timers",
    E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: "activities",
    E.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED: "signals sent",
    E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED: "signals received",
    E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED: "updates",
    E.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: "search attribute upserts",
    E.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED: "memo upserts",
}


def actions(events: list[HistoryEvent]) -> Counter[str]:
    counted: Counter[str] = Counter()
    for e in events:
        if e.event_type in BILLED:
            counted[BILLED[e.event_type]] += 1
        elif e.event_type == E.EVENT_TYPE_ACTIVITY_TASK_STARTED and e.activity_task_started_event_attributes.attempt > 1:
            counted["activity retries"] += e.activity_task_started_event_attributes.attempt - 1
    return counted


def task_times(events: list[HistoryEvent]) -> tuple[list[float], list[float]]:
    """(seconds each workflow task waited to be picked up, seconds the worker took with it)."""
    by_id = {e.event_id: e for e in events}
    waited, worked = [], []
    for e in events:
        if e.event_type == E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
            a = e.workflow_task_completed_event_attributes
            started, scheduled = by_id.get(a.started_event_id), by_id.get(a.scheduled_event_id)
            if started is not None and scheduled is not None:
                waited.append((started.event_time.ToDatetime() - scheduled.event_time.ToDatetime()).total_seconds())
                worked.append((e.event_time.ToDatetime() - started.event_time.ToDatetime()).total_seconds())
    return waited, worked


class TaskTimes(BaseModel):
    """Workflow tasks of some workflows: how many each, how long each waited for a worker and how long the worker took."""

    workflows: int
    tasks_per_workflow: float
    wait_ms: Latencies
    work_ms: Latencies


async def workflow_tasks(client: Client, workflow_ids: list[str], start: datetime, end: datetime, concurrency: int) -> TaskTimes:
    """The workflow tasks of these workflows scheduled between `start` and `end`."""
    histories = await bounded(concurrency, [_events(client, wid) for wid in workflow_ids])
    waited, worked = [], []
    for events in histories:
        w, k = task_times(_between(events, start, end))
        waited += w
        worked += k
    return TaskTimes(
        workflows=len(histories),
        tasks_per_workflow=len(worked) / len(histories),
        wait_ms=Latencies.of(waited),
        work_ms=Latencies.of(worked),
    )


class CycleCost(BaseModel):
    """One partnership's whole life: launched, unlocked, six moves (initiate .. reflect, closed)."""

    partnerships: int
    history_events_mean: float
    history_events_max: int
    actions_mean: float
    actions_by_kind: dict[str, float]  # mean per partnership
    events_by_type: dict[str, float]  # mean per partnership
    workflow_tasks_per_move: float
    task_wait_ms: Latencies
    task_work_ms: Latencies
    first_task_work_ms: Latencies  # each partnership's first workflow task, right after the launch started it


class CohortCost(BaseModel):
    """What the cohort workflow did in a window of time (the launch, or the moves), in all and per unit of work."""

    runs: int
    per: int  # units of work in the window: workflows launched, or moves made
    events: int
    workflow_tasks: int
    events_by_type: dict[str, int]
    task_wait_ms: Latencies
    task_work_ms: Latencies

    @property
    def tasks_per_unit(self) -> float:
        return self.workflow_tasks / self.per

    @property
    def signals_per_unit(self) -> float:
        return self.events_by_type.get("workflow_execution_signaled", 0) / self.per


def _between(events: list[HistoryEvent], start: datetime, end: datetime) -> list[HistoryEvent]:
    start, end = start.astimezone(UTC).replace(tzinfo=None), end.astimezone(UTC).replace(tzinfo=None)  # event times are naive UTC
    return [e for e in events if start <= e.event_time.ToDatetime() <= end]


async def _events(client: Client, workflow_id: str, run_id: str | None = None) -> list[HistoryEvent]:
    history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
    return list(history.events)


async def cycle_cost(client: Client, workflow_ids: list[str], moves_each: int, concurrency: int) -> CycleCost:
    histories = await bounded(concurrency, [_events(client, wid) for wid in workflow_ids])
    sizes = [len(h) for h in histories]
    kinds: Counter[str] = Counter()
    types: Counter[str] = Counter()
    waited, worked, first = [], [], []
    tasks = 0
    for events in histories:
        kinds += actions(events)
        types.update(E.Name(e.event_type).removeprefix("EVENT_TYPE_").lower() for e in events)
        w, k = task_times(events)
        waited += w
        worked += k
        first += k[:1]
        tasks += len(k)
    n = len(histories)
    return CycleCost(
        partnerships=n,
        history_events_mean=statistics.mean(sizes),
        history_events_max=max(sizes),
        actions_mean=sum(kinds.values()) / n,
        actions_by_kind={k: v / n for k, v in sorted(kinds.items())},
        events_by_type={k: v / n for k, v in types.most_common()},
        workflow_tasks_per_move=tasks / (n * moves_each),
        task_wait_ms=Latencies.of(waited),
        task_work_ms=Latencies.of(worked),
        first_task_work_ms=Latencies.of(first),
    )


async def cohort_cost(client: Client, cohort_workflow_id: str, per: int, start: datetime, end: datetime) -> CohortCost:
    """Every run of the cohort (it continues as new), events between `start` and `end` only."""
    runs = [wf.run_id async for wf in client.list_workflows(f"WorkflowId = '{cohort_workflow_id}'")]
    events: list[HistoryEvent] = []
    waited, worked = [], []
    for run_id in runs:  # event ids start again at 1 in every run
        in_window = _between(await _events(client, cohort_workflow_id, run_id), start, end)
        w, k = task_times(in_window)
        waited += w
        worked += k
        events += in_window
    types = Counter(E.Name(e.event_type).removeprefix("EVENT_TYPE_").lower() for e in events)
    return CohortCost(
        runs=len(runs),
        per=per,
        events=len(events),
        workflow_tasks=len(worked),
        events_by_type=dict(types.most_common()),
        task_wait_ms=Latencies.of(waited),
        task_work_ms=Latencies.of(worked),
    )


async def every_run(client: Client, workflow_id: str) -> list[WorkflowHistory]:
    """All runs of a workflow id, first run first, following continue-as-new back from the newest."""
    histories = [await client.get_workflow_handle(workflow_id).fetch_history()]
    while True:
        started = histories[-1].events[0].workflow_execution_started_event_attributes
        if not started.continued_execution_run_id:
            return histories[::-1]
        histories.append(await client.get_workflow_handle(workflow_id, run_id=started.continued_execution_run_id).fetch_history())

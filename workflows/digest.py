"""The daily digests: one message a day to each person with notices held for it (domain/preferences.py).

A Temporal Schedule (`digest_schedule`, made idempotently when a worker starts) starts this
workflow at the digest hour in the program's time zone. That run names the day and starts
the day's own run as a child with the id `digests/<task queue>/<day>`, which Temporal starts
once a day: a second trigger the same day (the schedule catching up, or someone pressing
"trigger") finds it started or done and ends. The day's run sends each person's digest by
an activity whose outbox key is `digest:<email>:<day>`, so an activity retried after a
worker died sends the same message at most again, never a second digest.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta

from pydantic import BaseModel
from temporalio import workflow
from temporalio.client import (
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleCalendarSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
)
from temporalio.common import RetryPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

with workflow.unsafe.imports_passed_through():
    from domain.preferences import digest_day

HELD_RECIPIENTS = "held_recipients"
SEND_DIGEST = "send_digest"
AT_ONCE = 20  # digests sent side by side: a day's run for thousands of people keeps a short history per step
DIGEST_RETRY = RetryPolicy(initial_interval=timedelta(seconds=2), backoff_coefficient=2.0, maximum_interval=timedelta(minutes=10))
ONE_DIGEST = timedelta(seconds=60)  # gathering, one message, and marking


class DigestRun(BaseModel):
    """The schedule's run names the schedule (its day's run is found by it) and the zone; the day's run (its child)
    names the day and the time it gathers up to too."""

    schedule: str
    timezone: str
    day: date | None = None
    until: datetime | None = None


class HeldUntil(BaseModel):
    until: datetime


class DigestOrder(BaseModel):
    """One person's digest of one day: every notice held for them up to `until`."""

    recipient: str
    day: date
    until: datetime


def schedule_id(task_queue: str) -> str:
    return f"digests/{task_queue}"


def day_id(schedule: str, day: date) -> str:
    return f"{schedule}/{day.isoformat()}"


@workflow.defn
class DigestWorkflow:
    @workflow.run
    async def run(self, order: DigestRun) -> int:
        """How many digests went out (0 when the day's run had started already)."""
        if order.day is None:
            return await self._start_day(order)
        until = order.until or workflow.now()
        people: list[str] = await workflow.execute_activity(
            HELD_RECIPIENTS, HeldUntil(until=until), result_type=list[str], start_to_close_timeout=ONE_DIGEST, retry_policy=DIGEST_RETRY
        )
        sent = 0
        for start in range(0, len(people), AT_ONCE):
            orders = [DigestOrder(recipient=p, day=order.day, until=until) for p in people[start : start + AT_ONCE]]
            results = await asyncio.gather(
                *(
                    workflow.execute_activity(
                        SEND_DIGEST,
                        o,
                        result_type=int,
                        start_to_close_timeout=ONE_DIGEST,
                        heartbeat_timeout=ONE_DIGEST,
                        schedule_to_close_timeout=timedelta(hours=20),  # before the next day's digest
                        retry_policy=DIGEST_RETRY,
                    )
                    for o in orders
                )
            )
            sent += sum(results)
        return sent

    async def _start_day(self, order: DigestRun) -> int:
        now = workflow.now()
        day = digest_day(now, order.timezone)
        try:
            return await workflow.execute_child_workflow(
                DigestWorkflow.run,
                DigestRun(schedule=order.schedule, timezone=order.timezone, day=day, until=now),
                id=day_id(order.schedule, day),
                id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
            )
        except WorkflowAlreadyStartedError:
            workflow.logger.info("the day's digests were started already", extra={"day": day.isoformat()})
            return 0


def digest_schedule(task_queue: str, hour: int, timezone: str) -> Schedule:
    """Every day at `hour` o'clock in `timezone`; a run missed while Temporal was away is made up within the day."""
    return Schedule(
        action=ScheduleActionStartWorkflow(
            DigestWorkflow.run,
            DigestRun(schedule=schedule_id(task_queue), timezone=timezone),
            id=schedule_id(task_queue),
            task_queue=task_queue,
        ),
        spec=ScheduleSpec(
            calendars=[ScheduleCalendarSpec(hour=[ScheduleRange(hour)], minute=[ScheduleRange(0)], second=[ScheduleRange(0)])],
            time_zone_name=timezone,
        ),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=timedelta(hours=12)),
    )

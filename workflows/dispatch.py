"""Carrying out a process's effects without making the person who acted wait.

Update handlers answer as soon as the process has decided; the notices, the
read-model write and the messages to other workflows go out in the background.
Before a run completes or continues as new it waits until everything dispatched
has settled, so nothing is dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

from activities.names import (
    PUBLISH_LEDGER,
    PUBLISH_PARTNERSHIP,
    PUBLISH_SCHOOL,
    PUBLISH_TRAINING,
    SEND_NOTICE,
    PartnershipPublished,
    TrainingPublished,
)

with workflow.unsafe.imports_passed_through():
    from domain.cohort import PartnershipSummary, TrainingSummary
    from domain.notices import Notice
    from domain.processes.effects import Effects, Message
    from domain.release import ReleaseLedgerRecord
    from domain.school_year import SchoolYearSummary

# Where a message goes: the target workflow's id and the signal method that takes it (each workflow knows its own).
Route = Callable[[str, Message], tuple[str, Any]]

# An SMTP server that is down for a while, or answers 4xx, must not lose a message: retry with
# backoff (2 s doubling to 10 minutes) for up to three days, then log it as undeliverable.
# A permanent refusal is not an error at all: send_notice marks it and returns (docs/mail.md).
NOTICE_RETRY = RetryPolicy(initial_interval=timedelta(seconds=2), backoff_coefficient=2.0, maximum_interval=timedelta(minutes=10))
NOTICE_GIVE_UP = timedelta(days=3)
# One message: connecting and each SMTP command answer within the worker's SMTP timeout (10 s by default),
# and the outbox's claim and mark are a transaction each. An attempt that stops heartbeating for this long,
# or outlives this for each of its recipients, is retried; the outbox skips those already sent.
ONE_MESSAGE = timedelta(seconds=30)


DATABASE_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), backoff_coefficient=2.0, maximum_interval=timedelta(minutes=5))


class Dispatch:
    def __init__(self, at_once: int | None = None) -> None:
        """`at_once`: how many activities may be in flight together. A workflow that may ask for thousands at one
        moment (an offering's deadline tells every applicant) stays under the server's limit of pending activities."""
        self._tasks: set[asyncio.Task[None]] = set()
        self._room = asyncio.Semaphore(at_once) if at_once else None

    def carry_out(self, cohort: str, effects: Effects[Any], route: Route | None = None) -> None:
        """Everything but the reply and the bookings (a ledger books, and waits for it, itself)."""
        for notice in effects.notices:
            self.notify(notice)
        if effects.summary is not None:
            self._publish_summary(cohort, effects.summary)
        for message in effects.messages:
            assert route is not None, f"{type(message.event).__name__} has no route"
            workflow_id, signal = route(cohort, message)
            self.signal(workflow_id, signal, message.event)

    def _publish_summary(self, cohort: str, summary: Any) -> None:
        if isinstance(summary, PartnershipSummary):
            self.publish(PUBLISH_PARTNERSHIP, PartnershipPublished(cohort=cohort, summary=summary))
        elif isinstance(summary, TrainingSummary):
            self.publish(PUBLISH_TRAINING, TrainingPublished(cohort=cohort, summary=summary))
        elif isinstance(summary, ReleaseLedgerRecord):
            self.publish(PUBLISH_LEDGER, summary)
        elif isinstance(summary, SchoolYearSummary):
            self.publish(PUBLISH_SCHOOL, summary)

        else:
            raise TypeError(f"no read model takes {type(summary).__name__}")

    def notify(self, notice: Notice) -> None:
        self._spawn(self._notify(notice))

    def publish(self, activity: str, published: Any) -> None:
        """Keep the read model in step; each write carries a revision, so they may land in any order."""
        self._spawn(self._publish(activity, published))

    def signal(self, workflow_id: str, signal: Any, *args: Any) -> None:
        """Signal another workflow by its signal method."""
        self._spawn(self._signal(workflow_id, signal, args))

    async def settled(self) -> None:
        """Let every handler finish (a decision waits for its booking) and everything dispatched go out."""
        while True:
            await workflow.wait_condition(workflow.all_handlers_finished)
            await workflow.wait_condition(lambda: not self._tasks)
            if workflow.all_handlers_finished():
                return

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _notify(self, notice: Notice) -> None:
        async with self._room or contextlib.nullcontext():
            await self._send(notice)

    async def _send(self, notice: Notice) -> None:
        try:
            await workflow.execute_activity(
                SEND_NOTICE,
                notice,
                start_to_close_timeout=ONE_MESSAGE * (len(set(notice.to)) + 1),  # and one for a refusal's word to the coordinators
                heartbeat_timeout=ONE_MESSAGE,
                schedule_to_close_timeout=NOTICE_GIVE_UP,
                retry_policy=NOTICE_RETRY,
            )
        except ActivityError as err:
            workflow.logger.error("notice undeliverable", extra={"key": notice.key, "error": str(err.cause)})

    async def _publish(self, activity: str, published: Any) -> None:
        # No end to retrying: a database that is down for a while must not leave a page behind for good.
        async with self._room or contextlib.nullcontext():
            await workflow.execute_activity(activity, published, start_to_close_timeout=timedelta(seconds=30), retry_policy=DATABASE_RETRY)

    async def _signal(self, workflow_id: str, signal: Any, args: tuple[Any, ...]) -> None:
        try:
            await workflow.get_external_workflow_handle(workflow_id).signal(signal, args=args)
        except Exception as err:  # the target has closed: nobody is left to tell
            workflow.logger.warning("signal not delivered", extra={"workflow": workflow_id, "signal": signal.__name__, "error": str(err)})

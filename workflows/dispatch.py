"""Notices and signals a workflow sends without making the person who acted wait.

Update handlers answer as soon as the machine has moved; the messages that
follow go out in the background. Before a run completes or continues as new it
waits until everything dispatched has settled, so nothing is dropped.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

from activities.names import SEND_NOTICE

with workflow.unsafe.imports_passed_through():
    from domain.notices import Notice

# An SMTP server that is down for a while must not lose a message: retry with
# backoff for up to three days, then log it as undeliverable.
NOTICE_RETRY = RetryPolicy(initial_interval=timedelta(seconds=2), backoff_coefficient=2.0, maximum_interval=timedelta(minutes=10))


DATABASE_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), backoff_coefficient=2.0, maximum_interval=timedelta(minutes=5))


class Dispatch:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def notify(self, notice: Notice) -> None:
        self._spawn(self._notify(notice))

    def publish(self, activity: str, published: Any) -> None:
        """Keep the read model in step; each write carries a revision, so they may land in any order."""
        self._spawn(self._publish(activity, published))

    def signal(self, workflow_id: str, signal: str, *args: Any) -> None:
        self._spawn(self._signal(workflow_id, signal, args))

    async def settled(self) -> None:
        await workflow.wait_condition(lambda: not self._tasks)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _notify(self, notice: Notice) -> None:
        try:
            await workflow.execute_activity(
                SEND_NOTICE,
                notice,
                start_to_close_timeout=timedelta(seconds=60),
                schedule_to_close_timeout=timedelta(days=3),
                retry_policy=NOTICE_RETRY,
            )
        except ActivityError as err:
            workflow.logger.error("notice undeliverable", extra={"key": notice.key, "error": str(err.cause)})

    async def _publish(self, activity: str, published: Any) -> None:
        # No end to retrying: a database that is down for a while must not leave a page behind for good.
        await workflow.execute_activity(activity, published, start_to_close_timeout=timedelta(seconds=30), retry_policy=DATABASE_RETRY)

    async def _signal(self, workflow_id: str, signal: str, args: tuple[Any, ...]) -> None:
        try:
            await workflow.get_external_workflow_handle(workflow_id).signal(signal, args=args)
        except Exception as err:  # the target has closed: nobody is left to tell
            workflow.logger.warning("signal not delivered", extra={"workflow": workflow_id, "signal": signal, "error": str(err)})

"""The start_workflows activity: a cohort's schools, coaches and partnerships get workflows of their own.

They are started from an activity, not as child workflows, so that they belong to no
run of the cohort: the cohort continues as new many times a year, and a child that
outlives the run that started it reports its end to a run that is gone (Temporal's
time-skipping test server then stops its clock for good: sdk-java issue 1539).
Idempotent by workflow id: a workflow already started by an earlier attempt counts as started.
"""

from __future__ import annotations

import asyncio

from temporalio import activity
from temporalio.client import Client
from temporalio.common import SearchAttributeKey, SearchAttributePair, TypedSearchAttributes
from temporalio.exceptions import WorkflowAlreadyStartedError

from activities.names import START_WORKFLOWS, WorkflowStart

AT_ONCE = 16  # starts in flight at a time


class WorkflowStarts:
    def __init__(self, client: Client):
        self.client = client

    @activity.defn(name=START_WORKFLOWS)
    async def start_workflows(self, orders: list[WorkflowStart]) -> int:
        """Start each workflow unless it already runs; returns how many were started now."""
        gate = asyncio.Semaphore(AT_ONCE)

        async def start(order: WorkflowStart) -> bool:
            attributes = [SearchAttributePair(SearchAttributeKey.for_keyword(k), v) for k, v in order.attributes.items()]
            async with gate:
                try:
                    await self.client.start_workflow(
                        order.workflow,
                        order.input,
                        id=order.id,
                        task_queue=order.task_queue,
                        search_attributes=TypedSearchAttributes(attributes),
                    )
                    return True
                except WorkflowAlreadyStartedError:
                    return False

        return sum(await asyncio.gather(*(start(order) for order in orders)))

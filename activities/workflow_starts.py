"""The activities that start and close a cohort's workflows: its schools, coaches and partnerships get workflows of their own.

They are started from an activity, not as child workflows, so that they belong to no
run of the cohort: the cohort continues as new many times a year, and a child that
outlives the run that started it reports its end to a run that is gone (Temporal's
time-skipping test server then stops its clock for good: sdk-java issue 1539).
Each batch's records are read from the stored roster here, so the cohort's history
holds batch numbers, not people. Idempotent by workflow id: a workflow already
started by an earlier attempt counts as started.
"""

from __future__ import annotations

import asyncio

from temporalio import activity
from temporalio.client import Client
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from activities.names import (
    CLOSE_LEDGERS,
    LEDGER_WORKFLOW,
    PARTNERSHIP_WORKFLOW,
    SCHOOL_WORKFLOW,
    START_COHORT_WORKFLOWS,
    TELL_TRAININGS,
    TRAINING_WORKFLOW,
    CohortStarts,
    TrainingsToTell,
)
from domain.processes.ledger import YearClosed
from domain.roster import Role
from store import members
from store.database import Database
from store.launch import Entity, batch_entities
from workflows import ids
from workflows import search_attributes as sa
from workflows.release_ledger import ReleaseLedgerWorkflow
from workflows.training import TrainingWorkflow

AT_ONCE = 16  # starts (or signals) in flight at a time
COACHES_PER_PAGE = 500
WORKFLOW = {
    "release": (LEDGER_WORKFLOW, ids.ledger_id),
    "school": (SCHOOL_WORKFLOW, ids.school_id),
    "training": (TRAINING_WORKFLOW, ids.training_id),
}


class WorkflowStarts:
    def __init__(self, client: Client, database: Database):
        self.client = client
        self.database = database

    @activity.defn(name=START_COHORT_WORKFLOWS)
    async def start_cohort_workflows(self, starts: CohortStarts) -> int:
        """Start each workflow of the batch unless it already runs; returns how many were started now."""
        program, entities = await asyncio.to_thread(batch_entities, self.database, starts.cohort, starts.batch)
        gate = asyncio.Semaphore(AT_ONCE)
        program_json = program.model_dump(mode="json")

        async def start(entity: Entity) -> bool:
            name, workflow_id = WORKFLOW.get(entity.kind, (PARTNERSHIP_WORKFLOW, ids.partnership_id))
            attributes = [SearchAttributePair(sa.COHORT, starts.cohort), SearchAttributePair(sa.SCHOOL, entity.school)]
            if entity.coach is not None:
                attributes.append(SearchAttributePair(sa.COACH, entity.coach))
            async with gate:
                try:
                    await self.client.start_workflow(
                        name,
                        {"record": entity.record.model_dump(mode="json"), "program": program_json},
                        id=workflow_id(starts.cohort, entity.key),
                        task_queue=starts.task_queue,
                        search_attributes=TypedSearchAttributes(attributes),
                    )
                    return True
                except WorkflowAlreadyStartedError:
                    return False

        return sum(await asyncio.gather(*(start(entity) for entity in entities)))

    @activity.defn(name=CLOSE_LEDGERS)
    async def close_ledgers(self, cohort: str) -> int:
        """The year is over: tell every school's ledger (a ledger that has ended already needs no telling)."""
        schools = await asyncio.to_thread(members.schools, self.database, cohort)
        gate = asyncio.Semaphore(AT_ONCE)

        async def close(school: str) -> bool:
            async with gate:
                try:
                    await self.client.get_workflow_handle_for(ReleaseLedgerWorkflow.run, ids.ledger_id(cohort, school)).signal(
                        ReleaseLedgerWorkflow.close, YearClosed()
                    )
                    return True
                except RPCError as err:
                    if err.status != RPCStatusCode.NOT_FOUND:
                        raise
                    return False

        return sum(await asyncio.gather(*(close(s.id) for s in schools)))

    @activity.defn(name=TELL_TRAININGS)
    async def tell_trainings(self, told: TrainingsToTell) -> int:
        """A session moved: tell every coach's training year, a page of coaches at a time (a year that has ended
        needs no telling; one told twice takes the change once, by its sequence)."""
        gate = asyncio.Semaphore(AT_ONCE)

        async def tell(coach: str) -> bool:
            async with gate:
                try:
                    handle = self.client.get_workflow_handle_for(TrainingWorkflow.run, ids.training_id(told.cohort, coach))
                    await handle.signal(TrainingWorkflow.session_changed, told.moved)
                    return True
                except RPCError as err:
                    if err.status != RPCStatusCode.NOT_FOUND:
                        raise
                    return False

        told_now, offset = 0, 0
        while True:
            page = await asyncio.to_thread(members.people, self.database, told.cohort, Role.coach, limit=COACHES_PER_PAGE, offset=offset)
            told_now += sum(await asyncio.gather(*(tell(p.email) for p in page.rows)))
            activity.heartbeat(offset)
            offset += len(page.rows)
            if not page.rows or offset >= page.total:
                return told_now

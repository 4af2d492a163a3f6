"""Activities that keep the database in step with the workflows: the read model, and roster changes.

Each is idempotent: a publish carries its record's revision and never moves a row
backwards, and a roster change is recorded once (a retry after it committed finds it
done). The time of a change is Temporal's clock: when the workflow scheduled the activity.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.names import (
    PUBLISH_LEDGER,
    PUBLISH_PARTNERSHIP,
    PUBLISH_TRAINING,
    RECORD_PARTICIPANT,
    RECORD_PARTNERSHIP,
    RECORD_SESSION_MOVE,
    RECORD_WITHDRAWAL,
    SUMMARIZE_COHORT,
    ParticipantToRecord,
    PartnershipPublished,
    PartnershipToRecord,
    SessionMoveToRecord,
    TrainingPublished,
    WithdrawalToRecord,
)
from domain.cohort import CohortSummary, Departure, PartnershipSummary
from domain.problems import Refused
from domain.release import ReleaseLedgerRecord
from store import read_model, rosters, sessions
from store.database import Database

T = TypeVar("T")


class ReadModelActivities:
    def __init__(self, database: Database):
        self.database = database

    @activity.defn(name=PUBLISH_TRAINING)
    async def publish_training(self, published: TrainingPublished) -> bool:
        return await asyncio.to_thread(read_model.publish_training, self.database, published.cohort, published.summary)

    @activity.defn(name=PUBLISH_PARTNERSHIP)
    async def publish_partnership(self, published: PartnershipPublished) -> bool:
        return await asyncio.to_thread(read_model.publish_partnership, self.database, published.cohort, published.summary)

    @activity.defn(name=PUBLISH_LEDGER)
    async def publish_ledger(self, record: ReleaseLedgerRecord) -> bool:
        return await asyncio.to_thread(read_model.publish_ledger, self.database, record)

    @activity.defn(name=RECORD_PARTICIPANT)
    async def record_participant(self, added: ParticipantToRecord) -> int:
        version = await self._change(rosters.record_participant, added.cohort, added.person, added.by)
        return version.version

    @activity.defn(name=RECORD_PARTNERSHIP)
    async def record_partnership(self, added: PartnershipToRecord) -> int:
        version = await self._change(rosters.record_partnership, added.cohort, added.partnership, added.by)
        return version.version

    @activity.defn(name=RECORD_SESSION_MOVE)
    async def record_session_move(self, moved: SessionMoveToRecord) -> int:
        version = await self._change(rosters.record_session_move, moved.cohort, moved.move, moved.by)
        return version.version

    @activity.defn(name=RECORD_WITHDRAWAL)
    async def record_withdrawal(self, withdrawn: WithdrawalToRecord) -> Departure:
        """Record who left, sign them out, and say who they were (the cohort decides which partnerships end)."""
        at = activity.info().scheduled_time
        role, school = await self._change(rosters.record_withdrawal, withdrawn.cohort, withdrawn.email, withdrawn.reason, withdrawn.by)
        # Whoever has left is signed out at once; a page they still have open cannot act for them.
        await asyncio.to_thread(sessions.end_sessions_of, self.database, withdrawn.email, at)
        found = await asyncio.to_thread(read_model.partnerships_of, self.database, withdrawn.cohort, withdrawn.email)
        return Departure(role=role, school=school, partnerships=[PartnershipSummary.model_validate(p.model_dump()) for p in found])

    @activity.defn(name=SUMMARIZE_COHORT)
    async def summarize_cohort(self, cohort: str) -> CohortSummary:
        """The year's summary, once the read model holds every training's and partnership's end (retried until it does)."""
        summary = await asyncio.to_thread(read_model.close_cohort, self.database, cohort, activity.info().scheduled_time)
        if summary is None:
            raise ApplicationError(f"the read model of {cohort} has not caught up with the year's end yet", type="NotCaughtUp")
        return summary

    async def _change(self, record: Callable[..., T], *args: Any) -> T:
        """A roster change, stamped with Temporal's time of asking; the database's refusal (a taken email or id) is final."""
        try:
            return await asyncio.to_thread(record, self.database, *args, activity.info().scheduled_time)
        except Refused as refused:
            raise ApplicationError(refused.reason, non_retryable=True) from None

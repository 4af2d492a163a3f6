"""Activities that keep the database in step with the workflows: the read model, and roster changes.

Each is idempotent: a publish carries its record's revision and never moves a row
backwards, and a roster change is recorded once (a retry after it committed finds it
done). The time of a change is Temporal's clock, passed in by the workflow's order.
"""

from __future__ import annotations

import asyncio

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.names import (
    PUBLISH_LEDGER,
    PUBLISH_PARTNERSHIP,
    PUBLISH_TRAINING,
    RECORD_PARTICIPANT,
    RECORD_WITHDRAWAL,
    ParticipantAdded,
    ParticipantWithdrawn,
    PartnershipPublished,
    TrainingPublished,
)
from domain.problems import Refused
from domain.release import ReleaseLedgerRecord
from store import read_model, rosters, sessions
from store.database import Database


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
    async def record_participant(self, added: ParticipantAdded) -> int:
        at = activity.info().scheduled_time
        try:
            version = await asyncio.to_thread(rosters.record_participant, self.database, added.cohort, added.person, added.by, at)
        except Refused as refused:
            raise ApplicationError(refused.reason, non_retryable=True) from None
        return version.version

    @activity.defn(name=RECORD_WITHDRAWAL)
    async def record_withdrawal(self, withdrawn: ParticipantWithdrawn) -> int:
        at = activity.info().scheduled_time
        version = await asyncio.to_thread(rosters.record_withdrawal, self.database, withdrawn.cohort, withdrawn.email, withdrawn.by, at)
        # Whoever has left is signed out at once; a page they still have open cannot act for them.
        await asyncio.to_thread(sessions.end_sessions_of, self.database, withdrawn.email, at)
        return version.version

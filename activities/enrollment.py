"""Activities of an offering's spring: its state and changed applications into the database, and each essay."""

from __future__ import annotations

import asyncio

from temporalio import activity

from activities.names import PUBLISH_APPLICATIONS, RECORD_ESSAY, EssayToRecord
from domain.offering_record import OfferingSummary
from store import applications
from store.database import Database


class EnrollmentActivities:
    def __init__(self, database: Database):
        self.database = database

    @activity.defn(name=PUBLISH_APPLICATIONS)
    async def publish_applications(self, summary: OfferingSummary) -> bool:
        return await asyncio.to_thread(applications.publish, self.database, summary)

    @activity.defn(name=RECORD_ESSAY)
    async def record_essay(self, essay: EssayToRecord) -> None:
        await asyncio.to_thread(applications.record_essay, self.database, essay.offering, essay.application, essay.why)

"""Activities of a school's year: its summary into the read model, and self-assessment answers, sealed."""

from __future__ import annotations

import asyncio

from temporalio import activity

from activities.names import PUBLISH_SCHOOL, RECORD_SELF_ASSESSMENT, AnswersToRecord
from domain.school_year import SchoolYearSummary
from store import school_year
from store.database import Database
from store.sealed import Sealer


class SchoolYearActivities:
    def __init__(self, database: Database, sealer: Sealer):
        self.database = database
        self.sealer = sealer

    @activity.defn(name=PUBLISH_SCHOOL)
    async def publish_school(self, summary: SchoolYearSummary) -> bool:
        return await asyncio.to_thread(school_year.publish_school, self.database, summary)

    @activity.defn(name=RECORD_SELF_ASSESSMENT)
    async def record_self_assessment(self, given: AnswersToRecord) -> None:
        """Stamped with Temporal's time of asking: a retry records the same moment."""
        g = given
        at = activity.info().scheduled_time
        await asyncio.to_thread(
            school_year.record_answers, self.database, self.sealer, g.cohort, g.school, g.email, g.role, g.round, g.answers, at
        )

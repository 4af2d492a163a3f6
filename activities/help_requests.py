"""The activity of just-in-time help: a help request's row kept in step with its workflow, the answer sealed."""

from __future__ import annotations

import asyncio

from temporalio import activity

from activities.names import RECORD_HELP_REQUEST, HelpToRecord
from store import help_requests
from store.database import Database
from store.sealed import Sealer


class HelpActivities:
    def __init__(self, database: Database, sealer: Sealer):
        self.database = database
        self.sealer = sealer

    @activity.defn(name=RECORD_HELP_REQUEST)
    async def record_help_request(self, given: HelpToRecord) -> bool:
        """Whether the row moved forward (a retried or late write of an older revision does not)."""
        return await asyncio.to_thread(help_requests.publish, self.database, self.sealer, given.record, given.answer)

"""The door's way to the engine: settings -> Temporal client -> CoachingClient."""

from __future__ import annotations

import asyncio

from peercoach.client import CoachingClient
from store.database import Database
from workers.settings import Settings
from workers.worker import connect


async def coaching_client(settings: Settings) -> CoachingClient:
    database = await asyncio.to_thread(Database.open, settings.database)
    return CoachingClient(await connect(settings), settings.task_queue, database)

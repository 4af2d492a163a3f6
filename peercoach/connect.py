"""The door's way to the engine: settings -> Temporal client -> CoachingClient."""

from __future__ import annotations

from peercoach.client import CoachingClient
from workers.settings import Settings
from workers.worker import connect


async def coaching_client(settings: Settings) -> CoachingClient:
    return CoachingClient(await connect(settings), settings.task_queue)

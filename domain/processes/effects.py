"""What a long-running part of the program decides, and what it asks to have done.

Each process (a partnership's cycle, a coach's training year, a school's release
ledger, a cohort) is pure: given its record, an event (a person's request, its
wake-up time arriving, a message from another process) and the time, it changes
the record and returns `Effects`: the notices to send, the messages for other
processes, the bookings to make, the processes to start, the summary to publish, and when it next needs
waking. It refuses with `Refused`, worded once, before changing anything.

Two things carry the effects out: a Temporal workflow per process (`workflows/`),
and the simulator's discrete-event loop (`peercoach/simulation/`). Neither decides
anything of its own, so both play the same year.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Generic, TypeVar

from pydantic import BaseModel

from domain.launch import LaunchBatch
from domain.notices import Notice

Reply = TypeVar("Reply")

# A wake-up that is already due when an event asks for it is taken this much later, by both carriers: a workflow
# waits for it on a short timer (a zero one is no wait at all), and the simulator does the same to play the same year.
SOONEST = timedelta(seconds=1)


class ProcessKind(StrEnum):
    cohort = "cohort"
    training = "training"
    partnership = "partnership"
    ledger = "ledger"
    school = "school"  # a school's year: plan, self-assessments, year 2


@dataclass(frozen=True)
class Recipient:
    """A process of the same cohort: a training by coach email, a partnership by id, a ledger or school by school id."""

    kind: ProcessKind
    key: str


@dataclass
class Message:
    """An event for another process of the same cohort."""

    to: Recipient
    event: BaseModel


@dataclass
class Effects(Generic[Reply]):
    """What one event decided. `reply` answers the person who asked; the rest is carried out after."""

    reply: Reply
    wake_at: datetime | None  # when to wake the process next, if nothing else does first; None: only events do
    done: bool = False  # the process has nothing left to do: its workflow completes
    notices: list[Notice] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    bookings: list[BaseModel] = field(default_factory=list)  # substitute cover to book (a ledger's approved requests)
    starts: list[LaunchBatch] = field(default_factory=list)  # processes to start (a cohort's new training or partnership)
    summary: BaseModel | None = None  # what the pages show of the record now, to publish to the read model

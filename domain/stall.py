"""When a stage has sat too long: the stall chain (follow up, then escalate).

The clock of a stage starts when the partnership enters it (or, while waiting to
begin, when coaching unlocks). After the stage's threshold the first link of the
program's stall chain fires; each further link fires its own delay after the one
before. Any move resets the chain.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.cycle import PartnershipRecord, Stage
from domain.program import Audience, Program, StallStep


def next_stall_step(record: PartnershipRecord, program: Program) -> tuple[datetime, StallStep] | None:
    """When the next link of the chain is due for the current stage, or None if nothing is due."""
    if not record.is_open or record.stage_since is None:
        return None
    if record.stage == Stage.pending and not record.coaching_unlocked:
        return None  # nobody can move it yet, so it cannot stall
    sent = record.stall.steps_sent
    if sent >= len(program.stall_chain):
        return None
    step = program.stall_chain[sent]
    since = record.stage_since if sent == 0 else (record.stall.last_step_at or record.stage_since)
    days = step.after_days if step.after_days is not None else program.stall_days[record.stage]
    return program.next_follow_up_time(since + timedelta(days=days)), step


def record_stall_step(record: PartnershipRecord, step: StallStep, at: datetime) -> None:
    stall = record.stall
    if stall.stalled_since is None:
        stall.stalled_since = at
    stall.steps_sent += 1
    stall.last_step_at = at
    if step.kind == "escalation":
        stall.escalations += 1
    else:
        stall.follow_ups += 1


def stall_audience(record: PartnershipRecord, step: StallStep) -> list[str]:
    people: list[str] = []
    for audience in step.notify:
        if audience == Audience.coach:
            people.append(record.coach)
        elif audience == Audience.partners:
            people.extend(record.partners)
        elif audience == Audience.coordinator:
            people.extend(record.coordinators)
        elif audience == Audience.principal:
            people.append(record.principal)
    return list(dict.fromkeys(people))

"""The principal's year-2 decision: after the last session, for each partnership and coach in the building,
continue, expand (more teachers) or conclude, with a reason.

The principal decides from what the building's pages show: stages, cycles completed, goals
met and the school's tier movement (when the group is large enough). Decisions are kept for
next year's cohort. A principal may change a decision; the last one counts.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel

from domain.problems import Refused

REASON_MAX_CHARS = 500


class YearTwoChoice(StrEnum):
    continue_ = "continue"
    expand = "expand"  # the same, with more teachers
    conclude = "conclude"

    @property
    def label(self) -> str:
        return {"continue": "Continue", "expand": "Expand (more teachers)", "conclude": "Conclude"}[self.value]


GOING_ON = (YearTwoChoice.continue_, YearTwoChoice.expand)  # the partnership or coach carries on next year


def partnership_subject(pid: str) -> str:
    return f"partnership:{pid}"


def coach_subject(email: str) -> str:
    return f"coach:{email}"


class YearTwoAnswer(BaseModel):
    """A principal's decision as they send it."""

    actor: str
    subject: str  # partnership:<id> or coach:<email>
    choice: YearTwoChoice
    reason: str


class YearTwoDecision(BaseModel):
    subject: str
    choice: YearTwoChoice
    reason: str
    decided_by: str
    decided_at: datetime


def check_answer(answer: YearTwoAnswer, principal: str, subjects: list[str], opens: datetime, now: datetime) -> None:
    if answer.actor != principal:
        raise Refused("only the school's principal decides its year 2")
    if now < opens:
        raise Refused(f"year 2 is decided after the last session; the decisions open on {opens:%A %B %-d, %Y}")
    if answer.subject not in subjects:
        raise Refused(f"{answer.subject} is not a partnership or coach of this school")
    reason = answer.reason.strip()
    if not reason:
        raise Refused("give a reason for the decision: the coaches and next year's cohort read it")
    if len(reason) > REASON_MAX_CHARS:
        raise Refused(f"the reason is {len(reason)} characters; it is at most {REASON_MAX_CHARS}")


def decided(answer: YearTwoAnswer, at: datetime) -> YearTwoDecision:
    return YearTwoDecision(
        subject=answer.subject, choice=answer.choice, reason=answer.reason.strip(), decided_by=answer.actor, decided_at=at
    )

"""Just-in-time help: a collaborating teacher's quick question to their coach, and the coach's answer.

A teacher who is stuck asks the coach of one of their partnerships ("stuck on the exit ticket for
Thursday's lesson"). The coach answers it, or points the teacher elsewhere (a colleague, a resource),
with a few words either way. Each question is answered once, by that coach alone.

If it is still unanswered at the end of the next school day after it was asked (the program's
school days and time zone), the coach is reminded, once, the next school morning. Nothing
escalates: this is help, not evaluation, and nobody else hears of it. A question left open for
`OPEN_FOR` is closed quietly, so no request waits for ever.

The question and the answer are the teacher's and the coach's: sealed in the database, never in a
read model, a notice kept in the outbox, a principal's or a coordinator's page. What others may
ever see is a count: the help a coach gave, in the portfolio the coach chooses to share.

A question may ask for focused time: the teacher or the coach may then ask for release time for
it, through the release ledger's own form (prefilled here, checked there).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import TypeVar

from pydantic import BaseModel

from domain import notices
from domain.cohort import PartnershipSummary
from domain.cycle import Stage
from domain.problems import Refused
from domain.processes.effects import Effects
from domain.program import Program
from domain.roster import Role

QUESTION_MAX_CHARS = 1000  # a quick question, not a lesson plan: a plan goes in the partnership's notes or artifacts
ANSWER_MAX_CHARS = 2000
OPEN_FOR = timedelta(days=30)  # an unanswered question is closed quietly after this, never escalated
ENDED = (Stage.closed, Stage.withdrawn)

R = TypeVar("R")

ONLY_TEACHERS = "only a collaborating teacher of this partnership asks its coach for help here"
SEEN_BY = "just-in-time help is between a collaborating teacher and their coach: nobody else sees it"
NOT_THEIRS = "that is not one of your help requests"


class HelpStatus(StrEnum):
    open = "open"
    answered = "answered"
    closed = "closed"  # left open for OPEN_FOR, closed without an answer


class AnswerKind(StrEnum):
    answered = "answered"
    pointed_elsewhere = "pointed_elsewhere"

    @property
    def label(self) -> str:
        return "Answered" if self == AnswerKind.answered else "Pointed elsewhere"


class HelpRecord(BaseModel):
    """One question as its workflow keeps it: who asked whom and when, and how it went; never the words."""

    cohort: str
    id: str
    partnership: str
    teacher: str
    coach: str
    asked_at: datetime
    focused_time: bool = False  # the teacher needs focused time: release time may be asked for it
    status: HelpStatus = HelpStatus.open
    remind_at: datetime | None = None
    reminded_at: datetime | None = None
    answer_kind: AnswerKind | None = None
    answered_at: datetime | None = None
    revision: int = 0  # orders its writes to the database: a row only moves forward


class HelpRequest(HelpRecord):
    """A question as its teacher and coach read it: the record with its words, opened from the database."""

    question: str
    answer: str | None = None


class HelpAnswer(BaseModel):
    actor: str
    kind: AnswerKind
    text: str


def kept_text(text: str, what: str, most: int) -> str:
    """The words as kept (line breaks as a browser's form counts them), or refused with what to change."""
    kept = text.replace("\r\n", "\n").strip()
    if not kept:
        raise Refused(f"write the {what}; it is empty")
    if len(kept) > most:
        raise Refused(f"the {what} is at most {most} characters; this one has {len(kept)}. Shorten it and send it again")
    return kept


def may_ask(role: Role) -> bool:
    """Whom the pages offer "Ask my coach" to; `check_ask` decides each question."""
    return role == Role.teacher


def may_answer(role: Role) -> bool:
    return role == Role.coach


def open_to_questions(partnership: PartnershipSummary) -> bool:
    return partnership.stage not in ENDED


def is_theirs(request: HelpRecord, email: str) -> bool:
    """The teacher who asked and the coach asked: nobody else sees a question, whatever their role."""
    return email in (request.teacher, request.coach)


def check_ask(partnership: PartnershipSummary, actor: str, question: str) -> str:
    """Only a collaborating teacher of the partnership asks, while it runs; the question as kept."""
    if actor not in partnership.partners:
        raise Refused(ONLY_TEACHERS)
    if not open_to_questions(partnership):
        raise Refused(f"this partnership is {partnership.stage.label}; ask your coach in person, or your coordinator")
    return kept_text(question, "question", QUESTION_MAX_CHARS)


def check_open(record: HelpRecord) -> None:
    """A question is answered once; one closed unanswered is not answered late (the teacher asks again)."""
    if record.status == HelpStatus.answered:
        raise Refused("this question is answered already; write to your teacher in your partnership's notes to add to it")
    if record.status == HelpStatus.closed:
        raise Refused(f"this question was closed unanswered after {OPEN_FOR.days} days; your teacher may ask again")


def reminder_due(program: Program, asked_at: datetime) -> datetime:
    """When an unanswered question is reminded: once the next school day after it was asked has ended, at the morning
    hour of the school day after that, so a coach hears of it on a working morning (asked on a Friday afternoon:
    Monday ends, Tuesday morning)."""
    next_school_day = program.school_day_from(program.local_date(asked_at) + timedelta(days=1))
    working_morning = program.school_day_from(next_school_day + timedelta(days=1))
    return program.next_follow_up_time(program.end_of_day(working_morning - timedelta(days=1)))


class HelpProcess:
    def __init__(self, program: Program):
        self.program = program

    def start(self, record: HelpRecord, now: datetime) -> Effects[None]:
        """The coach hears of the question at once; the reminder waits for the end of the next school day."""
        record.remind_at = reminder_due(self.program, record.asked_at)
        effects = self._effects(record, None)
        effects.notices.append(notices.help_asked(record.cohort, record.id, record.teacher, record.coach, record.focused_time))
        return effects

    def wake(self, record: HelpRecord, now: datetime) -> Effects[None]:
        if record.status != HelpStatus.open:
            return self._effects(record, None, publish=False)
        if now >= record.asked_at + OPEN_FOR:
            record.status = HelpStatus.closed
            return self._effects(record, None)
        if record.reminded_at is not None or record.remind_at is None or now < record.remind_at:
            return self._effects(record, None, publish=False)
        record.reminded_at = now
        effects = self._effects(record, None)
        asked_on = self.program.local_date(record.asked_at)
        effects.notices.append(notices.help_reminder(record.cohort, record.id, record.teacher, record.coach, asked_on))
        return effects

    def check_answer(self, record: HelpRecord, answer: HelpAnswer) -> str:
        """Only the coach asked answers, once; the answer as kept."""
        if answer.actor != record.coach:
            raise Refused(f"only the coach asked ({record.coach}) answers this question")
        check_open(record)
        return kept_text(answer.text, "answer", ANSWER_MAX_CHARS)

    def answer(self, record: HelpRecord, answer: HelpAnswer, now: datetime) -> Effects[HelpRecord]:
        """The teacher hears of the answer (its words go in their message, never in the outbox); the request is done."""
        text = self.check_answer(record, answer)
        record.status, record.answer_kind, record.answered_at = HelpStatus.answered, answer.kind, now
        effects = self._effects(record, record)  # it changes no more: the request is done
        effects.notices.append(notices.help_answered(record.cohort, record.id, record.teacher, record.coach, answer.kind.label, text))
        return effects

    def _effects(self, record: HelpRecord, reply: R, publish: bool = True) -> Effects[R]:
        """Woken next for the reminder, then for closing; `publish`: the record changed, and its row is written again."""
        done = record.status != HelpStatus.open
        wake_at = None
        if not done:
            wake_at = record.asked_at + OPEN_FOR if record.reminded_at is not None or record.remind_at is None else record.remind_at
        effects = Effects(reply=reply, wake_at=wake_at, done=done)
        if publish:
            record.revision += 1
            effects.summary = record.model_copy()
        return effects

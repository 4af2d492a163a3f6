"""A cohort's processes in memory, carried out on the virtual clock as the workflows carry them out on Temporal.

The same process classes (domain/processes/), started with the records the launch
builds (domain/launch.py, read from the roster in the order store/launch.py pages it),
and each event's effects carried out as a workflow's are: notices into an outbox kept
as the real one (one row per notice key and recipient), summaries into a read model
that keeps only the newest revision, approved release time booked at once, messages
delivered right after the event that sent them, self-assessment answers kept as the
database keeps them (before the school's process counts them, as its workflow has them
sealed first), and the process's next wake-up put on the timeline. A process that is done has completed its workflow, and is forgotten:
a message for it is dropped and a request to it refused, as Temporal would.
"""

from __future__ import annotations

import itertools
from collections import Counter, deque
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from pydantic import BaseModel

from domain.cohort import CohortState, PartnershipSummary, RosterRef, TrainingSummary
from domain.launch import LaunchBatch, ledger_record, partnership_record, school_year_record, training_record
from domain.notices import Notice
from domain.plans import PlanDraft, SchoolPlan
from domain.problems import Refused
from domain.processes.cohort import EVERY_LEDGER, CohortProcess, CohortRecord
from domain.processes.effects import SOONEST, Effects, Message, ProcessKind, Recipient
from domain.processes.ledger import Decision, LedgerProcess, ReleaseAsk
from domain.processes.partnership import MoveRequest, MoveResult, PartnershipProcess
from domain.processes.school import PlanEndorsement, SchoolProcess, SelfAssessment
from domain.processes.training import AttendanceUpdate, TrainingProcess
from domain.program import Program
from domain.release import BookingOrder, ReleaseLedgerRecord, ReleaseRequest, ledger_of
from domain.roster import PARTICIPANTS, Role, Roster
from domain.school_year import SchoolYearRecord, SchoolYearSummary
from domain.training import COACHING_UNLOCKED, TrainingRecord
from domain.year_two import YearTwoAnswer, YearTwoDecision
from peercoach.simulation.self_assessments import SelfAssessments
from peercoach.simulation.timeline import Timeline
from store.rosters import content_hash

R = TypeVar("R")


class Outbox:
    """Every notice as the real outbox keeps it: one row per notice key and recipient, so a notice sent twice is one."""

    def __init__(self) -> None:
        self._rows: dict[tuple[str, str], str] = {}

    def send(self, notice: Notice) -> None:
        for recipient in notice.to:
            self._rows.setdefault((notice.key, recipient.lower()), notice.kind.value)

    def by_kind(self) -> dict[str, int]:
        return dict(sorted(Counter(self._rows.values()).items()))


class ReadModel:
    """What the processes last published. It starts as the launch stores the roster: every coach enrolled,
    every partnership waiting, at revision 0; a summary older than the one kept changes nothing."""

    def __init__(self, roster: Roster):
        self.trainings = {p.email: TrainingSummary(coach=p.email, name=p.name, school=str(p.school)) for p in roster.with_role(Role.coach)}
        self.partnerships = {
            p.id: PartnershipSummary(id=p.id, coach=p.coach, partners=p.partners, school=p.school, focus=p.focus)
            for p in roster.partnerships
        }
        self.ledgers: dict[str, ReleaseLedgerRecord] = {}
        self.schools: dict[str, SchoolYearSummary] = {}

    def publish(self, summary: BaseModel) -> None:
        if isinstance(summary, PartnershipSummary):
            _forward(self.partnerships, summary.id, summary)
        elif isinstance(summary, TrainingSummary):
            _forward(self.trainings, summary.coach, summary)
        elif isinstance(summary, ReleaseLedgerRecord):
            _forward(self.ledgers, summary.school, summary)
        elif isinstance(summary, SchoolYearSummary):
            _forward(self.schools, summary.school, summary)
        else:
            raise TypeError(f"no read model takes {type(summary).__name__}")


def _forward(rows: dict[str, Any], key: str, summary: Any) -> None:
    kept = rows.get(key)
    if kept is None or kept.revision < summary.revision:
        rows[key] = summary


class SimulatedCohort:
    def __init__(self, cohort: str, program: Program, roster: Roster, timeline: Timeline):
        self.cohort = cohort
        self.program = program
        self.roster = roster
        self.timeline = timeline
        self.outbox = Outbox()
        self.read_model = ReadModel(roster)
        self.self_assessments = SelfAssessments(roster)
        self.launched_at: datetime | None = None
        self.partnership = PartnershipProcess(program)
        self.training = TrainingProcess(program)
        self.ledger = LedgerProcess(program)
        self.school = SchoolProcess(program)
        self.cohort_process = CohortProcess()
        self.processes: dict[ProcessKind, Any] = {
            ProcessKind.cohort: self.cohort_process,
            ProcessKind.training: self.training,
            ProcessKind.partnership: self.partnership,
            ProcessKind.ledger: self.ledger,
            ProcessKind.school: self.school,
        }
        self.records: dict[ProcessKind, dict[str, Any]] = {kind: {} for kind in ProcessKind}
        self._mail: deque[Message] = deque()
        self._bookings = itertools.count(1)

    # -- the launch ------------------------------------------------------------------------

    def launch(self, now: datetime) -> None:
        """The cohort launches, then starts every school's ledger, every coach's training and every partnership."""
        roster = self.roster
        state = CohortState(
            cohort=self.cohort,
            program=self.program,
            roster=RosterRef(
                content_hash=content_hash({"program": self.program.model_dump(mode="json"), "roster": roster.model_dump(mode="json")}),
                schools=len(roster.schools),
                coaches=len(roster.with_role(Role.coach)),
                partnerships=len(roster.partnerships),
            ),
            coordinators=roster.coordinators,
            launched_by=roster.coordinators[0],
        )
        record = CohortRecord(state=state)
        self.records[ProcessKind.cohort][self.cohort] = record
        effects = self.cohort_process.launch(record, now)
        self.launched_at = state.launched_at
        self._carry_out(Recipient(ProcessKind.cohort, self.cohort), effects, now)
        starts = _Starts(self.cohort, self.program, roster, now)
        for batch in effects.reply:
            for kind, key, first in starts.batch(batch, self.read_model):
                self.records[kind][key] = first
                self._carry_out(Recipient(kind, key), self.processes[kind].start(first, now), now)
            self.cohort_process.batch_started(record, batch)
        self._settle(now)

    # -- people's requests, as a door's Updates: the process's check, then the change ----------------

    def record_attendance(self, coach: str, update: AttendanceUpdate, now: datetime) -> TrainingRecord:
        t = self.training
        return self._ask(
            ProcessKind.training, coach, lambda r: t.check_attendance(r, update, now), lambda r: t.record_attendance(r, update, now), now
        )

    def move(self, partnership: str, request: MoveRequest, now: datetime) -> MoveResult:
        p = self.partnership
        return self._ask(ProcessKind.partnership, partnership, lambda r: p.check_move(r, request), lambda r: p.move(r, request, now), now)

    def request_release(self, school: str, ask: ReleaseAsk, now: datetime) -> ReleaseRequest:
        ledger = self.ledger
        return self._ask(
            ProcessKind.ledger, school, lambda r: ledger.check_request(r, ask, now), lambda r: ledger.request_release(r, ask, now), now
        )

    def decide(self, decision: Decision, now: datetime) -> ReleaseRequest:
        _, school = ledger_of(decision.request_id)
        ledger = self.ledger
        return self._ask(
            ProcessKind.ledger, school, lambda r: ledger.check_decision(r, decision), lambda r: ledger.decide(r, decision, now), now
        )

    def write_plan(self, school: str, draft: PlanDraft, now: datetime) -> SchoolPlan:
        s = self.school
        return self._ask(ProcessKind.school, school, lambda r: s.check_plan(r, draft), lambda r: s.write_plan(r, draft, now), now)

    def endorse_plan(self, school: str, endorsement: PlanEndorsement, now: datetime) -> SchoolPlan:
        s = self.school
        return self._ask(
            ProcessKind.school, school, lambda r: s.check_endorsement(r, endorsement), lambda r: s.endorse(r, endorsement, now), now
        )

    def assess(self, school: str, assessment: SelfAssessment, now: datetime) -> int:
        s = self.school

        def answered(record: SchoolYearRecord) -> Effects[int]:
            role = Role.coach if assessment.actor in record.coaches else Role.teacher
            self.self_assessments.record(record.school, assessment.actor, role, assessment.round, assessment.answers)
            return s.assess(record, assessment, now)

        return self._ask(ProcessKind.school, school, lambda r: s.check_assessment(r, assessment, now), answered, now)

    def decide_year_two(self, school: str, answer: YearTwoAnswer, now: datetime) -> YearTwoDecision:
        s = self.school
        return self._ask(ProcessKind.school, school, lambda r: s.check_decision(r, answer, now), lambda r: s.decide(r, answer, now), now)

    def _ask(self, kind: ProcessKind, key: str, check: Callable[[Any], None], change: Callable[[Any], Effects[R]], now: datetime) -> R:
        who = Recipient(kind, key)
        record = self.records[kind].get(key)
        if record is None:
            raise Refused(f"the {kind.value} {key} is not running")  # a door's Update reaches no workflow
        check(record)
        effects = change(record)
        self._carry_out(who, effects, now)
        self._settle(now)
        return effects.reply

    # -- carrying out ------------------------------------------------------------------------------

    def _wake(self, who: Recipient, now: datetime) -> None:
        self._carry_out(who, self.processes[who.kind].wake(self.records[who.kind][who.key], now), now)
        self._settle(now)

    def _carry_out(self, who: Recipient, effects: Effects[Any], now: datetime) -> None:
        for notice in effects.notices:
            self.outbox.send(notice)
        if effects.summary is not None:
            self.read_model.publish(effects.summary)
        self._mail.extend(effects.messages)
        if effects.done:
            del self.records[who.kind][who.key]
            self.timeline.wake(who, None, partial(self._wake, who))
        else:
            wake_at = None if effects.wake_at is None else max(effects.wake_at, now + SOONEST)
            self.timeline.wake(who, wake_at, partial(self._wake, who))
        for order in effects.bookings:  # a ledger's approved request: booked at once, as its workflow books it before answering
            assert isinstance(order, BookingOrder)
            reference = f"SUB-{next(self._bookings)}"
            self._carry_out(who, self.ledger.booked(self.records[who.kind][who.key], order.request.id, reference, now), now)

    def _settle(self, now: datetime) -> None:
        """Deliver every message sent, and every message those sent, at this moment."""
        while self._mail:
            message = self._mail.popleft()
            for who in self._recipients(message.to):
                record = self.records[who.kind].get(who.key)
                if record is not None:
                    self._carry_out(who, self.processes[who.kind].receive(record, message.event, now), now)

    def _recipients(self, to: Recipient) -> list[Recipient]:
        if to.kind == ProcessKind.ledger and to.key == EVERY_LEDGER:
            return [Recipient(ProcessKind.ledger, school) for school in sorted(self.records[ProcessKind.ledger])]
        return [to]


class _Starts:
    """The first record of each process a launch batch starts, as the launch activity builds them from the stored roster."""

    def __init__(self, cohort: str, program: Program, roster: Roster, launched_at: datetime):
        self.cohort = cohort
        self.program = program
        self.launched_at = launched_at
        self.coordinators = sorted(roster.coordinators)
        self.schools = sorted(roster.schools, key=lambda s: s.id)
        self.coaches = sorted(roster.with_role(Role.coach), key=lambda p: p.email)
        self.partnerships = sorted(roster.partnerships, key=lambda p: p.id)
        self.members: dict[str, list[Any]] = {}
        for person in roster.people:
            if person.role in PARTICIPANTS:
                self.members.setdefault(str(person.school), []).append(person)
        self.at_school: dict[str, list[Any]] = {}
        self.of_coach: dict[str, list[str]] = {}
        for p in self.partnerships:
            self.at_school.setdefault(p.school, []).append(p)
            self.of_coach.setdefault(p.coach, []).append(p.id)
        self.principals = {s.id: s.principal for s in roster.schools}

    def batch(self, batch: LaunchBatch, read_model: ReadModel) -> list[tuple[ProcessKind, str, BaseModel]]:
        if batch.kind == "release":  # each school's ledger and its year, as store/launch.py starts them
            started: list[tuple[ProcessKind, str, BaseModel]] = []
            for s in _page(self.schools, lambda s: s.id, batch):
                members, at_school = self.members.get(s.id, []), self.at_school.get(s.id, [])
                started += [
                    (ProcessKind.ledger, s.id, ledger_record(self.cohort, self.program, s, members, at_school)),
                    (ProcessKind.school, s.id, school_year_record(self.cohort, s, members, at_school, self.coordinators, self.launched_at)),
                ]
            return started
        if batch.kind == "training":
            return [
                (ProcessKind.training, c.email, training_record(self.cohort, c, self.coordinators, self.of_coach.get(c.email, [])))
                for c in _page(self.coaches, lambda c: c.email, batch)
            ]
        # A partnership starts unlocked if its coach's training has already published that coaching is unlocked.
        unlocked = {coach for coach, t in read_model.trainings.items() if t.status in COACHING_UNLOCKED}
        return [
            (
                ProcessKind.partnership,
                p.id,
                partnership_record(self.cohort, p, self.principals[p.school], self.coordinators, p.coach in unlocked),
            )
            for p in _page(self.partnerships, lambda p: p.id, batch)
        ]


def _page(rows: list[Any], key: Callable[[Any], str], batch: LaunchBatch) -> list[Any]:
    if batch.ids is not None:
        return [row for row in rows if key(row) in batch.ids]
    return rows[batch.offset : batch.offset + batch.limit]

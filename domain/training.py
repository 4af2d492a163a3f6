"""A coach's training year: eight sessions, attendance, and when coaching unlocks.

    enrolled --(unlock session attended or made up)--> coaching
    coaching --(year over)--> completed        enrolled --(year over)--> incomplete
    enrolled | coaching --(withdraw)--> withdrawn

Attendance for each session is attended, excused or absent; an excused or absent
session can later be made up. Only a coordinator records attendance, and only
once a session has started.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field
from statemachine import State, StateMachine

from domain.problems import Refused
from domain.program import SESSIONS_PER_YEAR, Program, TrainingSession
from domain.roster import is_coordinator


class Attendance(StrEnum):
    attended = "attended"
    excused = "excused"
    absent = "absent"
    made_up = "made_up"


COUNTS_AS_PRESENT = (Attendance.attended, Attendance.made_up)
MISSED = (Attendance.absent, Attendance.excused)  # what a make-up may replace


class AttendanceEntry(BaseModel):
    status: Attendance
    recorded_by: str
    at: datetime


class TrainingStatus(StrEnum):
    enrolled = "enrolled"
    coaching = "coaching"
    completed = "completed"
    incomplete = "incomplete"
    withdrawn = "withdrawn"


OPEN_TRAINING = (TrainingStatus.enrolled, TrainingStatus.coaching)  # the training year is still running
# What "coaching unlocked" means everywhere (a record, its summary, the database's counts): a coach in one of these
# may coach. A coach who withdrew after unlocking is not coaching.
COACHING_UNLOCKED = (TrainingStatus.coaching, TrainingStatus.completed)


class RescheduledSession(BaseModel):
    """A session as a coordinator changed it after the launch, and how many times it has changed."""

    session: TrainingSession
    sequence: int


class TrainingRecord(BaseModel):
    cohort: str
    coach: str
    name: str
    school: str
    coordinators: list[str]
    status: TrainingStatus = TrainingStatus.enrolled
    attendance: dict[int, AttendanceEntry] = Field(default_factory=dict)
    unlocked_at: datetime | None = None
    ended_at: datetime | None = None
    partnerships: list[str] = Field(default_factory=list)  # the coach's, told when coaching unlocks
    # How many events of the year's calendar (domain.program.training_timeline) are behind it, acted on or skipped:
    # the next one is when the year next needs waking.
    calendar_done: int = 0
    rescheduled: dict[int, RescheduledSession] = Field(default_factory=dict)  # by session number
    # Bumped each time the workflow publishes this record, so the read model keeps only the newest (store/read_model.py).
    revision: int = 0

    @property
    def coaching_unlocked(self) -> bool:
        return self.status in COACHING_UNLOCKED


# The validators of recording a session's attendance, and of making one up, in the order their refusals are worded.
RECORDING = ["coordinator_records", "session_exists", "session_started", "not_made_up"]
MAKING_UP = ["coordinator_records", "session_exists", "session_started", "was_missed"]


class TrainingYear(StateMachine):
    """The year as its diagram reads. Each attendance transition's validators say why it is refused."""

    enrolled = State("enrolled", initial=True, value=TrainingStatus.enrolled)
    coaching = State("coaching unlocked", value=TrainingStatus.coaching)
    completed = State("completed", final=True, value=TrainingStatus.completed)
    incomplete = State("incomplete", final=True, value=TrainingStatus.incomplete)
    withdrawn = State("withdrawn", final=True, value=TrainingStatus.withdrawn)

    record_attendance = (
        enrolled.to(coaching, cond="unlocks", validators=RECORDING)
        | enrolled.to.itself(internal=True, validators=RECORDING)
        | coaching.to.itself(internal=True, validators=RECORDING)
    )
    make_up = (
        enrolled.to(coaching, cond="unlocks", validators=MAKING_UP)
        | enrolled.to.itself(internal=True, validators=MAKING_UP)
        | coaching.to.itself(internal=True, validators=MAKING_UP)
    )
    finish = coaching.to(completed) | enrolled.to(incomplete)
    withdraw = withdrawn.from_(enrolled, coaching)

    def __init__(self, record: TrainingRecord, program: Program):
        self.program = program
        super().__init__(model=record, state_field="status")

    @property
    def record(self) -> TrainingRecord:
        return self.model  # type: ignore[no-any-return]

    # Every validator takes the session, the actor and the time (None: not known yet, so not checked), so a
    # refusal can be asked for without recording (`check_attendance`).

    def coordinator_records(self, session: int, actor: str, at: datetime | None = None) -> None:
        if not is_coordinator(self.record.coordinators, actor):
            raise Refused("only a coordinator of the cohort records attendance")

    def session_exists(self, session: int, actor: str, at: datetime | None = None) -> None:
        if not 1 <= session <= SESSIONS_PER_YEAR:
            raise Refused(f"there is no session {session}; sessions are 1 to {SESSIONS_PER_YEAR}")

    def session_started(self, session: int, actor: str, at: datetime | None = None) -> None:
        if at is not None and at < self.program.session_start(session):
            starts_on = self.program.session(session).starts_on
            raise Refused(f"session {session} starts on {starts_on}; attendance can be recorded once it has started")

    def not_made_up(self, session: int, actor: str, at: datetime | None = None) -> None:
        entry = self.record.attendance.get(session)
        if entry is not None and entry.status == Attendance.made_up:
            raise Refused(f"{self.record.coach} already made up session {session}")

    def was_missed(self, session: int, actor: str, at: datetime | None = None) -> None:
        if not needs_make_up(self.record, session):
            raise Refused(f"only a session {self.record.coach} missed (absent or excused) can be made up")

    def unlocks(self, session: int, status: Attendance = Attendance.made_up) -> bool:
        return session == self.program.coaching_unlocks_after and status in COUNTS_AS_PRESENT

    def on_record_attendance(self, session: int, status: Attendance, actor: str, at: datetime) -> None:
        self.record.attendance[session] = AttendanceEntry(status=status, recorded_by=actor, at=at)

    def on_make_up(self, session: int, actor: str, at: datetime) -> None:
        self.record.attendance[session] = AttendanceEntry(status=Attendance.made_up, recorded_by=actor, at=at)

    def on_enter_coaching(self, at: datetime) -> None:
        self.record.unlocked_at = at

    def on_enter_completed(self, at: datetime) -> None:
        self.record.ended_at = at

    on_enter_incomplete = on_enter_completed
    on_enter_withdrawn = on_enter_completed


MACHINE = "_training_year"  # where a record keeps its machine: not a field, so never stored, sent or compared


def _machine(record: TrainingRecord, program: Program) -> TrainingYear:
    """The record's machine, built when first asked for: building one costs more than the event it handles.
    A machine reads the status from its record whenever it is asked, so it stays right however the record
    changes; a copy of the record, or another program, gets a machine of its own."""
    machine = vars(record).get(MACHINE)
    if not isinstance(machine, TrainingYear) or machine.model is not record or machine.program is not program:
        machine = vars(record)[MACHINE] = TrainingYear(record, program)
    return machine


def _attendance_event(status: Attendance) -> str:
    return "make_up" if status == Attendance.made_up else "record_attendance"


def check_attendance(record: TrainingRecord, program: Program, session: int, status: Attendance, actor: str, at: datetime | None) -> None:
    """Refuse unless this attendance may be recorded; `at` None checks everything but the session's start."""
    machine = _machine(record, program)
    event = _attendance_event(status)
    for transition in machine.states_map[record.status].transitions:
        if transition.match(event):  # the same validators guard each of the event's transitions from a state
            for spec in transition.validators:
                getattr(machine, str(spec.func))(session=session, actor=actor, at=at)
            return
    raise Refused(f"{record.coach}'s training year is {record.status.value}; attendance can no longer be recorded")


def record_attendance(record: TrainingRecord, program: Program, session: int, status: Attendance, actor: str, at: datetime) -> bool:
    """Record one session's attendance (in place). True if this unlocked coaching."""
    check_attendance(record, program, session, status, actor, at)
    was_unlocked = record.coaching_unlocked
    machine = _machine(record, program)
    if status == Attendance.made_up:
        machine.send("make_up", session=session, actor=actor, at=at)
    else:
        machine.send("record_attendance", session=session, status=status, actor=actor, at=at)
    return record.coaching_unlocked and not was_unlocked


def finish_year(record: TrainingRecord, program: Program, at: datetime) -> None:
    _machine(record, program).send("finish", at=at)


def withdraw(record: TrainingRecord, program: Program, at: datetime) -> None:
    machine = _machine(record, program)
    if "withdraw" not in {e.id for e in machine.allowed_events}:
        raise Refused(f"{record.coach}'s training year is already {record.status.value}")
    machine.send("withdraw", at=at)


def needs_make_up(record: TrainingRecord, session: int) -> bool:
    entry = record.attendance.get(session)
    return entry is not None and entry.status in MISSED

"""The coaching cycle: every rule of how a partnership moves, in one place.

    waiting -> initiate -> co-plan -> model -> observe -> reflect -> (new cycle | closed)
                 any open stage -> withdrawn (by a coordinator)

Only the partnership's coach moves it; a cycle cannot begin before the coach's
coaching is unlocked (session 5 attended). Partners and the coach may add notes
and artifact links; every move records who, when and an optional note.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from functools import cache
from urllib.parse import urlparse

from pydantic import BaseModel, Field
from statemachine import State, StateMachine
from statemachine.transition import Transition

from domain.problems import Refused
from domain.roster import is_coordinator

NOTE_MAX_CHARS = 4000


class Stage(StrEnum):
    pending = "pending"
    initiate = "initiate"
    co_plan = "co_plan"
    modeling = "modeling"  # shown as "model": python-statemachine reserves the id `model`
    observe = "observe"
    reflect = "reflect"
    closed = "closed"
    withdrawn = "withdrawn"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @classmethod
    def parse(cls, text: str) -> Stage:
        key = text.strip().lower().replace("-", "_").replace(" ", "_")
        for stage in cls:
            if key in (stage.value, stage.label.replace("-", "_").replace(" ", "_")):
                return stage
        names = ", ".join(s.label for s in cls)
        raise Refused(f"unknown stage {text!r}; stages are {names}")


_LABELS = {
    Stage.pending: "waiting",
    Stage.initiate: "initiate",
    Stage.co_plan: "co-plan",
    Stage.modeling: "model",
    Stage.observe: "observe",
    Stage.reflect: "reflect",
    Stage.closed: "closed",
    Stage.withdrawn: "withdrawn",
}
CYCLE_STAGES = [Stage.initiate, Stage.co_plan, Stage.modeling, Stage.observe, Stage.reflect]
OPEN_STAGES = [Stage.pending, *CYCLE_STAGES]


class Move(BaseModel):
    cycle: int
    source: Stage
    target: Stage
    by: str
    at: datetime
    note: str | None = None


class Note(BaseModel):
    author: str
    at: datetime
    stage: Stage
    text: str = Field(max_length=NOTE_MAX_CHARS)
    link: str | None = None


class StallState(BaseModel):
    stalled_since: datetime | None = None
    steps_sent: int = 0  # links of the stall chain already sent for the current stage
    last_step_at: datetime | None = None
    follow_ups: int = 0  # over the partnership's whole life
    escalations: int = 0


class Outcome(StrEnum):
    met = "met"
    partly_met = "partly-met"
    not_met = "not-met"


class CycleGoal(BaseModel):
    """What one cycle set out to improve, named at initiate, and at reflect how it went (domain/goals.py).
    Private to the partnership, like its notes."""

    cycle: int
    lesson: str  # the lesson or unit to improve
    goal: str
    set_by: str
    set_at: datetime
    outcome: Outcome | None = None
    evidence: str | None = None  # what shows it: student work, scores, what was seen
    outcome_by: str | None = None
    outcome_at: datetime | None = None


class PartnershipRecord(BaseModel):
    """Everything the program knows about one partnership. The machine's `stage` lives here."""

    cohort: str
    id: str
    school: str
    coach: str
    partners: list[str]
    focus: str
    school_goal: str | None = None
    coordinators: list[str]
    principal: str
    stage: Stage = Stage.pending
    stage_since: datetime | None = None
    cycle: int = 1
    cycles_completed: int = 0
    coaching_unlocked: bool = False
    moves: list[Move] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list)
    goals: list[CycleGoal] = Field(default_factory=list)  # one per cycle that named one
    stall: StallState = Field(default_factory=StallState)
    # Bumped each time the workflow publishes this record, so the read model keeps only the newest (store/read_model.py).
    revision: int = 0

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES

    @property
    def goals_named(self) -> int:
        return len(self.goals)

    @property
    def goals_met(self) -> int:
        return sum(1 for g in self.goals if g.outcome == Outcome.met)

    @property
    def cycles_completed_at(self) -> list[datetime]:
        """When each completed cycle completed (its move out of reflect), oldest first: one per `cycles_completed`."""
        return [m.at for m in self.moves if completes_cycle(m.source, m.target)]


CYCLE_ENDS = ("new_cycle", "close")  # the machine's events that complete a cycle


class CoachingCycle(StateMachine):
    """The cycle as its diagram reads. Each transition's validators say why a move is refused."""

    pending = State("waiting", initial=True, value=Stage.pending)
    initiate = State("initiate", value=Stage.initiate)
    co_plan = State("co-plan", value=Stage.co_plan)
    modeling = State("model", value=Stage.modeling)
    observe = State("observe", value=Stage.observe)
    reflect = State("reflect", value=Stage.reflect)
    closed = State("closed", final=True, value=Stage.closed)
    withdrawn = State("withdrawn", final=True, value=Stage.withdrawn)

    begin = pending.to(initiate, validators=["coach_moves_it", "coaching_is_unlocked", "note_fits"])
    advance = (
        initiate.to(co_plan, validators=["coach_moves_it", "note_fits"])
        | co_plan.to(modeling, validators=["coach_moves_it", "note_fits"])
        | modeling.to(observe, validators=["coach_moves_it", "note_fits"])
        | observe.to(reflect, validators=["coach_moves_it", "note_fits"])
    )
    new_cycle = reflect.to(initiate, validators=["coach_moves_it", "note_fits"])
    close = reflect.to(closed, validators=["coach_moves_it", "note_fits"])
    withdraw = withdrawn.from_(pending, initiate, co_plan, modeling, observe, reflect, validators=["coordinator_withdraws", "note_fits"])

    def __init__(self, record: PartnershipRecord):
        super().__init__(model=record, state_field="stage")

    @property
    def record(self) -> PartnershipRecord:
        return self.model  # type: ignore[no-any-return]

    # Every validator takes the move's actor and note, so a refusal can be asked for without moving (`_refusal`).

    def coach_moves_it(self, actor: str, note: str | None = None) -> None:
        if actor != self.record.coach:
            raise Refused(f"only the partnership's coach ({self.record.coach}) may move it")

    def coaching_is_unlocked(self, actor: str, note: str | None = None) -> None:
        if not self.record.coaching_unlocked:
            raise Refused("coaching is not unlocked yet: the coach begins after attending the unlock session")

    def coordinator_withdraws(self, actor: str, note: str | None = None) -> None:
        if not is_coordinator(self.record.coordinators, actor):
            raise Refused("only a coordinator of the cohort may withdraw a partnership")

    def note_fits(self, actor: str, note: str | None = None) -> None:
        _check_note(note)

    def after_transition(self, event: str, source: State, target: State, actor: str, at: datetime, note: str | None = None) -> None:
        r = self.record
        r.moves.append(Move(cycle=r.cycle, source=source.value, target=target.value, by=actor, at=at, note=note))
        r.stage_since = at
        r.stall = StallState(follow_ups=r.stall.follow_ups, escalations=r.stall.escalations)
        if event in CYCLE_ENDS:
            r.cycles_completed += 1
        if event == "new_cycle":
            r.cycle += 1


@cache  # asked of every move each time a summary is made: the machine's answer never changes
def completes_cycle(source: Stage, target: Stage) -> bool:
    """Whether a move from `source` to `target` completes a cycle: the machine's `new_cycle` or `close`."""
    return any(
        t.target is not None and t.target.value == target and any(t.match(event) for event in CYCLE_ENDS)
        for t in CoachingCycle.states_map[source].transitions
    )


def starts_new_cycle(source: Stage, target: Stage) -> bool:
    """Whether a move from `source` to `target` is the machine's `new_cycle` (reflect back to initiate)."""
    return any(
        t.target is not None and t.target.value == target and t.match("new_cycle") for t in CoachingCycle.states_map[source].transitions
    )


def _transition_to(machine: CoachingCycle, target: Stage) -> Transition | None:
    """The transition from the current stage to `target`, if the diagram has one."""
    for transition in machine.states_map[machine.record.stage].transitions:
        if transition.target is not None and transition.target.value == target:
            return transition
    return None


def _refusal(machine: CoachingCycle, transition: Transition, actor: str, note: str | None) -> Refused | None:
    """Why the machine's own validators would refuse this transition now, or None: asked without moving."""
    for spec in transition.validators:
        try:
            getattr(machine, str(spec.func))(actor=actor, note=note)
        except Refused as refused:
            return refused
    return None


MACHINE = "_coaching_cycle"  # where a record keeps its machine: not a field, so never stored, sent or compared


def _machine(record: PartnershipRecord) -> CoachingCycle:
    """The record's machine, built when first asked for: building one is most of a move's cost inside the
    workflow sandbox. A machine reads the stage from its record whenever it is asked, so it stays right
    however the record changes; a copy of the record gets a machine of its own."""
    machine = vars(record).get(MACHINE)
    if not isinstance(machine, CoachingCycle) or machine.model is not record:
        machine = vars(record)[MACHINE] = CoachingCycle(record)
    return machine


def allowed_moves(record: PartnershipRecord, actor: str) -> list[Stage]:
    """The stages this person may move the partnership to right now."""
    machine = _machine(record)
    return [
        Stage(t.target.value)
        for t in machine.states_map[record.stage].transitions
        if t.target is not None and _refusal(machine, t, actor, None) is None
    ]


def check_move(record: PartnershipRecord, actor: str, target: Stage, note: str | None = None) -> None:
    """Raise Refused, saying why and what is allowed, unless `actor` may move to `target` now (with this note)."""
    machine = _machine(record)
    transition = _transition_to(machine, target)
    if transition is None:
        raise Refused(_no_way(record.stage, target), [s.label for s in allowed_moves(record, actor)])
    refused = _refusal(machine, transition, actor, note)
    if refused is not None:
        raise Refused(refused.reason, [s.label for s in allowed_moves(record, actor)])


def _no_way(stage: Stage, target: Stage) -> str:
    if target != stage:
        return f"a partnership in {stage.label} cannot move to {target.label}"
    return f"the partnership is already in {stage.label}" if stage in OPEN_STAGES else f"the partnership is already {stage.label}"


def apply_move(record: PartnershipRecord, actor: str, target: Stage, at: datetime, note: str | None = None) -> Move:
    """Move the partnership (in place) and return the recorded move; refuse without changing anything.

    The machine's own validators decide, before any state changes; a refusal is worded with the moves allowed instead.
    """
    machine = _machine(record)
    transition = _transition_to(machine, target)
    if transition is None:
        raise Refused(_no_way(record.stage, target), [s.label for s in allowed_moves(record, actor)])
    try:
        machine.send(str(transition.event), actor=actor, at=at, note=note or None)
    except Refused as refused:
        del vars(record)[MACHINE]  # a machine that failed in an event is not used again
        raise Refused(refused.reason, [s.label for s in allowed_moves(record, actor)]) from None
    except Exception:
        del vars(record)[MACHINE]
        raise
    return record.moves[-1]


def check_note(record: PartnershipRecord, author: str, text: str, link: str | None) -> None:
    if author != record.coach and author not in record.partners:
        raise Refused("only the coach and the collaborating teachers of a partnership may add notes")
    if not record.is_open:
        raise Refused(f"the partnership is {record.stage.label}; notes can no longer be added")
    if not text.strip() and not link:
        raise Refused("a note needs some text or a link")
    _check_note(text)
    if link is not None and not _is_web_address(link):
        raise Refused(f"an artifact link must be an http or https address, got {link[:80]!r}")


def _is_web_address(link: str) -> bool:
    try:
        parsed = urlparse(link)
    except ValueError:  # a broken [IPv6] host, or a host that changes under Unicode normalization
        return False
    return parsed.scheme in ("http", "https") and bool(parsed.netloc) and not any(c in link for c in '\r\n <>"')


def add_note(record: PartnershipRecord, author: str, text: str, link: str | None, at: datetime) -> Note:
    check_note(record, author, text, link)
    note = Note(author=author, at=at, stage=record.stage, text=text.strip(), link=link)
    record.notes.append(note)
    return note


def _check_note(text: str | None) -> None:
    if text is not None and len(text) > NOTE_MAX_CHARS:
        raise Refused(f"a note is at most {NOTE_MAX_CHARS} characters; this one has {len(text)}")


def unlock_coaching(record: PartnershipRecord, at: datetime) -> bool:
    """Mark the coach's coaching unlocked; the waiting stage's stall clock starts now. True if it changed."""
    if record.coaching_unlocked:
        return False
    record.coaching_unlocked = True
    if record.stage == Stage.pending:
        record.stage_since = at
    return True


class BuildingView(BaseModel):
    """What a principal may see of a partnership: stages, dates and counts, never note text."""

    id: str
    school: str
    coach: str
    partners: list[str]
    stage: Stage
    stage_since: datetime | None
    cycle: int
    cycles_completed: int
    moves: list[tuple[Stage, Stage, datetime]]
    notes_count: int
    goals_named: int  # cycles that named a goal, and how many met it: counts, never the words
    goals_met: int
    stalled_since: datetime | None


def building_view(record: PartnershipRecord) -> BuildingView:
    return BuildingView(
        id=record.id,
        school=record.school,
        coach=record.coach,
        partners=record.partners,
        stage=record.stage,
        stage_since=record.stage_since,
        cycle=record.cycle,
        cycles_completed=record.cycles_completed,
        moves=[(m.source, m.target, m.at) for m in record.moves],
        notes_count=len(record.notes),
        goals_named=record.goals_named,
        goals_met=record.goals_met,
        stalled_since=record.stall.stalled_since,
    )

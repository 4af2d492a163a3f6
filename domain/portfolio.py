"""A coach's portfolio: what may go in it, who may see it, and what the coach may put in it of a partnership.

The portfolio is the coach's own: put together from what is already in the program (the
school's coaching plan, the coach's cycles with their goals and outcomes, artifacts), with a
summary the coach writes. The coach picks each item; nothing goes in by default.

What of a partnership is the coach's to share. Coaching is non-evaluative, and what a
collaborating teacher wrote is theirs, so a portfolio carries only

- what the coach wrote: their own notes and the notes on their own moves,
- what the partnership recorded together: each cycle's lesson, goal, outcome and evidence,
  and the partnership's focus and school goal,
- the artifacts the coach added (an artifact a teacher added stays in the partnership),
- the school's coaching plan, without its partnership assignments (which name teachers),
- how many of their teachers' quick questions they answered (just-in-time help): a count, never a question.

A teacher's notes never go in, and no collaborating teacher is named: a cycle says "with a
collaborating teacher", so a portfolio read for an evaluation or a job says nothing about
the teacher, by name, that the teacher did not choose to say.

Who sees it. The coach, and the readers the coach names, who must be people of the same
cohort still in it (a principal, a coordinator, another coach); nobody else, however they
stand in the cohort: a principal or coordinator not named sees nothing of it. The coach may
remove a reader at any time, and the reader no longer sees it. Only the coach exports it
(PDF or HTML): a file leaves the program, and that is the coach's decision alone.

Every refusal is a `Refused` with the reason, before anything is written.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlparse

from pydantic import BaseModel, Field

from domain.cycle import Outcome, PartnershipRecord, Stage, starts_new_cycle
from domain.problems import Refused
from domain.roster import EMAIL, EMAIL_MAX, Person, Role

SUMMARY_MAX_CHARS = 3000  # about a page: what a reader of an evaluation file or a job application reads first
READERS_MAX = 20
PLAN = "plan"  # the key of the school's coaching plan among the chosen items
HELP = "help"  # the key of how many teachers' questions the coach answered (domain/help.py): a count, never a question

NOT_SHARED = "a coach's portfolio is seen only by the coach and the people the coach shares it with"
KEPT_BY_COACHES = "a coaching portfolio is kept by the cohort's coaches"


def cycle_key(partnership: str, cycle: int) -> str:
    return f"cycle:{partnership}:{cycle}"


def artifact_key(artifact: str) -> str:
    return f"artifact:{artifact}"


class Reflection(BaseModel):
    """Something the coach wrote during a cycle: a note, or the note on one of their moves."""

    at: datetime
    stage: Stage
    text: str
    link: str | None = None  # a web address only (`web_address`)


class GoalEntry(BaseModel):
    """A cycle's goal and outcome as the partnership recorded them together."""

    lesson: str
    goal: str
    outcome: Outcome | None = None
    evidence: str | None = None


class CycleEntry(BaseModel):
    """One coaching cycle of one of the coach's partnerships, as a portfolio may show it."""

    key: str
    partnership: str
    cycle: int
    focus: str
    school_goal: str | None = None
    teachers: int  # how many collaborating teachers: counted, never named
    started: datetime
    ended: datetime | None = None
    complete: bool  # closed, or followed by a new cycle
    goal: GoalEntry | None = None
    reflections: list[Reflection] = Field(default_factory=list)

    @property
    def with_whom(self) -> str:
        return "with a collaborating teacher" if self.teachers == 1 else f"with {self.teachers} collaborating teachers"


class ArtifactEntry(BaseModel):
    """An artifact of a cycle: a link, or a file kept in the program (its download address for those who may open it)."""

    key: str
    id: str
    partnership: str
    cycle: int
    stage: Stage
    kind: str  # link | file
    title: str
    link: str | None = None
    file_name: str | None = None
    download: str | None = None
    added_by: str
    added_at: datetime


class PlanEntry(BaseModel):
    """The coach's school's coaching plan, as a portfolio shows it: its goals, the coaches' roles and how the staff hear
    of it. Its partnership assignments name the teachers, so they stay in the plan."""

    school: str
    goals: list[str]
    roles: str
    communication: str
    status: str  # the plan's own word: draft, submitted, endorsed
    endorsed_at: datetime | None = None


class Offer(BaseModel):
    """Everything the coach may put in their portfolio, in the order it is shown."""

    plan: PlanEntry | None = None
    cycles: list[CycleEntry] = Field(default_factory=list)
    artifacts: list[ArtifactEntry] = Field(default_factory=list)
    help_given: int = 0  # just-in-time help: questions answered or pointed elsewhere

    @property
    def keys(self) -> list[str]:
        helped = [HELP] if self.help_given else []
        return ([PLAN] if self.plan else []) + [c.key for c in self.cycles] + [a.key for a in self.artifacts] + helped


class Portfolio(BaseModel):
    """A portfolio as it is read and exported: the items the coach chose, in the order the offer has them."""

    cohort: str
    program: str
    school_year: str
    coach: str
    coach_name: str
    school: str | None = None
    summary: str | None = None
    plan: PlanEntry | None = None
    cycles: list[CycleEntry] = Field(default_factory=list)
    artifacts: list[ArtifactEntry] = Field(default_factory=list)
    titles: dict[str, str] = Field(default_factory=dict)  # partnership id -> how the portfolio names it (its focus)
    help_given: int | None = None  # chosen: how many teachers' questions the coach answered
    updated_at: datetime | None = None

    @property
    def empty(self) -> bool:
        return not (self.summary or self.plan or self.cycles or self.artifacts or self.help_given)


# -- what of a partnership is the coach's to put in ---------------------------------------------


def web_address(link: str | None) -> str | None:
    """A link only if it is a web address: anything else (a `javascript:` address) is never made clickable."""
    if link is None:
        return None
    parsed = urlparse(link.strip())
    return link.strip() if parsed.scheme in ("http", "https") and parsed.netloc else None


def _cycle_at(record: PartnershipRecord, at: datetime) -> int:
    """The cycle the partnership was in at this moment (a note carries its stage, not its cycle)."""
    cycle = 1
    for move in sorted(record.moves, key=lambda m: m.at):
        if move.at > at:
            break
        cycle = move.cycle + 1 if starts_new_cycle(move.source, move.target) else move.cycle
    return cycle


def _ends_cycle(source: Stage, target: Stage) -> bool:
    return target in (Stage.closed, Stage.withdrawn) or starts_new_cycle(source, target)


def cycles_of(record: PartnershipRecord, coach: str) -> list[CycleEntry]:
    """The cycles of this partnership that have begun, with what of each is the coach's to share (nothing if they do
    not coach it)."""
    if record.coach != coach:
        return []
    found = []
    for n in range(1, record.cycle + 1):
        began = [m for m in record.moves if m.target == Stage.initiate and (m.cycle == n - 1 if n > 1 else m.source == Stage.pending)]
        if not began:
            continue
        ended = next((m.at for m in record.moves if m.cycle == n and _ends_cycle(m.source, m.target)), None)
        reflections = [
            Reflection(at=m.at, stage=m.target, text=m.note) for m in record.moves if m.cycle == n and m.by == coach and m.note
        ] + [
            Reflection(at=note.at, stage=note.stage, text=note.text, link=web_address(note.link))
            for note in record.notes
            if note.author == coach and _cycle_at(record, note.at) == n
        ]
        goal = next((g for g in record.goals if g.cycle == n), None)
        found.append(
            CycleEntry(
                key=cycle_key(record.id, n),
                partnership=record.id,
                cycle=n,
                focus=record.focus,
                school_goal=record.school_goal,
                teachers=len(record.partners),
                started=began[0].at,
                ended=ended,
                complete=n <= record.cycles_completed,
                goal=GoalEntry(lesson=goal.lesson, goal=goal.goal, outcome=goal.outcome, evidence=goal.evidence) if goal else None,
                reflections=sorted(reflections, key=lambda r: r.at),
            )
        )
    return found


def artifacts_of_coach(artifacts: list[ArtifactEntry], coach: str) -> list[ArtifactEntry]:
    """The artifacts the coach added: one a collaborating teacher added is the teacher's, and stays in the partnership."""
    return [a for a in artifacts if a.added_by == coach]


# -- the coach's choices -----------------------------------------------------------------------


def may_keep(role: Role) -> bool:
    return role == Role.coach


def check_summary(summary: str) -> str | None:
    """The summary as kept (None if there is none), its line breaks as a browser's form counts them."""
    kept = summary.replace("\r\n", "\n").strip()
    if len(kept) > SUMMARY_MAX_CHARS:
        raise Refused(f"the summary is at most {SUMMARY_MAX_CHARS} characters; this one has {len(kept)}. Shorten it and save again")
    return kept or None


def check_chosen(chosen: list[str], offer: Offer) -> None:
    """Only what is on offer to this coach: a cycle of someone else's partnership or an artifact a teacher added is not."""
    unknown = [key for key in chosen if key not in offer.keys]
    if unknown:
        raise Refused(
            f"{', '.join(unknown)}: not among your school's plan, your cycles and your artifacts; reload the page and choose again"
        )


def chosen_in_order(chosen: list[str], offer: Offer) -> list[str]:
    """The chosen keys, each once, in the order the offer shows them."""
    wanted = set(chosen)
    return [key for key in offer.keys if key in wanted]


def check_reader(coach: str, email: str, person: Person | None, readers: list[str]) -> str:
    """Whether the coach may name this person a reader; the address as kept. `person` is who the cohort knows by that
    address (None if nobody still in it)."""
    address = email.strip().lower()
    if not address:
        raise Refused("say whose email address to share your portfolio with")
    if len(address) > EMAIL_MAX or not EMAIL.match(address):
        raise Refused(f"{email.strip()!r} is not an email address; check it and try again")
    if address == coach:
        raise Refused("you always see your own portfolio; name someone else to share it with")
    if person is None:
        raise Refused(f"{address} is not in this cohort; a portfolio is shared only with people of the program still in it")
    if address in readers:
        raise Refused(f"{address} already reads your portfolio")
    if len(readers) >= READERS_MAX:
        raise Refused(f"a portfolio is shared with at most {READERS_MAX} people; remove someone first")
    return address


def may_read(coach: str, readers: list[str], email: str) -> bool:
    """The coach, and the readers they named: nobody else, whatever their role in the cohort."""
    return email == coach or email in readers


def assembled(portfolio: Portfolio, offer: Offer, chosen: list[str]) -> Portfolio:
    """The portfolio with the chosen items of the offer (a chosen item no longer on offer, an artifact removed since,
    is left out)."""
    wanted = set(chosen)
    cycles = [c for c in offer.cycles if c.key in wanted]
    artifacts = [a for a in offer.artifacts if a.key in wanted]
    plan = offer.plan if PLAN in wanted else None
    titles = {c.partnership: c.focus for c in offer.cycles}
    helped = offer.help_given if HELP in wanted else None
    return portfolio.model_copy(update={"plan": plan, "cycles": cycles, "artifacts": artifacts, "titles": titles, "help_given": helped})

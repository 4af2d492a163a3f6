"""The lesson library: lessons coaches publish from their coaching cycles, for everyone in the program to read.

A coach publishes a lesson from one of a partnership's completed cycles (it went through reflect, so
it was taught, observed and talked over). The form starts from the cycle's goal, the co-planned lesson
or unit and how it went, and the coach chooses which of the partnership's artifacts go with it; the
lesson gets its own copy of each, so removing an artifact later leaves the lesson whole.

The lesson is the partnership's work, so it needs the partners' agreement: it stays a draft, seen by
the partnership's coach and teachers only, until every collaborating teacher has agreed; then it is
published, and every signed-in person of the program (any cohort, any year) reads it.

Nothing private from the partnership goes in by itself: notes and reflections never, and the goal,
the outcome and the artifacts only as the coach puts them in the lesson's text and picks them, which
the teachers see before they agree. Coordinators feature lessons; featured ones come first.

Every refusal is a `Refused` with the reason, before anything is written.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from domain import artifacts as artifact_rules
from domain.cohort import PartnershipSummary
from domain.cycle import CycleGoal
from domain.problems import Refused

TITLE_MAX_CHARS = 200
SUMMARY_MAX_CHARS = 5000  # a lesson plan's outline: what the class does, in what order, and why
STANDARDS_MAX_CHARS = 1000
LINKS_MAX = 10  # links typed into the lesson, besides the artifacts chosen
ATTACHMENTS_MAX = 20  # artifacts copied into one lesson
SEARCH_MAX_CHARS = 200
SEARCH_WORDS_MAX = 12  # more words than this narrow nothing further; the rest are left out of the search

GRADES = ("K", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12")
SUBJECTS = (
    "English language arts",
    "Mathematics",
    "Science",
    "Social studies",
    "World languages",
    "The arts",
    "Health and physical education",
    "Library and information literacy",
    "Computer science",
    "Career and technical education",
    "English language development",
    "Special education",
)
TECHNOLOGY = (
    "Chromebooks",
    "iPads and tablets",
    "Google Workspace",
    "Microsoft 365",
    "Learning management system",
    "Interactive display",
    "Video and audio",
    "Coding and robotics",
    "Library databases",
    "Digital citizenship tools",
    "Document camera",
    "Assistive technology",
)


class Facet(StrEnum):
    """What a lesson is filtered by, each with its vocabulary."""

    grade = "grade"
    subject = "subject"
    technology = "technology"

    @property
    def vocabulary(self) -> tuple[str, ...]:
        return {Facet.grade: GRADES, Facet.subject: SUBJECTS, Facet.technology: TECHNOLOGY}[self]

    @property
    def named(self) -> str:
        return {Facet.grade: "grade level", Facet.subject: "subject", Facet.technology: "technology"}[self]


class LessonStatus(StrEnum):
    draft = "draft"  # waiting for the partnership's teachers to agree: seen by the partnership only
    published = "published"


class LessonLink(BaseModel):
    title: str
    link: str


class LessonText(BaseModel):
    """What the coach writes: checked by `checked_text`."""

    title: str
    grades: list[str]
    subjects: list[str]
    technology: list[str] = Field(default_factory=list)
    standards: str = ""
    summary: str
    links: list[LessonLink] = Field(default_factory=list)


class Attachment(BaseModel):
    """A link or a file of a lesson (a file's bytes are read only to download it)."""

    number: int
    kind: str  # link | file
    title: str
    link: str | None = None
    file_name: str | None = None
    media_type: str | None = None
    size: int = 0


class Agreement(BaseModel):
    teacher: str
    agreed_at: datetime | None = None


class Lesson(BaseModel):
    """A lesson as kept: its text, where it came from (named as the program names it, never its teachers), and who agreed."""

    id: int
    cohort: str
    partnership: str
    cycle: int
    coach: str
    coach_name: str
    school_name: str
    program: str
    school_year: str
    status: LessonStatus
    text: LessonText
    attachments: list[Attachment] = Field(default_factory=list)
    agreements: list[Agreement] = Field(default_factory=list)
    created_at: datetime
    published_at: datetime | None = None
    featured_at: datetime | None = None

    @property
    def teachers(self) -> list[str]:
        return [a.teacher for a in self.agreements]

    @property
    def waiting_for(self) -> list[str]:
        return [a.teacher for a in self.agreements if a.agreed_at is None]

    @property
    def with_whom(self) -> str:
        """The teachers are counted, not named: the library is read across the program."""
        n = len(self.agreements)
        return "with a collaborating teacher" if n == 1 else f"with {n} collaborating teachers"


# -- publishing from a cycle ---------------------------------------------------------------------

NOT_THEIRS = "a partnership's lessons are seen by its coach and collaborating teachers until they are published"


def is_theirs(partnership: PartnershipSummary, person: str) -> bool:
    return person == partnership.coach or person in partnership.partners


def check_theirs(partnership: PartnershipSummary, person: str) -> None:
    if not is_theirs(partnership, person):
        raise Refused(NOT_THEIRS)


def publishable_cycles(partnership: PartnershipSummary, published: list[int]) -> list[int]:
    """The completed cycles with no lesson yet, newest first."""
    return [n for n in range(partnership.cycles_completed, 0, -1) if n not in published]


def check_publish(partnership: PartnershipSummary, person: str, cycle: int, published: list[int]) -> None:
    """`published`: the cycles of this partnership that have a lesson already (a draft or published)."""
    if person != partnership.coach:
        raise Refused("only the partnership's coach publishes a lesson from its cycles; its collaborating teachers agree to it")
    if cycle in published:
        raise Refused(f"cycle {cycle} has a lesson already; a cycle gives one lesson")
    if not 1 <= cycle <= partnership.cycles_completed:
        done = partnership.cycles_completed
        raise Refused(
            f"cycle {cycle} is not a completed cycle of this partnership ({done} completed): "
            "a lesson is published once its cycle has gone through reflect"
        )


def prefilled(goal: CycleGoal | None) -> dict[str, str]:
    """The form's first text, from the cycle's goal: the co-planned lesson or unit, the goal and how it went (never the
    evidence nor a note: the coach types in what else they want published)."""
    if goal is None:
        return {"title": "", "summary": ""}
    summary = f"Goal: {goal.goal}"
    if goal.outcome is not None:
        summary += f"\nOutcome: the goal was {goal.outcome.value.replace('-', ' ')}"
    return {"title": goal.lesson[:TITLE_MAX_CHARS], "summary": summary}


def _chosen(facet: Facet, values: list[str], required: bool) -> list[str]:
    chosen = list(dict.fromkeys(v.strip() for v in values if v.strip()))
    unknown = [v for v in chosen if v not in facet.vocabulary]
    if unknown:
        raise Refused(f"{unknown[0]!r} is not a {facet.named} of the library; choose from: {', '.join(facet.vocabulary)}")
    if required and not chosen:
        raise Refused(f"choose at least one {facet.named}, so people looking for one find this lesson")
    return [v for v in facet.vocabulary if v in chosen]


def _text(name: str, text: str, limit: int, required: bool) -> str:
    kept = text.replace("\r\n", "\n").strip()
    if required and not kept:
        raise Refused(f"write the lesson's {name}")
    if len(kept) > limit:
        raise Refused(f"the lesson's {name} is at most {limit} characters; this one has {len(kept)}. Shorten it and publish again")
    return kept


def parsed_links(lines: str) -> list[LessonLink]:
    """One link a line: an address, or a title then the address ("Slide deck https://…")."""
    found = []
    for line in (part.strip() for part in lines.splitlines()):
        if not line:
            continue
        *words, address = line.split()
        title = " ".join(words) or address
        found.append(LessonLink(title=checked_title(title[:TITLE_MAX_CHARS]), link=artifact_rules.checked_link(address)))
    if len(found) > LINKS_MAX:
        raise Refused(f"a lesson has at most {LINKS_MAX} links typed in; this one has {len(found)}")
    return found


def checked_title(title: str) -> str:
    return _text("title", " ".join(title.split()), TITLE_MAX_CHARS, True)


def checked_text(
    title: str, grades: list[str], subjects: list[str], technology: list[str], standards: str, summary: str, links: str
) -> LessonText:
    return LessonText(
        title=checked_title(title),
        grades=_chosen(Facet.grade, grades, True),
        subjects=_chosen(Facet.subject, subjects, True),
        technology=_chosen(Facet.technology, technology, False),
        standards=_text("standards", standards, STANDARDS_MAX_CHARS, False),
        summary=_text("summary", summary, SUMMARY_MAX_CHARS, True),
        links=parsed_links(links),
    )


def check_attachments(chosen: list[str], offered: list[str]) -> list[str]:
    """The chosen artifacts, each once, if every one is the partnership's."""
    wanted = list(dict.fromkeys(chosen))
    unknown = [a for a in wanted if a not in offered]
    if unknown:
        raise Refused(f"{unknown[0]} is not one of this partnership's artifacts (removed since?); reload the page and choose again")
    if len(wanted) > ATTACHMENTS_MAX:
        raise Refused(f"a lesson carries at most {ATTACHMENTS_MAX} artifacts; {len(wanted)} were chosen")
    return wanted


# -- agreeing, featuring -------------------------------------------------------------------------


def check_agree(lesson: Lesson, person: str) -> None:
    if person not in lesson.teachers:
        raise Refused("only the partnership's collaborating teachers agree to publish its lesson")
    if lesson.status == LessonStatus.published:
        raise Refused(f"“{lesson.text.title}” is published already")
    if person not in lesson.waiting_for:
        raise Refused("you agreed already; the lesson is published once every collaborating teacher has agreed")


def check_feature(lesson: Lesson) -> None:
    if lesson.status != LessonStatus.published:
        raise Refused(f"“{lesson.text.title}” is not published yet; only a published lesson is featured")


def unseen(lesson_id: int | str) -> str:
    """What someone is told of a lesson that is not there or is a draft not theirs: the same words, so nothing is revealed."""
    return f"there is no lesson {lesson_id} in the library"


# -- searching -----------------------------------------------------------------------------------

_WORD = re.compile(r"\w+")

# Words too common to narrow a search, left out of it: the English stop words PostgreSQL's dictionary leaves out of
# its index, so a search asks the same of SQLite (whose index keeps them) as of PostgreSQL.
_STOP = (
    "i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers "
    "herself it its itself they them their theirs themselves what which who whom this that these those am is "
    "are was were be been being have has had having do does did doing a an the and but if or because as until "
    "while of at by for with about against between into through during before after above below to from up "
    "down in out on off over under again further then once here there when where why how all any both each "
    "few more most other some such no nor not only own same so than too very s t can will just don should now"
)
STOP_WORDS = frozenset(_STOP.split())


def checked_filter(facet: Facet, value: str | None) -> str | None:
    """A filter's value, one of the facet's vocabulary (None, or empty: not narrowed)."""
    return _chosen(facet, [value], False)[0] if value and value.strip() else None


def search_words(q: str | None) -> list[str]:
    """The words a search looks for, all of them, in any order: quotes, dashes and operators people type are not syntax,
    and the commonest words (`STOP_WORDS`) narrow nothing."""
    if q is not None and len(q) > SEARCH_MAX_CHARS:
        raise Refused(f"a search is at most {SEARCH_MAX_CHARS} characters; this one has {len(q)}")
    words = [w for w in _WORD.findall((q or "").lower()) if w not in STOP_WORDS]
    return list(dict.fromkeys(words))[:SEARCH_WORDS_MAX]

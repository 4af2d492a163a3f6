"""The discussion board: the coaches' and coordinators' threads, per cohort and program-wide.

A thread lives in one place: a cohort (its coaches and coordinators) or the whole program (every cohort's,
`PROGRAM_WIDE`). Who reads, posts and moderates where is `domain/access.py`'s; `reach` gathers it over the
cohorts a person is in. Threads carry tags from a fixed vocabulary. Coordinators hide a post (with a reason the
author sees; everyone else sees only that a coordinator hid it) and lock a thread (no more replies).

What people type is inert text: pages escape it as they escape notes. Only a lesson's path (`/lessons/<number>`)
becomes a link, with the lesson's card below the post when the reader may see that lesson. Mentions (`@address`
or `@Full Name`) tell the person mentioned, if they may read the thread; the notice says who mentioned them in
which thread and where, never what the post says.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel

from domain import access
from domain.access import Member
from domain.problems import Refused
from domain.program import Program

TITLE_MAX_CHARS = 150
POST_MAX_CHARS = 4000  # as long as a partnership's note
REASON_MAX_CHARS = 300
TAGS_MAX = 3
PROGRAM_WIDE = None  # a thread's place when it is no one cohort's
HIDDEN = "hidden by a coordinator"


class Tag(StrEnum):
    roadblock = "roadblock"
    whats_working = "whats-working"
    question = "question"
    resource = "resource"

    @property
    def label(self) -> str:
        return TAG_LABELS[self]


TAG_LABELS = {Tag.roadblock: "roadblock", Tag.whats_working: "what's working", Tag.question: "question", Tag.resource: "resource"}


class Thread(BaseModel):
    id: int
    cohort: str | None  # None: program-wide
    title: str
    tags: list[Tag]
    started_by: str
    started_at: datetime
    last_post_at: datetime
    posts: int
    locked_by: str | None = None
    locked_at: datetime | None = None

    @property
    def locked(self) -> bool:
        return self.locked_by is not None


class Post(BaseModel):
    id: int
    thread: int
    author: str
    body: str
    posted_at: datetime
    hidden_by: str | None = None
    hidden_reason: str | None = None
    hidden_at: datetime | None = None


class Reach(BaseModel):
    """Where one person reads, posts and moderates: cohort ids, and whether program-wide."""

    reads: list[str]
    posts: list[str]
    moderates: list[str]
    reads_program: bool
    posts_program: bool
    moderates_program: bool

    def may_read(self, cohort: str | None) -> bool:
        return self.reads_program if cohort is PROGRAM_WIDE else cohort in self.reads

    def may_post(self, cohort: str | None) -> bool:
        return self.posts_program if cohort is PROGRAM_WIDE else cohort in self.posts

    def may_moderate(self, cohort: str | None) -> bool:
        return self.moderates_program if cohort is PROGRAM_WIDE else cohort in self.moderates

    @property
    def anywhere(self) -> bool:
        return self.reads_program or bool(self.reads)


def reach(standings: Iterable[tuple[str, Member, Program]], in_program_office: bool) -> Reach:
    """A person's reach from each running cohort they are in (cohort, who they are there, its program file); the
    program office (PEERCOACH_COORDINATORS) reads, posts and moderates program-wide."""
    found = list(standings)
    return Reach(
        reads=[c for c, m, _ in found if access.may_read_cohort_board(m)],
        posts=[c for c, m, _ in found if access.may_post_on_board(m)],
        moderates=[c for c, m, _ in found if access.may_moderate_board(m)],
        reads_program=in_program_office or any(access.may_read_program_board(m, p) for _, m, p in found),
        posts_program=in_program_office or any(access.may_post_on_board(m) for _, m, _ in found),
        moderates_program=in_program_office or any(access.may_moderate_board(m) for _, m, _ in found),
    )


def refusal_to_read(cohort: str | None) -> str:
    if cohort is PROGRAM_WIDE:
        return access.BOARD_READERS
    return f"the threads of {cohort} are read by its coaches and coordinators"


# -- what people write -------------------------------------------------------------------------


def check_body(body: str) -> str:
    text = body.strip()
    if not text:
        raise Refused("a post needs some text")
    if len(text) > POST_MAX_CHARS:
        raise Refused(f"a post is at most {POST_MAX_CHARS} characters; this one has {len(text)}")
    return text


def check_thread(title: str, body: str, tags: list[str]) -> tuple[str, str, list[Tag]]:
    """A new thread's title, opening post and tags, as kept; Refused naming what to correct."""
    title = " ".join(title.split())
    if not title:
        raise Refused("a thread needs a title")
    if len(title) > TITLE_MAX_CHARS:
        raise Refused(f"a thread's title is at most {TITLE_MAX_CHARS} characters; this one has {len(title)}")
    unknown = [t for t in tags if t not in Tag._value2member_map_]
    if unknown:
        raise Refused(f"{unknown[0]!r} is not a tag: choose from {', '.join(TAG_LABELS.values())}")
    chosen = list(dict.fromkeys(Tag(t) for t in tags))
    if len(chosen) > TAGS_MAX:
        raise Refused(f"a thread has at most {TAGS_MAX} tags; {len(chosen)} were chosen")
    return title, check_body(body), chosen


def check_reply(thread: Thread, body: str) -> str:
    if thread.locked:
        raise Refused("this thread is locked by a coordinator: it takes no more replies")
    return check_body(body)


def check_hide(post: Post, reason: str) -> str:
    reason = " ".join(reason.split())
    if post.hidden_by is not None:
        raise Refused("this post is hidden already")
    if not reason:
        raise Refused("say why the post is hidden: its author reads the reason")
    if len(reason) > REASON_MAX_CHARS:
        raise Refused(f"a reason is at most {REASON_MAX_CHARS} characters; this one has {len(reason)}")
    return reason


def check_lock(thread: Thread) -> None:
    if thread.locked:
        raise Refused("this thread is locked already")


class Shown(BaseModel):
    """A post as one reader sees it: its words, or only that a coordinator hid it (its author also reads why)."""

    id: int
    author: str
    posted_at: datetime
    body: str | None
    hidden: str | None = None


def as_read(post: Post, reader: str) -> Shown:
    if post.hidden_by is None:
        return Shown(id=post.id, author=post.author, posted_at=post.posted_at, body=post.body)
    if reader == post.author:
        said = f"A coordinator hid your post from the others: {post.hidden_reason}"
        return Shown(id=post.id, author=post.author, posted_at=post.posted_at, body=post.body, hidden=said)
    return Shown(id=post.id, author=post.author, posted_at=post.posted_at, body=None, hidden=HIDDEN[0].upper() + HIDDEN[1:])


# -- lessons linked from a post ----------------------------------------------------------------

LESSON_PATH = re.compile(r"(?<![\w/.])/lessons/([0-9]{1,18})(?![\w/-])")  # a lesson's page: its number


class Piece(BaseModel):
    """A stretch of a post: plain text, or a lesson's path (a link to it, and a card where the lesson is there to see)."""

    text: str
    lesson: int | None = None


def pieces(body: str) -> list[Piece]:
    found, at = [], 0
    for match in LESSON_PATH.finditer(body):
        if match.start() > at:
            found.append(Piece(text=body[at : match.start()]))
        found.append(Piece(text=match.group(0), lesson=int(match.group(1))))
        at = match.end()
    if at < len(body):
        found.append(Piece(text=body[at:]))
    return found


# -- mentions --------------------------------------------------------------------------------------

_AT = re.compile(r"(?<![\w.+-])@")
_ADDRESS = re.compile(r"[\w.%+'-]+@[\w-]+(?:\.[\w-]+)+")
_WORDS = re.compile(r"[^\W_][\w'’-]*(?:[ \t]+[^\W_][\w'’-]*){0,3}")
NAME_WORDS_MAX = 4


def _said_after(text: str, at: int) -> list[str]:
    """What may follow one @: an address, or a name of one to four words (each candidate, lower case, longest first)."""
    rest = text[at:]
    address = _ADDRESS.match(rest)
    words = _WORDS.match(rest)
    found = [address.group(0).lower()] if address else []
    if words:
        parts = words.group(0).split()
        found += [" ".join(parts[:n]).lower() for n in range(len(parts), 0, -1)]
    return found


def mention_candidates(text: str) -> set[str]:
    """Every address or name a post may mention: what the store looks people up by."""
    return {c for m in _AT.finditer(text) for c in _said_after(text, m.end())}


class Named(BaseModel):
    email: str
    name: str


def mentioned(text: str, people: list[Named]) -> list[str]:
    """The addresses a post mentions, in order, among these people: after each @, the longest address or full name
    that is someone's. A name two people share mentions neither: Refused, asking for the address."""
    by_key: dict[str, set[str]] = {}
    for person in people:
        by_key.setdefault(person.email.lower(), set()).add(person.email.lower())
        by_key.setdefault(" ".join(person.name.split()).lower(), set()).add(person.email.lower())
    found: list[str] = []
    for m in _AT.finditer(text):
        for candidate in _said_after(text, m.end()):
            emails = by_key.get(candidate)
            if not emails:
                continue
            if len(emails) > 1:
                raise Refused(f"@{candidate} could be any of {len(emails)} people; mention the one you mean by their email address")
            found += emails
            break
    return list(dict.fromkeys(found))


def told_of_reply(followers: list[str], mentioned: list[str], author: str) -> list[str]:
    """Followers hear of a reply, except its author and whoever it mentions (they get the mention instead)."""
    return [f for f in dict.fromkeys(followers) if f != author and f not in mentioned]


def thread_path(thread: int, post: int | None = None) -> str:
    return f"/board/threads/{thread}" + (f"#post-{post}" if post is not None else "")

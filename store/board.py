"""The discussion board's threads, posts and follows (the rules are `domain/board.py`'s).

A reply and a lock race on the thread's row: a reply counts itself onto the thread only while it is not locked
(one conditional UPDATE), so a reply that loses the race writes nothing. Hiding is conditional the same way.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Text, cast, delete, func, insert, or_, select, update

from domain import access, board
from domain.board import Named, Post, Reach, Tag, Thread
from domain.problems import Refused
from store import members, tables
from store.database import Database
from store.database import insert as upsert
from store.read_model import Page

T, P, F = tables.board_threads.c, tables.board_posts.c, tables.board_follows.c


def _thread(row: Any) -> Thread:
    return Thread.model_validate(row._asdict())


def _post(row: Any) -> Post:
    return Post.model_validate(row._asdict())


def _follow(db: Connection, thread: int, email: str, at: datetime) -> None:
    db.execute(upsert(db, tables.board_follows).values(thread=thread, email=email, followed_at=at).on_conflict_do_nothing())


def start_thread(database: Database, cohort: str | None, title: str, tags: list[Tag], author: str, body: str, at: datetime) -> Post:
    """A new thread with its opening post, followed by its author; the opening post (its `thread` is the new one)."""
    with database.begin() as db:
        values = {"cohort": cohort, "title": title, "tags": [t.value for t in tags], "started_by": author}
        thread = db.execute(insert(tables.board_threads).values(**values, started_at=at, last_post_at=at, posts=1)).inserted_primary_key
        assert thread is not None
        post = db.execute(insert(tables.board_posts).values(thread=thread[0], author=author, body=body, posted_at=at)).inserted_primary_key
        assert post is not None
        _follow(db, thread[0], author, at)
    return Post(id=post[0], thread=thread[0], author=author, body=body, posted_at=at)


def reply(database: Database, thread: Thread, author: str, body: str, at: datetime) -> tuple[Post, list[str]]:
    """The reply, and everyone who followed the thread before it (its author follows it from now on)."""
    text = board.check_reply(thread, body)
    with database.begin() as db:
        counted = db.execute(
            update(tables.board_threads).where(T.id == thread.id, T.locked_by.is_(None)).values(posts=T.posts + 1, last_post_at=at)
        )
        if counted.rowcount != 1:
            raise Refused("this thread is locked by a coordinator: it takes no more replies")
        followers = list(db.execute(select(F.email).where(F.thread == thread.id).order_by(F.followed_at, F.email)).scalars())
        post = db.execute(insert(tables.board_posts).values(thread=thread.id, author=author, body=text, posted_at=at)).inserted_primary_key
        assert post is not None
        _follow(db, thread.id, author, at)
    return Post(id=post[0], thread=thread.id, author=author, body=text, posted_at=at), followers


def thread(database: Database, thread_id: int) -> Thread | None:
    with database.begin() as db:
        row = db.execute(select(tables.board_threads).where(T.id == thread_id)).first()
    return None if row is None else _thread(row)


def posts(database: Database, thread_id: int) -> list[Post]:
    with database.begin() as db:
        return [_post(r) for r in db.execute(select(tables.board_posts).where(P.thread == thread_id).order_by(P.id))]


def post(database: Database, post_id: int) -> Post | None:
    with database.begin() as db:
        row = db.execute(select(tables.board_posts).where(P.id == post_id)).first()
    return None if row is None else _post(row)


def threads(
    database: Database, cohorts: list[str], program_wide: bool, tag: Tag | None = None, limit: int = 50, offset: int = 0
) -> Page[Thread]:
    """The threads of these cohorts (and the program-wide ones), the liveliest first, a page at a time."""
    places = [T.cohort.in_(cohorts)] + ([T.cohort.is_(None)] if program_wide else [])
    where = [or_(*places)]
    if tag is not None:  # tags are few and a thread has at most three: matched in the JSON's text, the same on both backends
        where.append(cast(T.tags, Text).contains(f'"{tag.value}"'))
    with database.begin() as db:
        total = db.execute(select(func.count()).select_from(tables.board_threads).where(*where)).scalar_one()
        rows = db.execute(
            select(tables.board_threads).where(*where).order_by(T.last_post_at.desc(), T.id.desc()).limit(limit).offset(offset)
        )
        return Page[Thread](rows=[_thread(r) for r in rows], total=total, offset=offset, limit=limit)


def hide(database: Database, post: Post, by: str, reason: str, at: datetime) -> None:
    text = board.check_hide(post, reason)
    with database.begin() as db:
        hidden = db.execute(
            update(tables.board_posts).where(P.id == post.id, P.hidden_by.is_(None)).values(hidden_by=by, hidden_reason=text, hidden_at=at)
        )
    if hidden.rowcount != 1:
        raise Refused("this post is hidden already")


def lock(database: Database, thread: Thread, by: str, at: datetime) -> None:
    board.check_lock(thread)
    with database.begin() as db:
        locked = db.execute(update(tables.board_threads).where(T.id == thread.id, T.locked_by.is_(None)).values(locked_by=by, locked_at=at))
    if locked.rowcount != 1:
        raise Refused("this thread is locked already")


def follow(database: Database, thread_id: int, email: str, at: datetime) -> None:
    with database.begin() as db:
        _follow(db, thread_id, email, at)


def unfollow(database: Database, thread_id: int, email: str) -> None:
    with database.begin() as db:
        db.execute(delete(tables.board_follows).where(F.thread == thread_id, F.email == email))


def follows(database: Database, thread_id: int, email: str) -> bool:
    with database.begin() as db:
        return db.execute(select(F.email).where(F.thread == thread_id, F.email == email)).first() is not None


def people_named(database: Database, cohort: str | None, candidates: set[str]) -> list[Named]:
    """The people of the thread's cohort (of every running cohort for a program-wide one) whose address or name is one of
    these (lower case): who a post's @ may mention."""
    if not candidates:
        return []
    p, c = tables.people.c, tables.cohorts.c
    wanted = sorted(candidates)
    query = (
        select(p.email, p.name)
        .join(tables.cohorts, c.cohort == p.cohort)
        .where(c.status == "running", p.withdrawn.is_(False), or_(p.email.in_(wanted), func.lower(p.name).in_(wanted)))
    )
    if cohort is not None:
        query = query.where(p.cohort == cohort)
    with database.begin() as db:
        return [Named(email=r.email, name=r.name) for r in db.execute(query.distinct())]


def names(database: Database, emails: list[str]) -> dict[str, str]:
    """The roster's name of each address, from any cohort (the program office's coordinators may be in none)."""
    wanted = sorted(set(emails))
    if not wanted:
        return {}
    p = tables.people.c
    with database.begin() as db:
        return {r.email: r.name for r in db.execute(select(p.email, p.name).where(p.email.in_(wanted)).order_by(p.cohort))}


def reach_of(database: Database, email: str, program_office: list[str]) -> Reach:
    """Where anyone reads, posts and moderates now (someone mentioned, a follower, a coordinator at the terminal)."""
    standings = members.standings(database, email)
    return board.reach(((s.cohort, s.member, s.program) for s in standings), access.in_program_office(program_office, email))


def export(database: Database, cohorts: list[str], program_wide: bool) -> list[tuple[Thread, list[Post]]]:
    """Every thread of these places with its posts, oldest first: what a coordinator keeps or reviews."""
    with database.begin() as db:
        places = [T.cohort.in_(cohorts)] + ([T.cohort.is_(None)] if program_wide else [])
        found = [_thread(r) for r in db.execute(select(tables.board_threads).where(or_(*places)).order_by(T.id))]
        rows = db.execute(select(tables.board_posts).where(P.thread.in_([t.id for t in found])).order_by(P.id)).all()
    posts = [_post(r) for r in rows]
    return [(t, [p for p in posts if p.thread == t.id]) for t in found]

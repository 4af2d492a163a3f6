"""The discussion board's pages: threads per cohort and program-wide, replies, mentions, follows and moderation.

Who reads, posts and moderates where is `domain/board.py` `reach` over the visitor's cohorts (the rules are
`domain/access.py`'s). A post is stored first; then the people it mentions, and the thread's followers, are told
through the same notification system as sign-in links (a post is no workflow), each as their preferences say.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from domain import access, board, notices
from domain.board import Post, Reach, Tag, Thread
from domain.lessons import Lesson, LessonStatus
from domain.problems import Refused
from store import board as kept
from store import lessons
from web.frame import Engine, SignedIn, SignedInCsrfChecked, done, engine, page, templates
from web.paging import PAGE_ROWS, Offset, Pager
from web.visitor import Forbidden, Visitor

router = APIRouter()

PROGRAM = "*"  # the form's value for a program-wide thread: no cohort id (one starts with a letter or a digit)
LIMITS = {
    "TITLE_MAX_CHARS": board.TITLE_MAX_CHARS,
    "POST_MAX_CHARS": board.POST_MAX_CHARS,
    "REASON_MAX_CHARS": board.REASON_MAX_CHARS,
    "TAGS_MAX": board.TAGS_MAX,
}


def reach_of(visitor: Visitor) -> Reach:
    return board.reach(((m.cohort, m.member, m.program) for m in visitor.memberships), visitor.program_office)


templates.env.globals["board_reach"] = reach_of  # the home page offers the board to those who may read it


async def reach_of_someone(e: Engine, email: str) -> Reach:
    return await asyncio.to_thread(kept.reach_of, e.database, email, e.settings.program_office)


async def _readable(visitor: Visitor, thread_id: int) -> tuple[Thread, Reach]:
    reach = reach_of(visitor)
    found = await visitor.read(kept.thread, thread_id)
    if found is None:
        raise Forbidden(f"there is no thread {thread_id} you may read")
    if not reach.may_read(found.cohort):
        # A thread of a cohort one is not in is not said to exist, nor whose it is.
        program_wide = found.cohort is board.PROGRAM_WIDE
        raise Forbidden(board.refusal_to_read(found.cohort) if program_wide else f"there is no thread {thread_id} you may read")
    return found, reach


async def _mentioned(e: Engine, cohort: str | None, body: str, author: str) -> list[str]:
    """Who a post mentions among those who may read its thread (Refused for a name two people share)."""
    people = await asyncio.to_thread(kept.people_named, e.database, cohort, board.mention_candidates(body))
    # Only readers of the thread can be mentioned: someone who cannot read it neither hears of it nor blocks a name.
    readers = [p for p in people if (await reach_of_someone(e, p.email)).may_read(cohort)]
    return [m for m in board.mentioned(body, readers) if m != author]


async def _tell(e: Engine, thread: Thread, post: Post, mentioned: list[str], followers: list[str]) -> None:
    """After the post is stored: mentions, then a reply's followers (each once, and only while they may read it)."""
    by = (await asyncio.to_thread(kept.names, e.database, [post.author])).get(post.author, post.author)
    path, now, web = board.thread_path(thread.id, post.id), datetime.now(UTC), e.settings.web_url
    if mentioned:
        await e.notices.deliver(notices.board_mention(thread.cohort, thread.id, post.id, thread.title, by, path, web, mentioned), now)
    readers = [f for f in board.told_of_reply(followers, mentioned, post.author) if (await reach_of_someone(e, f)).may_read(thread.cohort)]
    if readers:
        await e.notices.deliver(notices.board_reply(thread.cohort, thread.id, post.id, thread.title, by, path, web, readers), now)


def _told(mentioned: list[str], names: dict[str, str]) -> str:
    return f"; told {', '.join(names.get(m, m) for m in mentioned)} of the mention" if mentioned else ""


# -- the list of threads ---------------------------------------------------------------------------


async def _board_page(
    request: Request,
    visitor: Visitor,
    tag: str,
    offset: int,
    status_code: int = 200,
    problem: str | None = None,
    asked: dict[str, object] | None = None,
) -> Response:
    reach = reach_of(visitor)
    if not reach.anywhere:
        raise Forbidden(access.BOARD_READERS)
    chosen = Tag(tag) if tag in Tag._value2member_map_ else None
    found = await visitor.read(kept.threads, reach.reads, reach.reads_program, chosen, PAGE_ROWS, offset)
    named = {m.cohort: f"{m.program.name} {m.program.school_year}" for m in visitor.memberships}
    places = ([(PROGRAM, "Program-wide")] if reach.posts_program else []) + [(c, named.get(c, c)) for c in reach.posts]
    return page(
        request,
        "board.html",
        status_code=status_code,
        threads=found.rows,
        pager=Pager.of(request, "offset", "threads", found),
        tags=list(Tag),
        chosen=chosen,
        places=places,
        cohort_names=named,
        problem=problem,
        form=asked or {"where": "", "title": "", "body": "", "tags": []},
        **LIMITS,
    )


@router.get("/board", response_class=HTMLResponse)
async def threads(request: Request, visitor: SignedIn, offset: Offset = 0, tag: Annotated[str, Query(max_length=40)] = "") -> Response:
    return await _board_page(request, visitor, tag, offset)


@router.post("/board/threads", response_class=HTMLResponse, dependencies=[SignedInCsrfChecked])
async def start(
    request: Request,
    visitor: SignedIn,
    where: Annotated[str, Form(max_length=60)] = "",
    title: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
    tags: Annotated[list[str] | None, Form()] = None,
) -> Response:
    cohort = None if where == PROGRAM else where
    if where and not reach_of(visitor).may_post(cohort):
        raise Forbidden(access.BOARD_POSTERS if cohort is None else f"only {cohort}'s coaches and coordinators start threads there")
    e = engine(request)
    try:
        if not where:
            raise Refused("choose where the thread goes: program-wide or one of your cohorts")
        title, text, chosen = board.check_thread(title, body, tags or [])
        mentioned = await _mentioned(e, cohort, text, visitor.email)
    except Refused as refused:
        asked: dict[str, object] = {"where": where, "title": title, "body": body, "tags": tags or []}
        return await _board_page(request, visitor, "", 0, 409, refused.reason, asked)
    opening = await visitor.read(kept.start_thread, cohort, title, chosen, visitor.email, text, datetime.now(UTC))
    thread = await visitor.read(kept.thread, opening.thread)
    assert thread is not None
    await _tell(e, thread, opening, mentioned, [])
    names = await visitor.read(kept.names, mentioned)
    return done(request, board.thread_path(thread.id), f"Thread started; you follow it{_told(mentioned, names)}")


# -- one thread --------------------------------------------------------------------------------------


async def _lessons(visitor: Visitor, ids: list[int]) -> dict[int, Lesson]:
    """The linked lessons the reader may see, for their cards (a draft is its partnership's; an unknown number is a
    plain link)."""
    found = {}
    for lesson_id in dict.fromkeys(ids):
        lesson = await visitor.read(lessons.lesson, lesson_id)
        teachers = [a.teacher for a in lesson.agreements] if lesson else []
        if lesson and access.may_see_lesson(lesson.status == LessonStatus.published, visitor.email, lesson.coach, teachers):
            found[lesson_id] = lesson
    return found


async def _thread_page(
    request: Request, visitor: Visitor, thread_id: int, status_code: int = 200, problem: str | None = None, reply: str = ""
) -> Response:
    thread, reach = await _readable(visitor, thread_id)
    posts = await visitor.read(kept.posts, thread_id)
    shown = [board.as_read(p, visitor.email) for p in posts]
    written = [board.pieces(s.body or "") for s in shown]
    names = await visitor.read(kept.names, [p.author for p in posts] + [thread.locked_by or ""])
    place = (
        "Program-wide"
        if thread.cohort is None
        else next((f"{m.program.name} {m.program.school_year}" for m in visitor.memberships if m.cohort == thread.cohort), thread.cohort)
    )
    zone = visitor.memberships[0].program.timezone if visitor.memberships else "UTC"
    return page(
        request,
        "board_thread.html",
        status_code=status_code,
        thread=thread,
        place=place,
        posts=[(s, pieces) for s, pieces in zip(shown, written, strict=True)],
        cards=await _lessons(visitor, [p.lesson for found in written for p in found if p.lesson is not None]),
        names=names,
        zone=zone,
        posts_here=reach.may_post(thread.cohort),
        moderates=reach.may_moderate(thread.cohort),
        following=await visitor.read(kept.follows, thread_id, visitor.email),
        problem=problem,
        reply=reply,
        **LIMITS,
    )


@router.get("/board/threads/{thread_id}", response_class=HTMLResponse)
async def show(request: Request, thread_id: int, visitor: SignedIn) -> Response:
    return await _thread_page(request, visitor, thread_id)


@router.post("/board/threads/{thread_id}/replies", response_class=HTMLResponse, dependencies=[SignedInCsrfChecked])
async def add_reply(request: Request, thread_id: int, visitor: SignedIn, body: Annotated[str, Form()] = "") -> Response:
    thread, reach = await _readable(visitor, thread_id)
    if not reach.may_post(thread.cohort):
        raise Forbidden(access.BOARD_POSTERS)
    e = engine(request)
    try:
        text = board.check_reply(thread, body)
        mentioned = await _mentioned(e, thread.cohort, text, visitor.email)
        post, followers = await visitor.read(kept.reply, thread, visitor.email, text, datetime.now(UTC))
    except Refused as refused:
        return await _thread_page(request, visitor, thread_id, 409, refused.reason, body)
    await _tell(e, thread, post, mentioned, followers)
    names = await visitor.read(kept.names, mentioned)
    return done(request, board.thread_path(thread.id, post.id), f"Reply posted{_told(mentioned, names)}")


@router.post("/board/threads/{thread_id}/follow", dependencies=[SignedInCsrfChecked])
async def follow(request: Request, thread_id: int, visitor: SignedIn) -> Response:
    await _readable(visitor, thread_id)
    await visitor.read(kept.follow, thread_id, visitor.email, datetime.now(UTC))
    return done(request, board.thread_path(thread_id), "You follow this thread: each new reply is sent to you")


@router.post("/board/threads/{thread_id}/unfollow", dependencies=[SignedInCsrfChecked])
async def unfollow(request: Request, thread_id: int, visitor: SignedIn) -> Response:
    await _readable(visitor, thread_id)
    await visitor.read(kept.unfollow, thread_id, visitor.email)
    return done(request, board.thread_path(thread_id), "You no longer follow this thread")


# -- moderation ----------------------------------------------------------------------------------------


@router.post("/board/threads/{thread_id}/lock", response_class=HTMLResponse, dependencies=[SignedInCsrfChecked])
async def lock(request: Request, thread_id: int, visitor: SignedIn) -> Response:
    thread, reach = await _readable(visitor, thread_id)
    if not reach.may_moderate(thread.cohort):
        raise Forbidden(access.BOARD_MODERATORS)
    try:
        await visitor.read(kept.lock, thread, visitor.email, datetime.now(UTC))
    except Refused as refused:
        return await _thread_page(request, visitor, thread_id, 409, refused.reason)
    return done(request, board.thread_path(thread_id), "Thread locked: it takes no more replies")


@router.post("/board/posts/{post_id}/hide", response_class=HTMLResponse, dependencies=[SignedInCsrfChecked])
async def hide(request: Request, post_id: int, visitor: SignedIn, reason: Annotated[str, Form()] = "") -> Response:
    found = await visitor.read(kept.post, post_id)
    if found is None:
        raise Forbidden(f"there is no post {post_id} you may moderate")
    thread, reach = await _readable(visitor, found.thread)
    if not reach.may_moderate(thread.cohort):
        raise Forbidden(access.BOARD_MODERATORS)
    try:
        await visitor.read(kept.hide, found, visitor.email, reason, datetime.now(UTC))
    except Refused as refused:
        return await _thread_page(request, visitor, thread.id, 409, refused.reason)
    return done(
        request, board.thread_path(thread.id, post_id), "Post hidden: its author sees why; everyone else sees that a coordinator hid it"
    )

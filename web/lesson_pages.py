"""The lesson library on the web: the library with its search and filters, a lesson's page, publishing a lesson from
one of a partnership's cycles, the teachers' agreement and the coordinators' featuring.

Who may read, publish, agree and feature, and every refusal's words, are `domain/lessons.py`'s and
`domain/access.py`'s; lessons are kept and searched by `store/lessons.py`. A draft is seen by its partnership's coach
and teachers only; anyone else is told, in the same words as for a lesson that is not there, that there is none.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from domain import access, notices, words
from domain import lessons as rules
from domain.artifacts import size_label
from domain.cycle import PartnershipRecord
from domain.lessons import Facet, Lesson, LessonStatus
from domain.problems import Refused
from store import artifacts, lessons, read_model
from store.lessons import Provenance
from store.read_model import Page, PartnershipRow
from web.artifact_pages import DOWNLOAD_POLICY, attachment
from web.frame import SignedIn, SignedInCsrfChecked, done, engine, page
from web.paging import Offset, Pager
from web.visitor import Forbidden, Visitor

router = APIRouter()

LIBRARY = "/lessons"
FROM_PARTNERSHIP = "/cohorts/{cohort}/partnerships/{pid}/lessons"
LESSONS_A_PAGE = 20  # a result shows the start of its summary: twenty stay a short page on a phone
# The forms' limits and choices, from the domain: a browser offers and stops what the domain would.
LIMITS: dict[str, Any] = {
    "title_max": rules.TITLE_MAX_CHARS,
    "summary_max": rules.SUMMARY_MAX_CHARS,
    "standards_max": rules.STANDARDS_MAX_CHARS,
    "links_max": rules.LINKS_MAX,
    "search_max": rules.SEARCH_MAX_CHARS,
    "grades": rules.GRADES,
    "subjects": rules.SUBJECTS,
    "technology": rules.TECHNOLOGY,
}


def _reader(visitor: Visitor) -> None:
    if not access.may_read_library([m.member for m in visitor.memberships], visitor.program_office):
        raise Forbidden(access.LIBRARY_READERS)


def _features(visitor: Visitor) -> bool:
    return access.may_feature_lessons([m.member for m in visitor.memberships], visitor.program_office)


def _zone(visitor: Visitor) -> str:
    """Dates in the visitor's program's time zone (lessons come from every cohort; the reader's calendar is theirs)."""
    return visitor.memberships[0].program.timezone if visitor.memberships else "UTC"


async def _find(request: Request, visitor: Visitor, lesson_id: int) -> Lesson | None:
    """The lesson, if the visitor may see it: None alike whether it is not there or is someone else's draft."""
    _reader(visitor)
    found = await asyncio.to_thread(lessons.lesson, engine(request).database, lesson_id)
    if found is None or not access.may_see_lesson(found.status == LessonStatus.published, visitor.email, found.coach, found.teachers):
        return None
    return found


def _missing(request: Request, lesson_id: int) -> Response:
    return page(request, "problem.html", status_code=404, title="Not found", problem=rules.unseen(lesson_id))


async def _waiting_names(visitor: Visitor, lesson: Lesson) -> str:
    """Whom a draft waits for, by name: its partnership's own people read it, and they are in its cohort."""
    try:
        names = await visitor.names(lesson.cohort, lesson.waiting_for)
    except Forbidden:
        names = {t: t for t in lesson.waiting_for}
    return words.together([names[t] for t in lesson.waiting_for])


# -- the library ---------------------------------------------------------------------------------


@router.get(LIBRARY, response_class=HTMLResponse)
async def library(
    request: Request,
    visitor: SignedIn,
    q: Annotated[str, Query()] = "",
    grade: Annotated[str, Query()] = "",
    subject: Annotated[str, Query()] = "",
    technology: Annotated[str, Query()] = "",
    offset: Offset = 0,
) -> Response:
    _reader(visitor)
    database = engine(request).database
    problem = None
    try:
        narrowed = (rules.checked_filter(Facet.grade, grade), rules.checked_filter(Facet.subject, subject))
        tech = rules.checked_filter(Facet.technology, technology)
        found = await asyncio.to_thread(lessons.search, database, q, *narrowed, tech, LESSONS_A_PAGE, offset)
    except Refused as refused:
        problem, found = refused.reason, Page[Lesson](rows=[], total=0, offset=0, limit=LESSONS_A_PAGE)
    waiting = await asyncio.to_thread(lessons.waiting_for, database, visitor.email)
    drafts = await asyncio.to_thread(lessons.drafts_of, database, visitor.email)
    asked = {"q": q, "grade": grade, "subject": subject, "technology": technology}
    context = {
        "found": found,
        "pager": Pager.of(request, "offset", "results", found, {k: v for k, v in asked.items() if v}),
        "asked": asked,
        "narrowed": any(asked.values()),
        "waiting": waiting,
        "drafts": drafts,
        "problem": problem,
        "limits": LIMITS,
    }
    return page(request, "lessons.html", status_code=400 if problem else 200, **context)


# -- a lesson ------------------------------------------------------------------------------------


async def _lesson_page(request: Request, visitor: Visitor, lesson_id: int, status_code: int = 200, problem: str | None = None) -> Response:
    lesson = await _find(request, visitor, lesson_id)
    if lesson is None:
        return _missing(request, lesson_id)
    context = {
        "lesson": lesson,
        "waiting_names": await _waiting_names(visitor, lesson) if lesson.waiting_for else "",
        "agrees": visitor.email in lesson.waiting_for,
        "features": _features(visitor) and lesson.status == LessonStatus.published,
        "theirs": visitor.email == lesson.coach or visitor.email in lesson.teachers,
        "size_of": size_label,
        "problem": problem,
        "zone": _zone(visitor),
    }
    return page(request, "lesson.html", status_code=status_code, **context)


@router.get(f"{LIBRARY}/{{lesson_id}}", response_class=HTMLResponse)
async def lesson_page(request: Request, lesson_id: int, visitor: SignedIn) -> Response:
    return await _lesson_page(request, visitor, lesson_id)


@router.get(f"{LIBRARY}/{{lesson_id}}/files/{{number}}")
async def download(request: Request, lesson_id: int, number: int, visitor: SignedIn) -> Response:
    """The lesson's own copy of a file, to save (never shown as a page of this site)."""
    if await _find(request, visitor, lesson_id) is None:
        return _missing(request, lesson_id)
    found = await asyncio.to_thread(lessons.file_of, engine(request).database, engine(request).sealer, lesson_id, number)
    if found is None:
        return page(request, "problem.html", status_code=404, title="Not found", problem=f"lesson {lesson_id} has no file {number}")
    kept, content = found
    headers = {
        "Content-Disposition": attachment(kept.file_name or "lesson-file"),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": DOWNLOAD_POLICY,
    }
    return Response(content, media_type=kept.media_type, headers=headers)


@router.post(f"{LIBRARY}/{{lesson_id}}/agree", response_class=HTMLResponse, dependencies=[SignedInCsrfChecked])
async def agree(request: Request, lesson_id: int, visitor: SignedIn) -> Response:
    if await _find(request, visitor, lesson_id) is None:
        return _missing(request, lesson_id)
    try:
        agreed = await asyncio.to_thread(lessons.agree, engine(request).database, lesson_id, visitor.email, datetime.now(UTC))
    except Refused as refused:
        return await _lesson_page(request, visitor, lesson_id, 409, refused.reason)
    if agreed.status == LessonStatus.published:
        said = f"You agreed, and “{agreed.text.title}” is published: everyone in the program can read it now"
    else:
        said = f"You agreed; it is published once {await _waiting_names(visitor, agreed)} agree too"
    return done(request, f"{LIBRARY}/{lesson_id}", said)


@router.post(f"{LIBRARY}/{{lesson_id}}/feature", response_class=HTMLResponse, dependencies=[SignedInCsrfChecked])
async def feature(request: Request, lesson_id: int, visitor: SignedIn, featured: Annotated[str, Form()] = "yes") -> Response:
    if await _find(request, visitor, lesson_id) is None:
        return _missing(request, lesson_id)
    if not _features(visitor):
        raise Forbidden(access.FEATURERS)
    try:
        changed = await asyncio.to_thread(
            lessons.feature, engine(request).database, lesson_id, featured == "yes", visitor.email, datetime.now(UTC)
        )
    except Refused as refused:
        return await _lesson_page(request, visitor, lesson_id, 409, refused.reason)
    said = "Featured: it comes first in the library" if changed.featured_at else "No longer featured"
    return done(request, f"{LIBRARY}/{lesson_id}", said)


# -- publishing from a partnership's cycle -------------------------------------------------------------


async def _theirs(visitor: Visitor, cohort: str, pid: str) -> PartnershipRow:
    visitor.membership(cohort)
    found = await visitor.read(read_model.partnership, cohort, pid)
    if found is None or not rules.is_theirs(found, visitor.email):
        raise Forbidden(rules.NOT_THEIRS)  # the same answer whether it is not there or not theirs
    return found


async def _publish_page(
    request: Request,
    visitor: Visitor,
    cohort: str,
    pid: str,
    cycle: int | None = None,
    status_code: int = 200,
    problem: str | None = None,
    asked: dict[str, Any] | None = None,
) -> Response:
    """The partnership's lessons and, for its coach, the form to publish one from a completed cycle (started from the
    cycle's goal); after a refusal, what they sent is shown again beside the reason."""
    partnership = await _theirs(visitor, cohort, pid)
    e = engine(request)
    kept = await asyncio.to_thread(lessons.of_partnership, e.database, cohort, pid)
    cycles = rules.publishable_cycles(partnership, [k.cycle for k in kept]) if visitor.email == partnership.coach else []
    chosen = cycle if cycle in cycles else (cycles[0] if cycles else None)
    form: dict[str, Any] = {}
    offered: list[artifacts.Artifact] = []
    if chosen is not None:
        record = await visitor.partnership(cohort, pid)
        assert isinstance(record, PartnershipRecord)  # the coach sees the whole record
        form = rules.prefilled(next((g for g in record.goals if g.cycle == chosen), None)) | (asked or {})
        offered = await asyncio.to_thread(artifacts.artifacts_of, e.database, e.sealer, cohort, pid)
    names = await visitor.names(cohort, partnership.partners)
    context = {
        "cohort": cohort,
        "partnership": partnership,
        "title": (await visitor.titles(cohort, [(partnership.id, partnership.coach, partnership.partners)]))[partnership.id],
        "kept": kept,
        "cycles": cycles,
        "cycle": chosen,
        "form": form,
        "offered": offered,
        "partner_names": words.together([names[p] for p in partnership.partners]),
        "size_of": size_label,
        "problem": problem,
        "limits": LIMITS,
        "here": FROM_PARTNERSHIP.format(cohort=cohort, pid=pid),
    }
    return page(request, "lesson_publish.html", status_code=status_code, **context)


@router.get(FROM_PARTNERSHIP, response_class=HTMLResponse)
async def partnership_lessons(request: Request, cohort: str, pid: str, visitor: SignedIn, cycle: int | None = None) -> Response:
    return await _publish_page(request, visitor, cohort, pid, cycle)


@router.post(FROM_PARTNERSHIP, response_class=HTMLResponse, dependencies=[SignedInCsrfChecked])
async def publish(
    request: Request,
    cohort: str,
    pid: str,
    visitor: SignedIn,
    cycle: Annotated[int, Form()] = 0,
    title: Annotated[str, Form()] = "",
    grades: Annotated[list[str] | None, Form()] = None,
    subjects: Annotated[list[str] | None, Form()] = None,
    technology: Annotated[list[str] | None, Form()] = None,
    standards: Annotated[str, Form()] = "",
    summary: Annotated[str, Form()] = "",
    links: Annotated[str, Form()] = "",
    chosen: Annotated[list[str] | None, Form()] = None,
) -> Response:
    partnership = await _theirs(visitor, cohort, pid)
    grades, subjects, technology, chosen = grades or [], subjects or [], technology or [], chosen or []
    asked: dict[str, Any] = {"title": title, "summary": summary, "standards": standards, "links": links}
    asked |= {"grades": grades, "subjects": subjects, "technology": technology, "chosen": chosen}
    e, program = engine(request), visitor.membership(cohort).program
    try:
        text = rules.checked_text(title, grades, subjects, technology, standards, summary, links)
        provenance = Provenance(
            coach_name=(await visitor.names(cohort, [partnership.coach]))[partnership.coach],
            school_name=(await visitor.school_of(cohort, partnership.school)).name,
            program=program.name,
            school_year=program.school_year,
        )
        at = datetime.now(UTC)
        made = await asyncio.to_thread(
            lessons.publish, e.database, e.sealer, cohort, pid, visitor.email, cycle, text, chosen, provenance, at
        )
    except Refused as refused:
        return await _publish_page(request, visitor, cohort, pid, cycle, 409, refused.reason, asked)
    names = await visitor.names(cohort, partnership.partners)
    asked_of = notices.lesson_agreement_asked(
        cohort, made.id, made.text.title, provenance.coach_name, e.settings.web_url, partnership.partners
    )
    await e.notices.deliver(asked_of, at)
    teachers = words.together([names[p] for p in partnership.partners])
    said = f"Saved as a draft: “{made.text.title}” is published once {teachers} agree; until then only your partnership sees it"
    return done(request, f"{LIBRARY}/{made.id}", said)

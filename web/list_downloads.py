"""Every list of the pages as CSV and Excel, narrowed by the same filters as the page it is on.

Each route asks the visitor for its rows (so a principal gets their school's and no
other, a coordinator their cohort's) a page of DOWNLOAD_ROWS at a time, and names
people and schools as the page does. Rows hold what the read model holds: stages,
dates, counts and names, never what partners write, nor a partnership's focus.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter

from domain import to_do, words
from domain.cohort import is_stalled
from domain.training import Attendance
from store.read_model import Page, PartnershipRow, TrainingRow
from web.downloads import Cell, Sheet, download, local
from web.filters import BuildingFilters, OutboxFilters, PartnershipFilters, PeopleFilters
from web.frame import SignedIn
from web.paging import page_of
from web.visitor import Visitor

router = APIRouter()

H = words.HEADING
PARTNERSHIP_COLUMNS = [
    "partnership", "coach", "coach_email", "partners", "partner_emails", "school", "stage", "stage_since",
    "cycle", "cycles_completed", "stalled_since", "follow_ups", "escalations", "reference",
]  # fmt: skip


async def _partnership_rows(visitor: Visitor, cohort: str, rows: list[PartnershipRow]) -> list[list[Cell]]:
    names = await visitor.names(cohort, [e for p in rows for e in (p.coach, *p.partners)])
    schools = await visitor.school_names(cohort)
    zone = visitor.membership(cohort).program.timezone
    return [
        [
            f"{names[p.coach]} with {words.together([names[t] for t in p.partners])}",
            names[p.coach],
            p.coach,
            "; ".join(names[t] for t in p.partners),
            "; ".join(p.partners),
            schools.get(p.school, p.school),
            p.stage.label,
            local(p.stage_since, zone),
            p.cycle,
            p.cycles_completed,
            local(p.stalled_since, zone) if is_stalled(p) else None,
            p.follow_ups,
            p.escalations,
            p.id,
        ]
        for p in rows
    ]


@router.get("/cohorts/{cohort}/partnerships.{form}")
async def partnerships(cohort: str, form: Sheet, visitor: SignedIn, filters: PartnershipFilters) -> Any:
    """The dashboard's list of partnerships, for the cohort's coordinators."""
    visitor.coordinating(cohort)
    f = filters

    async def fetch(offset: int, limit: int) -> Page[PartnershipRow]:
        found = await visitor.partnerships(cohort, f.school, f.coach, f.stage, f.stalled, limit, offset, f.q)
        return Page[PartnershipRow](rows=[s.partnership for s in found.rows], total=found.total, offset=offset, limit=limit)

    async def shape(rows: list[PartnershipRow]) -> list[list[Cell]]:
        return await _partnership_rows(visitor, cohort, rows)

    return await download(form, f"{cohort}-partnerships", [H[c] for c in PARTNERSHIP_COLUMNS], fetch, shape)


@router.get("/cohorts/{cohort}/attendance.{form}")
async def attendance(cohort: str, form: Sheet, visitor: SignedIn) -> Any:
    """The dashboard's attendance grid: each coach's mark for each session, or what it waits for."""
    visitor.coordinating(cohort)
    program = visitor.membership(cohort).program
    now = datetime.now(UTC)
    states = {s.number: to_do.session_state(program, s.number, now) for s in program.sessions}
    headings = [H["coach"], H["email"], H["school"], H["training"]] + [
        words.session_heading(s.number, s.starts_on) for s in program.sessions
    ]

    async def fetch(offset: int, limit: int) -> Page[TrainingRow]:
        return await visitor.trainings(cohort, offset=offset, limit=limit)

    async def shape(rows: list[TrainingRow]) -> list[list[Cell]]:
        schools = await visitor.school_names(cohort)

        def mark(t: TrainingRow, number: int) -> str:
            found: Attendance | None = t.attendance.get(number)
            return words.label(found) if found else words.SESSION_STATE[states[number]]

        found: list[list[Cell]] = []
        for t in rows:
            found.append(
                [t.name, t.coach, schools.get(t.school, t.school), words.label(t.status), *(mark(t, s.number) for s in program.sessions)]
            )
        return found

    return await download(form, f"{cohort}-attendance", headings, fetch, shape)


@router.get("/cohorts/{cohort}/people.{form}")
async def people(cohort: str, form: Sheet, visitor: SignedIn, filters: PeopleFilters) -> Any:
    visitor.coordinating(cohort)

    async def fetch(offset: int, limit: int) -> Page[Any]:
        return await visitor.participants(cohort, offset, filters.role, filters.school, filters.q, limit)

    async def shape(rows: list[Any]) -> list[list[Cell]]:
        schools = await visitor.school_names(cohort)
        return [[p.name, p.email, words.label(p.role), schools.get(p.school, p.school) if p.school else None] for p in rows]

    return await download(form, f"{cohort}-people", [H[c] for c in ("name", "email", "role", "school")], fetch, shape)


@router.get("/cohorts/{cohort}/outbox.{form}")
async def outbox(cohort: str, form: Sheet, visitor: SignedIn, filters: OutboxFilters) -> Any:
    """The notifications sent: who, what and when, without their bodies (the page opens one to read it)."""
    visitor.coordinating(cohort)
    zone = visitor.membership(cohort).program.timezone
    f = filters

    async def fetch(offset: int, limit: int) -> Page[Any]:
        return await visitor.outbox(cohort, offset, f.kind and f.kind.value, f.status, f.q, limit)

    async def shape(rows: list[Any]) -> list[list[Cell]]:
        names = await visitor.names(cohort, [e.recipient for e in rows])
        return [
            [
                words.mail_status(e.status),
                local(e.created_at, zone),
                local(e.sent_at, zone),
                words.label(e.kind),
                names[e.recipient],
                e.recipient,
                e.subject,
            ]
            for e in rows
        ]

    headings = [H[c] for c in ("status", "asked", "sent", "kind", "to", "email", "subject")]
    return await download(form, f"{cohort}-notifications", headings, fetch, shape)


@router.get("/cohorts/{cohort}/schools/{school}/partnerships.{form}")
async def school_partnerships(cohort: str, school: str, form: Sheet, visitor: SignedIn, filters: BuildingFilters) -> Any:
    """A building's partnerships, for its principal and the cohort's coordinators."""

    async def fetch(offset: int, limit: int) -> Page[PartnershipRow]:
        return await visitor.school_partnerships(cohort, school, offset, limit, filters.q, filters.stage, filters.stalled)

    async def shape(rows: list[PartnershipRow]) -> list[list[Cell]]:
        return await _partnership_rows(visitor, cohort, rows)

    return await download(form, f"{cohort}-{school}-partnerships", [H[c] for c in PARTNERSHIP_COLUMNS], fetch, shape)


@router.get("/cohorts/{cohort}/schools/{school}/requests.{form}")
async def school_requests(cohort: str, school: str, form: Sheet, visitor: SignedIn) -> Any:
    """A building's release requests, the newest first, as its ledger last published them."""
    ledger = await visitor.school_ledger(cohort, school)
    requests = list(reversed(ledger.requests))  # one school's year: a few hundred at most, in one record
    zone = visitor.membership(cohort).program.timezone

    async def fetch(offset: int, limit: int) -> Page[Any]:
        return page_of(requests, offset, limit)

    async def shape(rows: list[Any]) -> list[list[Cell]]:
        names = await visitor.names(cohort, [r.requester for r in rows] + [r.decided_by for r in rows if r.decided_by])
        titles = await visitor.titles_of(cohort, sorted({r.partnership for r in rows if r.partnership}))
        return [
            [
                names[r.requester],
                words.label(r.role),
                r.on,
                r.days,
                r.purpose,
                titles.get(r.partnership, r.partnership) if r.partnership else None,
                words.label(r.status),
                r.reason,
                names[r.decided_by] if r.decided_by else None,
                local(r.decided_at, zone),
                r.booking,
            ]
            for r in rows
        ]

    columns = ("who", "role", "day", "days", "purpose", "partnership", "decision", "reason", "decided_by", "decided", "substitute")
    return await download(form, f"{cohort}-{school}-release-requests", [H[c] for c in columns], fetch, shape)

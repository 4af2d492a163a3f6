"""A coach's portfolio on the web: the coach chooses what goes in, writes the summary and names its readers; a reader
reads it; the coach downloads it as PDF or HTML.

What may go in and who may see it are `domain/portfolio.py`'s rules. A portfolio is put together when it is shown,
from the coach's partnerships (each record asked of its workflow, as the partnership page does), the artifacts
they added and their school's plan, so it always shows them as they stand; the database keeps only the coach's
choices, the sealed summary and the readers. A reader is not one of the partnerships' people, so the records are
asked of their workflows here, once `domain.portfolio.may_read` has let the reader in, and only what the domain puts
in a portfolio reaches the page.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Concatenate, ParamSpec, TypeVar

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from domain import portfolio as rules
from domain import words
from domain.access import Member
from domain.portfolio import ArtifactEntry, Offer, PlanEntry, Portfolio
from domain.problems import Refused
from domain.roster import Person, Role
from peercoach.portfolio import MEDIA, PortfolioFormat, page
from peercoach.portfolio.formats import rendered
from store import artifacts, help_requests, members, portfolios, read_model, school_year
from store.database import Database
from store.portfolios import Kept
from web.artifact_pages import SECTION
from web.frame import Engine, SignedIn, SignedInCsrfChecked, done, engine
from web.frame import page as render
from web.visitor import Forbidden, Visitor

router = APIRouter()

P = ParamSpec("P")
T = TypeVar("T")


class PortfolioDesk:
    """One visitor's reach into the portfolios of one cohort: their own, as its coach, and the ones shared with them."""

    def __init__(self, visitor: Visitor, engine: Engine, cohort: str):
        self.visitor = visitor
        self.engine = engine
        self.cohort = cohort
        self.member: Member = visitor.membership(cohort).member  # Forbidden unless they are in the cohort

    @property
    def keeps_one(self) -> bool:
        return rules.may_keep(self.member.role)

    def own(self) -> str:
        """The visitor, as the coach whose portfolio this is."""
        if not self.keeps_one:
            raise Forbidden(f"{rules.KEPT_BY_COACHES}; you are a {words.label(self.member.role)} in cohort {self.cohort}")
        return self.visitor.email

    async def _read(self, query: Callable[Concatenate[Database, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
        """A read or write of the program's database, off the event loop."""
        return await asyncio.to_thread(query, self.engine.database, *args, **kwargs)

    async def kept(self, coach: str) -> Kept:
        return await self._read(portfolios.kept, self.engine.sealer, self.cohort, coach)

    async def _coach(self, coach: str) -> Person | None:
        found = await self._read(members.people, self.cohort, Role.coach, None, [coach], True, 1, 0)
        return found.rows[0] if found.rows else None

    async def offer(self, coach: str, person: Person | None) -> Offer:
        """Everything of the coach's that may go in: the cycles of the partnerships they coach, the artifacts they added,
        their school's plan."""
        rows = [p for p in await self._read(read_model.partnerships_of, self.cohort, coach) if p.coach == coach]
        records = await asyncio.gather(*(self.visitor.coaching.partnership_record(self.cohort, p.id) for p in rows))
        cycles = [c for record in records for c in rules.cycles_of(record, coach)]
        added: list[ArtifactEntry] = []
        for record in records:
            added += rules.artifacts_of_coach(await self._artifacts(record.id), coach)
        plan = await self._plan(person.school) if person is not None and person.school else None
        helped = await self._read(help_requests.help_given, self.cohort, coach)
        return Offer(plan=plan, cycles=cycles, artifacts=added, help_given=helped)

    async def _artifacts(self, partnership: str) -> list[ArtifactEntry]:
        found = await self._read(artifacts.artifacts_of, self.engine.sealer, self.cohort, partnership)
        return [
            ArtifactEntry(
                key=rules.artifact_key(a.id),
                id=a.id,
                partnership=a.partnership,
                cycle=a.cycle,
                stage=a.stage,
                kind=a.kind.value,
                title=a.title,
                link=rules.web_address(a.link) if a.kind == "link" else None,
                file_name=a.file_name,
                download=artifact_download(self.cohort, a.partnership, a.id) if a.kind == "file" else None,
                added_by=a.added_by,
                added_at=a.added_at,
            )
            for a in found
        ]

    async def _plan(self, school: str) -> PlanEntry | None:
        plan = await self._read(school_year.plan_of, self.cohort, school)
        if plan is None:
            return None
        name = (await self.visitor.school_of(self.cohort, school)).name
        return PlanEntry(
            school=name,
            goals=[g.text for g in plan.goals],
            roles=plan.roles,
            communication=plan.communication,
            status=plan.status.value,
            endorsed_at=plan.endorsed_at,
        )

    async def portfolio(self, coach: str) -> tuple[Portfolio, Offer, Kept]:
        """The portfolio as its coach or a reader sees it; anyone else is told only who may see one."""
        kept = await self.kept(coach)
        person = await self._coach(coach)
        if person is None or not rules.may_read(coach, kept.reader_emails, self.visitor.email):
            raise Forbidden(rules.NOT_SHARED)
        offer = await self.offer(coach, person)
        program = self.visitor.membership(self.cohort).program
        school = (await self.visitor.school_of(self.cohort, person.school)).name if person.school else None
        shell = Portfolio(
            cohort=self.cohort,
            program=program.name,
            school_year=program.school_year,
            coach=coach,
            coach_name=person.name,
            school=school,
            summary=kept.summary,
            updated_at=kept.updated_at,
        )
        return rules.assembled(shell, offer, kept.chosen), offer, kept

    async def save(self, summary: str, chosen: list[str]) -> None:
        coach = self.own()
        kept = rules.check_summary(summary)
        offer = await self.offer(coach, await self._coach(coach))
        rules.check_chosen(chosen, offer)
        at = datetime.now(UTC)
        await self._read(portfolios.save, self.engine.sealer, self.cohort, coach, kept, rules.chosen_in_order(chosen, offer), at)

    async def share(self, email: str) -> str:
        coach = self.own()
        found = await self._read(members.people, self.cohort, None, None, [email], False, 1, 0) if email.strip() else None
        person = found.rows[0] if found and found.rows else None
        address = rules.check_reader(coach, email, person, await self._read(portfolios.readers_of, self.cohort, coach))
        await self._read(portfolios.share, self.cohort, coach, address, datetime.now(UTC))
        return person.name if person else address

    async def unshare(self, email: str) -> None:
        coach = self.own()
        if not await self._read(portfolios.unshare, self.cohort, coach, email.strip().lower()):
            raise Refused(f"{email.strip()} does not read your portfolio; nothing was changed")

    async def shared_with_me(self) -> list[str]:
        return list(await self._read(portfolios.shared_with, self.cohort, self.visitor.email))


def artifact_download(cohort: str, partnership: str, artifact: str) -> str:
    """Where the partnership's own people download a file artifact (served with the partnership's pages)."""
    return f"{SECTION.format(cohort=cohort, pid=partnership)}/{artifact}"


def _desk(request: Request, visitor: Visitor, cohort: str) -> PortfolioDesk:
    return PortfolioDesk(visitor, engine(request), cohort)


async def _editor(
    request: Request,
    visitor: Visitor,
    cohort: str,
    status_code: int = 200,
    problem: str | None = None,
    chosen: list[str] | None = None,
    summary: str | None = None,
    reader: str = "",
) -> Response:
    """The coach's page; after a refusal, what they asked for is shown again as they sent it, beside the reason."""
    desk = _desk(request, visitor, cohort)
    coach = desk.own()
    built, offer, kept = await desk.portfolio(coach)
    names = await visitor.names(cohort, kept.reader_emails)
    context = {
        "cohort": cohort,
        "offer": offer,
        "kept": kept,
        "portfolio": built,
        "chosen": set(kept.chosen if chosen is None else chosen),
        "summary": (kept.summary or "") if summary is None else summary,
        "reader": reader,
        "names": names,
        "problem": problem,
        "zone": visitor.membership(cohort).program.timezone,
        "formats": list(PortfolioFormat),
        "SUMMARY_MAX_CHARS": rules.SUMMARY_MAX_CHARS,
        "READERS_MAX": rules.READERS_MAX,
    }
    return render(request, "portfolio.html", status_code=status_code, **context)


@router.get("/cohorts/{cohort}/portfolio", response_class=HTMLResponse)
async def editor(request: Request, cohort: str, visitor: SignedIn) -> Response:
    if not _desk(request, visitor, cohort).keeps_one:  # someone who keeps none may still read some
        return RedirectResponse(f"/cohorts/{cohort}/portfolios", status_code=303)
    return await _editor(request, visitor, cohort)


@router.post("/cohorts/{cohort}/portfolio", response_class=HTMLResponse, dependencies=[SignedInCsrfChecked])
async def save(
    request: Request,
    cohort: str,
    visitor: SignedIn,
    chosen: Annotated[list[str] | None, Form()] = None,
    summary: Annotated[str, Form()] = "",
) -> Response:
    try:
        await _desk(request, visitor, cohort).save(summary, chosen or [])
    except Refused as refused:
        return await _editor(request, visitor, cohort, 409, refused.reason, chosen=chosen or [], summary=summary)
    return done(request, f"/cohorts/{cohort}/portfolio", "Portfolio saved; only you and the people you share it with can read it")


@router.post("/cohorts/{cohort}/portfolio/readers", response_class=HTMLResponse, dependencies=[SignedInCsrfChecked])
async def share(request: Request, cohort: str, visitor: SignedIn, email: Annotated[str, Form()] = "") -> Response:
    try:
        name = await _desk(request, visitor, cohort).share(email)
    except Refused as refused:
        return await _editor(request, visitor, cohort, 409, refused.reason, reader=email)
    return done(request, f"/cohorts/{cohort}/portfolio", f"{name} can now read your portfolio")


@router.post("/cohorts/{cohort}/portfolio/readers/remove", response_class=HTMLResponse, dependencies=[SignedInCsrfChecked])
async def unshare(request: Request, cohort: str, visitor: SignedIn, email: Annotated[str, Form()] = "") -> Response:
    try:
        await _desk(request, visitor, cohort).unshare(email)
    except Refused as refused:
        return await _editor(request, visitor, cohort, 409, refused.reason)
    return done(request, f"/cohorts/{cohort}/portfolio", f"{email.strip()} can no longer read your portfolio")


@router.get("/cohorts/{cohort}/portfolio.{form}")
async def download(request: Request, cohort: str, visitor: SignedIn, form: PortfolioFormat) -> Response:
    """Only the coach downloads their portfolio: a file leaves the program, and who gets it is theirs to decide."""
    desk = _desk(request, visitor, cohort)
    built, _, _ = await desk.portfolio(desk.own())
    web_url = engine(request).settings.web_url.rstrip("/")
    files = [a.model_copy(update={"download": web_url + a.download}) if a.download else a for a in built.artifacts]
    made = rendered(built.model_copy(update={"artifacts": files}), form, visitor.membership(cohort).program.timezone)
    name = f"portfolio-{visitor.email.split('@')[0]}-{cohort}.{form.value}"
    return Response(made, media_type=MEDIA[form], headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/cohorts/{cohort}/portfolios", response_class=HTMLResponse)
async def shared(request: Request, cohort: str, visitor: SignedIn) -> Response:
    """The portfolios coaches of the cohort share with the visitor."""
    desk = _desk(request, visitor, cohort)
    coaches = await desk.shared_with_me()
    names = await visitor.names(cohort, coaches)
    return render(request, "portfolios_shared.html", cohort=cohort, coaches=coaches, names=names, keeps_one=desk.keeps_one)


@router.get("/cohorts/{cohort}/portfolios/{coach}", response_class=HTMLResponse)
async def read(request: Request, cohort: str, coach: str, visitor: SignedIn) -> Response:
    desk = _desk(request, visitor, cohort)
    built, _, _ = await desk.portfolio(coach.strip().lower())
    own = built.coach == visitor.email
    body = page.body(built, visitor.membership(cohort).program.timezone, links=own)
    return render(request, "portfolio_read.html", cohort=cohort, body=body, own=own, formats=list(PortfolioFormat))

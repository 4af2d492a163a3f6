"""Just-in-time help on the web: a teacher asks their coach, the coach answers or points elsewhere, the teacher reads it.

The rules are `domain/help.py`'s. A question is checked against its partnership as the read model has it, sealed
into the database, and its workflow (`workflows/help_request.py`) started; the answer is an Update to that workflow,
which checks it again and seals it. Only the teacher and the coach of a question see it: the pages answer anyone else
as if it were not there. A question that asks for focused time leads to the release form, prefilled: the request is
the release ledger's own, made and checked there.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from temporalio.client import WorkflowHandle
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

from domain import help
from domain.help import AnswerKind, HelpAnswer, HelpRecord, HelpRequest
from domain.problems import Refused
from store import help_requests, read_model
from web.coaching_pages import _release_page  # the release page itself, prefilled: one form, one way to ask
from web.frame import Engine, SignedIn, SignedInCsrfChecked, done, engine, page, templates
from web.visitor import Forbidden, Visitor
from workflows.help_request import HelpInput, HelpRequestWorkflow, help_id

router = APIRouter()

# The domain's limits and rules, for the forms (the home page includes the teacher's form too).
templates.env.globals |= {
    "HELP_QUESTION_MAX_CHARS": help.QUESTION_MAX_CHARS,
    "HELP_ANSWER_MAX_CHARS": help.ANSWER_MAX_CHARS,
    "may_ask_for_help": help.may_ask,
    "may_answer_help": help.may_answer,
}
templates.env.tests["open_to_questions"] = help.open_to_questions


class HelpDesk:
    """One visitor's questions in one cohort: those they asked, as a teacher, or were asked, as a coach."""

    def __init__(self, visitor: Visitor, engine: Engine, cohort: str):
        self.visitor = visitor
        self.engine = engine
        self.cohort = cohort
        self.membership = visitor.membership(cohort)  # Forbidden unless they are in the cohort
        role = self.membership.member.role
        if not (help.may_ask(role) or help.may_answer(role)):
            raise Forbidden(help.SEEN_BY)
        self.asks = help.may_ask(role)

    async def mine(self) -> list[HelpRequest]:
        email = self.visitor.email
        if self.asks:
            return await self.visitor.read(help_requests.requests_of, self.engine.sealer, self.cohort, teacher=email)
        return await self.visitor.read(help_requests.requests_of, self.engine.sealer, self.cohort, coach=email)

    async def one(self, request_id: str) -> HelpRequest:
        found = await self.visitor.read(help_requests.request, self.engine.sealer, self.cohort, request_id)
        if found is None or not help.is_theirs(found, self.visitor.email):
            raise Forbidden(help.NOT_THEIRS)  # the same words for one that is someone else's
        return found

    async def ask(self, partnership: str, question: str, focused_time: bool) -> HelpRecord:
        """Checked, sealed into the database, then its workflow started; if Temporal cannot start it, nothing is kept."""
        found = await self.visitor.read(read_model.partnership, self.cohort, partnership)
        if found is None:
            raise Refused(help.ONLY_TEACHERS)
        kept = help.check_ask(found, self.visitor.email, question)
        record = HelpRecord(
            cohort=self.cohort,
            id=uuid.uuid4().hex[:16],
            partnership=partnership,
            teacher=self.visitor.email,
            coach=found.coach,
            asked_at=datetime.now(UTC),
            focused_time=focused_time,
        )
        await self.visitor.read(help_requests.record_question, self.engine.sealer, record, kept)
        coaching = self.visitor.coaching
        try:
            await coaching.client.start_workflow(
                HelpRequestWorkflow.run,
                HelpInput(record=record, program=self.membership.program),
                id=help_id(self.cohort, record.id),
                task_queue=coaching.task_queue,
            )
        except (RPCError, WorkflowAlreadyStartedError):
            await self.visitor.read(help_requests.forget, self.cohort, record.id)
            raise Refused("your question could not be sent just now, and was not kept; try again in a minute") from None
        return record

    async def answer(self, request_id: str, kind: AnswerKind, text: str) -> HelpRecord:
        """Sent to the question's workflow, which decides; one already settled has no workflow left to ask."""
        help.check_open(await self.one(request_id))
        coaching = self.visitor.coaching
        handle: WorkflowHandle[HelpRequestWorkflow, HelpRecord] = coaching.client.get_workflow_handle_for(
            HelpRequestWorkflow.run, help_id(self.cohort, request_id)
        )
        given = HelpAnswer(actor=self.visitor.email, kind=kind, text=text)
        return await coaching._update(handle, handle.execute_update(HelpRequestWorkflow.answer, given))


def _desk(request: Request, visitor: Visitor, cohort: str) -> HelpDesk:
    return HelpDesk(visitor, engine(request), cohort)


async def _help_page(
    request: Request, visitor: Visitor, cohort: str, status_code: int = 200, problem: str | None = None, asked: dict[str, str] | None = None
) -> Response:
    """`asked`: what a refused question or answer said, kept in its form to correct."""
    desk = _desk(request, visitor, cohort)
    mine = await desk.mine()
    partnerships = await visitor.my_partnerships(cohort)
    people = [p for r in mine for p in (r.teacher, r.coach)]
    return page(
        request,
        "help.html",
        status_code=status_code,
        cohort=cohort,
        asks=desk.asks,
        waiting=[r for r in mine if r.status == help.HelpStatus.open],
        settled=[r for r in mine if r.status != help.HelpStatus.open],
        partnerships=partnerships,
        titles=await visitor.titles(cohort, [(p.id, p.coach, p.partners) for p in partnerships]),
        names=await visitor.names(cohort, people),
        zone=desk.membership.program.timezone,
        kinds=list(AnswerKind),
        problem=problem,
        asked=asked or {},
    )


@router.get("/cohorts/{cohort}/help", response_class=HTMLResponse)
async def help_page(request: Request, cohort: str, visitor: SignedIn) -> Response:
    return await _help_page(request, visitor, cohort)


@router.post("/cohorts/{cohort}/help", response_class=HTMLResponse, dependencies=[SignedInCsrfChecked])
async def ask(
    request: Request,
    cohort: str,
    visitor: SignedIn,
    partnership: Annotated[str, Form()] = "",
    question: Annotated[str, Form()] = "",
    focused_time: Annotated[str, Form()] = "",
) -> Response:
    try:
        record = await _desk(request, visitor, cohort).ask(partnership, question, focused_time == "yes")
    except Refused as refused:
        kept = {"partnership": partnership, "question": question, "focused_time": focused_time, "request": ""}
        return await _help_page(request, visitor, cohort, 409, refused.reason, kept)
    coach = (await visitor.names(cohort, [record.coach]))[record.coach]
    return done(request, f"/cohorts/{cohort}/help", f"Question sent to {coach}; only the two of you see it")


def _answer_kind(kind: str) -> AnswerKind:
    try:
        return AnswerKind(kind)
    except ValueError:
        raise Refused(f"choose how you answer: {' or '.join(k.label.lower() for k in AnswerKind)}") from None


@router.post("/cohorts/{cohort}/help/{request_id}/answer", response_class=HTMLResponse, dependencies=[SignedInCsrfChecked])
async def answer(
    request: Request,
    cohort: str,
    request_id: str,
    visitor: SignedIn,
    kind: Annotated[str, Form()] = AnswerKind.answered.value,
    text: Annotated[str, Form()] = "",
) -> Response:
    try:
        how = _answer_kind(kind)
        record = await _desk(request, visitor, cohort).answer(request_id, how, text)
    except Refused as refused:
        kept = {"request": request_id, "kind": kind, "text": text}
        return await _help_page(request, visitor, cohort, 409, refused.reason, kept)
    teacher = (await visitor.names(cohort, [record.teacher]))[record.teacher]
    return done(request, f"/cohorts/{cohort}/help", f"{how.label}: {teacher} is told, and reads it on their help page")


@router.get("/cohorts/{cohort}/help/{request_id}/release", response_class=HTMLResponse)
async def focused_time(request: Request, cohort: str, request_id: str, visitor: SignedIn) -> Response:
    """The release form, prefilled for focused time on the question (the next school day, a day, its partnership);
    the purpose names the two people only, as the principal reads it: the question stays theirs."""
    found = await _desk(request, visitor, cohort).one(request_id)
    other = found.coach if visitor.email == found.teacher else found.teacher
    name = (await visitor.names(cohort, [other]))[other]
    program = visitor.membership(cohort).program
    on = program.school_day_from(program.local_date(datetime.now(UTC)) + timedelta(days=1))
    asked = {"days": 1, "on": on, "purpose": f"Focused time with {name}", "partnership": found.partnership}
    return await _release_page(request, visitor, cohort, asked=asked)

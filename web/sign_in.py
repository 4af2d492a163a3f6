"""Passwordless sign-in: a one-time link sent through the notification system.

Asking for a link never says whether an address is in the program (no one can
probe the roster). In the embedded default (no SMTP) the link lands in the
outbox and is printed on the console, so a newcomer can sign in. Where the
district's accounts are set up (web/oidc.py), the sign-in page offers them too;
both ways let in the same people (`known`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import structlog
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from domain import notices
from domain.roster import EMAIL_MAX
from web.frame import CsrfChecked, Engine, engine, page, session
from web.session import SIGN_IN_MINUTES, LinkRefused
from web.visitor import Visitor

router = APIRouter()
log = structlog.get_logger()


async def known(e: Engine, email: str) -> bool:
    """May this address sign in: in a running cohort (one indexed query of the database), or in the program office."""
    return (await Visitor.arrive(e.database, e.coaching, email, e.settings.program_office)).known


def sign_in_page(request: Request, status_code: int = 200, problem: str | None = None) -> HTMLResponse:
    """The sign-in page, offering the district's accounts where they are set up."""
    district = getattr(request.app.state, "district_accounts", None)
    return page(request, "sign_in.html", status_code=status_code, problem=problem, provider=district.name if district else None)


@router.get("/sign-in", response_class=HTMLResponse)
async def sign_in_form(request: Request) -> Response:
    return sign_in_page(request)


@router.post("/sign-in", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def send_link(request: Request, email: Annotated[str, Form(max_length=EMAIL_MAX)]) -> Response:
    e = engine(request)
    email = email.strip().lower()
    if await known(e, email):
        token, token_id = e.sessions.link_token(email)
        link = f"{e.settings.web_url}/sign-in/{token}"
        await e.notices.deliver(notices.sign_in_link(email, link, SIGN_IN_MINUTES, token_id), datetime.now(UTC))
        if e.settings.smtp is None:
            log.info("sign-in link (no SMTP set: it is in the outbox)", email=email, link=link)
    else:
        log.info("sign-in asked for an address in no running cohort", email=email)
    return page(request, "link_sent.html", email=email, minutes=SIGN_IN_MINUTES)


@router.get("/sign-in/{token}", response_class=HTMLResponse)
async def confirm_form(request: Request, token: str) -> Response:
    """Looking at the link does not use it up (mail scanners open links); the button does."""
    try:
        email = await engine(request).sessions.peek(token)
    except LinkRefused as refused:
        return sign_in_page(request, status_code=400, problem=str(refused))
    return page(request, "confirm_sign_in.html", email=email, token=token)


@router.post("/sign-in/{token}", dependencies=[CsrfChecked])
async def confirm(request: Request, token: str) -> Response:
    e = engine(request)
    try:
        email = await e.sessions.redeem(token)
    except LinkRefused as refused:
        return sign_in_page(request, status_code=400, problem=str(refused))
    request.state.new_session = await e.sessions.sign_in(email)  # a fresh session id: no fixation
    return RedirectResponse("/", status_code=303)


@router.post("/sign-out", dependencies=[CsrfChecked])
async def sign_out(request: Request) -> Response:
    request.state.new_session = await engine(request).sessions.sign_out(session(request))
    log.info("signed out", email=session(request).email)
    return RedirectResponse("/sign-in", status_code=303)

"""How often a person hears of each kind of notice: their preferences page, and the one-click unsubscribe link.

The rule (which kinds may wait for the daily digest or be turned off, and each role's defaults)
is domain/preferences.py's; this door shows it and records choices. The unsubscribe link in a
message is signed for one person and one kind (the token is its credential, as a calendar
feed's is): opening it asks to confirm, and a POST to it (the confirm button, or a mail app's
one-click "Unsubscribe", RFC 8058) turns that kind off. It needs no session, no CSRF token.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from domain import preferences
from domain.preferences import Frequency, check_choice, preferences_of
from store import preferences as chosen
from web.frame import SignedIn, SignedInCsrfChecked, engine, page

router = APIRouter()

SAID = {
    Frequency.immediate: "At once",
    Frequency.digest: "In my daily digest",
    Frequency.off: "Not at all",
}


@router.get("/preferences", response_class=HTMLResponse)
async def show(request: Request, visitor: SignedIn, saved: bool = False) -> Response:
    return await _page(request, visitor.email, said="Saved." if saved else None)


@router.post("/preferences", dependencies=[SignedInCsrfChecked])
async def save(request: Request, visitor: SignedIn) -> Response:
    form = await request.form()
    picks = {str(name).removeprefix("kind:"): str(value) for name, value in form.items() if str(name).startswith("kind:")}
    try:
        checked = [check_choice(kind, picked) for kind, picked in picks.items()]
    except ValueError as wrong:  # nothing is recorded unless every choice is one the kind allows
        return await _page(request, visitor.email, status_code=400, problem=str(wrong))
    database, now = engine(request).database, datetime.now(UTC)
    for kind, frequency in checked:
        await asyncio.to_thread(chosen.choose, database, visitor.email, kind, frequency, now)
    return RedirectResponse("/preferences?saved=true", status_code=303)


async def _page(request: Request, email: str, status_code: int = 200, **context: object) -> Response:
    database = engine(request).database
    role = await asyncio.to_thread(chosen.role_of, database, email)
    picked = await asyncio.to_thread(chosen.chosen, database, email)
    choices = preferences_of(role, picked)
    return page(request, "preferences.html", status_code=status_code, choices=choices, said_as=SAID, **context)


@router.get("/unsubscribe/{token}", response_class=HTMLResponse)
async def confirm(request: Request, token: str) -> Response:
    """A link opened (or fetched by a mail scanner) changes nothing: it asks."""
    found = preferences.unsubscribed_by(engine(request).sessions.secret, token)
    if found is None:
        return _not_a_link(request)
    email, kind = found
    return page(request, "unsubscribed.html", email=email, label=preferences.LABELS.get(kind, kind.value), token=token, done=False)


@router.post("/unsubscribe/{token}", response_class=HTMLResponse)
async def unsubscribe(request: Request, token: str) -> Response:
    e = engine(request)
    found = preferences.unsubscribed_by(e.sessions.secret, token)
    if found is None:
        return _not_a_link(request)
    email, kind = found
    await asyncio.to_thread(chosen.choose, e.database, email, kind, Frequency.off, datetime.now(UTC))
    return page(request, "unsubscribed.html", email=email, label=preferences.LABELS.get(kind, kind.value), token=token, done=True)


def _not_a_link(request: Request) -> Response:
    problem = (
        "this unsubscribe link is not one the program made (it may be cut short): "
        "open it again from the email, or sign in and choose on your preferences page"
    )
    return page(request, "problem.html", status_code=404, title="Not an unsubscribe link", problem=problem)

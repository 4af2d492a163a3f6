"""The web app: server-rendered pages (Jinja2 + htmx) and a JSON API under /api.

Pages and API go through the same `Visitor` (who may see and do what): it reads
from the program's database, a page at a time, and acts through the same
`CoachingClient` the command line uses; no rule of the program lives here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import structlog
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.routing import BaseRoute, Match, Mount

from activities.notifications import Mailer, NoticeActivities
from domain.problems import Refused
from peercoach.client import CoachingClient
from peercoach.connect import coaching_client
from store.database import DatabaseProblem
from store.outbox import Outbox
from store.sealed import Sealer
from web import (
    api,
    application_pages,
    artifact_pages,
    board_pages,
    calendar_feed,
    coaching_pages,
    coordinator_pages,
    help_pages,
    home,
    lesson_pages,
    list_downloads,
    meeting_pages,
    office_actions,
    office_pages,
    oidc,
    plan_pages,
    portfolio_pages,
    preferences,
    principal_pages,
    report_pages,
    sign_in,
    tiers_pages,
    year_two_pages,
)
from web.body_limit import BodyLimit
from web.frame import Engine, NotSignedIn, page
from web.session import COOKIE, SESSION_HOURS, Sessions, secret_key
from web.visitor import Forbidden
from workers.codec import key_ring
from workers.settings import Settings

log = structlog.get_logger()

SECURITY_HEADERS = {
    # Everything (htmx included) is served from the app itself; nothing else may load or frame it.
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # sign-in tokens are in URLs
    "Cache-Control": "no-store",
}


PROBED_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def methods_at(routes: list[BaseRoute], path: str) -> set[str]:
    """Every method the resource at this path takes (a route answers for one method, so its own 405 names only that one)."""
    found: set[str] = set()
    for method in PROBED_METHODS:
        probe = {"type": "http", "path": path, "root_path": "", "method": method, "headers": [], "query_string": b""}
        if any(not isinstance(route, Mount) and route.matches(dict(probe))[0] == Match.FULL for route in routes):
            found.add(method)
    return found


def create_app(settings: Settings, coaching: CoachingClient | None = None) -> FastAPI:
    """The app; `coaching` is made from the settings when the app starts unless one is given (tests)."""
    secret = secret_key(settings.web_secret.get_secret_value() if settings.web_secret else None, settings.data_dir)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        door = coaching or await coaching_client(settings)  # it opens the database; the app shares its pool
        database = door.database
        outbox = Outbox(database)
        app.state.engine = Engine(
            settings=settings,
            coaching=door,
            database=database,
            sessions=Sessions(secret, database),
            outbox=outbox,
            notices=NoticeActivities(outbox, Mailer(settings.smtp) if settings.smtp else None),
            sealer=Sealer(key_ring(settings)),
        )
        yield
        database.dispose()

    app = FastAPI(
        title="Peer Coaching Program",
        lifespan=lifespan,
        openapi_url="/api/openapi.json",
        docs_url=None,  # the docs page loads scripts from a CDN; the machines here have no internet
        redoc_url=None,
        # Starlette's own slash redirect builds its URL from the request's Host header; `methods_and_slashes` answers instead.
        redirect_slashes=False,
    )
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    # Pages answer people (HTML, redirects); the OpenAPI document describes the JSON API alone.
    pages = (
        sign_in,
        oidc,
        home,
        coordinator_pages,
        coaching_pages,
        principal_pages,
        calendar_feed,
        preferences,
        report_pages,
        list_downloads,
        portfolio_pages,
        artifact_pages,
        plan_pages,
        tiers_pages,
        year_two_pages,
        application_pages,
        office_pages,
        office_actions,
        board_pages,
        help_pages,
        meeting_pages,
        lesson_pages,
    )
    for module in pages:
        app.include_router(module.router, include_in_schema=False)
    app.include_router(api.router, prefix="/api")
    oidc.install(app, settings, secret)

    @app.middleware("http")  # added first, so it runs inside `sessions_and_headers` and its answers get the same headers
    async def methods_and_slashes(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        """OPTIONS and a 405 name every method the resource takes; a stray trailing slash redirects to a relative path."""
        allowed = methods_at(app.router.routes, request.url.path)
        allow = {"Allow": ", ".join(sorted(allowed | {"OPTIONS"}))}
        if request.method == "OPTIONS" and allowed:
            return Response(status_code=204, headers=allow)
        path = request.url.path
        if not allowed and path.endswith("/") and not path.startswith("//"):  # "//host" would leave the site
            without = path.rstrip("/")
            if without and methods_at(app.router.routes, without):
                query = request.url.query
                return RedirectResponse(without + (f"?{query}" if query else ""), status_code=308)
        response = await call_next(request)
        if response.status_code == 405 and allowed:
            response.headers.update(allow)
        return response

    @app.middleware("http")
    async def sessions_and_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        sessions: Sessions = request.app.state.engine.sessions
        try:
            found = await sessions.read(request.cookies.get(COOKIE))
        except DatabaseProblem as down:  # raised here, it would pass the exception handlers by
            return await database_down(request, down)
        request.state.session = found or sessions.new()
        response = await call_next(request)
        renewed = getattr(request.state, "new_session", None)
        if found is None or renewed is not None:
            response.set_cookie(
                COOKIE,
                sessions.cookie(renewed or request.state.session),
                max_age=SESSION_HOURS * 3600,
                httponly=True,
                samesite="lax",
                secure=settings.web_url.startswith("https://"),
            )
        own_policy = response.headers.get("content-security-policy")  # a download's own, stricter policy (its sandbox) stands
        response.headers.update(SECURITY_HEADERS)
        if own_policy is not None:
            response.headers["Content-Security-Policy"] = own_policy
        return response

    app.add_middleware(BodyLimit)  # added last, so it is outermost: a body too large is refused before anything reads it

    @app.exception_handler(DatabaseProblem)
    async def database_down(request: Request, exc: Exception) -> Response:
        """The database is down or behind: say so in one line; nothing was changed."""
        log.error("database unavailable", path=request.url.path, problem=str(exc))
        message = "the program's database cannot be reached just now; nothing was changed. Try again in a minute."
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": message}, status_code=503)
        if not hasattr(request.state, "session"):  # the page needs a session for its form tokens
            return HTMLResponse(f"<!doctype html><title>Unavailable</title><p>{message}</p>", status_code=503)
        return page(request, "problem.html", status_code=503, title="Unavailable", problem=message)

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, _: Exception) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "sign in first"}, status_code=401)
        return RedirectResponse("/sign-in", status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Exception) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": str(exc)}, status_code=403)
        return page(request, "problem.html", status_code=403, title="Not allowed", problem=str(exc))

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Refused)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": exc.reason, "allowed": exc.allowed}, status_code=409)
        return page(request, "problem.html", status_code=409, title="That could not be done", problem=exc.reason, allowed=exc.allowed)

    return app

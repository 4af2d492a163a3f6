"""A partnership's artifacts on the web: the list by cycle and stage, adding a link or a file, downloading, removing.

The section is its own resource (`/cohorts/<cohort>/partnerships/<id>/artifacts`): the partnership
page loads it in place with htmx, and links to it for a browser without scripts. Who may see, add
and remove, and every refusal's words, are domain/artifacts.py's; the partnership's coach,
teachers, cycle and stage come from the read model. A principal, a coordinator or another coach
gets the same 403 for the section and for a download, and never a title.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from domain import artifacts as rules
from domain import words
from domain.problems import Refused
from store import artifacts, read_model
from store.read_model import PartnershipRow
from web.frame import SignedIn, SignedInCsrfChecked, done, engine, is_htmx, page
from web.visitor import Forbidden, Visitor

router = APIRouter()

SECTION = "/cohorts/{cohort}/partnerships/{pid}/artifacts"
# The forms' limits, from the domain: a browser stops what the domain would refuse.
LIMITS: dict[str, Any] = {
    "title_max": rules.TITLE_MAX_CHARS,
    "link_max": rules.LINK_MAX_CHARS,
    "accept": ",".join(rules.accepted_suffixes()),
    "max_size": rules.megabytes(rules.ARTIFACT_MAX_BYTES),
    "kinds": rules.kinds_named(),
}
# A download is the person's own file, never a page of this site: no script runs and nothing loads if a browser shows it.
DOWNLOAD_POLICY = "default-src 'none'; sandbox"


def _section(cohort: str, pid: str) -> str:
    return SECTION.format(cohort=cohort, pid=pid)


async def _theirs(request: Request, visitor: Visitor, cohort: str, pid: str) -> PartnershipRow:
    """The partnership, if the visitor is its coach or one of its teachers; Forbidden (403), in the domain's words, if not."""
    visitor.membership(cohort)
    found = await asyncio.to_thread(read_model.partnership, engine(request).database, cohort, pid)
    if found is None:
        raise Forbidden(f"you are not part of partnership {pid}")  # the same answer as for someone else's
    try:
        rules.check_see(found, visitor.email)
    except Refused as refused:
        raise Forbidden(refused.reason) from None
    return found


async def _artifacts_page(
    request: Request,
    visitor: Visitor,
    cohort: str,
    pid: str,
    status_code: int = 200,
    problem: str | None = None,
    asked: dict[str, str] | None = None,
    said: str | None = None,
) -> Response:
    """The section (htmx swaps it in place) or the page around it; `asked`: what a refused form held, to correct."""
    partnership = await _theirs(request, visitor, cohort, pid)
    e = engine(request)
    found = await asyncio.to_thread(artifacts.artifacts_of, e.database, e.sealer, cohort, pid)
    people = [partnership.coach, *partnership.partners, *(a.added_by for a in found)]
    context = {
        "cohort": cohort,
        "partnership": partnership,
        "section": _section(cohort, pid),
        "groups": rules.by_cycle_and_stage(found),
        "names": (names := await visitor.names(cohort, people)),
        "partner_names": words.together([names[p] for p in partnership.partners]),
        "zone": visitor.membership(cohort).program.timezone,
        "size_of": rules.size_label,
        "title": (await visitor.titles(cohort, [(partnership.id, partnership.coach, partnership.partners)]))[partnership.id],
        "adds": rules.may_add_now(partnership, visitor.email),
        "me": visitor.email,
        "problem": problem,
        "asked": asked or {},
        "fragment": is_htmx(request),
        "limits": LIMITS,
    }
    if said is not None:
        context["said"] = said
    template = "_artifacts.html" if is_htmx(request) else "artifacts.html"
    return page(request, template, status_code=status_code, **context)


async def _changed(request: Request, visitor: Visitor, cohort: str, pid: str, said: str) -> Response:
    """After a change: htmx swaps the section in place with its status line; a plain form goes to the section's page."""
    if is_htmx(request):
        return await _artifacts_page(request, visitor, cohort, pid, said=said)
    return done(request, _section(cohort, pid), said)


async def _refused(request: Request, visitor: Visitor, cohort: str, pid: str, refused: Refused, asked: dict[str, str]) -> Response:
    # htmx swaps only 2xx answers in place: the refusal is shown where the form was
    status = 200 if is_htmx(request) else 409
    return await _artifacts_page(request, visitor, cohort, pid, status, refused.reason, asked)


@router.get(SECTION, response_class=HTMLResponse)
async def section(request: Request, cohort: str, pid: str, visitor: SignedIn) -> Response:
    return await _artifacts_page(request, visitor, cohort, pid)


@router.post(f"{SECTION}/links", response_class=HTMLResponse, dependencies=[SignedInCsrfChecked])
async def add_link(
    request: Request, cohort: str, pid: str, visitor: SignedIn, title: Annotated[str, Form()] = "", link: Annotated[str, Form()] = ""
) -> Response:
    await _theirs(request, visitor, cohort, pid)
    e = engine(request)
    try:
        added = await asyncio.to_thread(
            artifacts.add_link, e.database, e.sealer, cohort, pid, visitor.email, title, link, datetime.now(UTC)
        )
    except Refused as refused:
        return await _refused(request, visitor, cohort, pid, refused, {"link_title": title, "link": link})
    return await _changed(
        request, visitor, cohort, pid, f"Link added: {added.title}; only the partnership's coach and teachers can open it"
    )


@router.post(f"{SECTION}/files", response_class=HTMLResponse, dependencies=[SignedInCsrfChecked])
async def add_file(
    request: Request,
    cohort: str,
    pid: str,
    visitor: SignedIn,
    title: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    await _theirs(request, visitor, cohort, pid)
    e = engine(request)
    asked = {"file_title": title}
    try:
        if file is None:
            raise Refused(rules.NO_FILE)
        content = await file.read(rules.ARTIFACT_MAX_BYTES + 1)  # no more than one byte past the limit is read to refuse it
        if len(content) > rules.ARTIFACT_MAX_BYTES:
            raise rules.too_big(file.size or len(content))
        name, at = file.filename or "", datetime.now(UTC)
        added = await asyncio.to_thread(artifacts.add_file, e.database, e.sealer, cohort, pid, visitor.email, title, name, content, at)
    except Refused as refused:
        return await _refused(request, visitor, cohort, pid, refused, asked)
    return await _changed(
        request, visitor, cohort, pid, f"File added: {added.title}; only the partnership's coach and teachers can open it"
    )


@router.get(f"{SECTION}/{{artifact_id}}")
async def download(request: Request, cohort: str, pid: str, artifact_id: str, visitor: SignedIn) -> Response:
    """The file as it was uploaded, to save (never shown as a page of this site), as the kind its bytes were found to be."""
    await _theirs(request, visitor, cohort, pid)  # before anything is read or opened
    e = engine(request)
    found = await asyncio.to_thread(artifacts.file_of, e.database, e.sealer, cohort, artifact_id)
    if found is None or found[0].partnership != pid:
        return page(request, "problem.html", status_code=404, title="Not found", problem=rules.unseen(artifact_id))
    artifact, content = found
    headers = {
        "Content-Disposition": attachment(rules.download_name(artifact)),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": DOWNLOAD_POLICY,
    }
    return Response(content, media_type=artifact.media_type, headers=headers)


def attachment(name: str) -> str:
    """`Content-Disposition` for a download: an ASCII name every browser reads, and the real one (RFC 6266) for those that can."""
    plain = "".join(c if c.isascii() and (c.isalnum() or c in " ._-()") else "_" for c in name).strip() or "artifact"
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


@router.post(f"{SECTION}/{{artifact_id}}/remove", response_class=HTMLResponse, dependencies=[SignedInCsrfChecked])
async def remove(request: Request, cohort: str, pid: str, artifact_id: str, visitor: SignedIn) -> Response:
    await _theirs(request, visitor, cohort, pid)
    e = engine(request)
    try:
        removed = await asyncio.to_thread(artifacts.remove, e.database, e.sealer, cohort, pid, artifact_id, visitor.email)
    except Refused as refused:
        return await _refused(request, visitor, cohort, pid, refused, {})
    return await _changed(request, visitor, cohort, pid, f"Removed: {removed.title}")

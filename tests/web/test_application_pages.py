"""Applying to an offering over HTTP, and the pages its signed links lead to: confirm, endorse, status, withdraw.

The web tests' app, worker and Temporal dev server run each offering's real enrollment workflow;
the links are signed with the web app's secret, as the worker signs the ones it mails.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx

from domain import application_links
from domain.application_links import Purpose
from domain.applications import Application
from domain.offering import Offering
from peercoach.enrollment_client import EnrollmentClient
from store import applications as stored
from tests.offering_fixtures import spring
from tests.web.conftest import PROGRAM_OFFICE, WebStack, csrf_of

SECRET = b"a secret for the web tests"  # the web stack's, which its worker signs with too


async def until(check: Callable[[], object], seconds: float = 15.0) -> None:
    """The database's copy follows the workflow a moment later."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not check():
        assert asyncio.get_running_loop().time() < deadline, f"still not true after {seconds}s"
        await asyncio.sleep(0.1)


async def open_spring(stack: WebStack, opens_in: timedelta = timedelta(days=-1)) -> Offering:
    """An offering of its own (open since yesterday unless said), started and in the database."""
    offering = spring(datetime.now(UTC), opens_in).model_copy(update={"id": f"spring-{uuid.uuid4().hex[:8]}"})
    await EnrollmentClient(stack.coaching).open_offering(offering, [PROGRAM_OFFICE])
    await until(lambda: stored.offering(stack.database, offering.id) is not None)
    return offering


def fields(tag: str, n: int, **changes: object) -> dict[str, str]:
    """The application form as a browser sends it."""
    sent = {
        "name": f"Applicant {n}",
        "email": f"a{n}-{tag}@schools.test",
        "role": "teacher_librarian",
        "school": "Hazel Dell Elementary",
        "district": "Evergreen",
        "region": "southwest",
        "site": "esd-112",
        "why": "I want my colleagues to find the library's research tools",
        "principal_name": "Pat Principal",
        "principal_email": f"pat-{tag}@schools.test",
        "scholarship": "wlma",
        "member": "true",
    }
    return sent | {k: str(v) for k, v in changes.items()}


def link(purpose: Purpose, application: str, email: str) -> str:
    return application_links.path(purpose, application_links.token(SECRET, purpose, application, email))


async def apply(client: httpx.AsyncClient, offering: str, sent: dict[str, str]) -> httpx.Response:
    form = await client.get(f"/apply/{offering}")
    return await client.post(f"/apply/{offering}", data=sent | {"csrf": csrf_of(form.text)})


def applied_id(page: str) -> str:
    found = re.search(r"received, as ([a-z0-9-]+-\d{4})\.", page)
    assert found is not None, page
    return found.group(1)


async def record_of(stack: WebStack, offering: str) -> list[Application]:
    return (await EnrollmentClient(stack.coaching).record(offering)).applications


async def test_applying_confirming_endorsing_and_withdrawing(web_stack: WebStack) -> None:
    offering, tag = await open_spring(web_stack), uuid.uuid4().hex[:6]
    async with httpx.AsyncClient(base_url=web_stack.url, timeout=30) as visitor:
        form = await visitor.get(f"/apply/{offering.id}")
        assert form.status_code == 200
        assert "799 USD" in form.text and "ESD 113, Olympia" in form.text and "Weekly common planning" in form.text
        assert "I am a member of WLMA" in form.text
        sent = fields(tag, 1)
        forged = await visitor.post(f"/apply/{offering.id}", data=sent)  # without the form's token: refused like sign-in's
        assert forged.status_code == 403

        applied = await apply(visitor, offering.id, sent)
        assert applied.status_code == 200 and "Check your email to confirm" in applied.text
        app_id = applied_id(applied.text)

        again = await apply(visitor, offering.id, sent | {"name": "Applicant Again"})
        assert again.status_code == 409
        assert "has applied already; the message we sent" in again.text and app_id not in again.text
        assert 'value="Applicant Again"' in again.text and "library&#39;s research tools</textarea>" in again.text  # kept
        self_endorsed = await apply(visitor, offering.id, fields(tag, 2, principal_email=f"a2-{tag}@schools.test"))
        assert self_endorsed.status_code == 409 and "someone other than the applicant" in self_endorsed.text
        assert [a.id for a in await record_of(web_stack, offering.id)] == [app_id]  # the refusals wrote nothing

        # The confirm link shows a button; the button confirms; following it again shows where it stands.
        confirm = link(Purpose.confirm, app_id, sent["email"])
        shown = await visitor.get(confirm)
        assert shown.status_code == 200 and f"Confirm {sent['email']}" in shown.text
        assert not (await record_of(web_stack, offering.id))[0].email_confirmed  # looking changed nothing
        confirmed = await visitor.post(confirm, data={"csrf": csrf_of(shown.text)})
        assert confirmed.status_code == 200 and "applied: waiting for your principal" in confirmed.text
        twice = await visitor.post(confirm, data={"csrf": csrf_of(shown.text)})
        assert twice.status_code == 200 and "waiting for your principal" in twice.text
        await until(lambda: stored.application(web_stack.database, app_id)[0].email_confirmed)  # type: ignore[index]
        followed = await visitor.get(confirm)
        assert followed.status_code == 200 and "waiting for your principal" in followed.text and "Withdraw" in followed.text

        # The principal reads the application and the school's commitment, and endorses it.
        endorse = link(Purpose.endorse, app_id, sent["principal_email"])
        asked = await visitor.get(endorse)
        assert asked.status_code == 200 and "Applicant 1" in asked.text and "library&#39;s research tools" in asked.text
        assert "2 day(s) of release time for each collaborating teacher" in asked.text
        endorsed = await visitor.post(endorse, data={"csrf": csrf_of(asked.text), "answer": "endorse", "school_model": "part-time"})
        assert endorsed.status_code == 200 and "you endorsed Applicant 1" in endorsed.text
        assert "endorsed, fee due: 799 USD" in endorsed.text
        answered = (await record_of(web_stack, offering.id))[0]
        assert answered.status.value == "endorsed" and answered.school_model is not None and answered.school_model.value == "part-time"

        # Their status link says where it stands, and withdraws it.
        status = link(Purpose.status, app_id, sent["email"])
        await until(lambda: stored.application(web_stack.database, app_id)[0].status.value == "endorsed")  # type: ignore[index]
        standing = await visitor.get(status)
        assert standing.status_code == 200 and "endorsed, fee due: 799 USD" in standing.text
        withdrawn = await visitor.post(status, data={"csrf": csrf_of(standing.text)})
        assert withdrawn.status_code == 200 and f"Application {app_id} is withdrawn" in withdrawn.text
        assert "Withdraw my application" not in withdrawn.text
        assert (await record_of(web_stack, offering.id))[0].status.value == "withdrawn"


async def test_a_principal_declines_with_a_reason(web_stack: WebStack) -> None:
    offering, tag = await open_spring(web_stack), uuid.uuid4().hex[:6]
    async with httpx.AsyncClient(base_url=web_stack.url, timeout=30) as visitor:
        sent = fields(tag, 3, scholarship="", member="")
        app_id = applied_id((await apply(visitor, offering.id, sent)).text)
        await EnrollmentClient(web_stack.coaching).confirm_email(app_id, sent["email"])
        endorse = link(Purpose.endorse, app_id, sent["principal_email"])
        asked = await visitor.get(endorse)
        declined = await visitor.post(endorse, data={"csrf": csrf_of(asked.text), "answer": "decline", "reason": "Not this year"})
        assert declined.status_code == 200 and "You declined Applicant 3" in declined.text
        assert "declined: Pat Principal did not endorse it: Not this year" in declined.text
        late = await visitor.post(endorse, data={"csrf": csrf_of(asked.text), "answer": "endorse"})
        assert late.status_code == 409 and "is declined already" in late.text


async def test_links_the_program_did_not_make_are_not_found(web_stack: WebStack) -> None:
    offering, tag = await open_spring(web_stack), uuid.uuid4().hex[:6]
    async with httpx.AsyncClient(base_url=web_stack.url, timeout=30) as visitor:
        sent = fields(tag, 4)
        app_id = applied_id((await apply(visitor, offering.id, sent)).text)
        forged = application_links.token(b"another secret", Purpose.confirm, app_id, sent["email"])
        for path in (
            f"/apply/confirm/{forged}",
            "/apply/confirm/not-a-token",
            link(Purpose.status, app_id, sent["email"]).replace("/status/", "/confirm/"),  # a status link does not confirm
            link(Purpose.endorse, app_id, sent["email"]).replace("/endorse/", "/status/"),
            f"/apply/endorse/{forged}",
        ):
            found = await visitor.get(path)
            assert found.status_code == 404 and "not one the program sent" in found.text, path
        shown = await visitor.get(f"/apply/{offering.id}")
        posted = await visitor.post(f"/apply/confirm/{forged}", data={"csrf": csrf_of(shown.text)})
        assert posted.status_code == 404
        assert not (await record_of(web_stack, offering.id))[0].email_confirmed
        unknown = await visitor.get("/apply/no-such-offering")
        assert unknown.status_code == 404 and "There is no offering called" in unknown.text


async def test_before_the_window_opens_the_form_says_so_and_the_workflow_refuses(web_stack: WebStack) -> None:
    offering, tag = await open_spring(web_stack, opens_in=timedelta(days=3)), uuid.uuid4().hex[:6]
    async with httpx.AsyncClient(base_url=web_stack.url, timeout=30) as visitor:
        form = await visitor.get(f"/apply/{offering.id}")
        assert form.status_code == 200 and "Applications open on" in form.text
        early = await apply(visitor, offering.id, fields(tag, 5))
        assert early.status_code == 409 and f"applications to {offering.name} open on" in early.text
        assert 'value="Applicant 5"' in early.text
        assert await record_of(web_stack, offering.id) == []

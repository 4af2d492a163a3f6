"""The program office's pages over HTTP: only the office sees them; opening an offering from its file; an offering's
figures, its downloads, and its actions (extend, decide a site, award by choice, record a payment, launch a site),
each refusal showing the domain's reason and changing nothing."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
from openpyxl import load_workbook

from domain.applications import Application
from domain.processes.enrollment_requests import EndorsementAnswer
from peercoach.enrollment_client import EnrollmentClient
from store import applications as stored
from tests.conftest import program_starting
from tests.offering_fixtures import form
from tests.web.conftest import PROGRAM_OFFICE, WebStack, csrf_of, launch, signed_in
from tests.web.test_application_pages import open_spring, record_of, until

SAMPLE = (Path(__file__).resolve().parents[2] / "samples" / "offering.yaml").read_text()


async def three_applied(stack: WebStack, offering: str, tag: str) -> list[Application]:
    """Two at Vancouver, confirmed and endorsed (the first asks for the members' scholarship); one at Olympia, unconfirmed."""
    enrollment = EnrollmentClient(stack.coaching)
    forms = [
        form(1, "esd-112", "southwest", "Hazel Dell Elementary", email=f"a1-{tag}@schools.test", scholarship="wlma", member=True),
        form(2, "esd-112", "southwest", "Sifton Elementary", email=f"a2-{tag}@schools.test"),
        form(3, "esd-113", "capital", "Lacey Elementary", email=f"a3-{tag}@schools.test"),
    ]
    applied = [await enrollment.apply(offering, f) for f in forms]
    for a in applied[:2]:
        await enrollment.confirm_email(a.id, a.email)
        await enrollment.answer_endorsement(EndorsementAnswer(application=a.id, actor=a.form.principal_email, endorse=True))
    await until(lambda: sum(a.status.value == "endorsed" for a in stored.applications(stack.database, offering)) == 2)
    return applied


async def test_only_the_program_office_sees_the_offices_pages(web_stack: WebStack) -> None:
    offering = await open_spring(web_stack)
    cohort = await launch(web_stack)
    paths = [
        "/office/offerings",
        "/office/offerings/new",
        f"/office/offerings/{offering.id}",
        f"/office/offerings/{offering.id}/applications.csv",
    ]
    for email in (cohort.ann, cohort.tia, cohort.coordinator):  # a coach, a teacher, a cohort's own coordinator
        client = await signed_in(web_stack, email)
        for path in paths:
            assert (await client.get(path)).status_code == 403, (email, path)
        home = await client.get("/")
        assert "/office/offerings" not in home.text
        tried = await client.post(
            f"/office/offerings/{offering.id}/deadline", data={"csrf": csrf_of(home.text), "deadline": "2099-01-01", "reason": "x"}
        )
        assert tried.status_code == 403
        await client.aclose()
    async with httpx.AsyncClient(base_url=web_stack.url, timeout=30) as anonymous:
        for path in paths:
            sent = await anonymous.get(path)
            assert sent.status_code == 303 and sent.headers["location"] == "/sign-in", path  # as every signed-in page does
    assert (await EnrollmentClient(web_stack.coaching).record(offering.id)).deadline == offering.deadline
    office = await signed_in(web_stack, PROGRAM_OFFICE)
    home = await office.get("/")
    assert 'href="/office/offerings"' in home.text
    assert (await office.get(f"/office/offerings/{offering.id}")).status_code == 200
    await office.aclose()


async def test_opening_an_offering_from_its_file(web_stack: WebStack) -> None:
    office, tag = await signed_in(web_stack, PROGRAM_OFFICE), uuid.uuid4().hex[:6]
    new = await office.get("/office/offerings/new")
    broken = SAMPLE.replace("id: tl-peer-coaching-2027", f"id: broken-{tag}").replace(
        "minimum: 12, maximum: 30, nearby: [esd-123]", "minimum: 0"
    )
    broken = broken.replace("currency: USD", "currency: dollars")
    refused = await office.post(
        "/office/offerings/new", data={"csrf": csrf_of(new.text)}, files={"offering": ("spring.yaml", broken.encode())}
    )
    assert refused.status_code == 400 and "Nothing was opened" in refused.text
    assert "spring.yaml, field &#39;sites[1].minimum&#39;" in refused.text and "fee.currency" in refused.text
    assert stored.offering(web_stack.database, f"broken-{tag}") is None

    good = SAMPLE.replace("id: tl-peer-coaching-2027", f"id: sample-{tag}")
    opened = await office.post(
        "/office/offerings/new", data={"csrf": csrf_of(new.text)}, files={"offering": ("spring.yaml", good.encode())}
    )
    assert opened.status_code == 303 and opened.headers["location"] == "/office/offerings"
    await until(lambda: stored.offering(web_stack.database, f"sample-{tag}") is not None)
    listed = await office.get("/office/offerings")
    assert f'href="/office/offerings/sample-{tag}"' in listed.text and "Opened Teacher Librarian Peer Coaching 2027-2028" in listed.text
    again = await office.post("/office/offerings/new", data={"csrf": csrf_of(new.text)}, files={"offering": ("spring.yaml", good.encode())})
    assert again.status_code == 409 and f"offering sample-{tag} is open already" in again.text
    await office.aclose()


async def test_an_offerings_figures_downloads_and_actions(web_stack: WebStack) -> None:
    offering, tag = await open_spring(web_stack), uuid.uuid4().hex[:6]
    a1, a2, a3 = await three_applied(web_stack, offering.id, tag)
    office = await signed_in(web_stack, PROGRAM_OFFICE)
    url = f"/office/offerings/{offering.id}"
    shown = await office.get(url)
    assert shown.status_code == 200
    assert '<strong id="endorsements-missing">1</strong>' in shown.text and "1 waiting for the applicant to confirm" in shown.text
    assert '<span class="endorsed">2</span> of 2' in shown.text and "1598 USD" in shown.text  # two fees due
    assert "days to the deadline" in shown.text

    table = list(csv.reader(io.StringIO((await office.get(f"{url}/applications.csv")).text.removeprefix("\ufeff"))))
    assert table[0][:3] == ["Application", "Name", "Email"]
    rows = {r[0]: dict(zip(table[0], r, strict=True)) for r in table[1:]}
    assert rows[a1.id]["Status"] == "endorsed" and rows[a1.id]["Fee due"] == "799" and rows[a1.id]["Scholarship asked for"] == "wlma"
    assert rows[a3.id]["Where it stands"] == "applied: confirm your email (see the link we sent)" and rows[a3.id]["Fee due"] == "0"
    book = load_workbook(io.BytesIO((await office.get(f"{url}/applications.xlsx")).content))
    sheet = [list(r) for r in book.active.iter_rows(values_only=True)]  # type: ignore[union-attr]
    assert sheet[0] == table[0] and len(sheet) == 4
    assert sum(r[table[0].index("Fee due")] for r in sheet[1:]) == 1598

    csrf = csrf_of(shown.text)
    no_reason = await office.post(f"{url}/deadline", data={"csrf": csrf, "deadline": (offering.deadline + timedelta(days=7)).isoformat()})
    assert no_reason.status_code == 409 and "give a reason" in no_reason.text
    assert (await EnrollmentClient(web_stack.coaching).record(offering.id)).deadline == offering.deadline
    later = offering.deadline + timedelta(days=7)
    extended = await office.post(f"{url}/deadline", data={"csrf": csrf, "deadline": later.isoformat(), "reason": "Snow days"})
    assert extended.status_code == 200 and f"The deadline is now {later:%B %-d, %Y}" in extended.text

    decided = await office.post(f"{url}/sites/esd-112/decision", data={"csrf": csrf, "runs": "yes", "reason": "Two endorsed already"})
    assert decided.status_code == 200 and "2 applicant(s) placed there now" in decided.text
    assert [a.status.value for a in await record_of(web_stack, offering.id)] == ["accepted", "accepted", "applied"]
    wrong = await office.post(f"{url}/scholarships/wlma", data={"csrf": csrf, "applications": [a2.id]})
    assert wrong.status_code == 409 and "did not ask for this scholarship" in wrong.text
    awarded = await office.post(f"{url}/scholarships/wlma", data={"csrf": csrf, "applications": [a1.id]})
    assert awarded.status_code == 200 and f"Awarded the wlma scholarship to {a1.id}" in awarded.text
    assert [a.scholarship for a in await record_of(web_stack, offering.id)] == ["wlma", None, None]

    # A payment on one application, with its essay on the page.
    page = await office.get(f"/office/applications/{a2.id}")
    assert page.status_code == 200 and "library&#39;s research tools" in page.text and "fee due: 799 USD" in page.text
    pay = {"csrf": csrf, "method": "purchase_order", "reference": "PO-4471"}
    assert (await office.post(f"/office/applications/{a2.id}/payments", data=pay | {"amount": "lots"})).status_code == 400
    too_much = await office.post(f"/office/applications/{a2.id}/payments", data=pay | {"amount": "900"})
    assert too_much.status_code == 409 and "more than the 799 USD still due" in too_much.text
    paid = await office.post(f"/office/applications/{a2.id}/payments", data=pay | {"amount": "799"})
    assert (
        paid.status_code == 200
        and "Recorded 799 purchase order PO-4471" in paid.text
        and "accepted at ESD 112, Vancouver, paid" in paid.text
    )
    assert [p.amount for p in (await record_of(web_stack, offering.id))[1].payments] == [Decimal(799)]

    # Vancouver's cohort launches from its accepted applications.
    program = program_starting((datetime.now(UTC) + timedelta(days=60)).date()).model_dump_json().encode()
    launch_url = f"{url}/sites/esd-112/launch"
    bad = await office.post(launch_url, data={"csrf": csrf, "cohort": f"v-{tag}"}, files={"program": ("program.yaml", b"name: [")})
    assert bad.status_code == 400 and "program.yaml" in bad.text
    not_running = await office.post(
        f"{url}/sites/esd-113/launch", data={"csrf": csrf, "cohort": f"o-{tag}"}, files={"program": ("p.yaml", program)}
    )
    assert not_running.status_code == 409 and "ESD 113, Olympia is not decided to run" in not_running.text
    launched = await office.post(launch_url, data={"csrf": csrf, "cohort": f"v-{tag}"}, files={"program": ("program.yaml", program)})
    assert launched.status_code == 200 and f"Launched cohort v-{tag}" in launched.text
    assert (await EnrollmentClient(web_stack.coaching).record(offering.id)).launched == {"esd-112": f"v-{tag}"}
    await office.aclose()

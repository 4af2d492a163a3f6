"""The web app's rules, proved over HTTP against a real app, dev server and worker.

Sign-in links work once; signing out ends the session for every copy of its
cookie; every page and API route checks who is asking (403 otherwise); forms
need the CSRF token; a principal never receives note text.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from domain.cohort import WITHDRAWAL_REASON_MAX
from domain.cycle import NOTE_MAX_CHARS, Stage
from domain.release import PURPOSE_MAX_CHARS
from domain.roster import EMAIL_MAX
from store import members, tables
from tests.conftest import program_starting
from tests.web.conftest import PROGRAM_OFFICE, WebStack, csrf_of, launch, roster_for, signed_in
from tests.web.test_browser import a_wednesday
from web import coordinator_pages
from web.paging import API_MAX_ROWS
from web.session import COOKIE

SECRET = "Tia felt the co-taught lesson went badly 7f3a"


async def test_pages_ask_to_sign_in_first(web_stack: WebStack) -> None:
    async with httpx.AsyncClient(base_url=web_stack.url) as anonymous:
        assert (await anonymous.get("/")).headers["location"] == "/sign-in"
        assert (await anonymous.get("/api/me")).status_code == 401
        page = await anonymous.get("/sign-in")
        assert page.status_code == 200 and 'for="email"' in page.text  # the field is labelled
        assert "default-src 'self'" in page.headers["content-security-policy"]


async def test_a_sign_in_link_works_once_and_strangers_learn_nothing(web_stack: WebStack) -> None:
    cohort = await launch(web_stack)
    ann = await signed_in(web_stack, cohort.ann)
    home = await ann.get("/")
    assert home.status_code == 200 and "My partnerships" in home.text and "ann--tia" in home.text

    link = web_stack.link_for(cohort.ann)
    async with httpx.AsyncClient(base_url=web_stack.url) as other:
        again = await other.get(link)
        assert again.status_code == 400 and "used already" in again.text
        forged = await other.get(link[:-3] + "xyz")
        assert forged.status_code == 400 and "not a valid sign-in link" in forged.text

        form = await other.get("/sign-in")
        stranger = await other.post("/sign-in", data={"email": "nobody@nowhere.test", "csrf": csrf_of(form.text)})
        assert stranger.status_code == 200 and "Check your email" in stranger.text  # the same answer as for a member
    assert web_stack.outbox.entries(recipient="nobody@nowhere.test") == []


async def test_signing_out_ends_the_session_for_every_copy_of_its_cookie(web_stack: WebStack) -> None:
    office = await signed_in(web_stack, PROGRAM_OFFICE)
    home = await office.get("/")
    assert home.status_code == 200 and (await office.get("/api/me")).json()["email"] == PROGRAM_OFFICE
    copied = office.cookies[COOKIE]  # e.g. taken from a shared computer before the person signed out

    signed_out = await office.post("/sign-out", data={"csrf": csrf_of(home.text)})
    assert signed_out.status_code == 303 and signed_out.headers["location"] == "/sign-in"
    async with httpx.AsyncClient(base_url=web_stack.url, cookies={COOKIE: copied}) as with_the_copy:
        assert (await with_the_copy.get("/api/me")).status_code == 401
        assert (await with_the_copy.get("/")).headers["location"] == "/sign-in"
    assert (await office.get("/api/me")).status_code == 401
    await office.aclose()


async def test_forms_need_the_csrf_token_and_a_refused_post_changes_nothing(web_stack: WebStack) -> None:
    cohort = await launch(web_stack)
    ann = await signed_in(web_stack, cohort.ann)
    forged = await ann.post(f"/cohorts/{cohort.id}/partnerships/ann--tia/move", data={"to": "initiate"})
    assert forged.status_code == 403
    api = await ann.post(f"/api/cohorts/{cohort.id}/partnerships/ann--tia/moves", json={"to": "initiate"})
    assert api.status_code == 403
    assert (await web_stack.coaching.partnership_record(cohort.id, "ann--tia")).stage == Stage.pending


async def test_each_person_reaches_only_what_is_theirs(web_stack: WebStack) -> None:
    cohort = await launch(web_stack)
    c = cohort.id
    ann, tia = await signed_in(web_stack, cohort.ann), await signed_in(web_stack, cohort.tia)
    pat, cora = await signed_in(web_stack, cohort.principal), await signed_in(web_stack, cohort.coordinator)

    assert (await ann.get(f"/cohorts/{c}/partnerships/ann--tia")).status_code == 200
    assert (await ann.get(f"/cohorts/{c}/partnerships/bob--ted")).status_code == 403  # another coach's
    assert (await ann.get(f"/api/cohorts/{c}/partnerships/bob--ted")).status_code == 403
    assert (await ann.get(f"/cohorts/{c}")).status_code == 403  # the dashboard is the coordinators'
    assert (await ann.get(f"/api/cohorts/{c}/summary")).status_code == 403
    assert (await ann.get(f"/cohorts/{c}/training/{cohort.bob}")).status_code == 403
    assert (await ann.get(f"/cohorts/{c}/schools/hazel")).status_code == 403

    assert (await tia.get(f"/cohorts/{c}/partnerships/ann--tia")).status_code == 200
    assert (await tia.get(f"/cohorts/{c}/partnerships/bob--ted")).status_code == 403
    visible = (await tia.get(f"/api/cohorts/{c}/partnerships")).json()
    assert [p["partnership"]["id"] for p in visible["rows"]] == ["ann--tia"] and visible["total"] == 1

    assert (await pat.get(f"/cohorts/{c}/schools/hazel")).status_code == 200
    assert (await pat.get(f"/cohorts/{c}/schools/elsewhere")).status_code == 403
    assert (await pat.get(f"/cohorts/{c}/outbox")).status_code == 403
    assert (await pat.get(f"/cohorts/{c}/release")).status_code == 403  # principals decide; they do not ask

    assert (await cora.get(f"/cohorts/{c}")).status_code == 200
    assert (await cora.get(f"/api/cohorts/{c}/summary")).json()["coaches"] == 2
    assert (await cora.get(f"/cohorts/{c}/training/{cohort.ann}")).status_code == 200
    assert (await cora.get("/cohorts/not-mine")).status_code == 403
    for client in (ann, tia, pat, cora):
        await client.aclose()


async def test_a_principal_never_receives_note_text(web_stack: WebStack) -> None:
    cohort = await launch(web_stack)
    c = cohort.id
    ann, tia, pat = [await signed_in(web_stack, e) for e in (cohort.ann, cohort.tia, cohort.principal)]
    csrf = csrf_of((await ann.get(f"/cohorts/{c}/partnerships/ann--tia")).text)
    moved = await ann.post(f"/cohorts/{c}/partnerships/ann--tia/move", data={"to": "initiate", "note": SECRET, "csrf": csrf})
    assert moved.status_code == 303
    csrf = csrf_of((await tia.get(f"/cohorts/{c}/partnerships/ann--tia")).text)
    noted = await tia.post(f"/cohorts/{c}/partnerships/ann--tia/notes", data={"text": SECRET + " (reflection)", "csrf": csrf})
    assert noted.status_code == 303
    assert SECRET in (await tia.get(f"/cohorts/{c}/partnerships/ann--tia")).text  # the partners do see it

    reachable = [
        "/",
        f"/cohorts/{c}/schools/hazel",
        f"/cohorts/{c}/partnerships/ann--tia",
        "/api/me",
        f"/api/cohorts/{c}/partnerships",
        f"/api/cohorts/{c}/partnerships/ann--tia",
        f"/api/cohorts/{c}/schools/hazel",
    ]
    for path in reachable:
        answer = await pat.get(path)
        assert answer.status_code == 200, path
        assert "7f3a" not in answer.text, f"note text reached the principal at {path}"
    building = (await pat.get(f"/api/cohorts/{c}/partnerships/ann--tia")).json()
    assert building["record"] is None and building["building"]["stage"] == "initiate" and building["building"]["notes_count"] == 1


async def test_the_api_refuses_with_the_reason_and_the_moves_allowed(web_stack: WebStack) -> None:
    cohort = await launch(web_stack)
    c = cohort.id
    ann, tia = await signed_in(web_stack, cohort.ann), await signed_in(web_stack, cohort.tia)
    token = (await ann.get("/api/me")).json()["csrf_token"]
    jumped = await ann.post(f"/api/cohorts/{c}/partnerships/ann--tia/moves", json={"to": "observe"}, headers={"X-CSRF-Token": token})
    assert jumped.status_code == 409
    assert jumped.json() == {"detail": "a partnership in waiting cannot move to observe", "allowed": ["initiate"]}
    moved = await ann.post(f"/api/cohorts/{c}/partnerships/ann--tia/moves", json={"to": "initiate"}, headers={"X-CSRF-Token": token})
    assert moved.status_code == 200 and moved.json()["record"]["stage"] == "initiate"
    assert moved.json()["allowed"] == ["co_plan"]

    teacher_token = (await tia.get("/api/me")).json()["csrf_token"]
    by_teacher = await tia.post(
        f"/api/cohorts/{c}/partnerships/ann--tia/moves", json={"to": "co_plan"}, headers={"X-CSRF-Token": teacher_token}
    )
    assert by_teacher.status_code == 409 and "only the partnership's coach" in by_teacher.json()["detail"]
    schema = (await ann.get("/api/openapi.json")).json()
    assert "/api/cohorts/{cohort}/partnerships/{pid}/moves" in schema["paths"]


async def test_release_time_asked_by_a_teacher_and_decided_by_the_principal(web_stack: WebStack) -> None:
    cohort = await launch(web_stack)
    c = cohort.id
    tia, pat = await signed_in(web_stack, cohort.tia), await signed_in(web_stack, cohort.principal)
    page = await tia.get(f"/cohorts/{c}/release")
    assert "2 of 2 days left" in page.text
    day = a_wednesday(datetime.now(UTC).date() + timedelta(days=10)).isoformat()
    too_many = await tia.post(f"/cohorts/{c}/release", data={"days": "3", "on": day, "purpose": "Co-plan", "csrf": csrf_of(page.text)})
    assert too_many.status_code == 409 and "2 days of release time left" in too_many.text
    saturday = (date.fromisoformat(day) + timedelta(days=3)).isoformat()
    weekend = await tia.post(f"/cohorts/{c}/release", data={"days": "1", "on": saturday, "purpose": "Co-plan", "csrf": csrf_of(page.text)})
    assert weekend.status_code == 409 and f"{saturday} is not a school day (a Saturday)" in weekend.text
    assert "Release days are school days: not Saturdays and Sundays." in weekend.text
    assert f'value="{saturday}" required' in weekend.text and 'value="Co-plan"' in weekend.text  # kept, to correct
    ask = {"days": "1", "on": day, "purpose": "Co-plan the unit", "csrf": csrf_of(page.text)}
    asked = await tia.post(f"/cohorts/{c}/release", data=ask)
    assert asked.status_code == 303
    asked_page = (await tia.get(asked.headers["location"])).text
    assert "Request sent to Pat Principal: 1 day on Wed " in asked_page
    assert "1 of 2 days left" in asked_page and f"/cohorts/{c}/release?cancel=1" in asked_page  # cancellable before the day
    # Cancelling asks first: without the confirmation nothing is cancelled.
    unconfirmed = await tia.post(f"/cohorts/{c}/release/1/cancel", data={"csrf": csrf_of(page.text)})
    assert unconfirmed.status_code == 200 and "Yes, cancel this day" in unconfirmed.text and "1 of 2 days left" in unconfirmed.text

    school = await pat.get(f"/cohorts/{c}/schools/hazel")
    assert "Co-plan the unit" in school.text
    decided = await pat.post(f"/cohorts/{c}/schools/hazel/requests/1/decision", data={"decision": "approve", "csrf": csrf_of(school.text)})
    assert decided.status_code == 303
    mine = (await tia.get(f"/api/cohorts/{c}/release")).json()
    assert mine["remaining"] == 1 and mine["requests"][0]["status"] in ("approved", "booked")


async def test_forms_and_the_api_take_what_the_domain_takes(web_stack: WebStack) -> None:
    """Each limit is the domain's: a form stops no text the domain would take, and the API takes as much as the domain."""
    cohort = await launch(web_stack)
    c = cohort.id
    tia, pat = await signed_in(web_stack, cohort.tia), await signed_in(web_stack, cohort.principal)
    assert f'name="purpose" required maxlength="{PURPOSE_MAX_CHARS}"' in (await tia.get(f"/cohorts/{c}/release")).text
    assert f'name="text" rows="3" maxlength="{NOTE_MAX_CHARS}"' in (await tia.get(f"/cohorts/{c}/partnerships/ann--tia")).text
    async with httpx.AsyncClient(base_url=web_stack.url) as stranger:
        assert f'maxlength="{EMAIL_MAX}"' in (await stranger.get("/sign-in")).text

    token = {"X-CSRF-Token": (await tia.get("/api/me")).json()["csrf_token"]}
    day = a_wednesday(datetime.now(UTC).date() + timedelta(days=10)).isoformat()
    longest = {"days": 0.5, "on": day, "purpose": "p" * PURPOSE_MAX_CHARS}
    too_long = await tia.post(f"/api/cohorts/{c}/release", json=longest | {"purpose": "p" * (PURPOSE_MAX_CHARS + 1)}, headers=token)
    assert too_long.status_code == 422
    asked = await tia.post(f"/api/cohorts/{c}/release", json=longest, headers=token)
    assert asked.status_code == 200, asked.text
    school = (await pat.get(f"/cohorts/{c}/schools/hazel")).text
    assert f'name="reason" maxlength="{PURPOSE_MAX_CHARS}"' in school


async def test_a_launch_with_roster_problems_shows_every_row_and_starts_nothing(web_stack: WebStack) -> None:
    office = await signed_in(web_stack, PROGRAM_OFFICE)
    form = await office.get("/cohorts/new")
    assert form.status_code == 200
    roster_text, _ = roster_for("upload")
    roster_text = roster_text.replace("cora-upload@esd.test", PROGRAM_OFFICE)
    broken = roster_text.replace("tia@hazel-upload.test,teacher", "tia@hazel-upload.test,janitor")
    program = program_starting((datetime.now(UTC) - timedelta(days=10)).date())
    program_yaml = program.model_dump_json().encode()  # JSON is YAML
    files = {"program": ("program.yaml", program_yaml), "roster": ("roster.csv", broken.encode())}
    refused = await office.post("/cohorts", data={"csrf": csrf_of(form.text), "cohort": "uploaded"}, files=files)
    assert refused.status_code == 400
    assert "roster.csv, row 6, field &#39;role&#39;" in refused.text and "Nothing was launched" in refused.text
    assert "uploaded" not in [c.cohort for c in members.cohorts(web_stack.database)]

    files = {"program": ("program.yaml", program_yaml), "roster": ("roster.csv", roster_text.encode())}
    launched = await office.post("/cohorts", data={"csrf": csrf_of(form.text), "cohort": "uploaded"}, files=files)
    assert launched.status_code == 303 and launched.headers["location"] == "/cohorts/uploaded"
    dashboard = await office.get("/cohorts/uploaded")
    assert dashboard.status_code == 200 and "Ann Coach" in dashboard.text
    await web_stack.coaching.wait_until_launched("uploaded")
    progress = await office.get("/cohorts/uploaded/launch-progress")  # what the dashboard polls while a cohort starts
    assert "All 5 workflows of the cohort are running" in progress.text


async def test_a_coach_sees_the_training_year_and_starts_a_partnership_once_unlocked(web_stack: WebStack) -> None:
    cohort = await launch(web_stack)
    c = cohort.id
    ann = await signed_in(web_stack, cohort.ann)
    training = await ann.get(f"/cohorts/{c}/training/{cohort.ann}")
    assert "Coaching is unlocked" in training.text and "Next session: <strong>7. Session 7</strong> on <strong>" in training.text
    form = await ann.get(f"/cohorts/{c}/partnerships-new")
    assert "Ted Teacher" in form.text  # teachers of her school to choose from, by name
    ask = {"partners": [cohort.ted], "focus": "Inquiry circles", "csrf": csrf_of(form.text)}
    # Ted is in Bob's open partnership: the page asks before a second one starts, and starts nothing yet.
    asked = await ann.post(f"/cohorts/{c}/partnerships", data=ask)
    assert asked.status_code == 409 and "already in an open partnership" in asked.text and "Bob Coach with Ted Teacher" in asked.text
    assert 'name="second" value="yes"' in asked.text and 'value="Inquiry circles"' in asked.text
    assert "ann--ted" not in [r["partnership"]["id"] for r in (await ann.get(f"/api/cohorts/{c}/partnerships")).json()["rows"]]
    started = await ann.post(f"/cohorts/{c}/partnerships", data=ask | {"second": "yes"})
    assert started.status_code == 303 and started.headers["location"] == f"/cohorts/{c}/partnerships/ann--ted"
    page = await ann.get(started.headers["location"])
    assert "Inquiry circles" in page.text and "Begin the cycle: initiate" in page.text
    assert '<p class="said" role="status">Partnership started with Ted Teacher</p>' in page.text
    assert "Partnership started" not in (await ann.get(started.headers["location"])).text  # said once

    tia = await signed_in(web_stack, cohort.tia)  # a teacher cannot start one
    refused = await tia.post(f"/cohorts/{c}/partnerships", data={"partners": [cohort.ted], "focus": "x", "csrf": csrf_of(form.text)})
    assert refused.status_code == 403  # the CSRF token was Ann's session's, not Tia's
    form = await tia.get(f"/cohorts/{c}/partnerships-new")
    refused = await tia.post(f"/cohorts/{c}/partnerships", data={"partners": [cohort.ted], "focus": "x", "csrf": csrf_of(form.text)})
    assert refused.status_code == 409 and "partnerships are started by coaches and coordinators" in refused.text


async def test_markup_in_notes_and_links_comes_out_inert(web_stack: WebStack) -> None:
    cohort = await launch(web_stack)
    c = cohort.id
    tia = await signed_in(web_stack, cohort.tia)
    csrf = csrf_of((await tia.get(f"/cohorts/{c}/partnerships/ann--tia")).text)
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)> \u202eevil\u202c ' + "ü" * 3000
    noted = await tia.post(f"/cohorts/{c}/partnerships/ann--tia/notes", data={"text": attack, "csrf": csrf})
    assert noted.status_code == 303
    page = (await tia.get(f"/cohorts/{c}/partnerships/ann--tia")).text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    bad_link = await tia.post(
        f"/cohorts/{c}/partnerships/ann--tia/notes", data={"text": "see", "link": "javascript:alert(1)", "csrf": csrf}
    )
    assert bad_link.status_code == 409 and "must be an http or https address" in bad_link.text
    too_long = await tia.post(f"/cohorts/{c}/partnerships/ann--tia/notes", data={"text": "x" * 5000, "csrf": csrf})
    assert too_long.status_code == 409 and "at most 4000 characters" in too_long.text


async def test_the_partnerships_api_pages_and_filters(web_stack: WebStack) -> None:
    cohort = await launch(web_stack)
    api = f"/api/cohorts/{cohort.id}/partnerships"
    cora, pat, ann = [await signed_in(web_stack, e) for e in (cohort.coordinator, cohort.principal, cohort.ann)]

    def ids(answer: httpx.Response) -> list[str]:
        assert answer.status_code == 200, answer.text
        return [row["partnership"]["id"] for row in answer.json()["rows"]]

    first = (await cora.get(api, params={"limit": 1})).json()
    assert {k: first[k] for k in ("total", "offset", "limit")} == {"total": 2, "offset": 0, "limit": 1}
    assert first["rows"][0]["partnership"]["id"] == "ann--tia" and first["rows"][0]["view"] == "building"
    assert ids(await cora.get(api, params={"limit": 1, "offset": 1})) == ["bob--ted"]
    assert ids(await cora.get(api, params={"offset": 2})) == []
    assert ids(await cora.get(api, params={"coach": cohort.bob.upper()})) == ["bob--ted"]
    assert ids(await cora.get(api, params={"school": "hazel"})) == ["ann--tia", "bob--ted"]
    assert ids(await cora.get(api, params={"school": "elsewhere"})) == []
    for wrong in ({"limit": 0}, {"limit": API_MAX_ROWS + 1}, {"offset": -1}, {"stage": "dancing"}):
        assert (await cora.get(api, params=wrong)).status_code == 422, wrong

    token = (await ann.get("/api/me")).json()["csrf_token"]
    moved = await ann.post(f"{api}/ann--tia/moves", json={"to": "initiate"}, headers={"X-CSRF-Token": token})
    assert moved.status_code == 200
    assert ids(await cora.get(api, params={"stage": "initiate"})) == ["ann--tia"]  # the move waited for the read model
    assert ids(await cora.get(api, params={"stage": "pending"})) == ["bob--ted"]
    assert ids(await cora.get(api, params={"stalled": "true"})) == [] and ids(await cora.get(api, params={"stalled": "false"})) != []

    assert ids(await pat.get(api, params={"stage": "initiate"})) == ["ann--tia"]
    assert (await pat.get(api, params={"school": "elsewhere"})).status_code == 403
    mine = (await ann.get(api)).json()
    assert [(r["partnership"]["id"], r["view"]) for r in mine["rows"]] == [("ann--tia", "partnership")] and mine["total"] == 1
    assert ids(await ann.get(api, params={"stage": "pending"})) == []
    for client in (cora, pat, ann):
        await client.aclose()


async def test_a_launch_shows_the_roster_s_warnings_and_its_limits(web_stack: WebStack, monkeypatch: pytest.MonkeyPatch) -> None:
    office = await signed_in(web_stack, PROGRAM_OFFICE)
    form = await office.get("/cohorts/new")
    assert f"You launch the cohort as <strong>{PROGRAM_OFFICE}</strong>, of the program office: any valid roster" in form.text
    assert "peercoach cohort launch --program" in form.text
    program_yaml = program_starting((datetime.now(UTC) - timedelta(days=10)).date()).model_dump_json().encode()
    tag = uuid.uuid4().hex[:6]
    roster_text, _ = roster_for(tag)

    async def upload(roster: str, cohort: str) -> httpx.Response:
        files = {"program": ("program.yaml", program_yaml), "roster": ("roster.csv", roster.encode())}
        return await office.post("/cohorts", data={"csrf": csrf_of(form.text), "cohort": cohort}, files=files)

    with_office = roster_text.replace(f"cora-{tag}@esd.test", PROGRAM_OFFICE)
    monkeypatch.setattr(coordinator_pages, "ROSTER_MAX_PEOPLE", 5)
    too_many = await upload(with_office, f"big-{tag}")
    assert too_many.status_code == 400
    assert "6 people are more than the 5 a web launch takes" in too_many.text and "peercoach cohort launch --program" in too_many.text
    monkeypatch.undo()

    lines = with_office.splitlines()
    with_phones = "\n".join([lines[0] + ",phone", *(line + ",555-0100" for line in lines[1:])]) + "\n"
    cohort = f"warned-{tag}"
    launched = await upload(with_phones, cohort)
    assert launched.status_code == 200 and "is launched" in launched.text and "phone" in launched.text and "ignored" in launched.text
    assert f'href="/cohorts/{cohort}"' in launched.text
    assert (await office.get(f"/cohorts/{cohort}")).status_code == 200
    await office.aclose()


async def test_attendance_opens_on_the_first_session_to_record_and_says_what_it_did(web_stack: WebStack) -> None:
    cohort = await launch(web_stack)  # sessions 1 to 6 are over; 5 is recorded
    c = cohort.id
    cora = await signed_in(web_stack, cohort.coordinator)
    home = (await cora.get("/")).text
    assert "Hello, Cora" in home and "Record attendance for session 1</a>" in home and "overdue" in home
    assert "Record attendance for session 5<" not in home
    form = await cora.get(f"/cohorts/{c}/attendance")
    assert '<option value="1" selected>' in form.text and "Everyone present: record session 1" in form.text
    assert "make-up" in form.text and "made_up<" not in form.text
    nothing = await cora.post(f"/cohorts/{c}/attendance", data={"session": "1", "coaches": "0", "csrf": csrf_of(form.text)})
    assert nothing.status_code == 400 and "Nothing was recorded: no mark was chosen or changed" in nothing.text
    everyone = {"session": "1", "coaches": "0", "everyone": "attended", f"mark:{cohort.bob}": "excused", "csrf": csrf_of(form.text)}
    recorded = await cora.post(f"/cohorts/{c}/attendance", data=everyone)
    assert recorded.status_code == 303 and recorded.headers["location"] == f"/cohorts/{c}"
    dashboard = (await cora.get(recorded.headers["location"])).text
    assert '<p class="said" role="status">Session 1 recorded: 1 attended, 1 excused</p>' in dashboard
    assert 'class="mark overdue">missing<' in dashboard and 'class="mark future">not yet<' in dashboard
    assert '<option value="2" selected>' in (await cora.get(f"/cohorts/{c}/attendance")).text  # on to the next to record


async def test_a_coordinator_withdraws_a_partnership_and_a_person_only_when_confirmed(web_stack: WebStack) -> None:
    cohort = await launch(web_stack)
    c = cohort.id
    cora = await signed_in(web_stack, cohort.coordinator)
    page = await cora.get(f"/cohorts/{c}/partnerships/bob--ted")
    assert "Bob Coach with Ted Teacher" in page.text and "Withdraw the partnership" in page.text
    unconfirmed = await cora.post(f"/cohorts/{c}/partnerships/bob--ted/withdraw", data={"reason": "Moved", "csrf": csrf_of(page.text)})
    assert unconfirmed.status_code == 400 and "tick the box to confirm" in unconfirmed.text
    assert (await web_stack.coaching.partnership_record(c, "bob--ted")).stage == Stage.pending
    form = {"reason": "Ted moved schools", "confirm": "yes", "csrf": csrf_of(page.text)}
    withdrawn = await cora.post(f"/cohorts/{c}/partnerships/bob--ted/withdraw", data=form)
    assert withdrawn.status_code == 303
    assert "Withdrawn: Bob Coach with Ted Teacher" in (await cora.get(withdrawn.headers["location"])).text
    record = await web_stack.coaching.partnership_record(c, "bob--ted")
    assert record.stage == Stage.withdrawn and record.moves[-1].note == "Ted moved schools"

    ask = await cora.get(f"/cohorts/{c}/people/{cohort.ted}/withdraw")
    assert "Withdraw Ted Teacher?" in ask.text
    assert 'name="reason"' in ask.text and f'maxlength="{WITHDRAWAL_REASON_MAX}" required' in ask.text
    kept = await cora.post(f"/cohorts/{c}/people/{cohort.ted}/withdraw", data={"csrf": csrf_of(ask.text), "reason": "Left"})
    assert kept.status_code == 400 and members.withdrawn(web_stack.database, c, [cohort.ted]) == []
    no_reason = await cora.post(f"/cohorts/{c}/people/{cohort.ted}/withdraw", data={"confirm": "yes", "csrf": csrf_of(ask.text)})
    assert no_reason.status_code == 400 and "say why Ted Teacher leaves" in no_reason.text
    too_long = {"confirm": "yes", "reason": "x" * (WITHDRAWAL_REASON_MAX + 1), "csrf": csrf_of(ask.text)}
    assert (await cora.post(f"/cohorts/{c}/people/{cohort.ted}/withdraw", data=too_long)).status_code == 422
    assert members.withdrawn(web_stack.database, c, [cohort.ted]) == []
    form = {"confirm": "yes", "reason": "Ted moved to another district", "csrf": csrf_of(ask.text)}
    gone = await cora.post(f"/cohorts/{c}/people/{cohort.ted}/withdraw", data=form)
    assert gone.status_code == 303 and "Withdrawn: Ted Teacher" in (await cora.get(gone.headers["location"])).text
    assert members.withdrawn(web_stack.database, c, [cohort.ted]) == [cohort.ted]
    v = tables.roster_versions.c
    with web_stack.database.begin() as db:
        changes = db.execute(select(v.content).where(v.cohort == c, v.change == "withdrawn")).scalars().all()
    assert {"withdrawn": cohort.ted, "reason": "Ted moved to another district"} in changes  # kept with the roster's change

    ann = await signed_in(web_stack, cohort.ann)  # only coordinators withdraw
    mine = await ann.get(f"/cohorts/{c}/partnerships/ann--tia")
    assert "Withdraw the partnership" not in mine.text
    refused = await ann.post(
        f"/cohorts/{c}/people/{cohort.tia}/withdraw", data={"confirm": "yes", "reason": "Left", "csrf": csrf_of(mine.text)}
    )
    assert refused.status_code == 403


async def test_an_anonymous_post_to_a_page_is_sent_to_sign_in_before_any_csrf_check(web_stack: WebStack) -> None:
    async with httpx.AsyncClient(base_url=web_stack.url, timeout=30) as anonymous:
        for path in ("/cohorts", "/cohorts/any/attendance", "/cohorts/any/people/a@b.test/withdraw", "/cohorts/any/release"):
            posted = await anonymous.post(path, data={"csrf": "none"})
            assert (posted.status_code, posted.headers.get("location")) == (303, "/sign-in"), path
        form = await anonymous.get("/sign-in")  # signing in is for people not signed in: its form is checked as it is
        assert (await anonymous.post("/sign-in", data={"email": "a@b.test", "csrf": "stale"})).status_code == 403
        assert (await anonymous.post("/sign-in", data={"email": "a@b.test", "csrf": csrf_of(form.text)})).status_code == 200

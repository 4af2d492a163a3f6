"""How often: a person's preferences page, and the one-click unsubscribe link of a real message (aiosmtpd, parsed
with email.policy.default) followed on the real app as a mail app follows it (RFC 8058)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx
import pytest
from playwright.async_api import Browser, expect
from pydantic import SecretStr

from activities.notifications import Links, Mailer, NoticeActivities
from domain.notices import Notice, NoticeKind
from domain.preferences import Frequency
from store import preferences
from tests.activities.conftest import SmtpServer, free_port
from tests.web.conftest import WebStack, csrf_of, launch, signed_in
from tests.web.test_phone_and_axe import browser, sign_in  # noqa: F401 (browser is a fixture)

WEB_SECRET = "a secret for the web tests"  # the stack's (tests/web/conftest.py): the worker signs links with the app's secret


def moved(key: str, to: str) -> Notice:
    context: dict[str, str | int | float | None] = {"coach": "ann@hazel.test", "focus": "Research projects", "cycle": 1, "note": None}
    return Notice(key=key, kind=NoticeKind.stage_moved, to=[to], context=context | {"source": "waiting", "target": "initiate"})


async def test_a_person_chooses_how_often_on_their_preferences_page(web_stack: WebStack) -> None:
    people = await launch(web_stack)
    client = await signed_in(web_stack, people.coordinator)
    try:
        page = await client.get("/preferences")
        assert page.status_code == 200
        # the coordinator's defaults: attendance due in the daily digest; stage moves at once
        assert re.search(r'name="kind:attendance_due" value="digest" checked', page.text)
        assert re.search(r'name="kind:stage_moved" value="immediate" checked', page.text)
        assert 'name="kind:attendance_due" value="off"' not in page.text  # it cannot be turned off
        assert "<legend>Attendance to record</legend>" in page.text
        assert 'name="kind:sign_in"' not in page.text and 'name="kind:release_requested"' not in page.text

        chosen = {"kind:attendance_due": "immediate", "kind:stage_moved": "off", "csrf": csrf_of(page.text)}
        saved = await client.post("/preferences", data=chosen)
        assert saved.status_code == 303 and saved.headers["location"] == "/preferences?saved=true"
        assert preferences.chosen(web_stack.database, people.coordinator) == {
            "attendance_due": Frequency.immediate,
            "stage_moved": Frequency.off,
        }
        again = await client.get("/preferences?saved=true")
        assert "Saved." in again.text and re.search(r'name="kind:stage_moved" value="off" checked', again.text)

        refused = await client.post("/preferences", data={"kind:attendance_due": "off", "csrf": csrf_of(page.text)})
        assert refused.status_code == 400 and "Not saved: Attendance to record can be: immediate, digest" in refused.text
        assert preferences.chosen(web_stack.database, people.coordinator)["attendance_due"] == Frequency.immediate

        forged = await client.post("/preferences", data={"kind:stage_moved": "digest"})
        assert forged.status_code == 403  # no CSRF token: nothing changes
    finally:
        await client.aclose()
    async with httpx.AsyncClient(base_url=web_stack.url) as stranger:
        assert (await stranger.get("/preferences")).status_code == 303  # sign in first


async def test_the_one_click_unsubscribe_link_turns_that_kind_off(web_stack: WebStack) -> None:
    smtp = SmtpServer(free_port())
    smtp.start()
    try:
        people = await launch(web_stack)
        sender = NoticeActivities(web_stack.outbox, Mailer(smtp.settings), Links(web_url=web_stack.url, secret=SecretStr(WEB_SECRET)))
        await sender.deliver(moved(f"moved:{people.id}:ann--tia:1", people.tia), datetime.now(UTC))
        [message] = smtp.inbox.to(people.tia)
    finally:
        smtp.stop()
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    found = re.fullmatch(r"<(http://\S+/unsubscribe/\S+)>", str(message["List-Unsubscribe"]))
    assert found is not None
    link = found.group(1)

    async with httpx.AsyncClient() as mail_app:  # no session, no cookie, no CSRF token: the link is the credential
        confirm = await mail_app.get(link)
        assert confirm.status_code == 200 and f"Stop emails to {people.tia} about" in confirm.text
        assert preferences.chosen(web_stack.database, people.tia) == {}  # opening it changed nothing
        done = await mail_app.post(
            link, content=b"List-Unsubscribe=One-Click", headers={"content-type": "application/x-www-form-urlencoded"}
        )
        assert done.status_code == 200 and "Unsubscribed" in done.text
        assert preferences.chosen(web_stack.database, people.tia) == {"stage_moved": Frequency.off}

        tampered = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
        assert (await mail_app.post(tampered)).status_code == 404

    await NoticeActivities(web_stack.outbox).deliver(moved(f"moved:{people.id}:ann--tia:2", people.tia), datetime.now(UTC))
    [later] = web_stack.outbox.find(f"moved:{people.id}:ann--tia:2")
    assert later.status == "turned off"


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
async def test_the_pages_are_accessible_and_fit_a_phone(web_stack: WebStack, browser: Browser, viewport: str) -> None:  # noqa: F811
    people = await launch(web_stack)
    visit = await sign_in(browser, web_stack, people.tia, viewport, "teacher-preferences")
    page = visit.page

    await page.goto(f"{web_stack.url}/preferences")
    await visit.check("preferences")
    await page.get_by_role("group", name="Coaching partnership stage moves").get_by_label("In my daily digest").check()
    await page.get_by_role("button", name="Save my preferences").click()
    await visit.said("Saved.")
    await visit.check("preferences-saved")
    assert preferences.chosen(web_stack.database, people.tia)["stage_moved"] == Frequency.digest

    links = Links(web_url=web_stack.url, secret=SecretStr(WEB_SECRET))
    await page.goto(links.unsubscribe(people.tia, NoticeKind.stage_moved))
    await visit.check("unsubscribe")
    await page.get_by_role("button", name="Yes, stop these emails").click()
    await expect(page.get_by_role("heading", name="Unsubscribed")).to_be_visible()
    await visit.check("unsubscribed")
    assert preferences.chosen(web_stack.database, people.tia)["stage_moved"] == Frequency.off
    await page.context.close()

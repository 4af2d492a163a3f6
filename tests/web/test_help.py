"""Just-in-time help on the web, over HTTP and in chromium on a phone: Tia asks Ann from her home page, Ann answers
(pointing her elsewhere), Tia reads it; the words are escaped, and nobody else (another teacher, the principal, the
coordinator) sees or answers them. Tia's focused time becomes a release request through the release form, prefilled;
Ann's portfolio may count it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from playwright.async_api import Browser, expect
from sqlalchemy import func, select

from store import tables
from tests.web.conftest import WebStack, csrf_of, launch, signed_in
from tests.web.test_phone_and_axe import browser as chromium
from tests.web.test_phone_and_axe import sign_in

QUESTION = "Stuck on <b>exit tickets</b> for Thursday"
ANSWER = "Ask Ms. Lee <i>first</i>: she ran this unit"
in_chromium = chromium  # the phone and axe tests' `browser` fixture, for this module's one browser test


async def test_a_teacher_asks_the_coach_answers_and_nobody_else_sees_it(web_stack: WebStack) -> None:
    cohort = await launch(web_stack)
    c = cohort.id
    tia = await signed_in(web_stack, cohort.tia)
    home = await tia.get("/")
    assert "Ask my coach" in home.text and 'name="question"' in home.text
    sent = await tia.post(
        f"/cohorts/{c}/help", data={"partnership": "ann--tia", "question": QUESTION, "focused_time": "yes", "csrf": csrf_of(home.text)}
    )
    assert sent.status_code == 303, sent.text
    mine = await tia.get(f"/cohorts/{c}/help")
    assert "Question sent to Ann Coach; only the two of you see it" in mine.text
    assert "Stuck on &lt;b&gt;exit tickets&lt;/b&gt;" in mine.text and "<b>exit" not in mine.text
    assert "Waiting for Ann Coach" in mine.text
    too_long = await tia.post(f"/cohorts/{c}/help", data={"partnership": "ann--tia", "question": "x" * 1001, "csrf": csrf_of(mine.text)})
    assert too_long.status_code == 409 and "at most 1000 characters; this one has 1001" in too_long.text

    # Ted is a teacher too, but not of Ann's partnership: refused, and he sees nothing of Tia's question.
    ted = await signed_in(web_stack, cohort.ted)
    page = await ted.get(f"/cohorts/{c}/help")
    asked = await ted.post(f"/cohorts/{c}/help", data={"partnership": "ann--tia", "question": "Mine?", "csrf": csrf_of(page.text)})
    assert asked.status_code == 409 and "only a collaborating teacher of this partnership asks" in asked.text
    assert "exit tickets" not in asked.text
    with web_stack.database.begin() as db:  # the refused questions wrote nothing
        assert db.execute(select(func.count()).where(tables.help_requests.c.cohort == c)).scalar_one() == 1

    ann = await signed_in(web_stack, cohort.ann)
    assert "Questions from my teachers" in (await ann.get("/")).text
    waiting = await ann.get(f"/cohorts/{c}/help")
    assert "Tia Teacher asked" in waiting.text and "Stuck on &lt;b&gt;exit tickets&lt;/b&gt;" in waiting.text
    found = re.search(rf'action="/cohorts/{c}/help/(\w+)/answer"', waiting.text)
    assert found is not None
    answer_at = f"/cohorts/{c}/help/{found.group(1)}/answer"
    stolen = await ted.post(answer_at, data={"kind": "answered", "text": "Me", "csrf": csrf_of(page.text)})
    assert stolen.status_code == 403 and "not one of your help requests" in stolen.text
    empty = await ann.post(answer_at, data={"kind": "answered", "text": " ", "csrf": csrf_of(waiting.text)})
    assert empty.status_code == 409 and "write the answer; it is empty" in empty.text
    answered = await ann.post(answer_at, data={"kind": "pointed_elsewhere", "text": ANSWER, "csrf": csrf_of(waiting.text)})
    assert answered.status_code == 303, answered.text
    after = await ann.get(f"/cohorts/{c}/help")
    assert "Pointed elsewhere: Tia Teacher is told" in after.text and "No question waits for you" in after.text
    again = await ann.post(answer_at, data={"kind": "answered", "text": "More", "csrf": csrf_of(after.text)})
    assert again.status_code == 409 and "answered already" in again.text

    read = await tia.get(f"/cohorts/{c}/help")
    assert "Pointed elsewhere" in read.text and "Ask Ms. Lee &lt;i&gt;first&lt;/i&gt;" in read.text

    # The principal and the coordinator: no help page, and their pages hold no word of it.
    for who, where in ((cohort.principal, f"/cohorts/{c}/schools/hazel"), (cohort.coordinator, f"/cohorts/{c}")):
        other = await signed_in(web_stack, who)
        refused = await other.get(f"/cohorts/{c}/help")
        assert refused.status_code == 403 and "between a collaborating teacher and their coach" in refused.text
        assert (await other.get(f"/cohorts/{c}/help/{found.group(1)}/release")).status_code == 403
        shown = await other.get(where)
        assert shown.status_code == 200 and "exit tickets" not in shown.text and "Ms. Lee" not in shown.text
        await other.aclose()
    # Nor the cohort's outbox page: a help message is the teacher's and the coach's own, filed under no cohort.
    assert web_stack.outbox.entries(kind="help_asked") and web_stack.outbox.entries(kind="help_answered")
    outbox = await (await signed_in(web_stack, cohort.coordinator)).get(f"/cohorts/{c}/outbox")
    assert outbox.status_code == 200 and "asked you a question" not in outbox.text and "help_asked" not in outbox.text

    # Focused time: the release form, prefilled with the next school day and Tia's partnership; asked through it.
    form = await tia.get(f"/cohorts/{c}/help/{found.group(1)}/release")
    assert form.status_code == 200 and 'value="Focused time with Ann Coach"' in form.text
    assert '<option value="ann--tia" selected>' in form.text
    on = re.search(r'name="on" type="date" min="[^"]+" value="([^"]+)"', form.text)
    assert on is not None and datetime.fromisoformat(on.group(1)).date() > datetime.now(UTC).date() - timedelta(days=1)
    release = await tia.post(
        f"/cohorts/{c}/release",
        data={
            "days": "1",
            "on": on.group(1),
            "purpose": "Focused time with Ann Coach",
            "partnership": "ann--tia",
            "csrf": csrf_of(form.text),
        },
    )
    assert release.status_code == 303, release.text
    assert "Focused time with Ann Coach" in (await tia.get(f"/cohorts/{c}/release")).text

    # Ann's portfolio offers the count (only the count), which she may choose to put in.
    portfolio = await ann.get(f"/cohorts/{c}/portfolio")
    assert "Just-in-time help given: 1" in portfolio.text and "exit tickets" not in portfolio.text
    for client in (tia, ted, ann):
        await client.aclose()


async def test_on_a_phone_a_teacher_asks_from_home_and_reads_the_answer(web_stack: WebStack, in_chromium: Browser) -> None:
    """In chromium at 390 px: every page state fits the phone and passes axe-core."""
    cohort = await launch(web_stack)
    tia = await sign_in(in_chromium, web_stack, cohort.tia, "phone", "help-teacher")
    await tia.check("home-with-ask")
    await tia.page.get_by_label(re.compile("^Ask my coach: what are you stuck on")).fill(QUESTION)
    await tia.page.get_by_label("I need focused time with my coach").check()
    await tia.page.get_by_role("button", name="Ask my coach").click()
    await tia.said("Question sent to Ann Coach")
    await tia.check("asked")

    ann = await sign_in(in_chromium, web_stack, cohort.ann, "phone", "help-coach")
    await ann.page.get_by_role("link", name="Questions from my teachers").click()
    await expect(ann.page.get_by_text(QUESTION)).to_be_visible()
    await ann.check("waiting")
    await ann.page.get_by_label("Pointed elsewhere").check()
    await ann.page.get_by_label(re.compile("^Your answer")).fill(ANSWER)
    await ann.page.get_by_role("button", name="Send to Tia Teacher").click()
    await ann.said("Pointed elsewhere: Tia Teacher is told")
    await ann.check("answered")

    await tia.page.goto(f"{web_stack.url}/cohorts/{cohort.id}/help")
    await expect(tia.page.get_by_text(ANSWER)).to_be_visible()
    await tia.check("answer-read")
    await tia.page.get_by_role("link", name="Ask for release time for focused time with Ann Coach").click()
    await expect(tia.page.get_by_label("What it is for")).to_have_value("Focused time with Ann Coach")
    await tia.check("release-prefilled")

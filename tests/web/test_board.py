"""The discussion board on the real app: who may read and post where, mentions and follows told through the outbox,
and a coordinator hiding a post and locking a thread; then the same in chromium."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
from playwright.async_api import Browser, expect

from domain.board import POST_MAX_CHARS, TAGS_MAX, TITLE_MAX_CHARS
from domain.cycle import Outcome, Stage
from domain.lessons import LessonText
from store import board, lessons, read_model
from store.lessons import Provenance
from store.sealed import Sealer
from tests.conftest import TEST_KEYS, eventually, program_starting
from tests.web.conftest import Cohort, WebStack, csrf_of, launch, signed_in
from tests.web.test_phone_and_axe import browser, sign_in

__all__ = ["browser"]  # the module's chromium, shared with the phone and axe tests


async def _form(client: httpx.AsyncClient, on: str, action: str, data: dict[str, str | list[str]] | None = None) -> httpx.Response:
    """Send a form the way a page does: with the CSRF token of the page it is on."""
    shown = await client.get(on)
    return await client.post(action, data={**(data or {}), "csrf": csrf_of(shown.text)})


def _thread_id(response: httpx.Response) -> int:
    found = re.fullmatch(r"/board/threads/(\d+)(#post-\d+)?", response.headers["location"])
    assert found is not None, response.headers.get("location")
    return int(found.group(1))


def _told(stack: WebStack, kind: str, thread: int) -> list[str]:
    return sorted(e.recipient for e in stack.outbox.entries(kind=kind) if f":{thread}:" in e.key)


async def test_who_may_read_post_and_moderate_and_who_is_told(web_stack: WebStack) -> None:
    cohort = await launch(web_stack)
    ann, bob, cora, tia, pat = [
        await signed_in(web_stack, e) for e in (cohort.ann, cohort.bob, cohort.coordinator, cohort.tia, cohort.principal)
    ]

    # Principals and (by default) collaborating teachers have no board: no link home, and 403.
    assert "Discussion board" in (await ann.get("/")).text and "Discussion board" not in (await pat.get("/")).text
    assert (await pat.get("/board")).status_code == 403 and (await tia.get("/board")).status_code == 403
    form = (await ann.get("/board")).text  # the domain's limits, for the browser to stop what the board would refuse
    assert f'maxlength="{TITLE_MAX_CHARS}"' in form and f'maxlength="{POST_MAX_CHARS}"' in form and f"up to {TAGS_MAX})" in form

    # Ann starts a thread in her cohort, mentioning the coordinator by name, a teacher and a principal who cannot read it.
    body = "How do you get teachers to co-plan? <script>alert(1)</script> @Cora Ordinator @Tia Teacher @Pat Principal"
    started = await _form(
        ann,
        "/board",
        "/board/threads",
        {"where": cohort.id, "title": "Co-planning <b>in October</b>", "body": body, "tags": ["roadblock", "question"]},
    )
    assert started.status_code == 303
    thread = _thread_id(started)
    shown = await ann.get(f"/board/threads/{thread}")
    assert "Thread started; you follow it; told Cora Ordinator of the mention" in shown.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown.text and "<script>alert" not in shown.text  # inert, as notes are
    assert "Co-planning &lt;b&gt;in October&lt;/b&gt;" in shown.text and "roadblock · question" in shown.text
    assert _told(web_stack, "board_mention", thread) == [cohort.coordinator]
    [mention] = [e for e in web_stack.outbox.entries(recipient=cohort.coordinator, kind="board_mention") if f":{thread}:" in e.key]
    assert (
        'Ann Coach mentioned you in "Co-planning <b>in October</b>"' in mention.subject and f"/board/threads/{thread}#post-" in mention.body
    )
    assert "co-plan?" not in mention.body  # the notice says who and where, never what the post says

    # A name two running cohorts share is refused program-wide, asking for the address; nothing is written.
    other = await launch(web_stack)
    ambiguous = await _form(ann, "/board", "/board/threads", {"where": "*", "title": "Wide", "body": "@Bob Coach hi"})
    assert ambiguous.status_code == 409 and "could be any of" in ambiguous.text and "by their email address" in ambiguous.text
    assert "@Bob Coach hi</textarea>" in ambiguous.text  # kept to correct
    assert (await _form(ann, "/board", "/board/threads", {"where": "", "title": "T", "body": "b"})).status_code == 409
    assert (await _form(ann, "/board", "/board/threads", {"where": other.id, "title": "T", "body": "b"})).status_code == 403

    # Teachers and principals neither read nor reply; Bob replies and Ann, who follows, is told (Cora is mentioned instead).
    url = f"/board/threads/{thread}"
    assert (await tia.get(url)).status_code == 403 and (await pat.get(url)).status_code == 403
    refused_reply = await tia.post(f"{url}/replies", data={"body": "Me too", "csrf": csrf_of((await tia.get("/preferences")).text)})
    assert refused_reply.status_code == 403
    replied = await _form(bob, url, f"{url}/replies", {"body": "Try the Big 6"})
    assert replied.status_code == 303 and _told(web_stack, "board_reply", thread) == [cohort.ann]
    bobs = board.posts(web_stack.database, thread)[-1]

    # Only coordinators moderate; a hidden post tells its author why, everyone else only that it was hidden.
    assert (await _form(bob, url, f"/board/posts/{bobs.id}/hide", {"reason": "no"})).status_code == 403
    assert (await _form(bob, url, f"{url}/lock")).status_code == 403
    no_reason = await _form(cora, url, f"/board/posts/{bobs.id}/hide", {"reason": " "})
    assert no_reason.status_code == 409 and "say why the post is hidden" in no_reason.text
    assert (await _form(cora, url, f"/board/posts/{bobs.id}/hide", {"reason": "Names a student"})).status_code == 303
    assert "A coordinator hid your post from the others: Names a student" in (await bob.get(url)).text
    seen = (await ann.get(url)).text
    assert "Hidden by a coordinator" in seen and "Try the Big 6" not in seen and "Names a student" not in seen

    # Locked: no more replies, and a refused reply writes nothing.
    assert (await _form(cora, url, f"{url}/lock")).status_code == 303
    posts = len(board.posts(web_stack.database, thread))
    late = await _form(ann, url, f"{url}/replies", {"body": "One more thing"})
    assert late.status_code == 409 and "locked by a coordinator" in late.text and "One more thing</textarea>" not in late.text
    assert len(board.posts(web_stack.database, thread)) == posts
    for client in (ann, bob, cora, tia, pat):
        await client.aclose()


async def _published_lesson(stack: WebStack, cohort: Cohort) -> int:
    """Ann and Tia close a cycle (the library's rule: a lesson comes from a cycle through reflect) and publish its lesson."""
    c, pid = stack.coaching, "ann--tia"
    await c.move(cohort.id, pid, cohort.ann, Stage.initiate)
    await c.set_goal(cohort.id, pid, cohort.tia, "Grade 4 research unit", "Students cite two sources")
    for stage in (Stage.co_plan, Stage.modeling, Stage.observe, Stage.reflect):
        await c.move(cohort.id, pid, cohort.ann, stage)
    await c.record_outcome(cohort.id, pid, cohort.ann, Outcome.met, "Every essay cited two")
    await c.move(cohort.id, pid, cohort.ann, Stage.closed)
    await eventually(lambda: (row := read_model.partnership(stack.database, cohort.id, pid)) is not None and row.cycles_completed == 1)
    text = LessonText(title="Volcanoes with the library's databases", grades=["4"], subjects=["Science"], summary="Two sources each")
    made = Provenance(coach_name="Ann Coach", school_name="Hazel", program="Test Peer Coaching", school_year="2026-2027")
    sealer = Sealer(TEST_KEYS)  # the partnership has no artifact to copy: nothing is opened
    draft = lessons.publish(stack.database, sealer, cohort.id, pid, cohort.ann, 1, text, [], made, datetime.now(UTC))
    return lessons.agree(stack.database, draft.id, cohort.tia, datetime.now(UTC)).id


async def test_a_program_file_lets_its_teachers_read_program_wide_threads_and_lessons_show_as_cards(web_stack: WebStack) -> None:
    program = program_starting((datetime.now(UTC) - timedelta(days=200)).date(), teachers_read_program_board=True)
    cohort = await launch(web_stack, program)
    lesson = await _published_lesson(web_stack, cohort)
    ann, tia = await signed_in(web_stack, cohort.ann), await signed_in(web_stack, cohort.tia)
    body = f"Exit tickets, and see /lessons/{lesson} (not /lessons/999999999)"
    wide = _thread_id(await _form(ann, "/board", "/board/threads", {"where": "*", "title": "What's working", "body": body}))
    mine = _thread_id(await _form(ann, "/board", "/board/threads", {"where": cohort.id, "title": "Ours", "body": "Ours only"}))
    listed = await tia.get("/board")
    assert listed.status_code == 200 and f"/board/threads/{wide}" in listed.text and f"/board/threads/{mine}" not in listed.text
    assert "Start a thread" not in listed.text
    read = await tia.get(f"/board/threads/{wide}")
    assert read.status_code == 200 and "Exit tickets" in read.text and "Post the reply" not in read.text
    assert f'<a href="/lessons/{lesson}"><strong>Volcanoes with the library&#39;s databases</strong></a>' in read.text  # a card
    assert '<a href="/lessons/999999999">/lessons/999999999</a>' in read.text and read.text.count("lesson-card") == 1
    assert (await tia.post(f"/board/threads/{wide}/replies", data={"body": "Yes", "csrf": csrf_of(read.text)})).status_code == 403
    assert (await tia.get(f"/board/threads/{mine}")).status_code == 403
    for client in (ann, tia):
        await client.aclose()


async def test_in_chromium_a_mention_reaches_the_coordinator_who_hides_the_post(web_stack: WebStack, browser: Browser) -> None:
    cohort = await launch(web_stack)
    ann = await sign_in(browser, web_stack, cohort.ann, "desktop", "board-coach")
    page = ann.page
    await page.get_by_role("link", name="Discussion board").click()
    await ann.check("board")
    await page.get_by_label("Where").select_option(value=cohort.id)
    await page.get_by_label("Title").fill("Reluctant staff")
    await page.get_by_label("What you want to say").fill(f"@{cohort.coordinator} how do I start with a teacher who says no?")
    await page.get_by_label("roadblock").check()
    await page.get_by_role("button", name="Start the thread").click()
    await ann.said("Thread started; you follow it; told Cora Ordinator of the mention")
    await ann.check("board-thread")
    thread = int(page.url.rsplit("/", 1)[1])
    [told] = [e for e in web_stack.outbox.entries(kind="board_mention") if f":{thread}:" in e.key]
    assert told.recipient == cohort.coordinator and told.subject == 'Ann Coach mentioned you in "Reluctant staff"'
    await page.context.close()

    cora = await sign_in(browser, web_stack, cohort.coordinator, "desktop", "board-coordinator")
    page = cora.page
    await page.goto(web_stack.url + re.sub(r"^https?://[^/]+", "", re.search(r"https?://\S+", told.body).group(0)))  # type: ignore[union-attr]
    await expect(page.get_by_text("how do I start with a teacher who says no?")).to_be_visible()
    await page.get_by_label("Reason to hide this post (its author reads it)").fill("Please ask this in your cohort's meeting")
    await page.get_by_role("button", name="Hide this post").click()
    await cora.said("Post hidden")
    await expect(page.get_by_text("Hidden by a coordinator")).to_be_visible()
    await expect(page.get_by_text("how do I start with a teacher who says no?")).to_have_count(0)
    await cora.check("board-hidden")
    await page.context.close()

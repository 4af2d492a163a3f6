"""Did coaching work, without anyone's private words or own answers reaching a principal or a coordinator.

Markers are put where only a partnership's people may read them (a note, the note on the move to reflect, a cycle's
goal and its outcome's evidence) and in each teacher's own self-assessment answers (the program's tiers are named with
a marker, so any page that shows someone's answers shows one). Then every page, download and API answer a principal
or a coordinator can reach is read: none holds a marker. A coach sees their own collaborating teachers' answers only.
"""

from __future__ import annotations

import io
import zipfile

import httpx

from domain.cycle import Outcome, Stage
from domain.tiers import Dimension, Round, Tier, TiersInstrument
from store import read_model
from tests.conftest import eventually
from tests.web.conftest import Cohort, WebStack, signed_in
from tests.web.test_year_two_pages import launch_after_the_year

NOTE = "privacy-note-marker-4410"
REFLECTION = "privacy-reflection-marker-9127"
GOAL = "privacy-goal-marker-3306"
EVIDENCE = "privacy-evidence-marker-6642"
TIER = "privacy-tier-marker"  # every tier's name and descriptor begins with it
MARKERS = (NOTE, REFLECTION, GOAL, EVIDENCE, TIER)
INSTRUMENT = TiersInstrument(
    name="Practice tiers",
    tiers=[Tier(name=f"{TIER}-{n}", descriptor=f"{TIER}-{n} described") for n in ("one", "two", "three", "four")],
    dimensions=[Dimension(key="planning", name="Planning"), Dimension(key="teaching", name="Teaching")],
)


async def _private_year(stack: WebStack, cohort: Cohort) -> None:
    c, pid = stack.coaching, "ann--tia"
    await c.add_note(cohort.id, pid, cohort.ann, f"{NOTE}: the unit plan needs work")
    await c.move(cohort.id, pid, cohort.ann, Stage.initiate)
    await c.set_goal(cohort.id, pid, cohort.tia, "Fractions unit", f"{GOAL}: students explain their reasoning")
    for stage in (Stage.co_plan, Stage.modeling, Stage.observe):
        await c.move(cohort.id, pid, cohort.ann, stage)
    await c.move(cohort.id, pid, cohort.ann, Stage.reflect, f"{REFLECTION}: the lesson ran long")
    await c.record_outcome(cohort.id, pid, cohort.ann, Outcome.met, f"{EVIDENCE}: exit tickets")
    await c.move(cohort.id, pid, cohort.ann, Stage.initiate)
    await eventually(lambda: read_model.ledgers(stack.database, cohort.id, "hazel"))  # the school's pages answer from it
    # Distinctive answers: Tia low then high on one part only; Ted the reverse.
    for who, pre, post in (
        (cohort.tia, {"planning": 1, "teaching": 4}, {"planning": 4, "teaching": 1}),
        (cohort.ted, {"planning": 3, "teaching": 2}, {"planning": 2, "teaching": 3}),
        (cohort.ann, {"planning": 2, "teaching": 2}, {"planning": 3, "teaching": 3}),
    ):
        await c.assess(cohort.id, "hazel", who, Round.pre, pre)
        await c.assess(cohort.id, "hazel", who, Round.post, post)


async def _read(client: httpx.AsyncClient, path: str) -> str:
    """The answer as text; a spreadsheet's sheets unzipped."""
    got = await client.get(path)
    assert got.status_code == 200, f"{path}: {got.status_code} {got.text[:300]}"
    if path.endswith(".xlsx"):
        with zipfile.ZipFile(io.BytesIO(got.content)) as book:
            return "".join(book.read(name).decode() for name in book.namelist() if name.endswith(".xml"))
    return got.text


def _none_in(text: str, where: str) -> None:
    found = [m for m in MARKERS if m in text]
    assert not found, f"{where} shows {found}"


async def test_no_page_a_principal_or_coordinator_reaches_holds_private_words_or_answers(web_stack: WebStack) -> None:
    cohort = await launch_after_the_year(web_stack, tiers=INSTRUMENT)
    await _private_year(web_stack, cohort)
    c = f"/cohorts/{cohort.id}"
    school = f"{c}/schools/hazel"
    shared = [
        "/",
        school,
        f"{school}/plan",
        f"{school}/year-two",
        f"{c}/tiers",
        f"{c}/partnerships/ann--tia",
        f"{school}/partnerships.csv",
        f"{school}/partnerships.xlsx",
        f"{school}/requests.csv",
        "/api/me",
        f"/api/{c.lstrip('/')}/partnerships",
        f"/api/{c.lstrip('/')}/partnerships/ann--tia",
        f"/api/{c.lstrip('/')}/schools/hazel",
    ]
    coordinators = [
        c,
        f"{c}/plans",
        f"{c}/people",
        f"{c}/outbox",
        f"{c}/report",
        f"{c}/report.csv",
        f"{c}/report.xlsx",
        f"{c}/report.html",
        f"{c}/partnerships.csv",
        f"{c}/partnerships.xlsx",
        f"{c}/attendance.csv",
        f"{c}/people.csv",
        f"{c}/outbox.csv",
        f"/api/{c.lstrip('/')}/summary",
        f"/api/{c.lstrip('/')}/training/{cohort.ann}",
    ]
    pat, cora = await signed_in(web_stack, cohort.principal), await signed_in(web_stack, cohort.coordinator)
    for who, client, paths in (("the principal", pat, shared), ("the coordinator", cora, shared + coordinators)):
        for path in paths:
            _none_in(await _read(client, path), f"{path} for {who}")
    # What they do see of the answers: the movement of a group, too small here to show.
    assert "too few to show" in await _read(pat, f"{c}/tiers") and "too few to show" in await _read(cora, f"{c}/tiers")

    # The partnership's own people read their words; a coach reads their own teachers' answers, and only theirs.
    ann, bob, ted = [await signed_in(web_stack, e) for e in (cohort.ann, cohort.bob, cohort.ted)]
    partnership = await _read(ann, f"{c}/partnerships/ann--tia")
    assert NOTE in partnership and REFLECTION in partnership, [m for m in MARKERS if m in partnership]
    coach = await _read(ann, f"{c}/tiers")
    assert "Tia Teacher" in coach and f"Planning: <strong>{TIER}-one</strong> (tier 1)" in coach and "Ted Teacher" not in coach
    other = await _read(bob, f"{c}/tiers")
    assert "Ted Teacher" in other and "Tia Teacher" not in other and f"Planning: <strong>{TIER}-one</strong>" not in other
    teacher = await _read(ted, f"{c}/tiers")
    assert "Tia Teacher" not in teacher and "My collaborating teachers' answers" not in teacher
    for client in (pat, cora, ann, bob, ted):
        await client.aclose()

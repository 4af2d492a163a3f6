"""A cycle's goal on the web: the teacher names it at initiate, the coach records the outcome at reflect; the principal
and the coordinator see how many goals were named and met, never the words."""

from __future__ import annotations

from domain.cycle import Stage
from tests.web.conftest import WebStack, csrf_of, launch, signed_in

WORDS = "goal-words-marker-8823"


async def test_a_goal_named_and_met_on_the_partnership_page_and_only_counted_elsewhere(web_stack: WebStack) -> None:
    cohort = await launch(web_stack)
    page = f"/cohorts/{cohort.id}/partnerships/ann--tia"
    tia, ann = await signed_in(web_stack, cohort.tia), await signed_in(web_stack, cohort.ann)

    waiting = await tia.get(page)
    refused = await tia.post(f"{page}/goal", data={"lesson": "Unit", "goal": "Goal", "csrf": csrf_of(waiting.text)})
    assert refused.status_code == 409 and "a cycle&#39;s goal is named at initiate or while co-planning" in refused.text

    await web_stack.coaching.move(cohort.id, "ann--tia", cohort.ann, Stage.initiate)
    form = await tia.get(page)
    assert 'for="goal-lesson"' in form.text and "Set the goal" in form.text
    named = await tia.post(f"{page}/goal", data={"lesson": f"{WORDS} unit", "goal": f"{WORDS} goal", "csrf": csrf_of(form.text)})
    assert named.status_code == 303
    shown = await tia.get(page)
    assert "Cycle 1&#39;s goal is set" in shown.text and f"{WORDS} unit" in shown.text and "Change the goal" in shown.text

    for stage in (Stage.co_plan, Stage.modeling, Stage.observe, Stage.reflect):
        await web_stack.coaching.move(cohort.id, "ann--tia", cohort.ann, stage)
    reflecting = await ann.get(page)
    assert "How did the goal go?" in reflecting.text
    recorded = await ann.post(f"{page}/outcome", data={"outcome": "met", "evidence": f"{WORDS} evidence", "csrf": csrf_of(reflecting.text)})
    assert recorded.status_code == 303
    after = await ann.get(page)
    assert "Cycle 1&#39;s goal: met" in after.text and f"{WORDS} evidence" in after.text
    bad = await ann.post(f"{page}/outcome", data={"outcome": "brilliant", "csrf": csrf_of(after.text)})
    assert bad.status_code == 422

    for who in (cohort.principal, cohort.coordinator):
        other = await signed_in(web_stack, who)
        seen = await other.get(page)
        assert seen.status_code == 200 and "Goals: 1 named, 1 met" in seen.text
        assert WORDS not in seen.text
        report = await other.get(f"/cohorts/{cohort.id}/report.csv")
        assert WORDS not in report.text
    for client in (tia, ann):
        await client.aclose()

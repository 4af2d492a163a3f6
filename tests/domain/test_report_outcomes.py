"""The report's outcome sections: school plans and the goals partnerships work on, tier movement as counts a
group large enough may show (and none that a difference would give away), and year-2 decisions."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from html import unescape
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from pypdf import PdfReader

from domain.plans import PlanGoal, PlanStatus, SchoolPlan
from domain.report import NO_PLAN, SchoolYearFacts, YearReport, figures
from domain.roster import School, SchoolModel
from domain.tiers import GIVES_AWAY, TOO_FEW, Movement, Round, shown_movement
from domain.year_two import YearTwoChoice, YearTwoDecision, coach_subject, partnership_subject
from peercoach.report import charts, page, pdf, sheets
from tests.domain.test_report import HAZEL, PROGRAM, _summary, nothing_yet, report_of

MAPLE = School(id="maple", name="Maple", district="Vancouver", model=SchoolModel.part_time, principal="pam@maple.test")
OAK = School(id="oak", name="Oak", district="Vancouver", model=SchoolModel.team, principal="olga@oak.test")
WRITTEN = datetime(2026, 10, 1, 16, tzinfo=UTC)
ENDORSED = datetime(2026, 10, 9, 5, tzinfo=UTC)  # 22:00 on Oct 8 at the schools (Pacific)


def endorsed_plan() -> SchoolPlan:
    goals = [PlanGoal(key="g1", text="Writing across the curriculum"), PlanGoal(key="g2", text="Student talk in maths")]
    return SchoolPlan(
        goals=goals,
        assignments="Ann with Tia",
        roles="Co-plan weekly",
        communication="Staff meeting",
        status=PlanStatus.endorsed,
        written_by="ann@hazel.test",
        written_at=WRITTEN,
        endorsed_by="pat@hazel.test",
        endorsed_at=ENDORSED,
    )


def a_school_year() -> SchoolYearFacts:
    """Hazel: an endorsed plan, 6 teachers with both rounds (4 moved up), decisions; Maple: a draft, 2 teachers, none."""
    draft = endorsed_plan().model_copy(update={"status": PlanStatus.draft, "endorsed_by": None, "endorsed_at": None})
    decided = datetime(2027, 5, 20, 16, tzinfo=UTC)
    decisions = [
        YearTwoDecision(
            subject=partnership_subject("ann--tia"), choice=YearTwoChoice.expand, reason="r", decided_by="p", decided_at=decided
        ),
        YearTwoDecision(
            subject=coach_subject("ann@hazel.test"), choice=YearTwoChoice.continue_, reason="r", decided_by="p", decided_at=decided
        ),
    ]
    return SchoolYearFacts(
        schools=[MAPLE, HAZEL],
        plans={"hazel": endorsed_plan(), "maple": draft},
        school_goals={"hazel": ["writing across  the curriculum", "g1", None], "maple": ["Writing across the curriculum"]},
        movement={
            "cohort": Movement(group="cohort", people=8, moved_up=5),
            "hazel": Movement(group="hazel", people=6, moved_up=4),
            "maple": Movement(group="maple", people=2, moved_up=1),
            "model:part-time": Movement(group="model:part-time", people=8, moved_up=5),
        },
        assessed={"hazel": {Round.pre: 8, Round.post: 7}, "maple": {Round.pre: 3, Round.post: 2}},
        decisions={"hazel": decisions},
        subjects={
            "hazel": [
                partnership_subject("ann--tia"),
                partnership_subject("bob--ted"),
                coach_subject("ann@hazel.test"),
                coach_subject("bob@hazel.test"),
            ],
            "maple": [partnership_subject("cy--dee"), coach_subject("cy@maple.test")],
        },
    )


def outcomes() -> YearReport:
    return report_of([_summary("ann--tia")], school_year=a_school_year(), final=True)


def test_plans_count_endorsed_schools_and_the_partnerships_on_each_goal_and_on_none() -> None:
    plans = outcomes().plans
    assert (plans.schools, plans.endorsed, plans.unlinked) == (2, 1, 1 + 0)  # Hazel's partnership naming no goal
    hazel, maple = (next(line for line in plans.lines if line.school == name) for name in ("Hazel", "Maple"))
    assert hazel.status == "endorsed" and hazel.endorsed_on == ENDORSED.astimezone(ZoneInfo(PROGRAM.timezone)).date()
    assert [(g.goal, g.partnerships) for g in hazel.goals] == [("Writing across the curriculum", 2), ("Student talk in maths", 0)]
    assert (maple.status, maple.endorsed_on, maple.partnerships, maple.unlinked) == ("draft", None, 1, 0)
    nothing = report_of([], school_year=nothing_yet(HAZEL, MAPLE)).plans
    assert (nothing.endorsed, nothing.unlinked) == (0, 0) and [line.status for line in nothing.lines] == [NO_PLAN, NO_PLAN]


def test_a_small_group_shows_no_count_and_a_difference_gives_nobodys_away() -> None:
    tiers = outcomes().tiers
    # Hazel (6) and Maple (2) make the cohort (8): showing both the cohort's and Hazel's would give Maple's away.
    assert (tiers.cohort.people, tiers.cohort.moved_up, tiers.cohort.percent) == (8, 5, 62)
    hazel, maple = tiers.schools[0], tiers.schools[1]
    assert (hazel.group, hazel.people, hazel.moved_up, hazel.percent, hazel.hidden) == ("Hazel", 6, None, None, GIVES_AWAY)
    assert (maple.group, maple.people, maple.moved_up, maple.percent, maple.hidden) == ("Maple", 2, None, None, TOO_FEW)
    assert (hazel.answered_pre, hazel.answered_post, maple.answered_pre, maple.answered_post) == (8, 7, 3, 2)
    assert [(m.group, m.said()) for m in tiers.models] == [("part-time coach schools", "62% moved up (5 of 8)")]
    assert tiers.schools_not_shown == 2


def test_the_smallest_shown_part_is_held_back_until_no_difference_leaves_fewer_than_five() -> None:
    people = {"cohort": 15, "a": 6, "b": 7, "c": 2, "model:x": 13, "model:y": 2}
    parts = [("cohort", ["a", "b", "c"]), ("cohort", ["model:x", "model:y"]), ("model:x", ["a", "b"]), ("model:y", ["c"])]
    shown = shown_movement(people, parts)
    assert shown == {"cohort", "b"}  # a (smaller of a, b) is held back for c, and model x for model y
    assert shown_movement({"cohort": 12, "a": 6, "b": 6}, [("cohort", ["a", "b"])]) == {"cohort", "a", "b"}
    assert shown_movement({"cohort": 4, "a": 4}, [("cohort", ["a"])]) == set()
    assert shown_movement({"cohort": 10, "a": 5, "b": 5, "c": 0}, [("cohort", ["a", "b", "c"])]) == {"cohort", "a", "b"}


def test_year_two_counts_each_choice_and_who_is_still_undecided() -> None:
    year_two = outcomes().year_two
    hazel, maple = year_two.schools
    assert hazel.decided == {YearTwoChoice.continue_: 1, YearTwoChoice.expand: 1, YearTwoChoice.conclude: 0} and hazel.undecided == 2
    assert sum(maple.decided.values()) == 0 and maple.undecided == 2
    assert year_two.undecided == 4 and year_two.decided[YearTwoChoice.expand] == 1


def test_every_outcome_is_one_figure_and_every_format_shows_it_without_a_hidden_count() -> None:
    report = outcomes()
    found = {(f.section, f.group, f.measure): f.value for f in figures(report)}
    keys = [(f.section, f.group, f.measure) for f in figures(report)]
    assert len(keys) == len(set(keys))
    assert found[("plans", "cohort", "schools with an endorsed plan")] == 1 and found[("plans", "Hazel", "endorsed on")] == "2026-10-08"
    assert found[("plans", "Maple", "plan")] == "draft" and found[("plans", "Maple", "endorsed on")] == "not yet"
    assert found[("plan goals", "Hazel", "Writing across the curriculum")] == 2
    assert found[("tier movement", "cohort", "percent moved up")] == 62 and found[("tier movement", "cohort", "moved up")] == 5
    assert found[("tier movement", "school: Maple", "moved up")] == found[("tier movement", "school: Maple", "percent moved up")] == TOO_FEW
    assert found[("tier movement", "school: Hazel", "moved up")] == GIVES_AWAY
    assert found[("year 2", "Hazel", "expand")] == 1 and found[("year 2", "Maple", "undecided")] == 2

    rows = list(csv.DictReader(io.StringIO(sheets.as_csv(report))))
    assert {(r["section"], r["group"], r["measure"]): r["value"] for r in rows} == {k: str(sheets.value(v)) for k, v in found.items()}
    book = load_workbook(io.BytesIO(sheets.as_xlsx(report)), read_only=True)
    movement = [tuple(r) for r in book["Tier movement"].iter_rows(min_row=2, values_only=True)]
    assert movement[0] == ("cohort", "cohort", None, None, 8, 5, 62)
    assert ("school", "Maple", 3, 2, 2, TOO_FEW, TOO_FEW) in movement
    assert [tuple(r) for r in book["Year 2"].iter_rows(values_only=True)] == [
        ("school", "continue", "expand", "conclude", "undecided"),
        ("Hazel", 1, 1, 0, 2),
        ("Maple", 0, 0, 0, 2),
    ]

    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.as_pdf(report))).pages))
    html = page.standalone(report)
    for made in (text, unescape(re.sub(r"<[^>]+>", " ", html))):
        made = re.sub(r"\s+", " ", made)
        assert "Teachers who moved up at least one tier: 62% moved up (5 of 8)." in made
        assert "1 of 2 schools have an endorsed coaching plan. Partnerships working on no plan goal: 1." in made
        assert "Maple 3 2 2 too few to show" in made
        assert "No school is in a chart of its own: in each, fewer than 5 of its teachers answered both rounds" in made
        assert "Decisions: 1 continue, 1 expand, 0 conclude; undecided: 4" in made
        assert "(1 of 2)" not in made and "(4 of 6)" not in made  # neither small nor held-back counts, in any words
    assert "Hazel 1 1 0 2" in text and "Writing across the curriculum Hazel 2" in text


def test_a_chart_shows_only_the_schools_whose_movement_is_shown() -> None:
    facts = a_school_year()
    facts.schools.append(OAK)
    del facts.movement["maple"]  # nobody at Maple answered both rounds: there is nothing to give away
    facts.movement |= {
        "cohort": Movement(group="cohort", people=11, moved_up=5),
        "model:part-time": Movement(group="model:part-time", people=6, moved_up=4),
        "oak": Movement(group="oak", people=5, moved_up=1),
        "model:grade-level-team": Movement(group="model:grade-level-team", people=5, moved_up=1),
    }
    report = report_of([], school_year=facts)
    assert [(s.group, s.percent) for s in report.tiers.schools if s.percent is not None] == [("Hazel", 67), ("Oak", 20)]
    (axes,) = charts.tier_movement(report).axes
    assert [t.get_text() for t in axes.get_yticklabels()] == ["Hazel", "Oak"]
    assert "1 school is not in the chart" in page.standalone(report)


def test_a_mid_year_report_says_not_yet_where_nothing_is_there_yet() -> None:
    report = report_of([_summary("ann--tia")], school_year=nothing_yet(HAZEL, MAPLE))
    assert report.tiers.cohort.said() == TOO_FEW and report.tiers.cohort.people == 0
    html = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", page.standalone(report))))
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.as_pdf(report))).pages))
    for made in (html, text):
        assert "0 of 2 schools have an endorsed coaching plan." in made and "No school has written its plan yet." in made
        assert "No teacher has answered both rounds yet: the second round opens after the last session, on" in made
        assert "Year 2 is decided after the last session: the principals' decisions open on" in made
        assert "Decisions so far: 0 continue, 0 expand, 0 conclude; undecided: 0" in made
    assert "not in the chart" not in html and "in a chart of its own" not in html
    found = {(f.section, f.group, f.measure): f.value for f in figures(report)}
    assert found[("plans", "Maple", "plan")] == NO_PLAN and found[("tier movement", "cohort", "moved up")] == TOO_FEW


def test_people_counted_in_no_school_of_the_roll_still_keep_a_difference_from_giving_them_away() -> None:
    facts = nothing_yet(HAZEL)
    facts.movement |= {
        "cohort": Movement(group="cohort", people=8, moved_up=5),
        "hazel": Movement(group="hazel", people=6, moved_up=4),
        "gone": Movement(group="gone", people=2, moved_up=1),  # a school no longer on the roll
        "model:part-time": Movement(group="model:part-time", people=8, moved_up=5),
    }
    tiers = report_of([], school_year=facts).tiers
    assert tiers.cohort.percent == 62 and [(s.group, s.hidden) for s in tiers.schools] == [("Hazel", GIVES_AWAY)]

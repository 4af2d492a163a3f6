"""The year-end report's outcome sections from a real year on the time-skipping server: two schools write plans (one
endorsed), their teachers self-assess before coaching and after the year, and the principals decide year 2.

Hazel has six teachers who answered both rounds, four of whom moved up; Maple has two. Every format shows the
cohort's share, says "too few to show" for Maple, holds back Hazel's (Maple's would be the cohort's less Hazel's),
and holds no one's answers: no tier, no dimension, no count of a group under five.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from html import unescape

from openpyxl import load_workbook
from pypdf import PdfReader
from temporalio.testing import WorkflowEnvironment

from domain.plans import PlanDraft
from domain.report import GIVES_AWAY, YearReport
from domain.roster import parse_roster_csv
from domain.tiers import TOO_FEW, Round, default_instrument
from domain.year_two import YearTwoChoice, coach_subject, partnership_subject
from peercoach.report import page, pdf, sheets
from store import read_model, school_year
from store.sealed import Sealer
from tests.conftest import eventually, program_starting
from tests.domain.test_report_formats import SHEETS
from tests.roster_fixtures import HEADER
from workers.codec import key_ring

COHORT = "outcomes"
HAZEL_PRINCIPAL, MAPLE_PRINCIPAL = "pat@hazel.test", "mia@maple.test"
HAZEL_TEACHERS = [f"teacher{n}@hazel.test" for n in range(1, 7)]
MAPLE_TEACHERS = ["una@maple.test", "vic@maple.test"]
ROSTER = HEADER + "\n".join(
    [
        "Cora Ordinator,cora@esd.test,coordinator,,ESD,,,,,",
        "Pat Principal,pat@hazel.test,principal,Hazel,Vancouver,part-time,,,,",
        "Ann Coach,ann@hazel.test,coach,Hazel,Vancouver,,,,,",
        "Bob Coach,bob@hazel.test,coach,Hazel,Vancouver,,,,,",
        *(
            f"Teacher {n},teacher{n}@hazel.test,teacher,Hazel,Vancouver,,{'ann' if n <= 3 else 'bob'}@hazel.test,,Focus {n},"
            + ("Writing across the curriculum" if n <= 2 else "")
            for n in range(1, 7)
        ),
        "Mia Principal,mia@maple.test,principal,Maple,Vancouver,grade-level-team,,,,",
        "Max Coach,max@maple.test,coach,Maple,Vancouver,,,,,",
        "Una Teacher,una@maple.test,teacher,Maple,Vancouver,,max@maple.test,,Reading,",
        "Vic Teacher,vic@maple.test,teacher,Maple,Vancouver,,max@maple.test,,Reading,",
    ]
)
LOW, MIDDLE = {"planning": 2, "teaching": 2, "student-use": 2}, {"planning": 3, "teaching": 3, "student-use": 2}
REASON = "year-two-reason-marker-8842"  # a principal's reason: the coaches and next year's cohort read it, the report does not
UP = {"planning": 4, "teaching": 4, "student-use": 4}  # a tier no one shows: it must be in no format


async def test_plans_tier_movement_and_year_two_in_every_format_with_no_ones_answers(time_env: WorkflowEnvironment, harness) -> None:  # type: ignore[no-untyped-def]
    h = harness(time_env.client)
    coaching = h.coaching()
    now = await time_env.get_current_time()
    program = program_starting((now + timedelta(days=2)).date())
    async with h.worker():
        await coaching.launch_cohort(COHORT, program, parse_roster_csv(ROSTER, "outcomes.csv"), "cora@esd.test")
        await coaching.wait_until_launched(COHORT)

        hazel_plan = PlanDraft(
            actor="ann@hazel.test",
            goals=["Writing across the curriculum", "Student talk in maths"],
            assignments="Ann and Bob with three teachers each",
            roles="Co-plan weekly",
            communication="Staff meeting",
            submit=True,
        )
        await coaching.write_plan(COHORT, "hazel", hazel_plan)
        endorsed = await coaching.endorse_plan(COHORT, "hazel", HAZEL_PRINCIPAL)
        maple_plan = hazel_plan.model_copy(update={"actor": "max@maple.test", "goals": ["Reading for pleasure"], "submit": False})
        await coaching.write_plan(COHORT, "maple", maple_plan)

        await time_env.sleep(program.assessment_opens(Round.pre) - await time_env.get_current_time() + timedelta(hours=1))
        for teacher in HAZEL_TEACHERS:
            await coaching.assess(COHORT, "hazel", teacher, Round.pre, LOW)
        for teacher in MAPLE_TEACHERS:
            await coaching.assess(COHORT, "maple", teacher, Round.pre, LOW)

        await time_env.sleep(program.assessment_opens(Round.post) - await time_env.get_current_time() + timedelta(hours=1))
        for n, teacher in enumerate(HAZEL_TEACHERS):
            await coaching.assess(COHORT, "hazel", teacher, Round.post, UP if n < 4 else LOW)  # four of six moved up
        await coaching.assess(COHORT, "maple", MAPLE_TEACHERS[0], Round.post, MIDDLE)  # one of two moved up
        await coaching.assess(COHORT, "maple", MAPLE_TEACHERS[1], Round.post, LOW)

        [first, second, *_] = read_model.find_partnerships(h.database, COHORT, "hazel").rows
        decide = coaching.decide_year_two
        await decide(COHORT, "hazel", HAZEL_PRINCIPAL, partnership_subject(first.id), YearTwoChoice.expand, f"{REASON} 1")
        await decide(COHORT, "hazel", HAZEL_PRINCIPAL, partnership_subject(second.id), YearTwoChoice.conclude, f"{REASON} 2")
        await decide(COHORT, "hazel", HAZEL_PRINCIPAL, coach_subject("ann@hazel.test"), YearTwoChoice.continue_, f"{REASON} 3")
        await decide(COHORT, "maple", MAPLE_PRINCIPAL, coach_subject("max@maple.test"), YearTwoChoice.continue_, f"{REASON} 3")
        await eventually(lambda: len(school_year.decisions(h.database, COHORT).get("hazel", [])) == 3)
        await eventually(lambda: school_year.decisions(h.database, COHORT).get("maple"))
        await eventually(
            lambda: {s: n[Round.post] for s, n in school_year.assessed_counts(h.database, COHORT).items()} == {"hazel": 6, "maple": 2}
        )
        await eventually(lambda: [p.status for p in school_year.plans(h.database, COHORT).values()] == ["endorsed", "draft"])
        report = await coaching.year_report(COHORT, Sealer(key_ring(h.settings)))

    endorsed_on = endorsed.endorsed_at.astimezone(report.as_of.tzinfo).date() if endorsed.endorsed_at else date.min
    _figures_are_the_report(report, endorsed_on)
    _every_format_shows_them_and_no_ones_answers(report)


def _figures_are_the_report(report: YearReport, endorsed_on: date) -> None:
    rows = list(csv.DictReader(io.StringIO(sheets.as_csv(report))))
    figure = {(r["section"], r["group"], r["measure"]): r["value"] for r in rows}
    assert figure[("plans", "cohort", "schools")] == "2" and figure[("plans", "cohort", "schools with an endorsed plan")] == "1"
    assert figure[("plans", "Hazel", "plan")] == "endorsed" and figure[("plans", "Hazel", "endorsed on")] == endorsed_on.isoformat()
    assert figure[("plans", "Maple", "plan")] == "draft" and figure[("plans", "Maple", "endorsed on")] == "not yet"
    assert figure[("plan goals", "Hazel", "Writing across the curriculum")] == "2"  # the roster named it for two partnerships
    assert figure[("plan goals", "Hazel", "Student talk in maths")] == "0"
    assert (
        figure[("plans", "Hazel", "partnerships on no plan goal")] == "4"
        and figure[("plans", "Maple", "partnerships on no plan goal")] == "2"
    )
    assert figure[("plans", "cohort", "partnerships on no plan goal")] == "6"

    # The cohort's share: 5 of 8 teachers moved up. Maple's 2 are too few; Hazel's 6 would give Maple's away.
    tiers = {m: figure[("tier movement", "cohort", m)] for m in ("answered both rounds", "moved up", "percent moved up")}
    assert tiers == {"answered both rounds": "8", "moved up": "5", "percent moved up": "62"}
    assert figure[("tier movement", "school: Maple", "answered both rounds")] == "2"
    assert (
        figure[("tier movement", "school: Maple", "moved up")] == figure[("tier movement", "school: Maple", "percent moved up")] == TOO_FEW
    )
    assert (
        figure[("tier movement", "school: Hazel", "moved up")]
        == figure[("tier movement", "school: Hazel", "percent moved up")]
        == GIVES_AWAY
    )
    assert (
        figure[("self-assessment", "Hazel", "answered before coaching")]
        == figure[("self-assessment", "Hazel", "answered after the year")]
        == "6"
    )
    assert figure[("self-assessment", "Maple", "answered before coaching")] == "2"

    # Year 2: Hazel decided three of its eight (six partnerships, two coaches); Maple one of three.
    hazel = [figure[("year 2", "Hazel", m)] for m in ("continue", "expand", "conclude", "undecided")]
    maple = [figure[("year 2", "Maple", m)] for m in ("continue", "expand", "conclude", "undecided")]
    assert hazel == ["1", "1", "1", "5"] and maple == ["1", "0", "0", "2"]

    # The PDF, read back, shows the CSV's figures in its words and tables.
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.as_pdf(report))).pages))
    assert f"Teachers who moved up at least one tier: {tiers['percent moved up']}% moved up ({tiers['moved up']} of 8)." in text
    assert "1 of 2 schools have an endorsed coaching plan. Partnerships working on no plan goal: 6." in text
    assert f"Hazel endorsed {endorsed_on:%a %b %-d, %Y} 6 4" in text and "Maple draft not yet 2 2" in text
    assert "Writing across the curriculum Hazel 2 Student talk in maths Hazel 0 Reading for pleasure Maple 0" in text
    assert f"Hazel 6 6 6 {GIVES_AWAY}" in text and f"Maple 2 2 2 {TOO_FEW}" in text
    assert f"Hazel {' '.join(hazel)} Maple {' '.join(maple)}" in text
    assert re.search(r"Decisions( so far)?: 2 continue, 1 expand, 1 conclude; undecided: 7", text)

    book = load_workbook(io.BytesIO(sheets.as_xlsx(report)), read_only=True)
    assert book.sheetnames == SHEETS
    listed = [tuple("" if v is None else str(v) for v in row) for row in book["Report"].iter_rows(min_row=5, values_only=True)]
    assert listed == [(r["section"], r["group"], r["measure"], r["value"]) for r in rows]
    assert [tuple(r) for r in book["Year 2"].iter_rows(min_row=2, values_only=True)] == [("Hazel", 1, 1, 1, 5), ("Maple", 1, 0, 0, 2)]


def _every_format_shows_them_and_no_ones_answers(report: YearReport) -> None:
    html = page.standalone(report)
    read = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))
    assert "Teachers who moved up at least one tier: 62% moved up (5 of 8)." in read
    assert f"Maple 2 2 2 {TOO_FEW}" in read and "No school is in a chart of its own" in read
    book = load_workbook(io.BytesIO(sheets.as_xlsx(report)), read_only=True)
    cells = " ".join(str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row if v is not None)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.as_pdf(report))).pages)
    instrument = default_instrument()
    private = [t.name for t in instrument.tiers] + [d.name for d in instrument.dimensions] + [d.key for d in instrument.dimensions]
    private += ["(4 of 6)", "(1 of 2)", "67%", "50%", REASON]  # Hazel's and Maple's shares, in any words; no reason
    for made in (html, read, sheets.as_csv(report), cells, text):
        for word in private:
            assert word not in made, word
    hazel = next(s for s in report.tiers.schools if s.group == "Hazel")
    maple = next(s for s in report.tiers.schools if s.group == "Maple")
    assert (hazel.moved_up, hazel.percent, maple.moved_up, maple.percent) == (None, None, None, None)  # not even kept

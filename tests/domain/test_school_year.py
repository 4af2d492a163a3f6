"""A school's year as a pure process: the plan and its endorsement, self-assessment rounds, year-2 decisions,
each with its reminder and escalation, and every refusal in the domain's words."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from domain.notices import Notice, NoticeKind
from domain.plans import PlanDraft, PlanStatus, coverage
from domain.problems import InvalidInput, Refused
from domain.processes.effects import Effects
from domain.processes.ledger import MemberAdded, PartnershipAtSchool
from domain.processes.school import MemberLeft, PartnershipEnded, PlanEndorsement, SchoolProcess, SelfAssessment
from domain.program import Program, TrainingSession, parse_program
from domain.roster import Role
from domain.school_year import SchoolPartnership, SchoolYearRecord
from domain.tiers import MIN_GROUP, TOO_FEW, Pair, Round, default_instrument, movement, tier_of
from domain.year_two import YearTwoAnswer, YearTwoChoice, coach_subject, partnership_subject

PRINCIPAL = "pat@hazel.test"
ANN = "ann@hazel.test"  # a coach
TIA = "tia@hazel.test"  # a teacher in Ann's partnership
COORDINATOR = "cory@esd.test"
LAUNCHED = datetime(2026, 4, 1, tzinfo=UTC)


def program(**settings: object) -> Program:
    sessions = [
        TrainingSession(number=n, title=f"Session {n}", starts_on=date(2026, 4, 20) + timedelta(days=40 * n), location="ESD 112")
        for n in range(1, 9)
    ]
    return Program.model_validate({"name": "Peer Coaching", "school_year": "2026-2027", "sessions": sessions, **settings})


PROGRAM = program()
PROCESS = SchoolProcess(PROGRAM)


def school() -> SchoolYearRecord:
    return SchoolYearRecord(
        cohort="fall",
        school="hazel",
        school_name="Hazel Elementary",
        principal=PRINCIPAL,
        coordinators=[COORDINATOR],
        coaches=[ANN],
        partnerships={"ann--tia": SchoolPartnership(coach=ANN, partners=[TIA])},
        launched_at=LAUNCHED,
    )


def draft(actor: str = ANN, submit: bool = False, goals: list[str] | None = None) -> PlanDraft:
    return PlanDraft(
        actor=actor,
        goals=goals if goals is not None else ["Raise grade 2 reading fluency", "Every class uses the new science kits"],
        assignments="Ann works with the grade 2 team and Tia's class",
        roles="Ann co-plans weekly and models one lesson a month",
        communication="At the September staff meeting and in the newsletter",
        submit=submit,
    )


def kinds(effects: Effects[Any]) -> list[NoticeKind]:
    return [n.kind for n in effects.notices]


def of_kind(effects: Effects[Any], kind: NoticeKind) -> list[Notice]:
    return [n for n in effects.notices if n.kind == kind]


# -- the plan ---------------------------------------------------------------------------------


def test_a_coach_writes_the_plan_asks_for_endorsement_and_the_principal_endorses_it() -> None:
    record = school()
    written = PROCESS.write_plan(record, draft(submit=True), LAUNCHED)
    assert written.reply.status == PlanStatus.submitted and [g.key for g in written.reply.goals] == ["g1", "g2"]
    [asked] = written.notices
    assert asked.kind == NoticeKind.plan_submitted and asked.to == [PRINCIPAL]
    endorsed = PROCESS.endorse(record, PlanEndorsement(actor=PRINCIPAL), LAUNCHED + timedelta(days=2))
    assert endorsed.reply.status == PlanStatus.endorsed and endorsed.reply.endorsed_by == PRINCIPAL
    assert kinds(endorsed) == [NoticeKind.plan_endorsed] and endorsed.notices[0].to == [ANN]


def test_who_may_write_and_endorse_and_what_a_plan_must_say() -> None:
    record = school()
    with pytest.raises(Refused, match="written by its coaches and its principal"):
        PROCESS.check_plan(record, draft(actor=TIA))
    with pytest.raises(Refused, match="at least one school improvement goal"):
        PROCESS.check_plan(record, draft(goals=["  "]))
    with pytest.raises(Refused, match="two goals say the same"):
        PROCESS.check_plan(record, draft(goals=["Reading", " reading "]))
    with pytest.raises(Refused, match="say how the staff will hear of it"):
        PROCESS.check_plan(record, draft().model_copy(update={"communication": ""}))
    with pytest.raises(Refused, match="no coaching plan yet"):
        PROCESS.check_endorsement(record, PlanEndorsement(actor=PRINCIPAL))
    PROCESS.write_plan(record, draft(), LAUNCHED)
    with pytest.raises(Refused, match="only the school's principal endorses"):
        PROCESS.check_endorsement(record, PlanEndorsement(actor=ANN))
    PROCESS.endorse(record, PlanEndorsement(actor=PRINCIPAL), LAUNCHED)
    with pytest.raises(Refused, match="needs endorsing again only once it changes"):
        PROCESS.check_endorsement(record, PlanEndorsement(actor=PRINCIPAL))


def test_a_changed_plan_needs_endorsing_again_and_its_goals_keep_their_keys() -> None:
    record = school()
    PROCESS.write_plan(record, draft(), LAUNCHED)
    PROCESS.endorse(record, PlanEndorsement(actor=PRINCIPAL), LAUNCHED)
    changed = PROCESS.write_plan(record, draft(goals=["Every class uses the new science kits", "Math talk in grades 3-5"]), LAUNCHED)
    assert changed.reply.status == PlanStatus.draft and changed.reply.version == 2
    assert [(g.key, g.text) for g in changed.reply.goals] == [
        ("g2", "Every class uses the new science kits"),
        ("g3", "Math talk in grades 3-5"),
    ]


def test_partnerships_link_to_a_plan_goal_by_its_words_or_key() -> None:
    record = school()
    plan = PROCESS.write_plan(record, draft(), LAUNCHED).reply
    counted = coverage(plan, ["raise grade 2 reading  fluency", "g2", "g2", None, "something else"])
    assert [c.partnerships for c in counted] == [1, 2]


def test_a_plan_not_endorsed_is_reminded_then_escalated_to_the_coordinators() -> None:
    record = school()
    PROCESS.start(record, LAUNCHED)
    deadline = PROGRAM.plan_deadline()
    reminder = PROGRAM.next_follow_up_time(deadline - timedelta(days=PROGRAM.deadline_reminder_days))
    [reminded] = of_kind(PROCESS.wake(record, reminder), NoticeKind.plan_reminder)
    assert set(reminded.to) == {PRINCIPAL, ANN} and reminded.context["status"] == "not written yet"
    [escalated] = of_kind(PROCESS.wake(record, PROGRAM.next_follow_up_time(deadline)), NoticeKind.plan_overdue)
    assert escalated.to == [COORDINATOR]
    assert of_kind(PROCESS.wake(record, PROGRAM.next_follow_up_time(deadline) + timedelta(hours=1)), NoticeKind.plan_overdue) == []


def test_an_endorsed_plan_is_neither_reminded_nor_escalated() -> None:
    record = school()
    PROCESS.start(record, LAUNCHED)
    PROCESS.write_plan(record, draft(), LAUNCHED)
    PROCESS.endorse(record, PlanEndorsement(actor=PRINCIPAL), LAUNCHED)
    woken = PROCESS.wake(record, PROGRAM.plan_deadline() + timedelta(days=1))
    assert of_kind(woken, NoticeKind.plan_reminder) == of_kind(woken, NoticeKind.plan_overdue) == []


def test_the_program_file_sets_the_plan_deadline_within_the_training_year() -> None:
    assert program(plan_endorse_by="2026-09-30").plan_deadline().date() == date(2026, 10, 1)  # the end of that day
    assert PROGRAM.plan_deadline() == PROGRAM.session_start(PROGRAM.coaching_unlocks_after)


# -- self-assessment ---------------------------------------------------------------------------

ANSWERS = {"planning": 2, "teaching": 3, "student-use": 1}


def test_a_round_opens_is_reminded_to_those_who_have_not_answered_and_closes() -> None:
    record = school()
    PROCESS.start(record, LAUNCHED)
    opens = PROGRAM.assessment_opens(Round.pre)
    woken = PROCESS.wake(record, opens)
    opened = [n for n in woken.notices if n.kind == NoticeKind.assessment_open]
    assert len(opened) == 1 and set(opened[0].to) == {ANN, TIA}
    assert PROCESS.assess(record, SelfAssessment(actor=TIA, round=Round.pre, answers=ANSWERS), opens).reply == 2
    due = opens + timedelta(days=PROGRAM.self_assessment_days)
    woken = PROCESS.wake(record, PROGRAM.next_follow_up_time(due - timedelta(days=PROGRAM.deadline_reminder_days)))
    [reminded] = [n for n in woken.notices if n.kind == NoticeKind.assessment_reminder]
    assert reminded.to == [ANN]
    with pytest.raises(Refused, match="closed on"):
        PROCESS.check_assessment(record, SelfAssessment(actor=ANN, round=Round.pre, answers=ANSWERS), due)


def test_who_may_self_assess_when_and_with_what_answers() -> None:
    record = school()
    opens = PROGRAM.assessment_opens(Round.pre)
    with pytest.raises(Refused, match="coaches and collaborating teachers"):
        PROCESS.check_assessment(record, SelfAssessment(actor=PRINCIPAL, round=Round.pre, answers=ANSWERS), opens)
    with pytest.raises(Refused, match="opens on"):
        PROCESS.check_assessment(record, SelfAssessment(actor=TIA, round=Round.pre, answers=ANSWERS), opens - timedelta(days=1))
    with pytest.raises(Refused, match="missing: student-use"):
        PROCESS.check_assessment(record, SelfAssessment(actor=TIA, round=Round.pre, answers={"planning": 2, "teaching": 3}), opens)
    with pytest.raises(Refused, match="from 1 to 5; teaching is not"):
        PROCESS.check_assessment(record, SelfAssessment(actor=TIA, round=Round.pre, answers=ANSWERS | {"teaching": 6}), opens)
    with pytest.raises(Refused, match="singing is not a dimension"):
        PROCESS.check_assessment(record, SelfAssessment(actor=TIA, round=Round.pre, answers=ANSWERS | {"singing": 1}), opens)


def test_a_teacher_who_joins_after_the_round_opened_gets_a_window_of_their_own() -> None:
    record = school()
    PROCESS.start(record, LAUNCHED)
    joined = PROGRAM.assessment_opens(Round.pre) + timedelta(days=30)  # the school's round has closed
    PROCESS.receive(record, PartnershipAtSchool(id="ann--zoe", coach=ANN, partners=["zoe@hazel.test"]), joined)
    woken = PROCESS.wake(record, joined)
    own = [n for n in woken.notices if n.kind == NoticeKind.assessment_open and n.to == ["zoe@hazel.test"]]
    assert len(own) == 1 and own[0].key.endswith(":pre:zoe@hazel.test")
    PROCESS.check_assessment(record, SelfAssessment(actor="zoe@hazel.test", round=Round.pre, answers=ANSWERS), joined + timedelta(days=1))


def test_people_who_left_are_not_asked() -> None:
    record = school()
    PROCESS.receive(record, MemberAdded(email="zed@hazel.test", role=Role.coach), LAUNCHED)
    PROCESS.receive(record, PartnershipEnded(id="ann--tia"), LAUNCHED)
    PROCESS.receive(record, MemberLeft(email=ANN), LAUNCHED)
    assert record.assessing() == ["zed@hazel.test"]
    assert record.subjects() == [coach_subject("zed@hazel.test")]


def test_a_persons_tier_is_the_lower_median_and_movement_shows_only_for_five_or_more() -> None:
    assert tier_of({"a": 1, "b": 4, "c": 2}) == 2 and tier_of({"a": 3, "b": 4}) == 3 and tier_of({"overall": 5}) == 5
    up = Pair(pre={"overall": 2}, post={"overall": 3}, groups=["hazel"])
    same = Pair(pre={"overall": 3}, post={"overall": 3}, groups=["hazel"])
    small = movement([up, same], "cohort")
    assert small["hazel"].share is None and small["hazel"].said() == TOO_FEW
    large = movement([up, up, same, same, same], "cohort")
    assert MIN_GROUP == 5 and large["cohort"].share == pytest.approx(0.4)
    assert large["hazel"].said() == "40% moved up (2 of 5)"


def test_the_default_instrument_is_a_technology_integration_scale() -> None:
    instrument = default_instrument()
    assert len(instrument.tiers) == 5 and instrument.dimension_keys == ["planning", "teaching", "student-use"]
    assert PROGRAM.tiers == instrument


# -- year 2 ------------------------------------------------------------------------------------


def test_year_two_is_asked_after_the_last_session_reminded_and_escalated() -> None:
    record = school()
    PROCESS.start(record, LAUNCHED)
    PROCESS.write_plan(record, draft(), LAUNCHED)
    PROCESS.endorse(record, PlanEndorsement(actor=PRINCIPAL), LAUNCHED)
    opens, deadline = PROGRAM.year_two_opens(), PROGRAM.year_two_deadline()
    asked = [n for n in PROCESS.wake(record, opens).notices if n.kind == NoticeKind.year_two_asked]
    assert len(asked) == 1 and asked[0].to == [PRINCIPAL] and asked[0].context["undecided"] == 2
    reminder = PROGRAM.next_follow_up_time(deadline - timedelta(days=PROGRAM.deadline_reminder_days))
    assert len(of_kind(PROCESS.wake(record, reminder), NoticeKind.year_two_reminder)) == 1
    answer = YearTwoAnswer(
        actor=PRINCIPAL, subject=partnership_subject("ann--tia"), choice=YearTwoChoice.expand, reason="Two more teachers asked"
    )
    assert PROCESS.decide(record, answer, reminder).reply.choice == YearTwoChoice.expand
    [escalated] = of_kind(PROCESS.wake(record, PROGRAM.next_follow_up_time(deadline)), NoticeKind.year_two_overdue)
    assert escalated.to == [COORDINATOR] and escalated.context["undecided"] == 1
    ends = PROCESS.wake(record, deadline + timedelta(days=61))
    assert ends.done


def test_who_decides_year_two_when_and_why() -> None:
    record = school()
    opens = PROGRAM.year_two_opens()
    ok = YearTwoAnswer(actor=PRINCIPAL, subject=coach_subject(ANN), choice=YearTwoChoice.continue_, reason="Strong year")
    with pytest.raises(Refused, match="only the school's principal decides"):
        PROCESS.check_decision(record, ok.model_copy(update={"actor": ANN}), opens)
    with pytest.raises(Refused, match="decisions open on"):
        PROCESS.check_decision(record, ok, opens - timedelta(days=1))
    with pytest.raises(Refused, match="not a partnership or coach of this school"):
        PROCESS.check_decision(record, ok.model_copy(update={"subject": coach_subject("zed@elsewhere.test")}), opens)
    with pytest.raises(Refused, match="give a reason"):
        PROCESS.check_decision(record, ok.model_copy(update={"reason": "  "}), opens)
    PROCESS.check_decision(record, ok, opens + timedelta(days=40))  # late, after the escalation: still taken


def test_steps_due_before_a_late_launch_are_not_owed() -> None:
    record = school().model_copy(update={"launched_at": PROGRAM.plan_deadline() + timedelta(days=1)})
    PROCESS.start(record, record.launched_at)
    assert "plan:escalate" in record.done_steps
    assert not [n for n in PROCESS.wake(record, record.launched_at).notices if n.kind == NoticeKind.plan_overdue]


def test_a_plan_deadline_outside_the_training_year_is_refused_with_the_field_and_the_fix() -> None:
    raw = program().model_dump(mode="json") | {"plan_endorse_by": "2029-01-15"}
    with pytest.raises(InvalidInput) as refused:
        parse_program(raw, "program.yaml")
    [problem] = refused.value.problems
    assert problem.field == "plan_endorse_by" and "outside the training year" in problem.message and "choose a date" in problem.message

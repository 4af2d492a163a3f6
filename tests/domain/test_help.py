"""Just-in-time help's rules: who may ask and answer, the words' limits, one answer, the one reminder, and the count a
coach's portfolio may carry."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from domain.cohort import PartnershipSummary
from domain.cycle import Stage
from domain.help import (
    ANSWER_MAX_CHARS,
    OPEN_FOR,
    QUESTION_MAX_CHARS,
    AnswerKind,
    HelpAnswer,
    HelpProcess,
    HelpRecord,
    HelpStatus,
    check_ask,
    reminder_due,
)
from domain.notices import NOT_KEPT, NoticeKind
from domain.portfolio import HELP, Offer, Portfolio, assembled
from domain.problems import Refused
from domain.program import Holiday
from peercoach.portfolio.page import body
from tests.activities.records import COHORT, PACIFIC, program
from tests.roster_fixtures import ANN, ANN_TIA, BOB, TED, TIA

FRIDAY_AFTERNOON = datetime(2026, 10, 9, 15, 30, tzinfo=PACIFIC)
TUESDAY_MORNING = datetime(2026, 10, 13, 7, 0, tzinfo=PACIFIC)  # Monday, the next school day, has ended


def ann_and_tia(stage: Stage = Stage.co_plan) -> PartnershipSummary:
    return PartnershipSummary(id=ANN_TIA, coach=ANN, partners=[TIA], school="hazel", stage=stage)


def asked(at: datetime = FRIDAY_AFTERNOON) -> HelpRecord:
    return HelpRecord(cohort=COHORT, id="q1", partnership=ANN_TIA, teacher=TIA, coach=ANN, asked_at=at, focused_time=True)


def test_only_a_teacher_of_the_partnership_asks_its_coach_while_it_runs() -> None:
    assert check_ask(ann_and_tia(), TIA, "  Stuck on the exit ticket\r\nfor Thursday  ") == "Stuck on the exit ticket\nfor Thursday"
    assert check_ask(ann_and_tia(Stage.pending), TIA, "Where do we start?") == "Where do we start?"
    for someone in (ANN, TED, BOB):
        with pytest.raises(Refused, match="only a collaborating teacher of this partnership asks"):
            check_ask(ann_and_tia(), someone, "A question")
    for ended in (Stage.closed, Stage.withdrawn):
        with pytest.raises(Refused, match=f"this partnership is {ended.label}"):
            check_ask(ann_and_tia(ended), TIA, "A question")


def test_a_question_is_not_empty_and_not_too_long() -> None:
    with pytest.raises(Refused, match="write the question; it is empty"):
        check_ask(ann_and_tia(), TIA, " \r\n ")
    assert len(check_ask(ann_and_tia(), TIA, "x" * QUESTION_MAX_CHARS)) == QUESTION_MAX_CHARS
    with pytest.raises(Refused, match=f"at most {QUESTION_MAX_CHARS} characters; this one has {QUESTION_MAX_CHARS + 1}"):
        check_ask(ann_and_tia(), TIA, "x" * (QUESTION_MAX_CHARS + 1))


def test_the_reminder_waits_for_the_end_of_the_next_school_day() -> None:
    p = program()
    assert reminder_due(p, FRIDAY_AFTERNOON) == TUESDAY_MORNING
    assert reminder_due(p, datetime(2026, 10, 10, 11, 0, tzinfo=PACIFIC)) == TUESDAY_MORNING  # asked on Saturday
    assert reminder_due(p, datetime(2026, 10, 7, 9, 0, tzinfo=PACIFIC)) == datetime(2026, 10, 9, 7, 0, tzinfo=PACIFIC)
    # Asked on Thursday at 8 p.m. in Vancouver (Friday in UTC): the schools' day counts; Friday ends, Monday morning.
    assert reminder_due(p, datetime(2026, 10, 8, 20, 0, tzinfo=PACIFIC)) == datetime(2026, 10, 12, 7, 0, tzinfo=PACIFIC)
    with_holiday = p.model_copy(update={"holidays": [Holiday(name="Indigenous Peoples' Day", starts_on=date(2026, 10, 12))]})
    assert reminder_due(with_holiday, FRIDAY_AFTERNOON) == TUESDAY_MORNING + timedelta(days=1)


def test_the_coach_is_told_reminded_once_and_nobody_else_hears() -> None:
    process, record = HelpProcess(program()), asked()
    started = process.start(record, FRIDAY_AFTERNOON)
    [told] = started.notices
    assert (told.kind, told.to) == (NoticeKind.help_asked, [ANN])
    assert started.wake_at == record.remind_at == TUESDAY_MORNING
    assert started.summary == record and "question" not in record.model_dump()

    early = process.wake(record, TUESDAY_MORNING - timedelta(minutes=1))
    assert (early.notices, early.summary, early.wake_at) == ([], None, TUESDAY_MORNING)
    reminded = process.wake(record, TUESDAY_MORNING)
    [reminder] = reminded.notices
    assert (reminder.kind, reminder.to, reminder.context["asked"]) == (NoticeKind.help_reminder, [ANN], "Friday October 9")
    assert reminded.wake_at == FRIDAY_AFTERNOON + OPEN_FOR and not reminded.done
    assert process.wake(record, TUESDAY_MORNING + timedelta(days=1)).notices == []  # once: nothing escalates

    closed = process.wake(record, FRIDAY_AFTERNOON + OPEN_FOR)
    assert closed.done and closed.notices == [] and record.status == HelpStatus.closed
    with pytest.raises(Refused, match="closed unanswered after 30 days"):
        process.check_answer(record, HelpAnswer(actor=ANN, kind=AnswerKind.answered, text="Late"))


def test_only_that_coach_answers_once_and_the_answer_goes_to_the_teacher_alone() -> None:
    process, record = HelpProcess(program()), asked()
    process.start(record, FRIDAY_AFTERNOON)
    for someone in (TIA, BOB):
        with pytest.raises(Refused, match=f"only the coach asked \\({ANN}\\) answers"):
            process.check_answer(record, HelpAnswer(actor=someone, kind=AnswerKind.answered, text="Try this"))
    with pytest.raises(Refused, match="write the answer; it is empty"):
        process.check_answer(record, HelpAnswer(actor=ANN, kind=AnswerKind.answered, text="  "))
    with pytest.raises(Refused, match=f"at most {ANSWER_MAX_CHARS} characters"):
        process.check_answer(record, HelpAnswer(actor=ANN, kind=AnswerKind.answered, text="x" * (ANSWER_MAX_CHARS + 1)))
    assert record.status == HelpStatus.open and record.revision == 1  # refused: nothing changed

    answer = HelpAnswer(actor=ANN, kind=AnswerKind.pointed_elsewhere, text="Ask Ms. Lee, she ran this unit last year")
    effects = process.answer(record, answer, FRIDAY_AFTERNOON + timedelta(hours=1))
    assert effects.done and effects.wake_at is None
    assert effects.reply.status == HelpStatus.answered and effects.reply.answer_kind == AnswerKind.pointed_elsewhere
    [told] = effects.notices
    assert (told.kind, told.to, told.context["answer"]) == (NoticeKind.help_answered, [TIA], answer.text)
    assert told.as_kept().context["answer"] == NOT_KEPT  # the outbox keeps no answer
    with pytest.raises(Refused, match="answered already"):
        process.check_answer(record, HelpAnswer(actor=ANN, kind=AnswerKind.answered, text="And another thing"))
    assert process.wake(record, TUESDAY_MORNING).notices == []  # an answered question is never reminded


def test_a_portfolio_shows_the_help_given_as_a_count_only_when_the_coach_chooses_it() -> None:
    shell = Portfolio(cohort=COHORT, program="Peer Coaching 2026", school_year="2026-2027", coach=ANN, coach_name="Ann Coach")
    assert HELP not in Offer().keys  # no help given: nothing to offer
    offer = Offer(help_given=14)
    assert assembled(shell, offer, []).help_given is None
    chosen = assembled(shell, offer, [HELP])
    assert chosen.help_given == 14 and not chosen.empty
    assert "Just-in-time help given: 14" in body(chosen, "America/Los_Angeles")

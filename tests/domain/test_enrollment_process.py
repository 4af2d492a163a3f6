"""The enrollment process takes a request sent again as the same request: a door that lost an answer (the workflow
continued as new under it, or the network dropped it) sends again, and nothing is done twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from domain.applications import ApplicationStatus, PaymentMethod
from domain.offering_record import OfferingRecord
from domain.problems import Refused
from domain.processes.enrollment import EnrollmentProcess
from domain.processes.enrollment_requests import (
    ApplicationWithdrawal,
    DeadlineExtension,
    EarlySiteDecision,
    EmailConfirmation,
    EndorsementAnswer,
    PaymentEntry,
    SiteLaunched,
)
from tests.offering_fixtures import OFFICE, form, spring

NOW = datetime(2027, 3, 1, 18, tzinfo=UTC)


def opened() -> tuple[EnrollmentProcess, OfferingRecord]:
    offering = spring(NOW, opens_in=timedelta(0))
    record = OfferingRecord(offering=offering, office=[OFFICE], deadline=offering.deadline, started_at=NOW)
    process = EnrollmentProcess(offering)
    process.start(record, NOW)
    return process, record


def test_every_request_sent_twice_is_done_once() -> None:
    process, record = opened()
    sent = form(1, "esd-112", "southwest", "Hazel Dell Elementary").model_copy(update={"request": "r-1"})
    first = process.apply(record, sent, NOW)
    again = process.apply(record, sent, NOW)
    assert again.reply.id == first.reply.id and len(record.applications) == 1
    assert again.notices == [] and again.summary is None  # nothing told or published twice
    with pytest.raises(Refused, match="has applied already"):  # another sending of the same email is not a repeat
        process.check_apply(record, sent.model_copy(update={"request": "r-2"}), NOW)

    a = first.reply
    confirmation = EmailConfirmation(application=a.id, actor=a.email)
    assert process.confirm(record, confirmation, NOW).notices  # the principal is asked once
    assert process.confirm(record, confirmation, NOW).notices == []
    endorsement = EndorsementAnswer(application=a.id, actor=a.form.principal_email, endorse=True)
    process.answer(record, endorsement, NOW)
    assert process.answer(record, endorsement, NOW).notices == []
    with pytest.raises(Refused, match="is endorsed already"):  # the other answer is not a repeat
        process.check_answer(record, endorsement.model_copy(update={"endorse": False}))

    po = PaymentEntry(application=a.id, method=PaymentMethod.purchase_order, reference="PO-1", amount=Decimal(300), actor=OFFICE)
    process.pay(record, po, NOW)
    process.pay(record, po.model_copy(update={"reference": "po-1"}), NOW)
    assert [p.amount for p in record.application(a.id).payments] == [Decimal(300)]
    with pytest.raises(Refused, match=r"PO-1 is recorded already on .*, for 300 USD"):
        process.check_payment(record, po.model_copy(update={"amount": Decimal(200)}), NOW)

    later = DeadlineExtension(deadline=record.deadline + timedelta(days=7), reason="Spring break", actor=OFFICE)
    process.extend(record, later, NOW)
    process.extend(record, later, NOW)
    assert len(record.extensions) == 1

    decision = EarlySiteDecision(site="esd-112", runs=True, reason="Enough", actor=OFFICE)
    process.check_site_decision(record, decision)
    for _ in range(2):
        process.decide_site(record, decision, NOW)
    assert record.application(a.id).status == ApplicationStatus.accepted
    with pytest.raises(Refused, match="was decided on"):  # deciding it the other way is not a repeat
        process.check_site_decision(record, decision.model_copy(update={"runs": False}))

    launch = SiteLaunched(site="esd-112", cohort="vancouver", actor=OFFICE)
    process.launched(record, launch, NOW)
    process.launched(record, launch, NOW)
    with pytest.raises(Refused, match="launched already, as vancouver"):  # a new cohort from a launched site
        process.check_new_launch(record, launch.model_copy(update={"cohort": "vancouver-2"}))

    withdrawal = ApplicationWithdrawal(application=a.id, actor=a.email)
    process.withdraw(record, withdrawal, NOW)
    assert process.withdraw(record, withdrawal, NOW).notices == []
    assert record.application(a.id).status == ApplicationStatus.withdrawn


def test_a_place_freed_goes_to_the_first_waiting_for_it_even_from_a_site_that_does_not_run() -> None:
    process, record = opened()
    vancouver = record.offering.site("esd-112")
    record.offering.sites[0] = vancouver.model_copy(update={"minimum": 1, "maximum": 1})
    process = EnrollmentProcess(record.offering)
    sent = [
        form(1, "esd-112", "southwest", "Hazel Dell Elementary", scholarship="wlma", member=True),
        form(2, "esd-113", "capital", "Lacey Elementary"),  # Olympia will not run, and offers Vancouver, which is full
    ]
    for f in sent:
        a = process.apply(record, f, NOW).reply
        process.confirm(record, EmailConfirmation(application=a.id, actor=a.email), NOW)
        process.answer(record, EndorsementAnswer(application=a.id, actor=a.form.principal_email, endorse=True), NOW)
    process.decide_site(record, EarlySiteDecision(site="esd-112", runs=True, reason="Full already", actor=OFFICE), NOW)
    first, second = record.applications
    assert first.status == ApplicationStatus.accepted and first.scholarship is None
    closing = process.wake(record, record.offering.closes_at(record.deadline))
    # Accepted early, she hears of her scholarship at the deadline; the second waits, offered nothing yet.
    assert first.scholarship == "wlma" and any(n.to == [first.email] and n.key.endswith(":wlma") for n in closing.notices)
    assert second.status == ApplicationStatus.waitlisted and second.site == "esd-113"
    freed = process.withdraw(record, ApplicationWithdrawal(application=first.id, actor=first.email), NOW)
    assert (second.status, second.site) == (ApplicationStatus.accepted, "esd-112")
    assert [n.to for n in freed.notices] == [[second.email]]


def test_a_run_continued_as_new_keeps_the_reminders_still_due() -> None:
    process, record = opened()
    a = process.apply(record, form(1, "esd-112", "southwest", "Hazel Dell Elementary"), NOW).reply
    remind_at = process.remind_at(record.deadline)
    assert f"remind:{record.deadline}" not in record.steps_taken
    restarted = process.start(record, remind_at)  # as a run continued as new starts, past the reminder's time
    assert [n.to for n in restarted.notices] == [[a.email]]

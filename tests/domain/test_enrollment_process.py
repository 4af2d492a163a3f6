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

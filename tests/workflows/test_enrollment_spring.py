"""An offering's whole spring on Temporal's time-skipping server.

The window opens on its timer; applications and endorsements arrive; the applicant who has not
confirmed their email and the principal who has not answered are reminded; the deadline passes.
Vancouver has enough applicants and runs, Olympia does not and its applicant is offered Vancouver,
the library association's scholarship goes to one member per region, and the office launches
Vancouver's cohort from the accepted applications. The history replays.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from temporalio.testing import WorkflowEnvironment

from domain.application_links import NOT_SENT
from domain.applications import ApplicationStatus, PaymentMethod
from domain.problems import Refused
from domain.processes.enrollment_requests import EndorsementAnswer, PaymentEntry
from domain.roster import Role
from peercoach.enrollment_client import EnrollmentClient
from store import applications, members
from tests.conftest import TEST_CONVERTER, eventually, program_starting
from tests.offering_fixtures import OFFICE, form, spring
from workers.worker import create_replayer
from workflows import ids


async def test_an_offerings_spring_from_the_window_to_a_launched_cohort(time_env: WorkflowEnvironment, harness) -> None:  # type: ignore[no-untyped-def]
    h = harness(time_env.client)
    now = await time_env.get_current_time()
    offering = spring(now)
    enrollment = EnrollmentClient(h.coaching())
    async with h.worker():
        await enrollment.open_offering(offering, [OFFICE])
        with pytest.raises(Refused, match="open on"):
            await enrollment.apply(offering.id, form(1, "esd-112", "southwest", "Hazel Dell Elementary"))
        await time_env.sleep(offering.opens_at() - await time_env.get_current_time() + timedelta(hours=1))

        # Five apply; one email twice.
        forms = [
            form(1, "esd-112", "southwest", "Hazel Dell Elementary", scholarship="wlma", member=True),
            form(2, "esd-112", "southwest", "Sifton Elementary", scholarship="wlma", member=True),
            form(3, "esd-112", "southwest", "Orchards Elementary"),
            form(4, "esd-101", "northeast", "Lincoln Heights Elementary"),
            form(5, "esd-113", "capital", "Lacey Elementary", scholarship="wlma", member=True),
        ]
        applied = [await enrollment.apply(offering.id, f) for f in forms]
        assert [a.id for a in applied] == [f"tl-2027-000{n}" for n in range(1, 6)]
        with pytest.raises(Refused, match=r"a1@schools.test has applied already; the message we sent to that address has the link"):
            await enrollment.apply(offering.id, forms[0])
        await eventually(lambda: len(h.sent("application_received")) == 5)
        received = h.outbox.entries(kind="application_received")[0]
        assert NOT_SENT in received.body and "/apply/confirm/" not in received.body  # the link went to them, not to the outbox

        # All but the third confirm their email; their principals are asked; all but Spokane's endorse.
        with pytest.raises(Refused, match=r"this link confirms a1@schools\.test"):
            await enrollment.confirm_email(applied[0].id, "someone@else.test")
        for a in (applied[0], applied[1], applied[3], applied[4]):
            await enrollment.confirm_email(a.id, a.email)
        await eventually(lambda: len(h.sent("endorsement_asked")) == 4)
        with pytest.raises(Refused, match=r"only principal\.hazel@schools\.test, the principal the applicant named, endorses"):
            await enrollment.answer_endorsement(EndorsementAnswer(application=applied[0].id, actor="a2@schools.test", endorse=True))
        for a in (applied[0], applied[1], applied[4]):
            endorsed = await enrollment.answer_endorsement(EndorsementAnswer(application=a.id, actor=a.form.principal_email, endorse=True))
            assert endorsed.status == ApplicationStatus.endorsed
        await eventually(lambda: len(h.sent("application_endorsed")) == 3)

        # A week before the deadline: the unconfirmed applicant, and the one whose principal is silent and that principal, are reminded.
        remind_at = datetime.combine(offering.deadline - timedelta(days=7), datetime.min.time(), UTC) + timedelta(hours=8)
        await time_env.sleep(remind_at - await time_env.get_current_time() + timedelta(hours=1))
        await eventually(lambda: h.sent("application_reminder") and h.sent("endorsement_reminder"))
        assert {e.recipient for e in h.outbox.entries(kind="application_reminder")} == {"a3@schools.test", "a4@schools.test"}
        assert [e.recipient for e in h.outbox.entries(kind="endorsement_reminder")] == ["principal.lincoln@schools.test"]

        # The deadline passes: Vancouver runs; Olympia does not and offers Vancouver; Spokane has nobody endorsed.
        await time_env.sleep(offering.closes_at() - await time_env.get_current_time() + timedelta(hours=1))
        await eventually(lambda: h.sent("applications_closed"))
        record = await enrollment.record(offering.id)
        status = {a.id: (a.status, a.site, a.scholarship) for a in record.applications}
        assert status == {
            "tl-2027-0001": (ApplicationStatus.accepted, "esd-112", "wlma"),
            "tl-2027-0002": (ApplicationStatus.accepted, "esd-112", None),  # Vancouver's region had its scholarship
            "tl-2027-0003": (ApplicationStatus.declined, None, None),
            "tl-2027-0004": (ApplicationStatus.declined, None, None),
            "tl-2027-0005": (ApplicationStatus.accepted, "esd-112", "wlma"),  # offered Vancouver; the capital's scholarship
        }
        assert {s: d.runs for s, d in record.decisions.items()} == {"esd-112": True, "esd-113": False, "esd-101": False}
        assert "ESD 113, Olympia does not run this year" in str(record.application("tl-2027-0005").reason)
        assert "the email was not confirmed by the deadline" in str(record.application("tl-2027-0003").reason)
        await eventually(lambda: len(h.sent("application_placed")) == 5)
        said = {e.recipient: e.body for e in h.outbox.entries(kind="application_placed")}
        assert "one per region" in said["a2@schools.test"] and "awarded the WLMA scholarship of 500 USD" in said["a1@schools.test"]
        with pytest.raises(Refused, match="closed on"):
            await enrollment.apply(offering.id, form(6, "esd-112", "southwest", "Hazel Dell Elementary"))

        # The database has what the office's pages show, and each essay.
        await eventually(lambda: [a.status for a in applications.applications(h.database, offering.id)][4] == ApplicationStatus.accepted)
        found = applications.application(h.database, "tl-2027-0002")
        assert found is not None and "library's research tools" in str(found[1])

        # A purchase order pays the second applicant's fee; more than is due is refused.
        po = PaymentEntry(
            application="tl-2027-0002", method=PaymentMethod.purchase_order, reference="PO-4471", amount=Decimal(799), actor=OFFICE
        )
        with pytest.raises(Refused, match="more than the 299 USD still due"):
            await enrollment.record_payment(po.model_copy(update={"application": "tl-2027-0001"}))
        paid = await enrollment.record_payment(po)
        assert paid.payments[0].reference == "PO-4471"

        # Vancouver's cohort launches from its accepted applications; Olympia cannot.
        program = program_starting((now + timedelta(days=60)).date())
        with pytest.raises(Refused, match="ESD 113, Olympia is not decided to run"):
            await enrollment.launch_site(offering.id, "esd-113", "olympia-2027", program, OFFICE)
        assert await enrollment.launch_site(offering.id, "esd-112", "vancouver-2027", program, OFFICE) == "vancouver-2027"
        await h.coaching().wait_until_launched("vancouver-2027")
        coaches = members.people(h.database, "vancouver-2027", Role.coach, limit=10).rows
        assert {p.email for p in coaches} == {"a1@schools.test", "a2@schools.test", "a5@schools.test"}
        principals = members.people(h.database, "vancouver-2027", Role.principal, limit=10).rows
        assert {p.email for p in principals} == {
            "principal.hazel@schools.test",
            "principal.sifton@schools.test",
            "principal.lacey@schools.test",
        }
        with pytest.raises(Refused, match="launched already, as vancouver-2027"):
            await enrollment.launch_site(offering.id, "esd-112", "vancouver-again", program, OFFICE)

        history = await enrollment.handle(offering.id).fetch_history()
    await create_replayer(TEST_CONVERTER).replay_workflow(history)
    assert ids.enrollment_id(offering.id) == history.workflow_id

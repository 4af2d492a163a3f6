"""An offering's rules: the offering file, applying, the principal's endorsement, payment, site minimums and
maximums, placement elsewhere, scholarships by their fund's rule, and every refusal in the office's words."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from domain.applications import (
    OFFICE,
    Application,
    ApplicationForm,
    ApplicationMachine,
    ApplicationStatus,
    Payment,
    PaymentMethod,
    check_form,
    check_payment,
    fee_due,
    standing,
)
from domain.enrollment import award, check_choice, check_extension, check_site_decision, decide_sites, place
from domain.offering import Offering, load_offering
from domain.problems import InvalidInput, Refused

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "offering.yaml"
OFFERING = load_offering(SAMPLE.read_text(), "offering.yaml")
OPEN = datetime(2027, 3, 1, 18, tzinfo=UTC)


def form(n: int, site: str = "esd-112", region: str = "southwest", **changes: object) -> ApplicationForm:
    fields: dict[str, object] = {
        "name": f"Applicant {n}",
        "email": f"a{n}@school.test",
        "school": "Hazel Dell Elementary",
        "district": "Vancouver",
        "region": region,
        "role": "teacher_librarian",
        "site": site,
        "why": "To help my colleagues use the library's research tools",
        "principal_name": "Pat Principal",
        "principal_email": "pat@school.test",
    }
    return ApplicationForm.model_validate(fields | changes)


def endorsed(n: int, **changes: object) -> Application:
    return Application(
        id=f"{OFFERING.id}-{n}", number=n, form=form(n, **changes), applied_at=OPEN, email_confirmed=True, status=ApplicationStatus.endorsed
    )


def small(minimum: int = 2, maximum: int | None = 3) -> Offering:
    """Three sites: Vancouver and Olympia near each other, Spokane alone."""
    raw = OFFERING.model_dump(mode="json")
    raw["sites"] = [
        {"id": "esd-112", "name": "Vancouver", "region": "southwest", "minimum": minimum, "maximum": maximum, "nearby": ["esd-113"]},
        {"id": "esd-113", "name": "Olympia", "region": "capital", "minimum": minimum, "maximum": maximum},
        {"id": "esd-101", "name": "Spokane", "region": "northeast", "minimum": minimum, "maximum": maximum},
    ]
    return Offering.model_validate(raw)


# -- the offering file ---------------------------------------------------------------------------


def test_the_sample_offering_reads_as_the_office_wrote_it() -> None:
    assert OFFERING.fee.amount == Decimal(799) and OFFERING.fee.currency == "USD"
    assert len(OFFERING.sites) == 9 and OFFERING.fund("wlma").count == 14
    assert OFFERING.closes_at() == datetime(2027, 3, 19, 7, tzinfo=UTC)  # the end of March 18 at the schools


def test_a_bad_offering_file_names_the_place_and_the_fix() -> None:
    text = SAMPLE.read_text().replace("minimum: 12, maximum: 30, nearby: [esd-113]}", "minimum: 40, maximum: 30, nearby: [esd-999]}", 1)
    with pytest.raises(InvalidInput) as bad:
        load_offering(text.replace("currency: USD", "currency: dollars"), "offering.yaml")
    said = [str(p) for p in bad.value.problems]
    assert any("fee.currency" in s for s in said)
    assert any("sites[3]" in s and "maximum (30) is below the minimum (40)" in s for s in said)
    with pytest.raises(InvalidInput, match=r"deadline .* is before the window opens"):
        load_offering(SAMPLE.read_text().replace("deadline: 2027-03-18", "deadline: 2027-01-18"), "offering.yaml")


# -- applying --------------------------------------------------------------------------------------


def test_applying_is_refused_before_the_window_after_the_deadline_and_twice() -> None:
    deadline = OFFERING.closes_at()
    with pytest.raises(Refused, match="open on February 15, 2027"):
        check_form(OFFERING, form(1), datetime(2027, 2, 1, tzinfo=UTC), deadline, None)
    with pytest.raises(Refused, match="closed on March 18, 2027, the deadline"):
        check_form(OFFERING, form(1), deadline + timedelta(minutes=1), deadline, None)
    earlier = endorsed(1)
    with pytest.raises(Refused, match=r"a1@school\.test has applied already; the message we sent") as twice:
        check_form(OFFERING, form(1), OPEN, deadline, earlier)
    assert "endorsed" not in twice.value.reason and earlier.id not in twice.value.reason  # anyone may type an address
    check_form(OFFERING, form(1), OPEN, deadline, None)


def test_an_unknown_site_or_region_and_an_ineligible_scholarship_are_named() -> None:
    deadline = OFFERING.closes_at()
    with pytest.raises(Refused, match="no site 'esd-999'; the sites are esd-101"):
        check_form(OFFERING, form(1, site="esd-999"), OPEN, deadline, None)
    with pytest.raises(Refused, match="no region 'atlantis'"):
        check_form(OFFERING, form(1, region="atlantis"), OPEN, deadline, None)
    with pytest.raises(Refused, match="the WLMA scholarship is for WLMA members"):
        check_form(OFFERING, form(1, scholarship="wlma"), OPEN, deadline, None)
    with pytest.raises(Refused, match="no scholarship fund 'gates'"):
        check_form(OFFERING, form(1, scholarship="gates", member=True), OPEN, deadline, None)
    with pytest.raises(Refused, match="someone other than the applicant"):
        check_form(OFFERING, form(1, principal_email="a1@school.test"), OPEN, deadline, None)
    check_form(OFFERING, form(1, scholarship="wlma", member=True), OPEN, deadline, None)


def test_only_the_named_principal_endorses_once_the_email_is_confirmed_and_only_the_applicant_withdraws() -> None:
    a = Application(id="x-1", number=1, form=form(1), applied_at=OPEN)
    machine = ApplicationMachine(a)
    with pytest.raises(Refused, match="has not confirmed their email"):
        machine.send("endorse", actor="pat@school.test")
    a.email_confirmed = True
    with pytest.raises(Refused, match=r"only pat@school\.test, the principal the applicant named"):
        machine.send("endorse", actor="someone@school.test")
    machine.send("endorse", actor="PAT@school.test")
    assert a.status == ApplicationStatus.endorsed
    with pytest.raises(Refused, match=r"only a1@school\.test, who applied, withdraws"):
        machine.send("withdraw", actor="pat@school.test")
    machine.send("withdraw", actor="a1@school.test")
    assert a.status == ApplicationStatus.withdrawn


def test_payment_and_scholarship_make_the_fee_paid_or_covered() -> None:
    a = endorsed(1, scholarship="wlma", member=True)
    assert fee_due(a, OFFERING) == Decimal(799) and standing(a, OFFERING) == "endorsed, fee due: 799 USD"
    a.scholarship = "wlma"
    po = Payment(
        method=PaymentMethod.purchase_order, reference="PO-4471", amount=Decimal(299), recorded_by="office@esd.test", recorded_at=OPEN
    )
    with pytest.raises(Refused, match="more than the 299 USD still due"):
        check_payment(a, OFFERING, po.model_copy(update={"amount": Decimal(300)}))
    check_payment(a, OFFERING, po)
    a.payments.append(po)
    assert fee_due(a, OFFERING) == 0 and standing(a, OFFERING) == "endorsed, paid"
    with pytest.raises(Refused, match="payments are recorded once its principal endorsed it"):
        check_payment(Application(id="x-2", number=2, form=form(2), applied_at=OPEN), OFFERING, po)


# -- the deadline ----------------------------------------------------------------------------------


def test_a_site_runs_at_its_minimum_and_its_applicants_are_offered_a_nearby_site_otherwise() -> None:
    offering = small()
    applications = [endorsed(1, site="esd-113", region="capital"), endorsed(2, site="esd-113", region="capital"), endorsed(3)]
    decisions = decide_sites(offering, applications, {}, OFFICE, OPEN)
    assert decisions["esd-113"].runs and not decisions["esd-112"].runs and not decisions["esd-101"].runs
    assert decisions["esd-112"].reason == "1 endorsed applicant, fewer than its minimum of 2"
    placed = {p.application: p for p in place(offering, applications, decisions)}
    moved = placed[applications[2].id]
    assert moved.status == ApplicationStatus.accepted and moved.site == "esd-113"
    assert moved.reason is not None and "Vancouver does not run this year" in moved.reason and "offered Olympia instead" in moved.reason


def test_a_full_site_waitlists_in_application_order_and_a_site_with_nowhere_near_waitlists_too() -> None:
    offering = small(minimum=1, maximum=2)
    applications = [endorsed(n) for n in (3, 1, 2)] + [endorsed(4, site="esd-101", region="northeast")]
    decisions = decide_sites(offering, applications, {}, OFFICE, OPEN)
    placed = {p.application: p for p in place(offering, applications, decisions)}
    assert [placed[f"{offering.id}-{n}"].status for n in (1, 2, 3)] == [ApplicationStatus.accepted] * 2 + [ApplicationStatus.waitlisted]
    assert "Vancouver is full (2 places)" in str(placed[f"{offering.id}-3"].reason)
    lonely = small(minimum=2)
    spokane = [endorsed(5, site="esd-101", region="northeast")]
    [waiting] = place(lonely, spokane, decide_sites(lonely, spokane, {}, OFFICE, OPEN))
    assert waiting.status == ApplicationStatus.waitlisted and "no nearby site has room" in str(waiting.reason)


def test_scholarships_one_per_region_never_more_than_the_fund_holds_and_each_miss_says_why() -> None:
    applications = [
        endorsed(1, scholarship="wlma", member=True),
        endorsed(2, scholarship="wlma", member=True),
        endorsed(3, site="esd-113", region="capital", scholarship="wlma", member=True),
        endorsed(4, site="esd-113", region="capital", scholarship="wlma", member=False),
    ]
    for a in applications:
        a.status = ApplicationStatus.accepted
    fund = OFFERING.fund("wlma")
    awards, missed = award(OFFERING, fund, applications)
    assert [a.application for a in awards] == [f"{OFFERING.id}-1", f"{OFFERING.id}-3"]
    reasons = {m.application: m.reason for m in missed}
    assert "one per region, and southwest's went to an earlier application" in reasons[f"{OFFERING.id}-2"]
    assert "for WLMA members" in reasons[f"{OFFERING.id}-4"]
    tiny = fund.model_copy(update={"count": 1})
    assert len(award(OFFERING, tiny, applications)[0]) == 1
    applications[0].scholarship = "wlma"
    with pytest.raises(Refused, match="holds 1 scholarship; 1 is awarded, so at most 0 more"):
        check_choice(tiny, [applications[2]], applications)


def test_the_office_decides_a_site_early_with_a_reason_but_not_beyond_its_maximum() -> None:
    offering = small(minimum=1, maximum=1)
    applications = [endorsed(1), endorsed(2)]
    with pytest.raises(Refused, match="more than its maximum of 1"):
        check_site_decision(offering, "esd-112", True, "Enough people applied early", applications, {})
    with pytest.raises(Refused, match="give a reason"):
        check_site_decision(offering, "esd-101", False, " ", applications, {})
    with pytest.raises(Refused, match="no site 'esd-9'"):
        check_site_decision(offering, "esd-9", True, "why", applications, {})
    check_site_decision(offering, "esd-101", False, "The venue is closed for renovation", applications, {})


def test_a_deadline_is_extended_forward_only_with_a_reason() -> None:
    with pytest.raises(Refused, match="after the current one"):
        check_extension(date(2027, 3, 18), date(2027, 3, 10), date(2027, 3, 1), "Snow days")
    with pytest.raises(Refused, match="give a reason"):
        check_extension(date(2027, 3, 18), date(2027, 3, 25), date(2027, 3, 1), "")
    check_extension(date(2027, 3, 18), date(2027, 3, 25), date(2027, 3, 1), "Snow closed the schools for a week")

"""The program office's figures: each site against its minimum, endorsements missing, fees due, scholarships left,
the countdown; and who next year's offering carries over from this year's year-2 decisions."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from domain.applications import Application, ApplicationStatus, Payment, PaymentMethod
from domain.cohort import PartnershipSummary
from domain.next_year import LastYear, carry_over
from domain.office_view import countdown, office_view
from domain.problems import Refused
from domain.roster import Person, Role, School, SchoolModel
from domain.year_two import YearTwoChoice, YearTwoDecision, coach_subject, partnership_subject
from tests.domain.test_enrollment import OFFERING, form

AT = datetime(2027, 3, 1, 18, tzinfo=UTC)


def application(n: int, status: ApplicationStatus, confirmed: bool = True, **changes: object) -> Application:
    return Application(
        id=f"{OFFERING.id}-{n:04d}", number=n, form=form(n, **changes).applicant(), applied_at=AT, email_confirmed=confirmed, status=status
    )


def test_the_office_sees_each_site_against_its_minimum_and_what_is_still_missing() -> None:
    apps = [
        application(1, ApplicationStatus.endorsed, scholarship="wlma", member=True),
        application(2, ApplicationStatus.endorsed),
        application(3, ApplicationStatus.applied, confirmed=False),
        application(4, ApplicationStatus.applied),
        application(5, ApplicationStatus.withdrawn),
        application(6, ApplicationStatus.endorsed, site="esd-101", region="northeast"),
    ]
    apps[1].payments.append(
        Payment(method=PaymentMethod.invoice, reference="INV-9", amount=Decimal(799), recorded_by="office@wlma.test", recorded_at=AT)
    )
    view = office_view(OFFERING, OFFERING.deadline, {}, {}, apps, datetime(2027, 3, 11, 20, tzinfo=UTC))

    vancouver = next(s for s in view.sites if s.site == "esd-112")
    assert (vancouver.chose, vancouver.endorsed, vancouver.minimum, vancouver.short, vancouver.decision) == (4, 2, 12, 10, "not decided")
    assert (view.waiting_for_email, view.waiting_for_principal) == (1, 1)
    assert view.fees_due == Decimal(799) * 2  # the endorsed who have not paid: 1 and 6 (no scholarship awarded yet)
    [wlma] = view.funds
    assert (wlma.count, wlma.awarded, wlma.asked, wlma.left) == (14, 0, 1, 14)
    assert view.days_left == 7 and countdown(view.days_left) == "7 days to the deadline"
    assert [a.status for a in view.applications][4] == "withdrawn" and view.applications[1].paid == Decimal(799)


def test_the_countdown_reads_as_people_say_it() -> None:
    assert [countdown(d) for d in (2, 1, 0, -3)] == [
        "2 days to the deadline",
        "the deadline is tomorrow",
        "the deadline is today",
        "the deadline has passed",
    ]


def _last_year() -> LastYear:
    school = School(id="hazel", name="Hazel Dell", district="Vancouver", model=SchoolModel.part_time, principal="pat@hazel.test")
    people = [
        Person(name="Ann", email="ann@hazel.test", role=Role.coach, school="hazel"),
        Person(name="Bob", email="bob@hazel.test", role=Role.coach, school="hazel"),
        Person(name="Cy", email="cy@hazel.test", role=Role.coach, school="hazel"),
        Person(name="Tia", email="tia@hazel.test", role=Role.teacher, school="hazel"),
        Person(name="Ted", email="ted@hazel.test", role=Role.teacher, school="hazel"),
    ]
    partnerships = [
        PartnershipSummary(id="ann--tia", coach="ann@hazel.test", partners=["tia@hazel.test"], school="hazel", focus="Research"),
        PartnershipSummary(id="ann--ted", coach="ann@hazel.test", partners=["ted@hazel.test"], school="hazel", focus="Writing"),
    ]

    def decided(subject: str, choice: YearTwoChoice) -> YearTwoDecision:
        return YearTwoDecision(subject=subject, choice=choice, reason="as the year went", decided_by="pat@hazel.test", decided_at=AT)

    decisions = [
        decided(coach_subject("ann@hazel.test"), YearTwoChoice.expand),
        decided(partnership_subject("ann--tia"), YearTwoChoice.continue_),
        decided(partnership_subject("ann--ted"), YearTwoChoice.conclude),
        decided(coach_subject("bob@hazel.test"), YearTwoChoice.conclude),
    ]
    return LastYear(
        cohort="c1", people=people, schools=[school], principals={"pat@hazel.test": "Pat"}, partnerships=partnerships, decisions=decisions
    )


def test_next_year_carries_on_whom_the_principal_continued_and_thanks_whom_they_concluded() -> None:
    carry = carry_over(OFFERING, "esd-112", _last_year(), AT)
    [ann] = carry.returning
    assert (ann.email, ann.status, ann.email_confirmed, ann.returning) == ("ann@hazel.test", ApplicationStatus.endorsed, True, True)
    assert [(t.email, t.focus) for t in ann.carried] == [("tia@hazel.test", "Research")]  # Ted's partnership concluded
    assert (ann.form.region, ann.form.principal_name, ann.id) == ("southwest", "Pat", f"{OFFERING.id}-0001")
    assert [c.email for c in carry.concluded] == ["bob@hazel.test"]  # Cy, undecided, is neither: he may apply
    with pytest.raises(Refused, match="no site 'nowhere'"):
        carry_over(OFFERING, "nowhere", _last_year(), AT)

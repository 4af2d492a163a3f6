"""Next year's offering from this year's year-2 decisions.

A coach whose principal chose continue or expand goes on: carried into the offering as an application
already endorsed (the principal decided), at the site the office names, with the collaborating teachers
whose partnerships were also continued or expanded. A coach whose coaching was concluded is thanked
and not enrolled. A coach nobody decided about is neither: they may apply like anyone else. Returning
coaches attend the offering's `second_year_sessions`, which their acceptance names.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from domain.applications import Applicant, ApplicantRole, Application, ApplicationStatus, Carried
from domain.cohort import PartnershipSummary
from domain.offering import Offering
from domain.problems import Refused
from domain.roster import Person, Role, School, SchoolModel
from domain.year_two import GOING_ON, YearTwoChoice, YearTwoDecision, coach_subject, partnership_subject


class Concluded(BaseModel):
    """A coach whose principal concluded their coaching: the offering thanks them when it opens."""

    email: str
    name: str
    school: str
    reason: str


class LastYear(BaseModel):
    """What a cohort's year left for the next: its coaches and teachers, schools, partnerships and year-2 decisions."""

    cohort: str
    people: list[Person]
    schools: list[School]
    principals: dict[str, str]  # principal email -> name
    partnerships: list[PartnershipSummary]
    decisions: list[YearTwoDecision]


class CarryOver(BaseModel):
    returning: list[Application]
    concluded: list[Concluded]


def carry_over(offering: Offering, site: str, last: LastYear, now: datetime) -> CarryOver:
    if site not in {s.id for s in offering.sites}:
        raise Refused(f"there is no site {site!r} in {offering.id}; the sites are {', '.join(s.id for s in offering.sites)}")
    region = offering.site(site).region
    decided = {d.subject: d for d in last.decisions}
    schools = {s.id: s for s in last.schools}
    names = {p.email: p.name for p in last.people}
    returning: list[Application] = []
    concluded: list[Concluded] = []
    for coach in sorted((p for p in last.people if p.role == Role.coach), key=lambda p: p.email):
        decision = decided.get(coach_subject(coach.email))
        school = schools.get(coach.school or "")
        if decision is None or school is None:
            continue
        if decision.choice == YearTwoChoice.conclude:
            concluded.append(Concluded(email=coach.email, name=coach.name, school=school.name, reason=decision.reason))
            continue
        going_on = [p for p in last.partnerships if p.coach == coach.email and _going_on(decided.get(partnership_subject(p.id)))]
        carried = [
            Carried(name=names.get(t, t), email=t, focus=p.focus or "Continued from last year") for p in going_on for t in p.partners
        ]
        number = len(returning) + 1
        form = Applicant(
            name=coach.name,
            email=coach.email,
            school=school.name,
            district=school.district,
            region=region,
            role=ApplicantRole.teacher if school.model != SchoolModel.library_ict else ApplicantRole.teacher_librarian,
            site=site,
            principal_name=last.principals.get(school.principal, school.principal),
            principal_email=school.principal,
        )
        returning.append(
            Application(
                id=f"{offering.id}-{number:04d}",
                number=number,
                form=form,
                status=ApplicationStatus.endorsed,
                applied_at=now,
                email_confirmed=True,
                endorsed_at=decision.decided_at,
                school_model=school.model,
                returning=True,
                carried=carried,
                reason=f"going on from {last.cohort}: {decision.choice.label.lower()}",
            )
        )
    return CarryOver(returning=returning, concluded=concluded)


def _going_on(decision: YearTwoDecision | None) -> bool:
    return decision is not None and decision.choice in GOING_ON

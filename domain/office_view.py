"""What the program office sees of an offering: each site against its minimum and maximum, the endorsements
still missing, the fees due, the scholarships awarded and left, and the time to the deadline. The web page,
its CSV and XLSX downloads and `peercoach applications` all show these same figures.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from domain.applications import OPEN, ApplicantRole, Application, ApplicationStatus, fee_due, standing
from domain.enrollment import SiteDecision
from domain.offering import Offering
from domain.words import APPLICANT_ROLE


class SiteLine(BaseModel):
    site: str
    name: str
    region: str
    minimum: int
    maximum: int | None
    chose: int  # open applications that chose it
    endorsed: int  # of those, endorsed (what the minimum counts)
    accepted: int  # placed here, from wherever they chose
    waitlisted: int
    decision: str  # "runs", "does not run", or "not decided"
    launched: str | None  # the cohort launched from it

    @property
    def short(self) -> int:
        """How many more endorsed applicants it needs to run."""
        return max(self.minimum - self.endorsed, 0)


class FundLine(BaseModel):
    fund: str
    offered_by: str
    rule: str
    count: int
    awarded: int
    asked: int

    @property
    def left(self) -> int:
        return self.count - self.awarded


class ApplicationLine(BaseModel):
    """One application as the office's list and its downloads show it (never the essay: that is on its own page)."""

    id: str
    name: str
    email: str
    school: str
    district: str
    region: str
    role: str
    chose: str
    site: str
    status: str
    standing: str
    principal: str
    endorsed: bool
    scholarship_asked: str
    scholarship: str
    fee_due: Decimal
    paid: Decimal
    returning: bool


class OfficeView(BaseModel):
    offering: Offering
    deadline: date
    days_left: int  # whole days to the deadline at the schools; 0 on its day, negative after
    sites: list[SiteLine]
    funds: list[FundLine]
    waiting_for_email: int
    waiting_for_principal: int
    fees_due: Decimal
    applications: list[ApplicationLine]


def office_view(
    offering: Offering,
    deadline: date,
    decisions: dict[str, SiteDecision],
    launched: dict[str, str],
    applications: list[Application],
    now: datetime,
) -> OfficeView:
    live = [a for a in applications if a.status in OPEN]
    chose = Counter(a.form.site for a in live)
    endorsed = Counter(a.form.site for a in live if a.status != ApplicationStatus.applied)
    placed = Counter((a.site, a.status) for a in live)
    sites = [
        SiteLine(
            site=s.id,
            name=s.name,
            region=s.region,
            minimum=s.minimum,
            maximum=s.maximum,
            chose=chose[s.id],
            endorsed=endorsed[s.id],
            accepted=placed[(s.id, ApplicationStatus.accepted)],
            waitlisted=placed[(s.id, ApplicationStatus.waitlisted)],
            decision="not decided" if s.id not in decisions else "runs" if decisions[s.id].runs else "does not run",
            launched=launched.get(s.id),
        )
        for s in offering.sites
    ]
    funds = [
        FundLine(
            fund=f.id,
            offered_by=f.offered_by,
            rule=f.rule.label,
            count=f.count,
            awarded=sum(1 for a in live if a.scholarship == f.id),
            asked=sum(1 for a in live if a.form.scholarship == f.id),
        )
        for f in offering.scholarships
    ]
    waiting = [a for a in applications if a.status == ApplicationStatus.applied]
    owing = [a for a in live if a.status != ApplicationStatus.applied]
    today = now.astimezone(ZoneInfo(offering.timezone)).date()
    return OfficeView(
        offering=offering,
        deadline=deadline,
        days_left=(deadline - today).days,
        sites=sites,
        funds=funds,
        waiting_for_email=sum(1 for a in waiting if not a.email_confirmed),
        waiting_for_principal=sum(1 for a in waiting if a.email_confirmed),
        fees_due=sum((fee_due(a, offering) for a in owing), Decimal(0)),
        applications=[_line(offering, a) for a in applications],
    )


def _line(offering: Offering, a: Application) -> ApplicationLine:
    f = a.form
    return ApplicationLine(
        id=a.id,
        name=f.name,
        email=a.email,
        school=f.school,
        district=f.district,
        region=f.region,
        role=f.role.value,
        chose=f.site,
        site=a.site or "",
        status=a.status.value,
        standing=standing(a, offering),
        principal=f.principal_email,
        endorsed=a.endorsed_at is not None,
        scholarship_asked=f.scholarship or "",
        scholarship=a.scholarship or "",
        fee_due=fee_due(a, offering) if a.status in OPEN and a.status != ApplicationStatus.applied else Decimal(0),
        paid=sum((p.amount for p in a.payments), Decimal(0)),
        returning=a.returning,
    )


# An offering's applications as a table: the same columns in `peercoach applications list` (table, CSV, Excel) and
# in the office's downloads on the web. Never the essay: that is on the application's own page.
APPLICATION_HEADINGS = [
    "Application",
    "Name",
    "Email",
    "School",
    "District",
    "Region",
    "Role",
    "Site chosen",
    "Placed at",
    "Status",
    "Where it stands",
    "Principal's email",
    "Endorsed",
    "Scholarship asked for",
    "Scholarship awarded",
    "Fee due",
    "Paid",
    "Returning coach",
]


def application_cells(line: ApplicationLine) -> list[str | int | float]:
    """One application's cells, in the order of APPLICATION_HEADINGS: money as numbers (799, 299.5), flags yes or no."""
    a = line
    return [
        a.id,
        a.name,
        a.email,
        a.school,
        a.district,
        a.region,
        APPLICANT_ROLE[ApplicantRole(a.role)],
        a.chose,
        a.site,
        a.status,
        a.standing,
        a.principal,
        _yes(a.endorsed),
        a.scholarship_asked,
        a.scholarship,
        _money(a.fee_due),
        _money(a.paid),
        _yes(a.returning),
    ]


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _money(amount: Decimal) -> int | float:
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def countdown(days_left: int) -> str:
    if days_left > 1:
        return f"{days_left} days to the deadline"
    if days_left == 1:
        return "the deadline is tomorrow"
    if days_left == 0:
        return "the deadline is today"
    return "the deadline has passed"

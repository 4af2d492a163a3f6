"""Applying to an offering: who may apply and when, the principal's endorsement, payment, and where each
application stands.

    applied -> endorsed -> accepted | waitlisted          (at the deadline, or when the office decides a site)
    applied -> declined                                    (the principal declines, or nobody endorsed it in time)
    waitlisted -> accepted                                 (a place comes free)
    any open status -> withdrawn                           (the applicant)

Paying is beside the status: the office records a purchase order, an invoice number or a payment,
and a scholarship covers its amount. What an applicant reads ("fee due", "covered") is `standing`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field
from statemachine import State, StateMachine

from domain.offering import Offering
from domain.problems import Refused
from domain.roster import EMAIL, EMAIL_MAX, SchoolModel

WHY_MAX_CHARS = 2000
NAME_MAX_CHARS = 200
REFERENCE_MAX_CHARS = 100
OFFICE = "program-office"  # the actor the enrollment process acts as at the deadline


class ApplicantRole(StrEnum):
    teacher = "teacher"
    teacher_librarian = "teacher_librarian"
    ict_coordinator = "ict_coordinator"


class ApplicationStatus(StrEnum):
    applied = "applied"
    endorsed = "endorsed"
    accepted = "accepted"
    waitlisted = "waitlisted"
    declined = "declined"
    withdrawn = "withdrawn"


OPEN = (ApplicationStatus.applied, ApplicationStatus.endorsed, ApplicationStatus.accepted, ApplicationStatus.waitlisted)


class PaymentMethod(StrEnum):
    purchase_order = "purchase_order"
    invoice = "invoice"
    payment = "payment"  # a cheque or transfer the office received


class Applicant(BaseModel):
    """Who applies, as the enrollment workflow keeps them: the form without its essay, which only the database holds."""

    name: str
    email: str
    school: str
    district: str
    region: str
    role: ApplicantRole
    site: str  # the site they prefer
    principal_name: str
    principal_email: str
    scholarship: str | None = None  # the fund they ask for
    member: bool = False  # of the body that offers members-only scholarships


class ApplicationForm(Applicant):
    """What a prospective coach sends: who they are, and why they want to coach."""

    why: str
    # The door's id for this sending: sent again (an answer lost on the way), it is the same application, not a second.
    request: str | None = Field(default=None, max_length=64)

    def applicant(self) -> Applicant:
        return Applicant.model_validate(self.model_dump(exclude={"why", "request"}))


class Payment(BaseModel):
    method: PaymentMethod
    reference: str
    amount: Decimal
    recorded_by: str
    recorded_at: datetime


class Carried(BaseModel):
    """A collaborating teacher who goes on with a returning coach (their principal chose continue or expand)."""

    name: str
    email: str
    focus: str


class Application(BaseModel):
    id: str  # <offering>-<number>
    number: int  # the application order
    form: Applicant
    status: ApplicationStatus = ApplicationStatus.applied
    applied_at: datetime
    email_confirmed: bool = False
    endorsed_at: datetime | None = None
    site: str | None = None  # where they are placed (their preferred site, or the one offered)
    scholarship: str | None = None  # the fund that awarded them one
    payments: list[Payment] = Field(default_factory=list)
    reason: str | None = None  # why declined, waitlisted or placed elsewhere, in the words they read
    school_model: SchoolModel | None = None  # how the school staffs coaching, as its principal endorsed it
    returning: bool = False  # a coach going on from last year, carried over by their principal's year-2 decision
    carried: list[Carried] = Field(default_factory=list)  # a returning coach's collaborating teachers who go on with them
    revision: int = 0  # bumped at every change, so the database keeps the latest
    request: str | None = None  # the form's: a form sent again returns this application

    @property
    def email(self) -> str:
        return self.form.email


def check_form(offering: Offering, form: ApplicationForm, now: datetime, deadline: datetime, applied: Application | None) -> None:
    """Refuse, naming what is wrong and how to fix it. `applied` is this email's earlier application, if any."""
    if now < offering.opens_at():
        raise Refused(f"applications to {offering.name} open on {offering.opens:%B %-d, %Y}")
    if now >= deadline:
        last_day = deadline.astimezone(ZoneInfo(offering.timezone)) - timedelta(days=1)
        raise Refused(f"applications to {offering.name} closed on {_day(last_day)}, the deadline; ask the program office about next year")
    if applied is not None:
        # Neither its number nor where it stands: anyone may type an address here.
        raise Refused(f"{form.email} has applied already; the message we sent to that address has the link to see or withdraw it")
    for label, value in (
        ("name", form.name),
        ("school", form.school),
        ("district", form.district),
        ("principal's name", form.principal_name),
    ):
        if not value.strip():
            raise Refused(f"say your {label}")
        if len(value) > NAME_MAX_CHARS:
            raise Refused(f"your {label} is at most {NAME_MAX_CHARS} characters here")
    for label, email in (("your email", form.email), ("your principal's email", form.principal_email)):
        if len(email) > EMAIL_MAX or not EMAIL.match(email):
            raise Refused(f"{email!r} is not an email address; give {label}, such as name@school.org")
    if form.email.strip().lower() == form.principal_email.strip().lower():
        raise Refused("the principal who endorses the application is someone other than the applicant")
    if form.site not in {s.id for s in offering.sites}:
        raise Refused(f"there is no site {form.site!r}; the sites are {', '.join(s.id for s in offering.sites)}")
    if form.region not in offering.regions:
        raise Refused(f"there is no region {form.region!r}; the regions are {', '.join(offering.regions)}")
    if not form.why.strip():
        raise Refused("say why you want to coach: the program office reads it")
    if len(form.why) > WHY_MAX_CHARS:
        raise Refused(f"why you want to coach is at most {WHY_MAX_CHARS} characters; this is {len(form.why)}")
    if form.scholarship is not None:
        check_scholarship_request(offering, form)


def check_scholarship_request(offering: Offering, form: ApplicationForm) -> None:
    funds = {f.id: f for f in offering.scholarships}
    fund = funds.get(str(form.scholarship))
    if fund is None:
        named = ", ".join(funds) or "none"
        raise Refused(f"there is no scholarship fund {form.scholarship!r}; the funds are {named}")
    if fund.members_only and not form.member:
        raise Refused(f"the {fund.offered_by} scholarship is for {fund.offered_by} members; apply without it, or say you are a member")


class ApplicationMachine(StateMachine):
    """An application's life as the diagram above reads; validators say why a move is refused."""

    applied = State("applied", initial=True, value=ApplicationStatus.applied)
    endorsed = State("endorsed", value=ApplicationStatus.endorsed)
    accepted = State("accepted", value=ApplicationStatus.accepted)
    waitlisted = State("waitlisted", value=ApplicationStatus.waitlisted)
    declined = State("declined", final=True, value=ApplicationStatus.declined)
    withdrawn = State("withdrawn", final=True, value=ApplicationStatus.withdrawn)

    endorse = applied.to(endorsed, validators=["the_principal", "email_confirmed"])
    decline_endorsement = applied.to(declined, validators=["the_principal"])
    accept = accepted.from_(endorsed, waitlisted, cond="by_office")
    waitlist = endorsed.to(waitlisted, cond="by_office")
    lapse = applied.to(declined, cond="by_office")  # not endorsed by the deadline
    withdraw = withdrawn.from_(applied, endorsed, accepted, waitlisted, validators=["the_applicant"])

    def __init__(self, application: Application):
        super().__init__(model=application, state_field="status")

    @staticmethod
    def the_principal(model: Application, actor: str, **_: object) -> None:
        if actor.lower() != model.form.principal_email.lower():
            raise Refused(f"only {model.form.principal_email}, the principal the applicant named, endorses application {model.id}")

    @staticmethod
    def email_confirmed(model: Application, **_: object) -> None:
        if not model.email_confirmed:
            raise Refused(f"{model.email} has not confirmed their email yet; the application is endorsed once they have")

    @staticmethod
    def the_applicant(model: Application, actor: str, **_: object) -> None:
        if actor.lower() != model.email.lower():
            raise Refused(f"only {model.email}, who applied, withdraws application {model.id}")

    @staticmethod
    def by_office(actor: str) -> bool:
        return actor == OFFICE


def fee_due(application: Application, offering: Offering) -> Decimal:
    """What is left to pay: the fee, less a scholarship awarded and payments recorded (never below zero)."""
    covered = offering.fund(application.scholarship).amount if application.scholarship else Decimal(0)
    paid = sum((p.amount for p in application.payments), Decimal(0))
    return max(offering.fee.amount - covered - paid, Decimal(0))


def check_payment(application: Application, offering: Offering, payment: Payment) -> None:
    if application.status not in (ApplicationStatus.endorsed, ApplicationStatus.accepted, ApplicationStatus.waitlisted):
        raise Refused(f"application {application.id} is {application.status.value}; payments are recorded once its principal endorsed it")
    if not payment.reference.strip() or len(payment.reference) > REFERENCE_MAX_CHARS:
        raise Refused(f"give the purchase order, invoice or payment reference (at most {REFERENCE_MAX_CHARS} characters)")
    if payment.amount <= 0:
        raise Refused("a payment is more than zero")
    if payment.amount != payment.amount.quantize(Decimal("0.01")):
        raise Refused(f"{payment.amount} has more than two decimals; give the amount in {offering.fee.currency} and cents")
    due = fee_due(application, offering)
    if payment.amount > due:
        raise Refused(
            f"{payment.amount} {offering.fee.currency} is more than the {due} {offering.fee.currency} still due on {application.id}"
        )


def standing(application: Application, offering: Offering) -> str:
    """Where the application stands, in the applicant's words."""
    a, currency = application, offering.fee.currency
    due = fee_due(a, offering)
    money = "covered" if a.scholarship and due == 0 and not a.payments else "paid" if due == 0 else f"fee due: {due} {currency}"
    if a.status == ApplicationStatus.applied:
        return "applied: confirm your email (see the link we sent)" if not a.email_confirmed else "applied: waiting for your principal"
    if a.status == ApplicationStatus.endorsed:
        return f"endorsed, {money}"
    if a.status == ApplicationStatus.accepted:
        where = offering.site(a.site).name if a.site else ""
        return f"accepted at {where}, {money}" + (f" ({a.reason})" if a.reason else "")
    if a.status in (ApplicationStatus.waitlisted, ApplicationStatus.declined):
        return f"{a.status.value}: {a.reason}" if a.reason else a.status.value
    return "withdrawn"


def _day(at: datetime) -> str:
    return f"{at:%B %-d, %Y}"


def default_school_model(role: ApplicantRole) -> SchoolModel:
    """How a school staffs coaching, unless its principal says otherwise: a teacher is released part-time to coach;
    a teacher librarian or ICT coordinator coaches from the library or the lab."""
    return SchoolModel.part_time if role == ApplicantRole.teacher else SchoolModel.library_ict


def offering_of(application_id: str) -> str:
    """The offering an application id names: `<offering>-<number>`."""
    return application_id.rsplit("-", 1)[0]

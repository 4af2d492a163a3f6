"""An offering's spring as a process: the window opens, applications and endorsements arrive, those still
missing are reminded, and at the deadline every site is decided, every endorsed applicant placed, and the
scholarships awarded by their funds' rules. Afterwards the office records payments and awards by its choice,
waitlisted applicants take places others free, and each running site's cohort is launched.

The steps' times come from the offering and the deadline as it stands, so an extension moves the
reminder and the close with it. A reminder due before the workflow started is skipped; the close never is.
Office requests carry the acting person's email for the record: the door has checked they are of the office.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from domain import application_notices as notices
from domain.applications import (
    OFFICE,
    Application,
    ApplicationForm,
    ApplicationMachine,
    ApplicationStatus,
    Payment,
    check_form,
    check_payment,
    default_school_model,
)
from domain.enrollment import SiteDecision, award, check_choice, check_extension, check_site_decision, decide_sites, next_in_line, place
from domain.notices import Notice
from domain.offering import Offering
from domain.offering_record import Extension, OfferingRecord, Window, summary_of
from domain.problems import Refused
from domain.processes.effects import Effects
from domain.processes.enrollment_requests import (
    ApplicationWithdrawal,
    DeadlineExtension,
    EarlySiteDecision,
    EmailConfirmation,
    EndorsementAnswer,
    PaymentEntry,
    ScholarshipChoice,
    SiteLaunched,
)

R = TypeVar("R")
MORNING = time(8)  # reminders go out at eight at the schools, not at midnight


class EnrollmentProcess:
    def __init__(self, offering: Offering):
        self.offering = offering

    # -- the steps ------------------------------------------------------------------------

    def remind_at(self, deadline: date) -> datetime:
        day = deadline - timedelta(days=self.offering.reminder_days)
        return datetime.combine(day, MORNING, ZoneInfo(self.offering.timezone))

    def ends_at(self) -> datetime:
        """The end of the school year the offering enrolls for: payments and withdrawals are taken until then."""
        last_year = int(self.offering.school_year[-4:])
        return datetime.combine(date(last_year, 7, 1), time(0), ZoneInfo(self.offering.timezone))

    def _steps(self, record: OfferingRecord) -> list[tuple[datetime, str]]:
        o, d = self.offering, record.deadline
        return [(o.opens_at(), "open"), (self.remind_at(d), f"remind:{d}"), (o.closes_at(d), "close"), (self.ends_at(), "end")]

    def _next(self, record: OfferingRecord) -> datetime | None:
        return min((at for at, step in self._steps(record) if step not in record.steps_taken), default=None)

    def _effects(self, record: OfferingRecord, reply: R, changed: list[Application], sent: list[Notice]) -> Effects[R]:
        record.revision += 1
        for a in changed:
            a.revision = record.revision
        nxt = self._next(record)
        return Effects(reply, nxt, done=nxt is None, notices=sent, summary=summary_of(record, changed))

    def _unchanged(self, record: OfferingRecord, reply: R) -> Effects[R]:
        """A request carried out already, sent again (a door retrying after an answer it did not get): the same
        answer, and nothing done twice."""
        nxt = self._next(record)
        return Effects(reply, nxt, done=nxt is None)

    def start(self, record: OfferingRecord, now: datetime) -> Effects[None]:
        """The first start, or a run continued as new (the record has changed since: its revision is past 0)."""
        first = record.revision == 0
        for at, step in self._steps(record):
            if first and step.startswith("remind:") and at <= now:
                record.steps_taken.append(step)  # nobody could have applied before the workflow began
        woken = self.wake(record, now)
        if first:
            woken.notices += [notices.concluded(self.offering, c.email, c.name, c.school, c.reason) for c in record.concluded]
        if first and record.applications:  # coaches carried over from last year: in the database from the start
            woken.summary = summary_of(record, record.applications)
        return woken

    def wake(self, record: OfferingRecord, now: datetime) -> Effects[None]:
        changed: list[Application] = []
        sent: list[Notice] = []
        for at, step in sorted(self._steps(record)):
            if at > now or step in record.steps_taken:
                continue
            record.steps_taken.append(step)
            if step == "open":
                record.window = Window.open
            elif step.startswith("remind:"):
                waiting = [a for a in record.applications if a.status == ApplicationStatus.applied]
                sent += [n for a in waiting for n in notices.reminders(self.offering, a, record.deadline)]
            elif step == "close":
                changed, closing = self._close(record, now)
                sent += closing
        return self._effects(record, None, changed, sent)

    # -- applying -------------------------------------------------------------------------

    def _sent_before(self, record: OfferingRecord, form: ApplicationForm) -> Application | None:
        earlier = record.by_email(form.email)
        return earlier if earlier is not None and form.request is not None and earlier.request == form.request else None

    def check_apply(self, record: OfferingRecord, form: ApplicationForm, now: datetime) -> None:
        if self._sent_before(record, form) is None:
            check_form(self.offering, form, now, self.offering.closes_at(record.deadline), record.by_email(form.email))

    def apply(self, record: OfferingRecord, form: ApplicationForm, now: datetime) -> Effects[Application]:
        if (earlier := self._sent_before(record, form)) is not None:
            return self._unchanged(record, earlier)
        self.check_apply(record, form, now)
        number = len(record.applications) + 1
        a = Application(id=f"{self.offering.id}-{number:04d}", number=number, form=form.applicant(), applied_at=now, request=form.request)
        a.form.email, a.form.principal_email = a.form.email.strip().lower(), a.form.principal_email.strip().lower()
        record.applications.append(a)
        return self._effects(record, a, [a], [notices.received(self.offering, a, record.deadline)])

    def _open(self, record: OfferingRecord, application_id: str) -> Application:
        try:
            return record.application(application_id)
        except KeyError:
            raise Refused(f"there is no application {application_id!r} to {self.offering.name}") from None

    def check_confirmation(self, record: OfferingRecord, c: EmailConfirmation) -> Application:
        a = self._open(record, c.application)
        if c.actor.strip().lower() != a.email:
            raise Refused(f"this link confirms {a.email}, not {c.actor}")
        if a.email_confirmed:
            return a  # confirmed already: following the link again changes nothing
        if a.status != ApplicationStatus.applied:
            raise Refused(f"application {a.id} is {a.status.value}: {a.reason or 'there is nothing to confirm'}")
        return a

    def confirm(self, record: OfferingRecord, c: EmailConfirmation, now: datetime) -> Effects[Application]:
        a = self.check_confirmation(record, c)
        if a.email_confirmed:
            return self._unchanged(record, a)
        a.email_confirmed = True
        return self._effects(record, a, [a], [notices.endorsement_asked(self.offering, a, record.deadline)])

    def check_answer(self, record: OfferingRecord, answer: EndorsementAnswer) -> Application:
        a = self._open(record, answer.application)
        if record.window == Window.closed:
            raise Refused(f"applications closed on {record.deadline:%B %-d, %Y}, the deadline")
        if self._answered_so(a, answer):
            return a
        if a.status != ApplicationStatus.applied:
            raise Refused(f"application {a.id} is {a.status.value} already")
        machine = ApplicationMachine(a.model_copy(deep=True))
        event = machine.endorse if answer.endorse else machine.decline_endorsement
        event(actor=answer.actor.strip().lower())  # on a copy: only its validators' refusals matter here
        return a

    @staticmethod
    def _answered_so(a: Application, answer: EndorsementAnswer) -> bool:
        """The principal's answer given already, the same way."""
        done = ApplicationStatus.endorsed if answer.endorse else ApplicationStatus.declined
        return a.status == done and answer.actor.strip().lower() == a.form.principal_email and (answer.endorse or a.endorsed_at is None)

    def answer(self, record: OfferingRecord, answer: EndorsementAnswer, now: datetime) -> Effects[Application]:
        a = self.check_answer(record, answer)
        if self._answered_so(a, answer):
            return self._unchanged(record, a)
        machine = ApplicationMachine(a)
        if answer.endorse:
            machine.endorse(actor=answer.actor.strip().lower())
            a.endorsed_at, a.school_model = now, answer.school_model or default_school_model(a.form.role)
        else:
            machine.decline_endorsement(actor=answer.actor.strip().lower())
            a.reason = f"{a.form.principal_name} did not endorse it" + (f": {answer.reason}" if answer.reason else "")
        return self._effects(record, a, [a], [notices.endorsed(self.offering, a)])

    def check_withdrawal(self, record: OfferingRecord, w: ApplicationWithdrawal) -> Application:
        a = self._open(record, w.application)
        if a.status == ApplicationStatus.withdrawn and w.actor.strip().lower() == a.email:
            return a
        ApplicationMachine(a.model_copy(deep=True)).withdraw(actor=w.actor.strip().lower())
        return a

    def withdraw(self, record: OfferingRecord, w: ApplicationWithdrawal, now: datetime) -> Effects[Application]:
        a = self.check_withdrawal(record, w)
        if a.status == ApplicationStatus.withdrawn:
            return self._unchanged(record, a)
        freed = a.site if a.status == ApplicationStatus.accepted else None
        ApplicationMachine(a).withdraw(actor=w.actor.strip().lower())
        a.scholarship = None  # back to its fund, for the office to award again
        changed, sent = [a], []
        # A site whose cohort was launched takes nobody more here: the office adds people to a running cohort.
        launched = freed is None or freed in record.launched
        nxt = None if launched else next_in_line(self.offering, record.applications, record.decisions, str(freed))
        if nxt is not None and freed is not None:
            ApplicationMachine(nxt).accept(actor=OFFICE)
            nxt.site, nxt.reason = freed, f"a place came free at {self.offering.site(freed).name}"
            changed.append(nxt)
            sent.append(notices.placed(self.offering, nxt))
        return self._effects(record, a, changed, sent)

    # -- the office -----------------------------------------------------------------------

    def _payment(self, p: PaymentEntry, now: datetime) -> Payment:
        return Payment(method=p.method, reference=p.reference.strip(), amount=p.amount, recorded_by=p.actor, recorded_at=now)

    @staticmethod
    def _recorded(a: Application, p: PaymentEntry) -> Payment | None:
        """The payment with this reference, if one is recorded: a reference is recorded once."""
        return next((x for x in a.payments if x.reference.lower() == p.reference.strip().lower()), None)

    def check_payment(self, record: OfferingRecord, p: PaymentEntry, now: datetime) -> Application:
        a = self._open(record, p.application)
        if (earlier := self._recorded(a, p)) is not None:
            if (earlier.method, earlier.amount) == (p.method, p.amount):
                return a
            raise Refused(f"{earlier.reference} is recorded already on {a.id}, for {earlier.amount} {self.offering.fee.currency}")
        check_payment(a, self.offering, self._payment(p, now))
        return a

    def pay(self, record: OfferingRecord, p: PaymentEntry, now: datetime) -> Effects[Application]:
        a = self.check_payment(record, p, now)
        if self._recorded(a, p) is not None:
            return self._unchanged(record, a)
        a.payments.append(self._payment(p, now))
        return self._effects(record, a, [a], [])

    @staticmethod
    def _extended_so(record: OfferingRecord, e: DeadlineExtension) -> bool:
        return bool(record.extensions) and record.extensions[-1].deadline == e.deadline

    def check_extension(self, record: OfferingRecord, e: DeadlineExtension, now: datetime) -> None:
        if self._extended_so(record, e):
            return
        if record.window == Window.closed:
            raise Refused("applications have closed and the sites are decided; a deadline is extended before it passes")
        check_extension(record.deadline, e.deadline, now.astimezone(ZoneInfo(self.offering.timezone)).date(), e.reason)

    def extend(self, record: OfferingRecord, e: DeadlineExtension, now: datetime) -> Effects[date]:
        self.check_extension(record, e, now)
        if self._extended_so(record, e):
            return self._unchanged(record, e.deadline)
        record.extensions.append(Extension(deadline=e.deadline, reason=e.reason.strip(), by=e.actor, at=now))
        record.deadline = e.deadline
        return self._effects(record, e.deadline, [], [])

    @staticmethod
    def _decided_so(record: OfferingRecord, d: EarlySiteDecision) -> bool:
        earlier = record.decisions.get(d.site)
        return earlier is not None and earlier.decided_by == d.actor and earlier.runs == d.runs

    def check_site_decision(self, record: OfferingRecord, d: EarlySiteDecision) -> None:
        if self._decided_so(record, d):
            return
        if record.window == Window.closed:
            raise Refused("every site was decided at the deadline")
        check_site_decision(self.offering, d.site, d.runs, d.reason, record.applications, record.decisions)

    def decide_site(self, record: OfferingRecord, d: EarlySiteDecision, now: datetime) -> Effects[list[Application]]:
        """Decided before the deadline: a running site takes its endorsed applicants now; one that does not run
        offers them another site at the deadline."""
        self.check_site_decision(record, d)
        if self._decided_so(record, d):
            return self._unchanged(record, record.at_site(d.site, ApplicationStatus.accepted) if d.runs else [])
        early = {d.site: decide_sites(self.offering, record.applications, {}, d.actor, now)[d.site]}
        early[d.site] = early[d.site].model_copy(update={"runs": d.runs, "reason": d.reason.strip()})
        record.decisions |= early
        changed: list[Application] = []
        if d.runs:
            chose = [a for a in record.applications if a.status == ApplicationStatus.endorsed and a.form.site == d.site]
            changed = self._place(record, chose, record.decisions)  # only its own applicants: no other site is asked
        return self._effects(record, changed, changed, [notices.placed(self.offering, a) for a in changed])

    def check_choice(self, record: OfferingRecord, c: ScholarshipChoice) -> list[Application]:
        try:
            fund = self.offering.fund(c.fund)
        except KeyError:
            funds = ", ".join(f.id for f in self.offering.scholarships) or "none"
            raise Refused(f"there is no scholarship fund {c.fund!r}; the funds are {funds}") from None
        chosen = [self._open(record, i) for i in dict.fromkeys(c.applications)]
        if not all(a.scholarship == fund.id for a in chosen):
            check_choice(fund, chosen, record.applications)
        return chosen

    def choose(self, record: OfferingRecord, c: ScholarshipChoice, now: datetime) -> Effects[list[Application]]:
        chosen = self.check_choice(record, c)
        if all(a.scholarship == c.fund for a in chosen):
            return self._unchanged(record, chosen)
        for a in chosen:
            a.scholarship = c.fund
        sent = [notices.placed(self.offering, a, self._awarded(c.fund)) for a in chosen]
        return self._effects(record, chosen, chosen, sent)

    def check_launch(self, record: OfferingRecord, s: SiteLaunched) -> None:
        """The Update's check: this very launch told again is taken."""
        if record.launched.get(s.site) != s.cohort:
            self.check_new_launch(record, s)

    def check_new_launch(self, record: OfferingRecord, s: SiteLaunched) -> None:
        """Before a cohort is started from the site: it runs, has accepted applicants, and has no cohort yet."""
        decision = record.decisions.get(s.site)
        if s.site not in {x.id for x in self.offering.sites}:
            raise Refused(f"there is no site {s.site!r}; the sites are {', '.join(x.id for x in self.offering.sites)}")
        name = self.offering.site(s.site).name
        if decision is None or not decision.runs:
            raise Refused(f"{name} is not decided to run; a cohort is launched from a running site")
        if s.site in record.launched:
            raise Refused(f"{name}'s cohort was launched already, as {record.launched[s.site]}")
        if not record.at_site(s.site, ApplicationStatus.accepted):
            raise Refused(f"{name} has no accepted applicants to launch a cohort with")

    def launched(self, record: OfferingRecord, s: SiteLaunched, now: datetime) -> Effects[str]:
        self.check_launch(record, s)
        if record.launched.get(s.site) == s.cohort:
            return self._unchanged(record, s.cohort)
        record.launched[s.site] = s.cohort
        return self._effects(record, s.cohort, [], [])

    # -- the deadline -----------------------------------------------------------------------

    def _awarded(self, fund_id: str) -> str:
        fund, currency = self.offering.fund(fund_id), self.offering.fee.currency
        return f"awarded the {fund.offered_by} scholarship of {fund.amount} {currency}"

    def _place(self, record: OfferingRecord, among: list[Application], decided: dict[str, SiteDecision]) -> list[Application]:
        changed = []
        for p in place(self.offering, among + [a for a in record.applications if a.status == ApplicationStatus.accepted], decided):
            a = record.application(p.application)
            machine = ApplicationMachine(a)
            (machine.accept if p.status == ApplicationStatus.accepted else machine.waitlist)(actor=OFFICE)
            a.site, a.reason = p.site, p.reason
            changed.append(a)
        return changed

    def _close(self, record: OfferingRecord, now: datetime) -> tuple[list[Application], list[Notice]]:
        last_day = f"{record.deadline:%B %-d, %Y}"
        lapsed = [a for a in record.applications if a.status == ApplicationStatus.applied]
        for a in lapsed:
            ApplicationMachine(a).lapse(actor=OFFICE)
            waited_for = "the email was not confirmed" if not a.email_confirmed else f"{a.form.principal_name} had not endorsed it"
            a.reason = f"{waited_for} by the deadline, {last_day}"
        record.decisions = decide_sites(self.offering, record.applications, record.decisions, OFFICE, now)
        endorsed = [a for a in record.applications if a.status == ApplicationStatus.endorsed]
        placed = self._place(record, endorsed, record.decisions)
        said: dict[str, str] = {}
        for fund in self.offering.scholarships:
            awards, missed = award(self.offering, fund, record.applications)
            for w in awards:
                record.application(w.application).scholarship = fund.id
                said[w.application] = self._awarded(fund.id)
            said |= {m.application: f"not awarded: {m.reason}" for m in missed}
        record.window = Window.closed
        # Those placed early by a site's own decision hear of their scholarship now too.
        changed = list({a.id: a for a in lapsed + placed + [record.application(i) for i in said]}.values())
        sent = [notices.placed(self.offering, a, said.get(a.id)) for a in changed]
        sent.append(notices.closed(self.offering, record.office, record.applications, record.deadline))
        return changed, sent

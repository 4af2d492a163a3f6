"""Who hears what about an application, and when it is the same message.

Keys start `application:<offering>:`, so each is sent once however often the workflow asks. A
notice whose context names a link purpose (`link`) gets the person's signed link when it is sent
(`activities/notifications.py`); the outbox keeps the message without it.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from domain.application_links import Purpose
from domain.applications import Application, ApplicationStatus, standing
from domain.notices import APPLICATION_KEY, Notice, NoticeKind
from domain.offering import Offering
from domain.release import days_text


def _day(day: date) -> str:
    return f"{day:%A %B %-d, %Y}"


def _about(offering: Offering, a: Application) -> dict[str, str | int | float | None]:
    return {"offering": offering.name, "application": a.id, "name": a.form.name, "school": a.form.school}


def received(offering: Offering, a: Application, deadline: date) -> Notice:
    return Notice(
        key=f"{APPLICATION_KEY}:{offering.id}:{a.id}:received",
        kind=NoticeKind.application_received,
        to=[a.email],
        context=_about(offering, a) | {"deadline": _day(deadline), "principal": a.form.principal_name, "link": Purpose.confirm.value},
    )


def endorsement_asked(offering: Offering, a: Application, deadline: date) -> Notice:
    c = offering.commitment
    return Notice(
        key=f"{APPLICATION_KEY}:{offering.id}:{a.id}:endorse",
        kind=NoticeKind.endorsement_asked,
        to=[a.form.principal_email],
        context=_about(offering, a)
        | {
            "principal": a.form.principal_name,
            "deadline": _day(deadline),
            "release_days": days_text(c.release_days_per_teacher),
            "planning_time": c.planning_time,
            "coach_fte": c.coach_fte,
            "fee": f"{offering.fee.amount} {offering.fee.currency}",
            "link": Purpose.endorse.value,
        },
    )


def reminders(offering: Offering, a: Application, deadline: date) -> list[Notice]:
    """An application still waiting: its applicant is reminded of what it waits for, and a principal not answered yet."""
    waiting_for = "you to confirm your email address" if not a.email_confirmed else f"{a.form.principal_name}'s endorsement"
    told = [
        Notice(
            key=f"{APPLICATION_KEY}:{offering.id}:{a.id}:remind:{deadline}",
            kind=NoticeKind.application_reminder,
            to=[a.email],
            context=_about(offering, a)
            | {
                "deadline": _day(deadline),
                "waiting_for": waiting_for,
                "confirmed": int(a.email_confirmed),
                "link": (Purpose.status if a.email_confirmed else Purpose.confirm).value,
            },
        )
    ]
    if a.email_confirmed:
        told.append(
            Notice(
                key=f"{APPLICATION_KEY}:{offering.id}:{a.id}:remind-endorse:{deadline}",
                kind=NoticeKind.endorsement_reminder,
                to=[a.form.principal_email],
                context=_about(offering, a)
                | {"principal": a.form.principal_name, "deadline": _day(deadline), "link": Purpose.endorse.value},
            )
        )
    return told


def endorsed(offering: Offering, a: Application) -> Notice:
    """The principal's answer, either way, to the applicant."""
    return Notice(
        key=f"{APPLICATION_KEY}:{offering.id}:{a.id}:answered",
        kind=NoticeKind.application_endorsed,
        to=[a.email],
        context=_about(offering, a)
        | {"standing": standing(a, offering), "endorsed": int(a.status == ApplicationStatus.endorsed), "link": Purpose.status.value},
    )


def placed(offering: Offering, a: Application, scholarship: str | None = None) -> Notice:
    """Accepted, waitlisted or declined, and why; with what became of a scholarship asked for."""
    return Notice(
        key=f"{APPLICATION_KEY}:{offering.id}:{a.id}:placed:{a.status.value}:{a.site or ''}:{a.scholarship or ''}",
        kind=NoticeKind.application_placed,
        to=[a.email],
        context=_about(offering, a)
        | {"status": a.status.value, "standing": standing(a, offering), "scholarship": scholarship, "link": Purpose.status.value},
    )


def closed(offering: Offering, office: list[str], applications: list[Application], deadline: date) -> Notice:
    counts = Counter(a.status.value for a in applications)
    return Notice(
        key=f"{APPLICATION_KEY}:{offering.id}:closed:{deadline}",
        kind=NoticeKind.applications_closed,
        to=office,
        context={
            "offering": offering.name,
            "deadline": _day(deadline),
            "accepted": counts["accepted"],
            "waitlisted": counts["waitlisted"],
            "declined": counts["declined"],
        },
    )


def concluded(offering: Offering, email: str, name: str, school: str, reason: str) -> Notice:
    """A coach whose principal concluded their coaching: thanked, and not enrolled again."""
    return Notice(
        key=f"{APPLICATION_KEY}:{offering.id}:concluded:{email}",
        kind=NoticeKind.coaching_concluded,
        to=[email],
        context={"offering": offering.name, "name": name, "school": school, "reason": reason},
    )

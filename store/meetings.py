"""A school's recurring meetings in the program's database: each series as its coach set it up, the meetings held
(a meeting is held once its reminder went out) and who came, one row per person present."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from domain.meetings import MeetingSeries, SeriesStatus
from domain.problems import Refused
from store import tables
from store.database import Database


class SeriesCounts(BaseModel):
    """What a coordinator sees of a series: counts, never who came."""

    series: MeetingSeries
    held: int
    came: int  # people present, summed over the meetings held


def add(database: Database, series: MeetingSeries) -> None:
    row = {"cohort": series.cohort, "id": series.id, "school": series.school, "coach": series.coach}
    try:
        with database.begin() as db:
            db.execute(insert(tables.meeting_series).values(**row, status=series.status.value, series=series.model_dump(mode="json")))
    except IntegrityError:
        raise Refused(f"there is already a meeting series {series.id} in cohort {series.cohort}; try again") from None


def forget(database: Database, cohort: str, series: str) -> None:
    """A series whose schedule could not be made: gone, as if never set up."""
    m = tables.meeting_series.c
    with database.begin() as db:
        db.execute(delete(tables.meeting_series).where(m.cohort == cohort, m.id == series))


def save(database: Database, series: MeetingSeries) -> None:
    m = tables.meeting_series.c
    with database.begin() as db:
        db.execute(
            update(tables.meeting_series)
            .where(m.cohort == series.cohort, m.id == series.id)
            .values(status=series.status.value, series=series.model_dump(mode="json"))
        )


def find(database: Database, cohort: str, series: str) -> MeetingSeries | None:
    m = tables.meeting_series.c
    with database.begin() as db:
        found = db.execute(select(m.series).where(m.cohort == cohort, m.id == series)).scalar()
    return None if found is None else MeetingSeries.model_validate(found)


def ids(database: Database, cohort: str) -> list[str]:
    m = tables.meeting_series.c
    with database.begin() as db:
        return list(db.execute(select(m.id).where(m.cohort == cohort)).scalars())


def listed(database: Database, cohort: str, coach: str | None = None) -> list[SeriesCounts]:
    """The cohort's series (or one coach's), with how many meetings were held and how many people came."""
    m, h, a = tables.meeting_series.c, tables.meetings_held.c, tables.meeting_attendance.c
    held = select(func.count()).where(h.cohort == m.cohort, h.series == m.id).scalar_subquery()
    came = select(func.count()).where(a.cohort == m.cohort, a.series == m.id).scalar_subquery()
    query = select(m.series, held.label("held"), came.label("came")).where(m.cohort == cohort)
    if coach is not None:
        query = query.where(m.coach == coach)
    with database.begin() as db:
        rows = db.execute(query.order_by(m.school, m.id)).all()
    return [SeriesCounts(series=MeetingSeries.model_validate(r.series), held=r.held, came=r.came) for r in rows]


def hold(database: Database, series: MeetingSeries, on: date, at: datetime) -> bool:
    """The meeting on `on` is held (its reminder is going out); False when it was already (a retried activity)."""
    if series.status != SeriesStatus.active:
        return False
    try:
        with database.begin() as db:
            db.execute(insert(tables.meetings_held).values(cohort=series.cohort, series=series.id, held_on=on, reminded_at=at))
    except IntegrityError:
        return False
    return True


def held(database: Database, cohort: str, series: str) -> list[date]:
    h = tables.meetings_held.c
    with database.begin() as db:
        return list(db.execute(select(h.held_on).where(h.cohort == cohort, h.series == series).order_by(h.held_on.desc())).scalars())


def came(database: Database, cohort: str, series: str, on: date) -> list[str]:
    a = tables.meeting_attendance.c
    with database.begin() as db:
        where = (a.cohort == cohort, a.series == series, a.held_on == on)
        return list(db.execute(select(a.email).where(*where).order_by(a.email)).scalars())


def mark(database: Database, series: MeetingSeries, on: date, email: str, present: bool, at: datetime) -> None:
    """`email` came (or did not) to the meeting on `on`; marking twice is the same as once."""
    a, h = tables.meeting_attendance.c, tables.meetings_held.c
    with database.begin() as db:
        if db.execute(select(h.held_on).where(h.cohort == series.cohort, h.series == series.id, h.held_on == on)).first() is None:
            raise Refused(f"no reminder went out for {series.title} on {on:%A %B %-d, %Y}, so it is not among the meetings held")
        where = (a.cohort == series.cohort, a.series == series.id, a.held_on == on, a.email == email)
        db.execute(delete(tables.meeting_attendance).where(*where))
        if present:
            db.execute(
                insert(tables.meeting_attendance).values(cohort=series.cohort, series=series.id, held_on=on, email=email, recorded_at=at)
            )

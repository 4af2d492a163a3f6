"""Each coach's portfolio: what they chose to put in it, their summary (sealed), and who they share it with.

The rules (what may go in, who may read it) are `domain/portfolio.py`'s; this keeps what the
coach decided. The summary is sealed at rest (`store/sealed.py`) under its row's name, so it
opens only in its own row and with the deployment's key ring.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy import delete, select

from store import tables
from store.database import Database, insert
from store.sealed import Sealer


class Reader(BaseModel):
    email: str
    shared_at: datetime


class Kept(BaseModel):
    """A coach's portfolio as kept: nothing chosen and no summary until they save."""

    cohort: str
    coach: str
    summary: str | None = None
    chosen: list[str] = Field(default_factory=list)
    updated_at: datetime | None = None
    readers: list[Reader] = Field(default_factory=list)

    @property
    def reader_emails(self) -> list[str]:
        return [r.email for r in self.readers]


def summary_row(cohort: str, coach: str) -> str:
    """Where a summary lives: the associated data it is sealed with."""
    return f"portfolios/{cohort}/{coach}/summary"


def kept(database: Database, sealer: Sealer, cohort: str, coach: str) -> Kept:
    f, r = tables.portfolios.c, tables.portfolio_readers.c
    with database.begin() as db:
        row = db.execute(select(tables.portfolios).where(f.cohort == cohort, f.coach == coach)).one_or_none()
        readers = db.execute(select(r.email, r.shared_at).where(r.cohort == cohort, r.coach == coach).order_by(r.shared_at, r.email)).all()
    if row is None:
        return Kept(cohort=cohort, coach=coach)
    summary = sealer.open_text(row.summary, summary_row(cohort, coach)) if row.summary is not None else None
    return Kept(
        cohort=cohort,
        coach=coach,
        summary=summary,
        chosen=list(row.chosen),
        updated_at=row.updated_at,
        readers=[Reader(email=x.email, shared_at=x.shared_at) for x in readers],
    )


def readers_of(database: Database, cohort: str, coach: str) -> list[str]:
    r = tables.portfolio_readers.c
    with database.begin() as db:
        return list(db.execute(select(r.email).where(r.cohort == cohort, r.coach == coach)).scalars())


def save(database: Database, sealer: Sealer, cohort: str, coach: str, summary: str | None, chosen: list[str], at: datetime) -> None:
    """Keep the coach's choice and summary (checked by the caller: domain/portfolio.py), replacing the last."""
    sealed = sealer.seal_text(summary, summary_row(cohort, coach)) if summary else None
    with database.begin() as db:
        statement = insert(db, tables.portfolios).values(cohort=cohort, coach=coach, summary=sealed, chosen=chosen, updated_at=at)
        db.execute(
            statement.on_conflict_do_update(
                index_elements=["cohort", "coach"], set_={"summary": sealed, "chosen": chosen, "updated_at": at}
            )
        )


def share(database: Database, cohort: str, coach: str, email: str, at: datetime) -> None:
    """Name a reader (checked by the caller); a coach who has not saved yet gets an empty portfolio to share."""
    with database.begin() as db:
        empty = insert(db, tables.portfolios).values(cohort=cohort, coach=coach, summary=None, chosen=[], updated_at=at)
        db.execute(empty.on_conflict_do_nothing(index_elements=["cohort", "coach"]))
        reader = insert(db, tables.portfolio_readers).values(cohort=cohort, coach=coach, email=email, shared_at=at)
        db.execute(reader.on_conflict_do_nothing(index_elements=["cohort", "coach", "email"]))


def unshare(database: Database, cohort: str, coach: str, email: str) -> bool:
    """Stop sharing with a reader; whether they were one."""
    r = tables.portfolio_readers.c
    with database.begin() as db:
        gone = db.execute(delete(tables.portfolio_readers).where(r.cohort == cohort, r.coach == coach, r.email == email))
    return bool(gone.rowcount)


def shared_with(database: Database, cohort: str, email: str) -> list[str]:
    """The coaches of this cohort who share their portfolio with this person (by the readers' index)."""
    r = tables.portfolio_readers.c
    with database.begin() as db:
        return list(db.execute(select(r.coach).where(r.cohort == cohort, r.email == email).order_by(r.coach)).scalars())

"""Just-in-time help in the database: each question, its answer, and how it went (the rules are domain/help.py).

The question and the answer are sealed (`store/sealed.py`) with their row's name,
`help_requests/<cohort>/<id>/<column>`, so a dump, a backup or a reporting replica holds none of
what a teacher asked or a coach answered. The question is written when it is asked, before its
workflow starts; from then on the workflow writes the row, each write carrying its record's
revision, so a late or retried write never undoes a newer one.
"""

from __future__ import annotations

from sqlalchemy import RowMapping, delete, func, select, update

from domain.help import AnswerKind, HelpRecord, HelpRequest, HelpStatus
from store import tables
from store.database import Database
from store.sealed import Sealer

h = tables.help_requests.c


def _row(cohort: str, request: str, column: str) -> str:
    return f"help_requests/{cohort}/{request}/{column}"


def record_question(database: Database, sealer: Sealer, record: HelpRecord, question: str) -> None:
    """A question as asked (checked by domain/help.py), before its workflow starts."""
    sealed = sealer.seal_text(question, _row(record.cohort, record.id, "question"))
    with database.begin() as db:
        db.execute(
            tables.help_requests.insert().values(
                cohort=record.cohort,
                id=record.id,
                partnership=record.partnership,
                teacher=record.teacher,
                coach=record.coach,
                focused_time=record.focused_time,
                question=sealed,
                asked_at=record.asked_at,
                status=record.status.value,
                revision=record.revision,
            )
        )


def forget(database: Database, cohort: str, request: str) -> None:
    """A question whose workflow could not be started: nobody would answer it."""
    with database.begin() as db:
        db.execute(delete(tables.help_requests).where(h.cohort == cohort, h.id == request))


def publish(database: Database, sealer: Sealer, record: HelpRecord, answer: str | None = None) -> bool:
    """The workflow's record (and the answer, sealed, when it is answered); whether the row moved forward."""
    values: dict[str, object] = {
        "status": record.status.value,
        "remind_at": record.remind_at,
        "reminded_at": record.reminded_at,
        "answer_kind": record.answer_kind.value if record.answer_kind else None,
        "answered_at": record.answered_at,
        "revision": record.revision,
    }
    if answer is not None:
        values["answer"] = sealer.seal_text(answer, _row(record.cohort, record.id, "answer"))
    where = (h.cohort == record.cohort, h.id == record.id, h.revision < record.revision)
    with database.begin() as db:
        return bool(db.execute(update(tables.help_requests).where(*where).values(**values)).rowcount)


def _opened(sealer: Sealer, r: RowMapping) -> HelpRequest:
    cohort, request = r["cohort"], r["id"]
    return HelpRequest(
        cohort=cohort,
        id=request,
        partnership=r["partnership"],
        teacher=r["teacher"],
        coach=r["coach"],
        asked_at=r["asked_at"],
        focused_time=r["focused_time"],
        status=HelpStatus(r["status"]),
        remind_at=r["remind_at"],
        reminded_at=r["reminded_at"],
        answer_kind=AnswerKind(r["answer_kind"]) if r["answer_kind"] else None,
        answered_at=r["answered_at"],
        revision=r["revision"],
        question=sealer.open_text(r["question"], _row(cohort, request, "question")),
        answer=sealer.open_text(r["answer"], _row(cohort, request, "answer")) if r["answer"] is not None else None,
    )


def requests_of(database: Database, sealer: Sealer, cohort: str, coach: str | None = None, teacher: str | None = None) -> list[HelpRequest]:
    """A coach's or a teacher's questions, opened, the newest first (each person's own: who may read is the caller's)."""
    query = select(tables.help_requests).where(h.cohort == cohort).order_by(h.asked_at.desc(), h.id)
    if coach is not None:
        query = query.where(h.coach == coach)
    if teacher is not None:
        query = query.where(h.teacher == teacher)
    with database.begin() as db:
        rows = db.execute(query).all()
    return [_opened(sealer, row._mapping) for row in rows]


def request(database: Database, sealer: Sealer, cohort: str, request_id: str) -> HelpRequest | None:
    with database.begin() as db:
        row = db.execute(select(tables.help_requests).where(h.cohort == cohort, h.id == request_id)).one_or_none()
    return None if row is None else _opened(sealer, row._mapping)


def help_given(database: Database, cohort: str, coach: str) -> int:
    """How many questions the coach answered or pointed elsewhere: a count, which the coach's portfolio may show."""
    with database.begin() as db:
        query = select(func.count()).where(h.cohort == cohort, h.coach == coach, h.status == HelpStatus.answered.value)
        return int(db.execute(query).scalar_one())

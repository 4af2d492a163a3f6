"""What the year-end report is made from: the cohort's summary, every partnership and every school's ledger, with names."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from domain.problems import Refused
from domain.report import YearReport, year_report
from store import members, read_model
from store.database import Database
from store.read_model import PartnershipRow

READ_AT_ONCE = 1_000  # partnerships read a page at a time: a state's cohort has tens of thousands


def year_report_of(database: Database, cohort: str, now: datetime) -> YearReport:
    found = next((c for c in members.cohorts(database) if c.cohort == cohort), None)
    if found is None:
        raise Refused(f"there is no cohort {cohort}")
    summary = read_model.cohort_summary(database, cohort, found.program, found.launched_at, now)
    partnerships = list(_every_partnership(database, cohort))
    people = {e for p in partnerships for e in (p.coach, *p.partners)}
    names: dict[str, str] = {}
    ordered = sorted(people)
    for start in range(0, len(ordered), READ_AT_ONCE):
        names |= members.names(database, cohort, ordered[start : start + READ_AT_ONCE])
    schools = {s.id: s.name for s in members.schools(database, cohort)}
    ledgers = read_model.ledgers(database, cohort)
    return year_report(summary, found.program, partnerships, ledgers, names, schools, now, final=found.status == "closed")


def _every_partnership(database: Database, cohort: str) -> Iterator[PartnershipRow]:
    offset = 0
    while True:
        page = read_model.find_partnerships(database, cohort, limit=READ_AT_ONCE, offset=offset)
        yield from page.rows
        offset += len(page.rows)
        if not page.rows or offset >= page.total:
            return

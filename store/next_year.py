"""What a cohort's year left for the next, read from the database: its people, schools, partnerships and
year-2 decisions (`domain/next_year.py` decides who goes on)."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.next_year import CarryOver, LastYear, carry_over
from domain.offering import Offering
from domain.problems import Refused
from domain.roster import Role
from store import members, read_model, school_year
from store.database import Database

EVERYONE = 1_000_000  # a cohort's people and partnerships, all of them


def last_year(database: Database, cohort: str) -> LastYear:
    if members.program_of(database, cohort) is None:
        raise Refused(f"there is no cohort {cohort!r}")
    people = [p for role in (Role.coach, Role.teacher) for p in members.people(database, cohort, role, limit=EVERYONE).rows]
    schools = members.schools(database, cohort)
    principals = members.names(database, cohort, [s.principal for s in schools])
    partnerships = read_model.find_partnerships(database, cohort=cohort, limit=EVERYONE).rows
    decisions = [d for found in school_year.decisions(database, cohort).values() for d in found]
    return LastYear(cohort=cohort, people=people, schools=schools, principals=principals, partnerships=partnerships, decisions=decisions)


def carried_over(database: Database, cohort: str, offering: Offering, site: str) -> CarryOver:
    return carry_over(offering, site, last_year(database, cohort), datetime.now(UTC))

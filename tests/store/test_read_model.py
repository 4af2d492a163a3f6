"""The read model: rows only move forward, and the workflows keep it current without any note text."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import select, text
from temporalio.testing import WorkflowEnvironment

from domain.cohort import PartnershipSummary, Withdrawal, check_launch
from domain.cycle import Stage
from domain.training import Attendance
from store import members, read_model, rosters, sessions, tables
from store.database import Database, _alembic_config
from store.report import year_report_of
from store.sealed import Sealer
from tests.conftest import TEST_KEYS, eventually, program_starting, school_day_after
from tests.roster_fixtures import ANN, ANN_TIA, BOB, COORDINATOR, PRINCIPAL, TIA, small_roster

AT = datetime(2026, 11, 29, 12, tzinfo=UTC)
NOTE = "Tia worried about the unit; a private thought"
# What the doors read. The outbox is not among them: it keeps each message as sent to its recipient.
READ_MODEL = [t for t in tables.metadata.sorted_tables if t.name not in ("outbox",)]


def _launched(database: Database) -> None:
    rosters.record_launch(database, "c", program_starting(AT.date()), small_roster(), COORDINATOR, AT)


def _summary(stage: Stage, revision: int) -> PartnershipSummary:
    return PartnershipSummary(id=ANN_TIA, coach=ANN, partners=[TIA], school="hazel", stage=stage, revision=revision, as_of=AT)


def _stage(database: Database) -> tuple[str, int]:
    with database.begin() as db:
        row = db.execute(select(tables.partnerships).where(tables.partnerships.c.id == ANN_TIA)).one()
    return row.stage, row.revision


def test_a_launch_fills_the_read_model_from_the_roster(database: Database) -> None:
    _launched(database)
    assert _stage(database) == (Stage.pending.value, 0)
    with database.begin() as db:
        coaches = db.execute(select(tables.trainings.c.coach).order_by(tables.trainings.c.coach)).scalars().all()
        cohorts = db.execute(select(tables.people.c.cohort).where(tables.people.c.email == TIA)).scalars().all()
    assert coaches == [ANN, BOB]
    assert cohorts == ["c"]


def _days(database: Database) -> list[date]:
    found = read_model.partnership(database, "c", ANN_TIA)
    assert found is not None
    return found.cycles_completed_on


def test_a_late_write_never_overwrites_a_newer_one(database: Database) -> None:
    _launched(database)
    assert read_model.publish_partnership(database, "c", _summary(Stage.co_plan, 3))
    assert not read_model.publish_partnership(database, "c", _summary(Stage.initiate, 2))  # late
    assert not read_model.publish_partnership(database, "c", _summary(Stage.co_plan, 3))  # retried
    assert _stage(database) == (Stage.co_plan.value, 3)
    assert read_model.publish_partnership(database, "c", _summary(Stage.modeling, 4))
    assert _stage(database) == (Stage.modeling.value, 4)


def test_the_days_cycles_completed_are_kept_and_the_report_counts_them_by_month(database: Database) -> None:
    _launched(database)  # its sessions run from November 2026 to December 2027
    assert _days(database) == []  # none yet
    days = [date(2026, 12, 3), date(2027, 2, 26)]
    summary = _summary(Stage.initiate, 1).model_copy(update={"cycles_completed": 2, "cycles_completed_on": days})
    assert read_model.publish_partnership(database, "c", summary)
    assert _days(database) == days
    counted = {m.month: m.cycles_completed for m in year_report_of(database, "c", AT, Sealer(TEST_KEYS)).cycles_by_month}
    assert (counted["November 2026"], counted["December 2026"], counted["February 2027"], counted["December 2027"]) == (0, 1, 1, 0)
    assert sum(counted.values()) == 2 and len(counted) == 14


def test_a_row_kept_before_the_days_were_reads_as_none_and_its_cycles_as_in_no_month(database: Database) -> None:
    _launched(database)
    config = _alembic_config(database.url)
    with database.engine.connect() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0007")
        # The table as 0007 left it: no days column. A partnership closed after one cycle, then.
        closed = text("update partnerships set cycles_completed = 1, stage = 'closed', revision = 1 where id = :id")
        connection.execute(closed, {"id": ANN_TIA})
        connection.commit()
    database.upgrade()
    assert _days(database) == []
    report = year_report_of(database, "c", AT, Sealer(TEST_KEYS))
    assert (report.cycles_completed, report.cycles_undated, sum(m.cycles_completed for m in report.cycles_by_month)) == (1, 1, 0)


def test_a_second_launch_of_one_cohort_is_refused_and_changes_nothing(database: Database) -> None:
    _launched(database)
    try:
        _launched(database)
        raise AssertionError("a second launch was stored")
    except rosters.Refused as refused:
        assert "already exists" in refused.reason
    with database.begin() as db:
        assert db.execute(select(tables.roster_versions.c.version)).scalars().all() == [1]


async def test_the_workflows_keep_the_read_model_current_with_no_note_text(time_env: WorkflowEnvironment, harness) -> None:  # type: ignore[no-untyped-def]
    h = harness(time_env.client)
    start = await time_env.get_current_time()
    program = program_starting((start - timedelta(days=200)).date())
    coaching = h.coaching()
    async with h.worker():
        await coaching.launch_cohort("kept", program, small_roster(), COORDINATOR)
        await coaching.wait_until_launched("kept")
        await coaching.record_attendance("kept", COORDINATOR, 5, {ANN: Attendance.attended})
        await time_env.sleep(timedelta(minutes=1))
        await coaching.move("kept", ANN_TIA, ANN, Stage.initiate, NOTE)
        await coaching.add_note("kept", ANN_TIA, TIA, NOTE)
        day = school_day_after(program, (start + timedelta(days=9)).date())
        await coaching.request_release("kept", "hazel", TIA, 1, day, "Co-teach the unit")

        def published() -> bool:
            with h.database.begin() as db:
                stage = db.execute(select(tables.partnerships.c.stage).where(tables.partnerships.c.id == ANN_TIA)).scalar()
                training = db.execute(select(tables.trainings.c.status).where(tables.trainings.c.coach == ANN)).scalar()
                asked = db.execute(select(tables.release_requests.c.requester)).scalars().all()
            return stage == Stage.initiate.value and training == "coaching" and asked == [TIA]

        await eventually(published)

    with h.database.begin() as db:
        (principal,) = db.execute(select(tables.ledgers.c.principal)).scalars().all()
        dump = "\n".join(str(tuple(row)) for t in READ_MODEL for row in db.execute(text(f"select * from {t.name}")))
    assert principal == PRINCIPAL
    assert ANN_TIA in dump and "initiate" in dump
    [ann] = members.standings(h.database, ANN)
    assert (ann.cohort, ann.member.role, ann.member.school) == ("kept", "coach", "hazel")
    [pat] = members.standings(h.database, PRINCIPAL)
    assert [s.id for s in pat.schools] == ["hazel"] and pat.member.principal_of == ["hazel"]
    summary = read_model.cohort_summary(h.database, "kept", program, None, datetime.now(UTC))
    assert (summary.coaches, summary.coaching_unlocked, summary.partnerships_by_stage) == (2, 1, {"initiate": 1, "waiting": 1})
    assert summary.attendance[5] == {"attended": 1}
    assert [p.id for p in read_model.partnerships_of(h.database, "kept", TIA)] == [ANN_TIA]
    assert NOTE not in dump  # stages, dates and counts only: the note stays encrypted in Temporal


async def test_a_withdrawal_is_a_new_roster_version_and_signs_the_person_out(time_env: WorkflowEnvironment, harness) -> None:  # type: ignore[no-untyped-def]
    h = harness(time_env.client)
    start = await time_env.get_current_time()
    coaching = h.coaching()
    sessions.start_session(h.database, "tia-phone", TIA, datetime.now(UTC))
    async with h.worker():
        await coaching.launch_cohort("leaving", program_starting((start - timedelta(days=200)).date()), small_roster(), COORDINATOR)
        await coaching.wait_until_launched("leaving")
        assert [s.cohort for s in members.standings(h.database, TIA)] == ["leaving"]
        ending = await coaching.withdraw_participant("leaving", Withdrawal(actor=COORDINATOR, email=TIA))

    assert ending == [ANN_TIA]
    assert members.standings(h.database, TIA) == []
    assert sessions.signed_in_as(h.database, "tia-phone", datetime.now(UTC)) is None
    with h.database.begin() as db:
        versions = db.execute(select(tables.roster_versions.c.version, tables.roster_versions.c.change)).all()
    assert [tuple(v) for v in versions] == [(1, "upload"), (2, "withdrawn")]


def test_long_names_are_stored_whole_on_both_backends(database: Database) -> None:
    long = "Éléonore " + "de la Montagne-Saint-Geneviève " * 10  # 300 characters: the roster's rules have no length limit
    roster = small_roster()
    roster.people[0].name = long
    roster.schools[0].name = long
    rosters.record_launch(database, "long", program_starting(AT.date()), roster, COORDINATOR, AT)
    with database.begin() as db:
        names = set(db.execute(select(tables.people.c.name)).scalars()) | set(db.execute(select(tables.schools.c.name)).scalars())
    assert long in names


def test_a_launch_is_checked_before_anything_is_stored() -> None:
    with pytest.raises(rosters.Refused, match="cannot be a cohort id: use at most 60"):
        check_launch("x" * 61, small_roster(), COORDINATOR)
    with pytest.raises(rosters.Refused, match="cannot be a cohort id"):
        check_launch("Spring 2027", small_roster(), COORDINATOR)
    with pytest.raises(rosters.Refused, match="is not a coordinator in this roster"):
        check_launch("spring-2027", small_roster(), ANN)
    check_launch("spring-2027", small_roster(), COORDINATOR)

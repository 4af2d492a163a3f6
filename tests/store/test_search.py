"""Lists searched and filtered in the database, on SQLite and PostgreSQL alike: text whatever its case, `%` and `_`
as themselves, and every filter together with paging."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.cycle import Stage
from domain.roster import Role, parse_roster_csv
from store import members, read_model, rosters
from store.database import Database
from store.outbox import SENT, Outbox
from tests.conftest import program_starting
from tests.roster_fixtures import ANN, ANN_TIA, BOB, BOB_TED, COORDINATOR, SMALL, TED, TIA

AT = datetime(2026, 11, 29, 12, tzinfo=UTC)
# A focus with the wildcards of LIKE in it, and one that would match if they were wildcards.
ODD = (
    "Pam Principal,pam@elm.test,principal,Elm,Vancouver,part-time,,,,\n"
    "Una Odd,una@elm.test,coach,Elm,Vancouver,,,,,\n"
    "Uli Odd,uli@elm.test,teacher,Elm,Vancouver,,una@elm.test,,100% of_students,\n"
    "Ugo Odd,ugo@elm.test,teacher,Elm,Vancouver,,una@elm.test,,1000 of students,\n"
)


def launched(database: Database) -> None:
    rosters.record_launch(database, "c", program_starting(AT.date()), parse_roster_csv(SMALL + ODD, "search.csv"), COORDINATOR, AT)


def test_partnerships_are_found_by_name_address_id_and_their_own_focus_whatever_the_case(database: Database) -> None:
    launched(database)

    def found(q: str, **filters: object) -> list[str]:
        found = read_model.find_partnerships(database, "c", q=q, in_focus=True, **filters)  # type: ignore[arg-type]
        return [p.id for p in found.rows]

    assert found("TIA TEACHER") == [ANN_TIA]  # a teacher's name
    assert found("ann coach") == [ANN_TIA]  # the coach's name
    assert found("ted@hazel") == [BOB_TED]  # an address
    assert found("SPREADSHEETS") == [BOB_TED]  # the focus
    assert found("bob--") == [BOB_TED]  # the id
    assert found("100%") == ["una--uli"]  # % is itself
    assert found("of_students") == ["una--uli"]  # and so is _
    assert found("0_s") == []
    assert found("%") == ["una--uli"] and found("_") == ["una--uli"]
    assert found("\\") == []
    assert found("coach", school="hazel") == [ANN_TIA, BOB_TED]
    assert found("coach", school="elm") == []
    assert found("hazel", coach=BOB) == [BOB_TED]
    assert found("hazel", stage=Stage.co_plan) == []
    assert [p.id for p in read_model.find_partnerships(database, "c", member=TED).rows] == [BOB_TED]
    assert read_model.find_partnerships(database, "c", q="spreadsheets").total == 0  # the focus is its partnership's own
    assert read_model.find_partnerships(database, "c", q="o", limit=1, offset=1).total == 4


def test_people_are_found_by_name_and_address_with_role_and_school(database: Database) -> None:
    launched(database)

    def found(q: str | None, role: Role | None = None, school: str | None = None) -> list[str]:
        return [p.email for p in members.people(database, "c", role, school, q=q).rows]

    assert found("ODD") == ["ugo@elm.test", "uli@elm.test", "una@elm.test"]  # by name: Ugo, Uli, Una
    assert found("odd", Role.teacher) == ["ugo@elm.test", "uli@elm.test"]
    assert found("@hazel", Role.coach, "hazel") == [ANN, BOB]
    assert found("@hazel", Role.coach, "elm") == []
    assert found("a_n") == [] and found("%") == []
    assert members.people(database, "c", q="o", limit=2).total == len(found("o"))


def test_messages_are_found_by_recipient_subject_and_kind_with_kind_and_status(database: Database) -> None:
    launched(database)
    outbox = Outbox(database)
    for minutes, (key, to, kind, subject) in enumerate(
        [
            ("unlocked:c:ann", ANN, "coaching_unlocked", "Coaching is unlocked"),
            ("moved:c:ann--tia:1", TIA, "stage_moved", "Moved to 50% done"),
            ("moved:c:bob--ted:1", TED, "stage_moved", "Moved to model"),
        ]
    ):
        outbox.claim(key, to, kind, subject, "body", None, AT + timedelta(minutes=minutes))
    outbox.mark_sent("moved:c:bob--ted:1", TED, "smtp")

    def found(q: str | None = None, kind: str | None = None, status: str | None = None) -> list[str]:
        return [e.key for e in members.messages_to(database, "c", kind=kind, status=status, q=q).rows]

    assert found("tia teacher") == ["moved:c:ann--tia:1"]  # the recipient's name
    assert found("ann@HAZEL") == ["unlocked:c:ann"]
    assert found("50%") == ["moved:c:ann--tia:1"] and found("5_%") == []
    assert found("STAGE_MOVED") == ["moved:c:bob--ted:1", "moved:c:ann--tia:1"]
    assert found(kind="stage_moved", status=SENT) == ["moved:c:bob--ted:1"]
    assert found("model", kind="coaching_unlocked") == []
    assert members.messages_to(database, "c", limit=1, q="moved").total == 2

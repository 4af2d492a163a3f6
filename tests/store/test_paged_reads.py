"""What the web pages read: a principal's schools' partnerships and a cohort's messages a page at a time, its counted summary."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.cohort import PartnershipSummary, TrainingSummary, count_year, summarize_year
from domain.cycle import Stage
from domain.roster import parse_roster_csv
from domain.training import Attendance, TrainingStatus
from store import members, read_model, rosters
from store.database import Database
from store.outbox import Outbox
from tests.conftest import program_starting
from tests.roster_fixtures import ANN, ANN_TIA, BOB, BOB_TED, COORDINATOR, HEADER, SMALL, TED, TIA, small_roster

AT = datetime(2026, 11, 29, 12, tzinfo=UTC)
ELM = "Eve Elm,eve@elm.test,coach,Elm,Vancouver,,,,,\nEli Elm,eli@elm.test,teacher,Elm,Vancouver,,eve@elm.test,,Inquiry,\n"
PAM = "Pam Principal,pam@elm.test,principal,Elm,Vancouver,part-time,,,,\n"


def test_a_principal_of_several_schools_pages_through_their_partnerships(database: Database) -> None:
    roster = parse_roster_csv(SMALL + PAM + ELM, "two-schools.csv")
    rosters.record_launch(database, "c", program_starting(AT.date()), roster, COORDINATOR, AT)
    both = ["hazel", "elm"]

    first = read_model.find_partnerships(database, "c", schools=both, limit=2)
    assert [p.id for p in first.rows] == [ANN_TIA, BOB_TED] and (first.total, first.offset, first.limit) == (3, 0, 2)
    assert [p.id for p in read_model.find_partnerships(database, "c", schools=both, limit=2, offset=2).rows] == ["eve--eli"]
    assert read_model.find_partnerships(database, "c", schools=["elm"]).total == 1
    assert [p.id for p in read_model.find_partnerships(database, "c", schools=both, coach=BOB).rows] == [BOB_TED]

    stalled = PartnershipSummary(id=ANN_TIA, coach=ANN, partners=[TIA], school="hazel", stage=Stage.co_plan, stalled_since=AT, revision=1)
    read_model.publish_partnership(database, "c", stalled)
    assert [p.id for p in read_model.find_partnerships(database, "c", schools=both, stalled=True).rows] == [ANN_TIA]
    assert [p.id for p in read_model.find_partnerships(database, "c", schools=both, stage=Stage.co_plan).rows] == [ANN_TIA]
    assert read_model.find_partnerships(database, "c", schools=both, stalled=False).total == 2
    assert read_model.find_partnerships(database, "other", schools=both).total == 0


def test_a_cohort_s_messages_are_those_to_its_people_newest_first(database: Database) -> None:
    rosters.record_launch(database, "c", program_starting(AT.date()), small_roster(), COORDINATOR, AT)
    other = parse_roster_csv(HEADER + "Oz Other,oz@other.test,coordinator,,ESD,,,,,\n", "other.csv")
    rosters.record_launch(database, "d", program_starting(AT.date()), other, "oz@other.test", AT)
    outbox = Outbox(database)
    for minutes, (key, to, kind) in enumerate(
        [
            ("unlocked:c:ann", ANN, "coaching_unlocked"),
            ("moved:c:ann--tia:1", TIA, "stage_moved"),
            ("sign-in:x", TED, "sign_in"),  # a sign-in link is the person's own, not the cohort's
            ("launched:d", "oz@other.test", "cohort_launched"),  # another cohort's
            ("moved:c:bob--ted:1", TED, "stage_moved"),
        ]
    ):
        outbox.claim(key, to, kind, f"subject {key}", "body", None, AT + timedelta(minutes=minutes))

    first = members.messages_to(database, "c", limit=2)
    assert [e.key for e in first.rows] == ["moved:c:bob--ted:1", "moved:c:ann--tia:1"] and first.total == 3
    assert [e.key for e in members.messages_to(database, "c", limit=2, offset=2).rows] == ["unlocked:c:ann"]
    assert [e.key for e in members.messages_to(database, "d").rows] == ["launched:d"]


def test_a_cohort_s_launch_moment_is_kept(database: Database) -> None:
    rosters.record_launch(database, "c", program_starting(AT.date()), small_roster(), COORDINATOR, AT)
    assert members.launched_at(database, "c") == AT
    assert members.launched_at(database, "nowhere") is None


def test_the_counted_summary_is_the_summary(database: Database) -> None:
    program = program_starting(AT.date())
    rosters.record_launch(database, "c", program, parse_roster_csv(SMALL + PAM + ELM, "two-schools.csv"), COORDINATOR, AT)
    unlocked = {1: Attendance.attended, 2: Attendance.excused, 5: Attendance.made_up}
    ann = TrainingSummary(coach=ANN, name="Ann", school="hazel", status=TrainingStatus.coaching, attendance=unlocked, revision=1)
    bob = TrainingSummary(coach=BOB, name="Bob", school="hazel", attendance={1: Attendance.absent}, revision=1)
    ann_tia = PartnershipSummary(
        id=ANN_TIA,
        coach=ANN,
        partners=[TIA],
        school="hazel",
        stage=Stage.observe,
        stalled_since=AT,
        follow_ups=2,
        escalations=1,
        revision=1,
    )
    bob_ted = PartnershipSummary(  # stalled once, but closed: not stalled now
        id=BOB_TED,
        coach=BOB,
        partners=[TED],
        school="hazel",
        stage=Stage.closed,
        stalled_since=AT,
        cycles_completed=2,
        revision=1,
    )
    for training in (ann, bob):
        read_model.publish_training(database, "c", training)
    for partnership in (ann_tia, bob_ted):
        read_model.publish_partnership(database, "c", partnership)

    later = AT + timedelta(days=9)
    counted = read_model.cohort_summary(database, "c", program, AT, later)
    trainings = read_model.trainings(database, "c").rows
    partnerships = read_model.find_partnerships(database, "c").rows
    # the database's counts give what the domain counts from every row
    assert counted == summarize_year("c", program, AT, count_year(trainings, partnerships), partnerships, later)
    assert counted.coaching_unlocked == 1 and [s.id for s in counted.stalled] == [ANN_TIA] and counted.stalled[0].days_stalled == 9
    assert counted.partnerships_by_stage == {"waiting": 1, "observe": 1, "closed": 1} and counted.cycles_completed == 2
    empty = read_model.cohort_summary(database, "nowhere", program, None, later)
    assert (empty.coaches, empty.partnerships, empty.stalled) == (0, 0, [])


def test_a_cohorts_outbox_holds_its_own_notices_only(database: Database) -> None:
    outbox = Outbox(database)
    for key in ("moved:a:ann--tia:1", "moved:b:ann--tia:1", "release-decided:a/hazel/1", "launched:b", "sign-in:xyz"):
        outbox.claim(key, ANN, "k", "s", "b", None, AT)
    assert sorted(e.key for e in members.messages_to(database, "a").rows) == ["moved:a:ann--tia:1", "release-decided:a/hazel/1"]
    assert sorted(e.key for e in members.messages_to(database, "b").rows) == ["launched:b", "moved:b:ann--tia:1"]

"""The coaching cycle's rules, through the public functions of domain.cycle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.cycle import (
    CYCLE_STAGES,
    NOTE_MAX_CHARS,
    OPEN_STAGES,
    Move,
    PartnershipRecord,
    Stage,
    add_note,
    allowed_moves,
    apply_move,
    building_view,
    check_move,
    check_note,
    starts_new_cycle,
    unlock_coaching,
)
from domain.problems import Refused

T0 = datetime(2027, 5, 1, tzinfo=UTC)
LATER = datetime(2027, 5, 8, 9, 30, tzinfo=UTC)

COACH = "ann@hazel.test"
PARTNER = "tia@hazel.test"
PARTNER_2 = "tom@hazel.test"
PRINCIPAL = "pat@hazel.test"
COORDINATOR = "cora@esd.test"
OUTSIDER = "zed@elsewhere.test"
NOT_COACHES = [PARTNER, PARTNER_2, PRINCIPAL, COORDINATOR, OUTSIDER]

# each stage of the cycle and the one the coach advances it to
ADVANCES = [
    (Stage.initiate, Stage.co_plan),
    (Stage.co_plan, Stage.modeling),
    (Stage.modeling, Stage.observe),
    (Stage.observe, Stage.reflect),
]
ALL_STAGES = list(Stage)
# where the coach may take a partnership from each open stage
LEGAL = {Stage.pending: [Stage.initiate], **{s: [t] for s, t in ADVANCES}, Stage.reflect: [Stage.initiate, Stage.closed]}


def partnership(stage: Stage = Stage.pending, unlocked: bool | None = None, **fields: object) -> PartnershipRecord:
    """A partnership at `stage`; past the waiting stage coaching is unlocked unless told otherwise."""
    if unlocked is None:
        unlocked = stage != Stage.pending
    return PartnershipRecord(
        cohort="spring",
        id="ann--tia",
        school="hazel",
        coach=COACH,
        partners=[PARTNER, PARTNER_2],
        focus="Research projects",
        coordinators=[COORDINATOR],
        principal=PRINCIPAL,
        stage=stage,
        stage_since=T0,
        coaching_unlocked=unlocked,
        **fields,
    )


def refused(record: PartnershipRecord, actor: str, target: Stage) -> Refused:
    """Assert that the move is refused, both by check_move and by apply_move, without changing the record."""
    before = record.model_dump()
    with pytest.raises(Refused) as checked:
        check_move(record, actor, target)
    with pytest.raises(Refused) as applied:
        apply_move(record, actor, target, LATER, "a note")
    assert applied.value.reason == checked.value.reason
    assert applied.value.allowed == checked.value.allowed
    assert record.model_dump() == before
    return checked.value


# -- stage names ------------------------------------------------------------------------


def test_stage_labels_read_as_the_program_names_them() -> None:
    assert [s.label for s in ALL_STAGES] == ["waiting", "initiate", "co-plan", "model", "observe", "reflect", "closed", "withdrawn"]


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("waiting", Stage.pending),
        ("Co-Plan", Stage.co_plan),
        ("co_plan", Stage.co_plan),
        ("model", Stage.modeling),
        (" reflect ", Stage.reflect),
    ],
)
def test_stage_parse_accepts_labels_and_values(text: str, stage: Stage) -> None:
    assert Stage.parse(text) == stage


def test_stage_parse_refuses_an_unknown_stage_and_lists_them() -> None:
    with pytest.raises(Refused, match="unknown stage 'teach'; stages are waiting, initiate, co-plan, model"):
        Stage.parse("teach")


# -- waiting -> initiate ------------------------------------------------------------------


def test_a_new_partnership_waits_with_coaching_locked() -> None:
    record = partnership()
    assert record.stage == Stage.pending
    assert record.cycle == 1
    assert record.cycles_completed == 0
    assert not record.coaching_unlocked
    assert record.is_open


def test_the_coach_cannot_begin_before_coaching_is_unlocked() -> None:
    record = partnership()
    assert allowed_moves(record, COACH) == []
    refusal = refused(record, COACH, Stage.initiate)
    assert refusal.reason == "coaching is not unlocked yet: the coach begins after attending the unlock session"
    assert refusal.allowed == []


def test_the_coach_begins_once_coaching_is_unlocked() -> None:
    record = partnership()
    assert unlock_coaching(record, LATER) is True
    assert allowed_moves(record, COACH) == [Stage.initiate]
    check_move(record, COACH, Stage.initiate)

    begun = LATER + timedelta(days=1)
    move = apply_move(record, COACH, Stage.initiate, begun, "Brainstormed the research unit")

    assert move == Move(cycle=1, source=Stage.pending, target=Stage.initiate, by=COACH, at=begun, note="Brainstormed the research unit")
    assert record.stage == Stage.initiate
    assert record.stage_since == begun
    assert record.moves == [move]


@pytest.mark.parametrize("unlocked", [False, True])
@pytest.mark.parametrize("actor", NOT_COACHES)
def test_only_the_coach_begins(actor: str, unlocked: bool) -> None:
    record = partnership(unlocked=unlocked)
    refusal = refused(record, actor, Stage.initiate)
    assert refusal.reason == f"only the partnership's coach ({COACH}) may move it"
    assert refusal.allowed == (["withdrawn"] if actor == COORDINATOR else [])


def test_unlock_coaching_starts_the_waiting_clock_once() -> None:
    record = partnership()
    record.stage_since = None
    assert unlock_coaching(record, LATER) is True
    assert record.coaching_unlocked
    assert record.stage_since == LATER
    assert unlock_coaching(record, LATER + timedelta(days=3)) is False
    assert record.stage_since == LATER


def test_unlock_coaching_does_not_restart_the_clock_of_a_later_stage() -> None:
    record = partnership(Stage.co_plan, unlocked=False)
    assert unlock_coaching(record, LATER) is True
    assert record.coaching_unlocked
    assert record.stage_since == T0


# -- initiate -> co-plan -> model -> observe -> reflect ---------------------------------------


@pytest.mark.parametrize(("source", "target"), ADVANCES)
def test_the_coach_advances_each_stage_to_the_next(source: Stage, target: Stage) -> None:
    record = partnership(source, cycle=2, cycles_completed=1)
    assert allowed_moves(record, COACH) == [target]
    check_move(record, COACH, target)

    move = apply_move(record, COACH, target, LATER, f"{source.label} done")

    assert move == Move(cycle=2, source=source, target=target, by=COACH, at=LATER, note=f"{source.label} done")
    assert record.stage == target
    assert record.stage_since == LATER
    assert record.moves[-1] == move
    assert (record.cycle, record.cycles_completed) == (2, 1)


@pytest.mark.parametrize(("source", "target"), ADVANCES)
@pytest.mark.parametrize("actor", [PARTNER, PARTNER_2, PRINCIPAL, COORDINATOR, OUTSIDER])
def test_nobody_but_the_coach_advances(source: Stage, target: Stage, actor: str) -> None:
    record = partnership(source)
    assert target not in allowed_moves(record, actor)
    refusal = refused(record, actor, target)
    assert refusal.reason == f"only the partnership's coach ({COACH}) may move it"
    assert refusal.allowed == (["withdrawn"] if actor == COORDINATOR else [])


@pytest.mark.parametrize(
    ("source", "target"),
    [(s, t) for s in OPEN_STAGES for t in [*CYCLE_STAGES[1:], Stage.closed] if t not in LEGAL[s]],
)
def test_the_coach_cannot_skip_or_go_back(source: Stage, target: Stage) -> None:
    record = partnership(source, unlocked=True)
    refusal = refused(record, COACH, target)
    already = f"the partnership is already in {source.label}"
    assert refusal.reason == (already if target == source else f"a partnership in {source.label} cannot move to {target.label}")
    assert refusal.allowed == [s.label for s in LEGAL[source]]


@pytest.mark.parametrize("source", [Stage.co_plan, Stage.modeling, Stage.observe])
def test_a_new_cycle_only_starts_from_reflect(source: Stage) -> None:
    record = partnership(source)
    refusal = refused(record, COACH, Stage.initiate)
    assert refusal.reason == f"a partnership in {source.label} cannot move to initiate"


def test_the_coach_cannot_move_a_partnership_to_where_it_is() -> None:
    refusal = refused(partnership(Stage.observe), COACH, Stage.observe)
    assert refusal.reason == "the partnership is already in observe"
    assert refusal.allowed == ["reflect"]


def test_refused_moves_name_the_stage_as_people_know_it() -> None:
    refusal = refused(partnership(unlocked=True), COACH, Stage.co_plan)
    assert refusal.reason == "a partnership in waiting cannot move to co-plan"
    assert refusal.allowed == ["initiate"]


# -- reflect -> new cycle | closed ------------------------------------------------------------


def test_from_reflect_the_coach_may_start_a_new_cycle_or_close() -> None:
    assert allowed_moves(partnership(Stage.reflect), COACH) == [Stage.initiate, Stage.closed]


def test_a_new_cycle_from_reflect_counts_the_cycle_done() -> None:
    record = partnership(Stage.reflect, cycle=1, cycles_completed=0)

    move = apply_move(record, COACH, Stage.initiate, LATER, "Next unit: fractions")

    assert move == Move(cycle=1, source=Stage.reflect, target=Stage.initiate, by=COACH, at=LATER, note="Next unit: fractions")
    assert record.stage == Stage.initiate
    assert record.cycle == 2
    assert record.cycles_completed == 1
    assert record.is_open


def test_the_move_after_a_new_cycle_belongs_to_the_new_cycle() -> None:
    record = partnership(Stage.reflect)
    apply_move(record, COACH, Stage.initiate, LATER)
    move = apply_move(record, COACH, Stage.co_plan, LATER + timedelta(days=2))
    assert move.cycle == 2


def test_closing_from_reflect_counts_the_cycle_done_and_ends_the_partnership() -> None:
    record = partnership(Stage.reflect, cycle=3, cycles_completed=2)

    move = apply_move(record, COACH, Stage.closed, LATER)

    assert move == Move(cycle=3, source=Stage.reflect, target=Stage.closed, by=COACH, at=LATER, note=None)
    assert record.stage == Stage.closed
    assert record.cycle == 3
    assert record.cycles_completed == 3
    assert not record.is_open
    assert allowed_moves(record, COACH) == []
    assert allowed_moves(record, COORDINATOR) == []


@pytest.mark.parametrize("actor", [PARTNER, PRINCIPAL, COORDINATOR])
@pytest.mark.parametrize("target", [Stage.initiate, Stage.closed])
def test_only_the_coach_starts_a_new_cycle_or_closes(actor: str, target: Stage) -> None:
    record = partnership(Stage.reflect)
    refusal = refused(record, actor, target)
    assert refusal.reason == f"only the partnership's coach ({COACH}) may move it"


def test_a_whole_cycle_twice_then_close() -> None:
    record = partnership()
    unlock_coaching(record, T0)
    route = [*CYCLE_STAGES, Stage.initiate, *CYCLE_STAGES[1:], Stage.closed]
    for day, target in enumerate(route, start=1):
        apply_move(record, COACH, target, T0 + timedelta(days=day))

    assert record.stage == Stage.closed
    assert record.cycle == 2
    assert record.cycles_completed == 2
    stages = [(m.cycle, m.source.label, m.target.label) for m in record.moves]
    assert stages == [
        (1, "waiting", "initiate"),
        (1, "initiate", "co-plan"),
        (1, "co-plan", "model"),
        (1, "model", "observe"),
        (1, "observe", "reflect"),
        (1, "reflect", "initiate"),
        (2, "initiate", "co-plan"),
        (2, "co-plan", "model"),
        (2, "model", "observe"),
        (2, "observe", "reflect"),
        (2, "reflect", "closed"),
    ]
    assert all(m.by == COACH for m in record.moves)
    assert [m.at for m in record.moves] == sorted(m.at for m in record.moves)


# -- withdraw -----------------------------------------------------------------------------------


@pytest.mark.parametrize("source", OPEN_STAGES)
def test_a_coordinator_withdraws_from_every_open_stage(source: Stage) -> None:
    record = partnership(source, cycle=2, cycles_completed=1)
    assert allowed_moves(record, COORDINATOR) == [Stage.withdrawn]

    move = apply_move(record, COORDINATOR, Stage.withdrawn, LATER, "Teacher moved schools")

    assert move == Move(cycle=2, source=source, target=Stage.withdrawn, by=COORDINATOR, at=LATER, note="Teacher moved schools")
    assert record.stage == Stage.withdrawn
    assert record.stage_since == LATER
    assert record.cycles_completed == 1  # withdrawing does not complete a cycle
    assert record.cycle == 2
    assert not record.is_open


def test_a_coordinator_withdraws_a_waiting_partnership_before_coaching_unlocks() -> None:
    record = partnership(unlocked=False)
    apply_move(record, COORDINATOR, Stage.withdrawn, LATER)
    assert record.stage == Stage.withdrawn


@pytest.mark.parametrize("source", OPEN_STAGES)
@pytest.mark.parametrize("actor", [COACH, PARTNER, PRINCIPAL, OUTSIDER])
def test_only_a_coordinator_withdraws(source: Stage, actor: str) -> None:
    record = partnership(source)
    assert Stage.withdrawn not in allowed_moves(record, actor)
    refusal = refused(record, actor, Stage.withdrawn)
    assert refusal.reason == "only a coordinator of the cohort may withdraw a partnership"
    assert refusal.allowed == [s.label for s in allowed_moves(record, actor)]


@pytest.mark.parametrize("source", [Stage.closed, Stage.withdrawn])
@pytest.mark.parametrize("actor", [COACH, COORDINATOR])
@pytest.mark.parametrize("target", ALL_STAGES)
def test_an_ended_partnership_does_not_move(source: Stage, actor: str, target: Stage) -> None:
    record = partnership(source)
    assert allowed_moves(record, actor) == []
    refusal = refused(record, actor, target)
    already = f"the partnership is already {source.label}"
    assert refusal.reason == (already if target == source else f"a partnership in {source.label} cannot move to {target.label}")
    assert refusal.allowed == []


# -- what every move records and resets -------------------------------------------------------


def test_each_move_records_who_when_and_the_note() -> None:
    record = partnership(Stage.initiate)
    first = apply_move(record, COACH, Stage.co_plan, LATER, "Planned lesson 1")
    second = apply_move(record, COACH, Stage.modeling, LATER + timedelta(days=3))
    third = apply_move(record, COORDINATOR, Stage.withdrawn, LATER + timedelta(days=9), "")

    assert record.moves == [first, second, third]
    assert (first.by, first.at, first.note) == (COACH, LATER, "Planned lesson 1")
    assert (second.by, second.at, second.note) == (COACH, LATER + timedelta(days=3), None)
    assert (third.by, third.at, third.note) == (COORDINATOR, LATER + timedelta(days=9), None)  # an empty note is no note


def test_a_move_resets_the_stall_chain_but_keeps_its_counts() -> None:
    record = partnership(Stage.observe)
    record.stall.stalled_since = T0 + timedelta(days=21)
    record.stall.steps_sent = 2
    record.stall.last_step_at = T0 + timedelta(days=28)
    record.stall.follow_ups = 3
    record.stall.escalations = 1

    apply_move(record, COACH, Stage.reflect, LATER)

    assert record.stall.model_dump() == {"stalled_since": None, "steps_sent": 0, "last_step_at": None, "follow_ups": 3, "escalations": 1}


def test_a_move_note_of_the_maximum_length_is_kept() -> None:
    record = partnership(Stage.initiate)
    move = apply_move(record, COACH, Stage.co_plan, LATER, "x" * NOTE_MAX_CHARS)
    assert move.note == "x" * NOTE_MAX_CHARS


def test_a_move_note_that_is_too_long_refuses_the_move() -> None:
    record = partnership(Stage.initiate)
    before = record.model_dump()
    with pytest.raises(Refused, match=f"a note is at most {NOTE_MAX_CHARS} characters; this one has {NOTE_MAX_CHARS + 1}"):
        apply_move(record, COACH, Stage.co_plan, LATER, "x" * (NOTE_MAX_CHARS + 1))
    assert record.model_dump() == before


def test_allowed_moves_and_check_move_do_not_change_the_record() -> None:
    record = partnership(Stage.reflect)
    before = record.model_dump()
    for actor in [COACH, COORDINATOR, PARTNER]:
        allowed_moves(record, actor)
    check_move(record, COACH, Stage.closed)
    assert record.model_dump() == before


# -- notes and artifact links -------------------------------------------------------------


@pytest.mark.parametrize("stage", OPEN_STAGES)
@pytest.mark.parametrize("author", [COACH, PARTNER, PARTNER_2])
def test_the_coach_and_partners_add_notes_at_every_open_stage(stage: Stage, author: str) -> None:
    record = partnership(stage)
    check_note(record, author, "Lesson plan draft", "https://docs.example.org/plan?id=7")

    note = add_note(record, author, "  Lesson plan draft \n", "https://docs.example.org/plan?id=7", LATER)

    assert note.author == author
    assert note.at == LATER
    assert note.stage == stage
    assert note.text == "Lesson plan draft"
    assert note.link == "https://docs.example.org/plan?id=7"
    assert record.notes == [note]
    assert record.stage == stage
    assert record.moves == []


def test_a_note_may_be_only_a_link_or_only_text() -> None:
    record = partnership(Stage.co_plan)
    add_note(record, PARTNER, "", "http://wiki.example.org/unit", LATER)
    add_note(record, PARTNER, "Only words", None, LATER)
    assert [(n.text, n.link) for n in record.notes] == [("", "http://wiki.example.org/unit"), ("Only words", None)]


def test_a_note_needs_text_or_a_link() -> None:
    record = partnership(Stage.co_plan)
    with pytest.raises(Refused, match="a note needs some text or a link"):
        add_note(record, COACH, "   ", None, LATER)
    assert record.notes == []


@pytest.mark.parametrize("author", [PRINCIPAL, COORDINATOR, OUTSIDER])
def test_only_the_coach_and_partners_add_notes(author: str) -> None:
    record = partnership(Stage.observe)
    before = record.model_dump()
    with pytest.raises(Refused, match="only the coach and the collaborating teachers of a partnership may add notes"):
        check_note(record, author, "hello", None)
    with pytest.raises(Refused, match="only the coach and the collaborating teachers"):
        add_note(record, author, "hello", None, LATER)
    assert record.model_dump() == before


@pytest.mark.parametrize("stage", [Stage.closed, Stage.withdrawn])
def test_no_notes_once_the_partnership_has_ended(stage: Stage) -> None:
    record = partnership(stage)
    with pytest.raises(Refused, match=f"the partnership is {stage.label}; notes can no longer be added"):
        add_note(record, COACH, "one more thing", None, LATER)
    assert record.notes == []


def test_a_note_of_the_maximum_length_is_accepted() -> None:
    record = partnership(Stage.modeling)
    note = add_note(record, PARTNER, "y" * NOTE_MAX_CHARS, None, LATER)
    assert len(note.text) == NOTE_MAX_CHARS


def test_a_note_that_is_too_long_is_refused() -> None:
    record = partnership(Stage.modeling)
    with pytest.raises(Refused, match=f"a note is at most {NOTE_MAX_CHARS} characters; this one has {NOTE_MAX_CHARS + 1}"):
        add_note(record, PARTNER, "y" * (NOTE_MAX_CHARS + 1), None, LATER)
    assert record.notes == []


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(document.cookie)",
        "JavaScript:alert(1)",
        "data:text/html,<b>hi</b>",
        "ftp://files.example.org/plan.doc",
        "mailto:ann@hazel.test",
        "https://",
        "http:///plan",
        "//docs.example.org/plan",
        "docs.example.org/plan",
        "https://docs.example.org/plan\r\nBcc: victim@example.org",
        "https://docs.example.org/plan\nX-Injected: 1",
        "https://docs.example.org/a plan",
        'https://docs.example.org/"onmouseover="alert(1)',
        "https://docs.example.org/<script>",
    ],
)
def test_bad_artifact_links_are_refused(link: str) -> None:
    record = partnership(Stage.co_plan)
    with pytest.raises(Refused) as refusal:
        check_note(record, COACH, "see link", link)
    assert refusal.value.reason == f"an artifact link must be an http or https address, got {link[:80]!r}"
    with pytest.raises(Refused):
        add_note(record, COACH, "see link", link, LATER)
    assert record.notes == []


@pytest.mark.parametrize(
    "link", ["https://docs.example.org/plan", "http://intranet.hazel.test:8080/unit?x=1#top", "https://drive.example.org/d/abc-123/view"]
)
def test_good_artifact_links_are_accepted(link: str) -> None:
    record = partnership(Stage.co_plan)
    assert add_note(record, COACH, "see link", link, LATER).link == link


def test_the_refused_link_is_quoted_short() -> None:
    link = "javascript:" + "a" * 200
    with pytest.raises(Refused) as refusal:
        check_note(partnership(Stage.co_plan), COACH, "x", link)
    assert refusal.value.reason.endswith(repr(link[:80]))


# -- what a principal sees ---------------------------------------------------------------------


def test_the_building_view_has_stages_dates_and_counts_but_no_note_text() -> None:
    record = partnership(Stage.pending)
    unlock_coaching(record, T0)
    apply_move(record, COACH, Stage.initiate, LATER, "SECRET-MOVE-NOTE about Tia")
    add_note(record, PARTNER, "SECRET-NOTE-TEXT about the class", "https://docs.example.org/SECRET-LINK", LATER)
    add_note(record, COACH, "SECRET-NOTE-TWO", None, LATER)
    record.stall.stalled_since = LATER + timedelta(days=14)

    view = building_view(record)

    assert view.id == "ann--tia"
    assert view.school == "hazel"
    assert view.coach == COACH
    assert view.partners == [PARTNER, PARTNER_2]
    assert view.stage == Stage.initiate
    assert view.stage_since == LATER
    assert (view.cycle, view.cycles_completed) == (1, 0)
    assert view.moves == [(Stage.pending, Stage.initiate, LATER)]
    assert view.notes_count == 2
    assert view.stalled_since == LATER + timedelta(days=14)
    dumped = view.model_dump_json()
    assert "SECRET" not in dumped
    assert "notes" not in view.model_dump()


def test_only_reflect_to_initiate_starts_a_new_cycle() -> None:
    starting = [(s, t) for s in Stage for t in Stage if starts_new_cycle(s, t)]
    assert starting == [(Stage.reflect, Stage.initiate)]

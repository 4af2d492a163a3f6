"""Who may see what: the coach and teachers see their partnership, principals their building, coordinators their cohort."""

import pytest

from domain import access
from domain.access import Member, View, as_seen, is_coordinator, may_request_release, may_see_school, may_see_training, partnership_view
from domain.cohort import PartnershipSummary
from tests.roster_fixtures import ANN, BOB, COORDINATOR, PRINCIPAL, TED, TIA, small_roster

ROSTER = small_roster()


def member(email: str) -> Member:
    return Member.of(ROSTER, email) or Member(email=email, role="teacher")  # a stranger: in no partnership, no school


@pytest.mark.parametrize(
    ("email", "view"),
    [
        (ANN, View.partnership),  # the coach
        (TIA, View.partnership),  # the collaborating teacher
        (PRINCIPAL, View.building),  # the building's principal: stages, dates, counts
        (COORDINATOR, View.building),
        (BOB, None),  # another coach in the same school
        (TED, None),  # another teacher
        ("stranger@else.test", None),
    ],
)
def test_partnership_view(email: str, view: View | None) -> None:
    assert partnership_view(member(email), ANN, [TIA], "hazel") == view


def test_a_principal_of_another_school_sees_nothing() -> None:
    assert partnership_view(member(PRINCIPAL), ANN, [TIA], "elsewhere") is None
    assert not may_see_school(member(PRINCIPAL), "elsewhere")
    assert may_see_school(member(PRINCIPAL), "hazel")
    assert may_see_school(member(COORDINATOR), "hazel")
    assert not may_see_school(member(ANN), "hazel")


def test_training_is_seen_by_the_coach_and_coordinators() -> None:
    assert may_see_training(member(ANN), ANN)
    assert may_see_training(member(COORDINATOR), ANN)
    assert not may_see_training(member(BOB), ANN)
    assert not may_see_training(member(PRINCIPAL), ANN)


def test_who_may_ask_for_release_time() -> None:
    assert may_request_release(member(ANN)) and may_request_release(member(TIA))
    assert not may_request_release(member(PRINCIPAL))
    assert not may_request_release(member(COORDINATOR))
    assert is_coordinator(member(COORDINATOR)) and not is_coordinator(member(ANN))


def test_a_listed_partnership_shows_its_focus_to_its_own_people_only() -> None:
    listed = PartnershipSummary(id=ANN + "--tia", coach=ANN, partners=[TIA], school="hazel", focus="Grade 4 research")
    assert as_seen(listed, View.partnership).focus == "Grade 4 research"
    assert as_seen(listed, View.building).focus == ""
    assert as_seen(listed, View.building).stage == listed.stage


# -- the school's plan, self-assessment answers, year 2 -------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "writes", "reads"),
    [
        (ANN, True, True),  # the school's coaches and principal write it together
        (BOB, True, True),
        (PRINCIPAL, True, True),
        (COORDINATOR, False, True),  # coordinators read it
        (TIA, False, False),  # a collaborating teacher does not
        ("stranger@else.test", False, False),
    ],
)
def test_who_writes_and_reads_a_schools_plan(email: str, writes: bool, reads: bool) -> None:
    assert access.may_write_plan(member(email), "hazel") == writes
    assert access.may_read_plan(member(email), "hazel") == reads


def test_a_plan_is_its_own_schools() -> None:
    assert not access.may_write_plan(member(ANN), "elsewhere") and not access.may_read_plan(member(PRINCIPAL), "elsewhere")
    assert access.may_read_plan(member(COORDINATOR), "elsewhere")
    assert access.may_endorse_plan(member(PRINCIPAL), "hazel")
    assert not any(access.may_endorse_plan(member(e), "hazel") for e in (ANN, COORDINATOR))


@pytest.mark.parametrize(
    ("email", "sees"),
    [
        (TIA, True),  # their own
        (ANN, True),  # their coach
        (BOB, False),  # another coach of the school
        (TED, False),
        (PRINCIPAL, False),  # the principal sees the school's movement, not anyone's answers
        (COORDINATOR, False),
    ],
)
def test_self_assessment_answers_are_the_persons_and_their_coachs(email: str, sees: bool) -> None:
    assert access.may_see_answers(member(email), TIA, coaches=[ANN]) == sees


def test_who_self_assesses_and_whose_movement_each_sees() -> None:
    assert all(access.may_self_assess(member(e)) for e in (ANN, BOB, TIA, TED))
    assert not any(access.may_self_assess(member(e)) for e in (PRINCIPAL, COORDINATOR))
    assert access.movement_groups(member(PRINCIPAL)) == ["hazel"]
    assert access.movement_groups(member(COORDINATOR)) is None  # every group: the cohort, each school and school model
    assert access.movement_groups(member(ANN)) == [] and access.movement_groups(member(TIA)) == []


@pytest.mark.parametrize(
    ("email", "sees", "decides"),
    [(PRINCIPAL, True, True), (COORDINATOR, True, False), (ANN, False, False), (TIA, False, False)],
)
def test_the_principal_decides_year_two_and_coordinators_read_it(email: str, sees: bool, decides: bool) -> None:
    assert access.may_see_year_two(member(email), "hazel") == sees
    assert access.may_decide_year_two(member(email), "hazel") == decides
    assert not access.may_decide_year_two(member(email), "elsewhere")


def test_the_refusals_say_who_may() -> None:
    assert "coach" in access.ANSWERS_READERS and "principal" in access.YEAR_TWO_READERS
    assert "coordinators" in access.PLAN_READERS

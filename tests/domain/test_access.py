"""Who may see what: the coach and teachers see their partnership, principals their building, coordinators their cohort."""

import pytest

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

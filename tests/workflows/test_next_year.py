"""Next year's offering from a cohort's year-2 decisions, on Temporal's time-skipping server.

Hazel's principal continues Ann and her partnership with Tia, and concludes Bob. The office opens
next year's offering carrying the cohort over: Ann comes in already endorsed, with Tia going on with
her; Bob is thanked and not enrolled. Vancouver is decided early, and its cohort launches with Ann
and her partnership with Tia, without anyone typing a roster.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.testing import WorkflowEnvironment

from domain.applications import ApplicationStatus
from domain.problems import Refused
from domain.processes.enrollment_requests import EarlySiteDecision
from domain.roster import Role
from domain.year_two import YearTwoChoice, coach_subject, partnership_subject
from peercoach.enrollment_client import EnrollmentClient
from store import members, read_model, school_year
from store.next_year import carried_over
from tests.conftest import eventually, program_starting
from tests.offering_fixtures import OFFICE, spring
from tests.roster_fixtures import ANN, ANN_TIA, BOB, BOB_TED, COORDINATOR, PRINCIPAL, TIA, small_roster


async def test_continuing_coaches_and_partnerships_carry_over_into_next_years_cohort(time_env: WorkflowEnvironment, harness) -> None:  # type: ignore[no-untyped-def]
    h = harness(time_env.client)
    now = await time_env.get_current_time()
    program = program_starting((now + timedelta(days=2)).date())
    coaching = h.coaching()
    enrollment = EnrollmentClient(coaching)
    cohort = "hazel-year-one"
    async with h.worker():
        await coaching.launch_cohort(cohort, program, small_roster(), COORDINATOR)
        await coaching.wait_until_launched(cohort)
        await time_env.sleep(program.year_two_opens() - await time_env.get_current_time() + timedelta(hours=1))
        await eventually(lambda: h.sent("year_two_asked"))
        decide = [
            (coach_subject(ANN), YearTwoChoice.continue_, "Ann's grade teams ask for her"),
            (partnership_subject(ANN_TIA), YearTwoChoice.expand, "Tia brings her team"),
            (coach_subject(BOB), YearTwoChoice.conclude, "Bob returns to full-time teaching"),
            (partnership_subject(BOB_TED), YearTwoChoice.conclude, "Ted moves school"),
        ]
        for subject, choice, reason in decide:
            await coaching.decide_year_two(cohort, "hazel", PRINCIPAL, subject, choice, reason)
        await eventually(lambda: len(school_year.decisions(h.database, cohort).get("hazel", [])) == 4)

        offering = spring(await time_env.get_current_time(), opens_in=timedelta(0))
        with pytest.raises(Refused, match="no site 'esd-999'"):
            carried_over(h.database, cohort, offering, "esd-999")
        carry = carried_over(h.database, cohort, offering, "esd-112")
        [ann] = carry.returning
        assert (ann.email, ann.status, ann.returning, [t.email for t in ann.carried]) == (ANN, ApplicationStatus.endorsed, True, [TIA])
        assert [c.email for c in carry.concluded] == [BOB]

        await enrollment.open_offering(offering, [OFFICE], carry)
        await eventually(lambda: h.sent("coaching_concluded"))
        [thanks] = h.outbox.entries(kind="coaching_concluded")
        assert thanks.recipient == BOB and "Bob returns to full-time teaching" in thanks.body
        [decided] = await enrollment.decide_site(
            offering.id, EarlySiteDecision(site="esd-112", runs=True, reason="Returning coaches fill it", actor=OFFICE)
        )
        assert (decided.id, decided.status, decided.site) == (ann.id, ApplicationStatus.accepted, "esd-112")

        next_program = program_starting((await time_env.get_current_time() + timedelta(days=60)).date())
        await enrollment.launch_site(offering.id, "esd-112", "hazel-year-two", next_program, OFFICE)
        await coaching.wait_until_launched("hazel-year-two")
        coaches = members.people(h.database, "hazel-year-two", Role.coach).rows
        assert [p.email for p in coaches] == [ANN]
        [going_on] = read_model.find_partnerships(h.database, cohort="hazel-year-two").rows
        assert (going_on.coach, going_on.partners) == (ANN, [TIA])

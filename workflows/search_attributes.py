"""Custom search attributes, for operators: the Temporal UI and CLI list partnerships by cohort, school, coach, stage and stall.

The dev server needs them registered at start (`--search-attribute Name=Type`);
`workers` and the tests register exactly this list.
"""

from temporalio.common import SearchAttributeKey

COHORT = SearchAttributeKey.for_keyword("CoachingCohort")
SCHOOL = SearchAttributeKey.for_keyword("CoachingSchool")
COACH = SearchAttributeKey.for_keyword("CoachingCoach")
STAGE = SearchAttributeKey.for_keyword("CoachingStage")
STALLED = SearchAttributeKey.for_bool("CoachingStalled")

ALL: list[SearchAttributeKey] = [COHORT, SCHOOL, COACH, STAGE, STALLED]  # type: ignore[type-arg]

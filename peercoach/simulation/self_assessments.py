"""Self-assessment answers in the simulator, kept as the database keeps them (store/school_year.py) and counted as it counts them.

On Temporal the school's workflow has the answers sealed into the database before its process
counts them; here they are kept in memory, one row per person and round (a later answer in the
round replaces the earlier), and tier movement is the domain's `movement` over the collaborating
teachers who answered both rounds, grouped by school and by the school's model.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.roster import Role, Roster
from domain.tiers import EVERYONE, MODEL, Movement, Pair, Round, movement, withhold_differences


@dataclass(frozen=True, slots=True)
class Answered:
    school: str
    role: Role
    answers: dict[str, int]


class SelfAssessments:
    def __init__(self, roster: Roster):
        self.models = {s.id: s.model.value for s in roster.schools}
        self._rows: dict[tuple[str, Round], Answered] = {}

    def record(self, school: str, email: str, role: Role, round: Round, answers: dict[str, int]) -> None:
        self._rows[(email, round)] = Answered(school=school, role=role, answers=dict(answers))

    def assessed_counts(self) -> dict[str, dict[Round, int]]:
        """How many answered each round, by school."""
        found: dict[str, dict[Round, int]] = {}
        for (_, round), row in self._rows.items():
            counts = found.setdefault(row.school, {Round.pre: 0, Round.post: 0})
            counts[round] += 1
        return found

    def tier_movement(self) -> dict[str, Movement]:
        """Movement over the cohort (`EVERYONE`), each school (by id) and each school model (`model:<name>`), as
        `store.school_year.tier_movement` gives it: with the groups a difference would give away withheld."""
        by_person: dict[str, dict[Round, Answered]] = {}
        for (email, round), row in sorted(self._rows.items()):
            if row.role == Role.teacher:
                by_person.setdefault(email, {})[round] = row
        pairs = [
            Pair(pre=both[Round.pre].answers, post=both[Round.post].answers, groups=_groups(both[Round.post].school, self.models))
            for both in by_person.values()
            if len(both) == 2
        ]
        return withhold_differences(movement(pairs, EVERYONE), self.models)


def _groups(school: str, models: dict[str, str]) -> list[str]:
    return [school, f"{MODEL}{models.get(school)}"]

"""An offering for tests: three small sites in Washington, and a library association's scholarship, one per region."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.applications import ApplicationForm
from domain.offering import Offering

OFFICE = "office@wlma.test"


def spring(now: datetime, opens_in: timedelta = timedelta(days=2)) -> Offering:
    """Three sites, one scholarship fund; the window opens `opens_in` from `now` and closes 30 days after `now`."""
    return Offering.model_validate(
        {
            "id": "tl-2027",
            "name": "Teacher Librarian Peer Coaching 2027",
            "school_year": f"{now.year}-{now.year + 1}",
            "timezone": "UTC",
            "opens": (now + opens_in).date(),
            "deadline": (now + timedelta(days=30)).date(),
            "reminder_days": 7,
            "fee": {"amount": 799, "currency": "USD"},
            "sites": [
                {"id": "esd-112", "name": "ESD 112, Vancouver", "region": "southwest", "minimum": 2, "maximum": 3},
                {"id": "esd-113", "name": "ESD 113, Olympia", "region": "capital", "minimum": 2, "nearby": ["esd-112"]},
                {"id": "esd-101", "name": "ESD 101, Spokane", "region": "northeast", "minimum": 2},
            ],
            "scholarships": [
                {"id": "wlma", "offered_by": "WLMA", "count": 14, "amount": 500, "rule": "one_per_region", "members_only": True}
            ],
            "commitment": {"release_days_per_teacher": 2, "planning_time": "Weekly common planning", "coach_fte": 0.5},
        }
    )


def form(n: int, site: str, region: str, school: str, **changes: object) -> ApplicationForm:
    fields: dict[str, object] = {
        "name": f"Applicant {n}",
        "email": f"a{n}@schools.test",
        "school": school,
        "district": "Evergreen",
        "region": region,
        "role": "teacher_librarian",
        "site": site,
        "why": f"Applicant {n} wants their colleagues to find the library's research tools",
        "principal_name": f"Principal of {school}",
        "principal_email": f"principal.{school.split()[0].lower()}@schools.test",
    }
    return ApplicationForm.model_validate(fields | changes)

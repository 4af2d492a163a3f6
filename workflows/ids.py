"""Workflow ids: one place that says how each entity is found in Temporal."""


def cohort_id(cohort: str) -> str:
    return f"cohort/{cohort}"


def training_id(cohort: str, coach: str) -> str:
    return f"training/{cohort}/{coach}"


def partnership_id(cohort: str, partnership: str) -> str:
    return f"partnership/{cohort}/{partnership}"


def ledger_id(cohort: str, school: str) -> str:
    return f"release/{cohort}/{school}"


def school_id(cohort: str, school: str) -> str:
    """A school's year: its plan, its people's self-assessments, its principal's year-2 decision."""
    return f"school/{cohort}/{school}"


def enrollment_id(offering: str) -> str:
    """An offering's spring: its applications, endorsements, site decisions and scholarships."""
    return f"enrollment/{offering}"


def parse(workflow_id: str) -> tuple[str, str, str]:
    """(kind, cohort, key) of an id made above; a cohort's own id has an empty key."""
    kind, _, rest = workflow_id.partition("/")
    cohort, _, key = rest.partition("/")
    return kind, cohort, key

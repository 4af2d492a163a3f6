"""Small rosters for tests, built through the real CSV loader."""

from domain.roster import Roster, parse_roster_csv

HEADER = "name,email,role,school,district,school_model,coach,partnership,focus,school_goal\n"

SMALL = (
    HEADER
    + """\
Cora Ordinator,cora@esd.test,coordinator,,ESD,,,,,
Pat Principal,pat@hazel.test,principal,Hazel,Vancouver,part-time,,,,
Ann Coach,ann@hazel.test,coach,Hazel,Vancouver,,,,,
Bob Coach,bob@hazel.test,coach,Hazel,Vancouver,,,,,
Tia Teacher,tia@hazel.test,teacher,Hazel,Vancouver,,ann@hazel.test,,Research projects,Writing
Ted Teacher,ted@hazel.test,teacher,Hazel,Vancouver,,bob@hazel.test,,Spreadsheets in science,
"""
)

COORDINATOR = "cora@esd.test"
PRINCIPAL = "pat@hazel.test"
ANN, BOB, TIA, TED = "ann@hazel.test", "bob@hazel.test", "tia@hazel.test", "ted@hazel.test"
ANN_TIA, BOB_TED = "ann--tia", "bob--ted"


def small_roster() -> Roster:
    return parse_roster_csv(SMALL, "small.csv")


def many_coaches(coaches: int, schools: int = 5) -> Roster:
    return parse_roster_csv(many_coaches_csv(coaches, schools), "many.csv")


def many_coaches_csv(coaches: int, schools: int = 5) -> str:
    """A roster file: a coordinator, a principal per school, and each coach with one collaborating teacher."""
    rows = [HEADER.strip(), "Cora Ordinator,cora@esd.test,coordinator,,ESD,,,,,"]
    for s in range(schools):
        rows.append(f"Principal {s},principal{s}@school{s}.test,principal,School {s},District,part-time,,,,")
    for c in range(coaches):
        s = c % schools
        rows.append(f"Coach {c},coach{c}@school{s}.test,coach,School {s},District,,,,,")
        rows.append(f"Teacher {c},teacher{c}@school{s}.test,teacher,School {s},District,,coach{c}@school{s}.test,,Focus {c},")
    return "\n".join(rows) + "\n"

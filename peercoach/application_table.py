"""An offering's applications as a table: the headings in people's words and each application's cells, the same
in `peercoach applications list` (table, CSV, Excel) and in the office's downloads on the web. Never the essay:
that is on the application's own page."""

from __future__ import annotations

from domain.office_view import ApplicationLine
from domain.words import label
from peercoach.report.sheets import number
from web.downloads import Cell

HEADINGS = [
    "Application",
    "Name",
    "Email",
    "School",
    "District",
    "Region",
    "Role",
    "Site chosen",
    "Placed at",
    "Status",
    "Where it stands",
    "Principal's email",
    "Endorsed",
    "Scholarship asked for",
    "Scholarship awarded",
    "Fee due",
    "Paid",
    "Returning coach",
]


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def cells(line: ApplicationLine) -> list[Cell]:
    """One application's cells, in the order of HEADINGS: money as numbers (799, 299.5), flags as yes or no."""
    a = line
    return [
        a.id,
        a.name,
        a.email,
        a.school,
        a.district,
        a.region,
        label(a.role),
        a.chose,
        a.site,
        a.status,
        a.standing,
        a.principal,
        _yes(a.endorsed),
        a.scholarship_asked,
        a.scholarship,
        number(float(a.fee_due)),
        number(float(a.paid)),
        _yes(a.returning),
    ]

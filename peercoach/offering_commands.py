"""`peercoach offering ...`: the program office checks a year's offering file before it opens the window."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from domain.offering import Offering, load_offering
from peercoach.invocation import UserError
from peercoach.output import console, table

offering_app = typer.Typer(help="A year's offering: sites, fee, scholarships and the application window.", no_args_is_help=True)


def read_offering(path: Path) -> Offering:
    """The offering file as the domain reads it; a problem names the file and the field (and exits 1)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise UserError(f"cannot read the offering file {path}: {err.strerror or err}") from None
    except UnicodeDecodeError:
        raise UserError(f"{path} is not UTF-8 text; save it as UTF-8 (it is YAML, see samples/offering.yaml)") from None
    return load_offering(text, str(path))


@offering_app.command("check")
def check(file: Annotated[Path, typer.Argument(help="The offering file (YAML), such as samples/offering.yaml.")]) -> None:
    """Check an offering file without opening anything: every problem with its field, or what the offering holds."""
    o = read_offering(file)
    fee = f"{o.fee.amount} {o.fee.currency}"
    console.print(
        f"{o.name} ({o.id}), {o.school_year}: applications from {o.opens:%A %B %-d, %Y} to the end of "
        f"{o.deadline:%A %B %-d, %Y} ({o.timezone}); {fee} per participant.",
        markup=False,
    )
    sites = [[s.id, s.name, s.region, str(s.minimum), str(s.maximum or "none"), ", ".join(s.nearby) or "-"] for s in o.sites]
    console.print(table("Sites (each runs at its minimum)", ["site", "name", "region", "minimum", "maximum", "offered instead"], sites))
    funds = [
        [f.id, f.offered_by, str(f.count), f"{f.amount} {o.fee.currency}", f.rule.label, "members" if f.members_only else "anyone"]
        for f in o.scholarships
    ]
    if funds:
        console.print(table("Scholarship funds", ["fund", "offered by", "count", "amount", "awarded", "for"], funds))
    c = o.commitment
    console.print(
        f"A school commits {c.release_days_per_teacher:g} release day(s) per collaborating teacher, {c.coach_fte:g} FTE of a coach, "
        f"and {c.planning_time}. Second-year coaches attend sessions {', '.join(map(str, o.second_year_sessions))}.",
        markup=False,
    )

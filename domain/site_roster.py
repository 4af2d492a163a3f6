"""A running site's cohort, from its accepted applications: the roster a coordinator would otherwise retype.

Each accepted applicant is a coach; the principal who endorsed them, their school's principal (the
first endorsement of a school names it, with the model it chose); the program office coordinates.
A returning coach's collaborating teachers go on with them as partnerships. The roster is built by
the same rules as an uploaded one, so a clash (one email in two roles) is named by application.
"""

from __future__ import annotations

from domain.applications import ApplicationStatus, default_school_model
from domain.offering_record import OfferingRecord
from domain.roster import Roster, _build, _Item, name_key


def roster_for(record: OfferingRecord, site: str) -> Roster:
    accepted = sorted(record.at_site(site, ApplicationStatus.accepted), key=lambda a: a.number)
    items = [_Item(row="the program office", values={"name": e, "email": e, "role": "coordinator"}) for e in record.office]
    schools: set[tuple[str, str]] = set()
    for a in accepted:
        f = a.form
        at = {"school": f.school, "district": f.district}
        items.append(_Item(row=f"application {a.id}", values={"name": f.name, "email": a.email, "role": "coach"} | at))
        if (name_key(f.school), name_key(f.district)) not in schools:
            schools.add((name_key(f.school), name_key(f.district)))
            model = (a.school_model or default_school_model(a.form.role)).value
            principal = {"name": f.principal_name, "email": f.principal_email, "role": "principal", "school_model": model}
            items.append(_Item(row=f"application {a.id} (its principal)", values=principal | at))
        for t in a.carried:
            teacher = {"name": t.name, "email": t.email, "role": "teacher", "coach": a.email, "focus": t.focus}
            items.append(_Item(row=f"application {a.id} (a teacher going on)", values=teacher | at))
    return _build(f"the accepted applications of {site}", items, schools=None, partnerships=None)

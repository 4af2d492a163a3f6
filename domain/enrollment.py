"""Deciding an offering at its deadline: which sites run, who is placed where, and who gets a scholarship.

A site runs when at least its minimum of endorsed applicants chose it. Applicants are placed in
application order: at their site while it has room (its maximum); if their site does not run, at
the first of its nearby sites that runs and has room (or else a running site of the same region);
otherwise they are waitlisted, and every one of them is told why. Scholarships are awarded by each
fund's rule among the accepted applicants who asked for one, never more than the fund holds, and
an applicant who asked and did not get one is told why.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from pydantic import BaseModel

from domain.applications import Application, ApplicationStatus
from domain.offering import AwardRule, Offering, ScholarshipFund, Site
from domain.problems import Refused

REASON_MAX_CHARS = 300


class SiteDecision(BaseModel):
    site: str
    runs: bool
    applicants: int  # endorsed applicants who chose it when it was decided
    decided_by: str
    decided_at: datetime
    reason: str  # the office's, for a decision before the deadline; the rule's, at it


class Placement(BaseModel):
    application: str
    status: ApplicationStatus  # accepted or waitlisted
    site: str
    reason: str | None = None


class Award(BaseModel):
    application: str
    fund: str


class NotAwarded(BaseModel):
    application: str
    fund: str
    reason: str


def chose(offering: Offering, applications: list[Application]) -> Counter[str]:
    """Endorsed applicants by the site they chose."""
    return Counter(a.form.site for a in applications if a.status == ApplicationStatus.endorsed)


def decide_sites(
    offering: Offering, applications: list[Application], decided: dict[str, SiteDecision], actor: str, at: datetime
) -> dict[str, SiteDecision]:
    """Every site's decision: those the office made early stand; the rest by their minimum."""
    counts = chose(offering, applications)
    decisions = dict(decided)
    for site in offering.sites:
        if site.id in decisions:
            continue
        n, runs = counts[site.id], counts[site.id] >= site.minimum
        reason = f"{_count(n, 'endorsed applicant')}, {'at least' if runs else 'fewer than'} its minimum of {site.minimum}"
        decisions[site.id] = SiteDecision(site=site.id, runs=runs, applicants=n, decided_by=actor, decided_at=at, reason=reason)
    return decisions


def _alternatives(offering: Offering, site: Site) -> list[Site]:
    named = [offering.site(s) for s in site.nearby]
    same_region = [s for s in offering.sites if s.region == site.region and s.id != site.id and s not in named]
    return named + same_region


def place(offering: Offering, applications: list[Application], decisions: dict[str, SiteDecision]) -> list[Placement]:
    """Every endorsed application placed, in application order."""
    taken: Counter[str] = Counter(a.site for a in applications if a.status == ApplicationStatus.accepted and a.site)

    def room(site: Site) -> bool:
        return decisions[site.id].runs and (site.maximum is None or taken[site.id] < site.maximum)

    placements = []
    for a in sorted((a for a in applications if a.status == ApplicationStatus.endorsed), key=lambda a: a.number):
        chosen = offering.site(a.form.site)
        if room(chosen):
            placements.append(Placement(application=a.id, status=ApplicationStatus.accepted, site=chosen.id))
            taken[chosen.id] += 1
            continue
        if decisions[chosen.id].runs:  # it runs, and is full
            why = f"{chosen.name} is full ({chosen.maximum} places); you are first in line if a place comes free"
            placements.append(Placement(application=a.id, status=ApplicationStatus.waitlisted, site=chosen.id, reason=why))
            continue
        not_running = f"{chosen.name} does not run this year ({decisions[chosen.id].reason})"
        offered = next((s for s in _alternatives(offering, chosen) if room(s)), None)
        if offered is None:
            why = f"{not_running}, and no nearby site has room; you are on the waiting list"
            placements.append(Placement(application=a.id, status=ApplicationStatus.waitlisted, site=chosen.id, reason=why))
            continue
        why = f"{not_running}; you are offered {offered.name} instead (withdraw if you cannot attend there)"
        placements.append(Placement(application=a.id, status=ApplicationStatus.accepted, site=offered.id, reason=why))
        taken[offered.id] += 1
    return placements


def next_in_line(offering: Offering, applications: list[Application], decisions: dict[str, SiteDecision], freed: str) -> Application | None:
    """Who takes a place that came free at `freed`: the first waitlisted, in application order, who waits for that site,
    or whose own site does not run and would have been offered it."""
    for a in sorted((a for a in applications if a.status == ApplicationStatus.waitlisted and a.site), key=lambda a: a.number):
        own = decisions.get(str(a.site))
        offered = own is not None and not own.runs and freed in [s.id for s in _alternatives(offering, offering.site(str(a.site)))]
        if a.site == freed or offered:
            return a
    return None


def _eligible(fund: ScholarshipFund, a: Application) -> str | None:
    """Why `a` cannot have one from `fund`, or None."""
    if a.form.scholarship != fund.id:
        return "did not ask for this scholarship"
    if fund.members_only and not a.form.member:
        return f"the {fund.offered_by} scholarship is for {fund.offered_by} members"
    if a.status != ApplicationStatus.accepted:
        return "scholarships go to accepted applicants"
    if a.scholarship is not None:
        return "already awarded one"
    return None


def award(offering: Offering, fund: ScholarshipFund, applications: list[Application]) -> tuple[list[Award], list[NotAwarded]]:
    """A fund's awards by its rule (the office's choice is `check_choice`); everyone who asked and missed out hears why."""
    asked = sorted((a for a in applications if a.form.scholarship == fund.id), key=lambda a: a.number)
    left = fund.count - sum(1 for a in applications if a.scholarship == fund.id)
    awards: list[Award] = []
    missed: list[NotAwarded] = []
    regions_served = {a.form.region for a in applications if a.scholarship == fund.id}
    for a in asked:
        why = _eligible(fund, a)
        if why is None and fund.rule == AwardRule.office_choice:
            why = f"the {fund.offered_by} scholarships are awarded by the program office's choice; it has not chosen yet"
        if why is None and left <= 0:
            why = f"the {fund.count} {fund.offered_by} scholarships are all awarded"
        if why is None and fund.rule == AwardRule.one_per_region and a.form.region in regions_served:
            why = f"the {fund.offered_by} scholarship is one per region, and {a.form.region}'s went to an earlier application"
        if why is not None:
            if a.scholarship != fund.id and a.status == ApplicationStatus.accepted:
                missed.append(NotAwarded(application=a.id, fund=fund.id, reason=why))
            continue
        awards.append(Award(application=a.id, fund=fund.id))
        regions_served.add(a.form.region)
        left -= 1
    return awards, missed


def check_choice(fund: ScholarshipFund, chosen: list[Application], applications: list[Application]) -> None:
    """The office's own awards: each eligible, and never more than the fund holds."""
    for a in chosen:
        why = _eligible(fund, a)
        if why is not None:
            raise Refused(f"{a.id} ({a.form.name}) cannot have the {fund.offered_by} scholarship: {why}")
    already = sum(1 for a in applications if a.scholarship == fund.id)
    if already + len(chosen) > fund.count:
        held, awarded = _count(fund.count, "scholarship"), "1 is" if already == 1 else f"{already} are"
        raise Refused(f"the {fund.offered_by} fund holds {held}; {awarded} awarded, so at most {fund.count - already} more")


def check_site_decision(
    offering: Offering, site_id: str, runs: bool, reason: str, applications: list[Application], decided: dict[str, SiteDecision]
) -> None:
    """The office decides a site before the deadline, with a reason."""
    known = {s.id for s in offering.sites}
    if site_id not in known:
        raise Refused(f"there is no site {site_id!r}; the sites are {', '.join(sorted(known))}")
    if site_id in decided:
        d = decided[site_id]
        raise Refused(f"{offering.site(site_id).name} was decided on {d.decided_at:%B %-d, %Y} ({'runs' if d.runs else 'does not run'})")
    _reason(reason)
    site, n = offering.site(site_id), chose(offering, applications)[site_id]
    if runs and site.maximum is not None and n > site.maximum:
        raise Refused(
            f"{site.name} has {n} endorsed applicants, more than its maximum of {site.maximum}; "
            "raise the maximum, or decide it at the deadline (those beyond the maximum are waitlisted)"
        )


def check_extension(deadline: date, new: date, today: date, reason: str) -> None:
    if new <= deadline:
        raise Refused(f"an extended deadline is after the current one ({deadline:%B %-d, %Y})")
    if new < today:
        raise Refused(f"{new:%B %-d, %Y} has passed")
    _reason(reason)


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}" + ("" if n == 1 else "s")


def _reason(reason: str) -> None:
    if not reason.strip():
        raise Refused("give a reason: it is kept with the change, and applicants read why a site does not run")
    if len(reason) > REASON_MAX_CHARS:
        raise Refused(f"a reason is at most {REASON_MAX_CHARS} characters")

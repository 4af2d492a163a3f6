"""The year-end report for a cohort's coordinators: a page with its charts, and downloads in each format.

Tier movement is counted from the sealed self-assessments, so each request hands the report the
engine's sealer; the report keeps only counts."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from domain.report import YearReport
from peercoach.report import ReportFormat, charts, page
from peercoach.report.formats import MEDIA, rendered
from web.frame import SignedIn, engine
from web.frame import page as render
from web.visitor import Visitor

router = APIRouter()

CHARTS = {
    "attendance": charts.attendance,
    "cycles": charts.cycles_per_month,
    "release": charts.release_days,
    "tiers": charts.tier_movement,
}


async def _report(request: Request, visitor: Visitor, cohort: str) -> YearReport:
    return await visitor.year_report(cohort, engine(request).sealer)


@router.get("/cohorts/{cohort}/report", response_class=HTMLResponse)
async def report_page(request: Request, visitor: SignedIn, cohort: str) -> Response:
    report = await _report(request, visitor, cohort)
    sources: dict[str, str | None] = {name: f"/cohorts/{cohort}/report/{name}.svg" for name in CHARTS}
    if not any(s.days_requested for s in report.schools):
        sources["release"] = None
    if not page.has_tier_chart(report):
        sources["tiers"] = None
    return render(request, "report.html", cohort=cohort, report=report, body=page.body(report, sources), formats=list(ReportFormat))


@router.get("/cohorts/{cohort}/report/{chart}.svg")
async def report_chart(request: Request, visitor: SignedIn, cohort: str, chart: str) -> Response:
    draw = CHARTS.get(chart)
    if draw is None:
        return Response(status_code=404)
    return Response(charts.svg(draw(await _report(request, visitor, cohort))), media_type="image/svg+xml")


@router.get("/cohorts/{cohort}/report.{form}")
async def report_download(request: Request, visitor: SignedIn, cohort: str, form: ReportFormat) -> Response:
    report = await _report(request, visitor, cohort)
    made = rendered(report, form)
    name = f"{cohort}-report-{report.as_of:%Y-%m-%d}.{form.value}"
    return Response(made, media_type=MEDIA[form], headers={"Content-Disposition": f'attachment; filename="{name}"'})

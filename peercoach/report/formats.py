"""One report, made in the format asked for, with the media type it is served as."""

from __future__ import annotations

from domain.report import YearReport
from peercoach.report import ReportFormat, page, pdf, sheets

MEDIA = {
    ReportFormat.html: "text/html; charset=utf-8",
    ReportFormat.pdf: "application/pdf",
    ReportFormat.csv: "text/csv; charset=utf-8",
    ReportFormat.xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def rendered(report: YearReport, form: ReportFormat) -> bytes:
    if form == ReportFormat.pdf:
        return pdf.as_pdf(report)
    if form == ReportFormat.xlsx:
        return sheets.as_xlsx(report)
    return (sheets.as_csv(report) if form == ReportFormat.csv else page.standalone(report)).encode()

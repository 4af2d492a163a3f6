"""The year-end report in each format a district asks for: a page, PDF, CSV and an Excel workbook, with charts.

This module stays light (the formats' names only): the renderers import matplotlib and
fpdf2, which take seconds, so the command line imports them only to make a report.
"""

from enum import StrEnum


class ReportFormat(StrEnum):
    html = "html"
    pdf = "pdf"
    csv = "csv"
    xlsx = "xlsx"

"""A coach's portfolio as a page, a file of HTML to keep, and a PDF: one template for the page and the HTML file,
fpdf2 for the PDF, both from the same `domain.portfolio.Portfolio`.

This module stays light: the PDF's renderer imports fpdf2, which only an export needs.
"""

from enum import StrEnum


class PortfolioFormat(StrEnum):
    html = "html"
    pdf = "pdf"


MEDIA = {PortfolioFormat.html: "text/html; charset=utf-8", PortfolioFormat.pdf: "application/pdf"}

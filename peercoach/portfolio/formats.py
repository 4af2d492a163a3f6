"""One portfolio, made in the format asked for."""

from __future__ import annotations

from domain.portfolio import Portfolio
from peercoach.portfolio import PortfolioFormat, page, pdf


def rendered(portfolio: Portfolio, form: PortfolioFormat, timezone: str) -> bytes:
    if form == PortfolioFormat.pdf:
        return pdf.as_pdf(portfolio, timezone)
    return page.standalone(portfolio, timezone).encode()

"""The portfolio as a PDF for an evaluation file or a job application: the same sections as the page.

fpdf2 writes it in pure Python, in DejaVu Sans as the year-end report is (`peercoach/report/pdf.py`), so names and
words in Latin, Greek or Cyrillic script print as written.
"""

from __future__ import annotations

from fpdf import FPDF

from domain.portfolio import Portfolio
from domain.words import label
from peercoach.portfolio.page import on, title
from peercoach.report.pdf import FONTS


class PortfolioPdf(FPDF):
    def __init__(self, portfolio: Portfolio):
        super().__init__(format="A4")
        self.portfolio = portfolio
        self.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_font("DejaVu", size=10)
        self.set_auto_page_break(auto=True, margin=15)
        self.set_title(title(portfolio))
        self.set_author(portfolio.coach_name)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", size=8)
        p = self.portfolio
        self.cell(0, 6, f"{p.coach_name} · coaching portfolio · {p.program} {p.school_year} · page {self.page_no()}", align="C")
        self.set_font("DejaVu", size=10)

    def heading(self, text: str, size: int = 14) -> None:
        self.ln(3)
        self.set_font("DejaVu", "B", size)
        self.multi_cell(0, 7 if size < 14 else 8, text, new_x="LMARGIN", new_y="NEXT")
        self.set_font("DejaVu", size=10)

    def words(self, text: str, link: str = "") -> None:
        self.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT", link=link)
        self.ln(1)


def as_pdf(portfolio: Portfolio, timezone: str) -> bytes:
    p = portfolio
    pdf = PortfolioPdf(p)
    pdf.add_page()
    pdf.heading(f"{p.coach_name}: coaching portfolio", 16)
    where = f"{p.program} {p.school_year}" + (f" · {p.school}" if p.school else "")
    pdf.words(where + (f" · last changed {on(p.updated_at, timezone)}" if p.updated_at else ""))

    if p.summary:
        pdf.heading("Summary")
        for paragraph in p.summary.split("\n\n"):
            pdf.words(paragraph)

    if p.plan:
        plan = p.plan
        pdf.heading(f"{plan.school}: the school's coaching plan")
        pdf.words(f"Endorsed on {on(plan.endorsed_at, timezone)}" if plan.endorsed_at else f"Status: {plan.status}")
        pdf.heading("The school improvement goals the coaching serves", 11)
        for n, goal in enumerate(plan.goals, 1):
            pdf.words(f"{n}. {goal}")
        pdf.heading("The coaches' roles and responsibilities", 11)
        pdf.words(plan.roles)
        pdf.heading("How the staff hear of it", 11)
        pdf.words(plan.communication)

    if p.cycles:
        pdf.heading("Coaching cycles")
        for c in p.cycles:
            pdf.heading(f"{c.focus}: cycle {c.cycle}", 12)
            ended = "in progress"
            if c.ended:
                ended = f"{'completed' if c.complete else 'ended'} {on(c.ended, timezone)}"
            pdf.words(f"{c.with_whom.capitalize()} · began {on(c.started, timezone)}, {ended}")
            if c.school_goal:
                pdf.words(f"School goal: {c.school_goal}")
            if c.goal:
                pdf.words(f"Goal ({c.goal.lesson}): {c.goal.goal}")
                if c.goal.outcome:
                    pdf.words(f"Outcome: {label(c.goal.outcome)}" + (f". Evidence: {c.goal.evidence}" if c.goal.evidence else ""))
                else:
                    pdf.words("No outcome recorded yet.")
            else:
                pdf.words("This cycle named no goal.")
            if c.reflections:
                pdf.heading("Reflections", 11)
                for r in c.reflections:
                    pdf.words(f"{on(r.at, timezone)}, {r.stage.label}: {r.text}")
                    if r.link:
                        pdf.words(r.link, link=r.link)

    if p.artifacts:
        pdf.heading("Artifacts")
        for a in p.artifacts:
            name = a.title + (f" ({a.file_name})" if a.file_name else "")
            where = f"{p.titles.get(a.partnership, a.partnership)}, cycle {a.cycle}, {a.stage.label}"
            pdf.words(f"{name} · {where}", link=(a.link if a.kind == "link" and a.link else a.download) or "")

    if p.help_given:
        pdf.heading("Just-in-time help")
        pdf.words(f"Just-in-time help given: {p.help_given}")

    if p.empty:
        pdf.words("Nothing is in this portfolio yet.")
    return bytes(pdf.output())

"""What applicants, principals and the program office ask of an offering's enrollment process
(`domain/processes/enrollment.py`), as its workflow's Updates take them. Each names who acts: the email a signed
link was sent to, or a person of the program office (the door has checked which)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field

from domain.applications import PaymentMethod
from domain.enrollment import REASON_MAX_CHARS
from domain.roster import SchoolModel


class EmailConfirmation(BaseModel):
    application: str
    actor: str  # the email the signed link was sent to


class EndorsementAnswer(BaseModel):
    application: str
    actor: str  # the principal's email, from their signed link
    endorse: bool
    school_model: SchoolModel | None = None  # how the school will staff coaching; by the applicant's role if not said
    reason: str | None = Field(default=None, max_length=REASON_MAX_CHARS)  # for a decline: the applicant reads it


class ApplicationWithdrawal(BaseModel):
    application: str
    actor: str


class PaymentEntry(BaseModel):
    application: str
    method: PaymentMethod
    reference: str
    amount: Decimal
    actor: str


class DeadlineExtension(BaseModel):
    deadline: date
    reason: str
    actor: str


class EarlySiteDecision(BaseModel):
    site: str
    runs: bool
    reason: str
    actor: str


class ScholarshipChoice(BaseModel):
    fund: str
    applications: list[str] = Field(min_length=1)
    actor: str


class SiteLaunched(BaseModel):
    site: str
    cohort: str
    actor: str

"""What the workflows know of the activities (they live in another layer): names, and the orders they send."""

from typing import Any

from pydantic import BaseModel

from domain.cohort import PartnershipSummary, TrainingSummary
from domain.roster import Person

SEND_NOTICE = "send_notice"
BOOK_SUBSTITUTE = "book_substitute"
START_WORKFLOWS = "start_workflows"
PUBLISH_TRAINING = "publish_training"
PUBLISH_PARTNERSHIP = "publish_partnership"
PUBLISH_LEDGER = "publish_ledger"
RECORD_PARTICIPANT = "record_participant"
RECORD_WITHDRAWAL = "record_withdrawal"


class WorkflowStart(BaseModel):
    """One workflow to start by id (type name, input as JSON, keyword search attributes by name)."""

    workflow: str
    id: str
    task_queue: str
    input: dict[str, Any]
    attributes: dict[str, str]


class TrainingPublished(BaseModel):
    cohort: str
    summary: TrainingSummary


class PartnershipPublished(BaseModel):
    cohort: str
    summary: PartnershipSummary


class ParticipantAdded(BaseModel):
    cohort: str
    person: Person
    by: str


class ParticipantWithdrawn(BaseModel):
    cohort: str
    email: str
    by: str

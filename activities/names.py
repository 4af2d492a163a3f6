"""What the workflows know of the activities (they live in another layer): names, and the orders they send."""

from pydantic import BaseModel

from domain.applications import Application
from domain.cohort import PartnershipSummary, TrainingSummary
from domain.help import HelpRecord
from domain.launch import LaunchBatch
from domain.processes.cohort import SessionMove
from domain.processes.training import SessionChanged
from domain.roster import Partnership, Person, Role
from domain.tiers import Round

SEND_NOTICE = "send_notice"
BOOK_SUBSTITUTE = "book_substitute"
START_COHORT_WORKFLOWS = "start_cohort_workflows"
CLOSE_LEDGERS = "close_ledgers"
PUBLISH_TRAINING = "publish_training"
PUBLISH_PARTNERSHIP = "publish_partnership"
PUBLISH_LEDGER = "publish_ledger"
RECORD_PARTICIPANT = "record_participant"
RECORD_PARTNERSHIP = "record_partnership"
RECORD_WITHDRAWAL = "record_withdrawal"
RECORD_SESSION_MOVE = "record_session_move"
TELL_TRAININGS = "tell_trainings"
SUMMARIZE_COHORT = "summarize_cohort"
PUBLISH_SCHOOL = "publish_school"
RECORD_SELF_ASSESSMENT = "record_self_assessment"
PUBLISH_APPLICATIONS = "publish_applications"
RECORD_ESSAY = "record_essay"

# The workflow types a cohort starts, by name: the activity that starts them lives in another layer.
LEDGER_WORKFLOW = "ReleaseLedgerWorkflow"
TRAINING_WORKFLOW = "TrainingWorkflow"
PARTNERSHIP_WORKFLOW = "PartnershipWorkflow"
SCHOOL_WORKFLOW = "SchoolWorkflow"


class CohortStarts(BaseModel):
    """Start a batch of a cohort's workflows (each is idempotent by its workflow id)."""

    cohort: str
    task_queue: str
    batch: LaunchBatch


class TrainingPublished(BaseModel):
    cohort: str
    summary: TrainingSummary


class PartnershipPublished(BaseModel):
    cohort: str
    summary: PartnershipSummary


class ParticipantToRecord(BaseModel):
    cohort: str
    person: Person
    by: str


class PartnershipToRecord(BaseModel):
    cohort: str
    partnership: Partnership
    by: str


class SessionMoveToRecord(BaseModel):
    cohort: str
    move: SessionMove
    by: str


class TrainingsToTell(BaseModel):
    """A message for every coach's training year in the cohort."""

    cohort: str
    moved: SessionChanged


class WithdrawalToRecord(BaseModel):
    cohort: str
    email: str
    by: str
    reason: str = ""


class AnswersToRecord(BaseModel):
    """A person's self-assessment, to seal into the database (never into the read model)."""

    cohort: str
    school: str
    email: str
    role: Role
    round: Round
    answers: dict[str, int]


class EssayToRecord(BaseModel):
    """Why an applicant wants to coach: kept in the database only, not in the enrollment workflow's record."""

    offering: str
    application: Application  # as the workflow recorded it: the row begins here
    why: str


RECORD_HELP_REQUEST = "record_help_request"


class HelpToRecord(BaseModel):
    """A help request's record to write to its row, and the answer to seal there when it is answered."""

    record: HelpRecord
    answer: str | None = None

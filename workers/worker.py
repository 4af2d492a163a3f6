"""The worker: connection, registration, data converter, and a clean shutdown."""

from __future__ import annotations

import asyncio
import gc
import signal
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import structlog
from temporalio.client import Client, ScheduleAlreadyRunningError, ScheduleUpdate, ScheduleUpdateInput
from temporalio.converter import DataConverter
from temporalio.service import RPCError, TLSConfig
from temporalio.worker import Replayer, Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.enrollment import EnrollmentActivities
from activities.help_requests import HelpActivities
from activities.meetings import MeetingActivities
from activities.notifications import Links, Mailer, NoticeActivities
from activities.read_model import ReadModelActivities
from activities.school_year import SchoolYearActivities
from activities.substitutes import LocalSubstituteDesk, SubstituteActivities, SubstituteDesk
from activities.workflow_starts import WorkflowStarts
from store.database import Database
from store.outbox import Outbox
from store.sealed import Sealer
from web.session import secret_key
from workers.codec import data_converter, key_ring
from workers.plaintext import PlaintextGuard, worker_client, worker_data_converter
from workers.settings import Settings
from workflows.cohort import CohortWorkflow
from workflows.digest import DigestWorkflow, digest_schedule, schedule_id
from workflows.enrollment import EnrollmentWorkflow
from workflows.help_request import HelpRequestWorkflow
from workflows.meeting import MeetingWorkflow
from workflows.partnership import PartnershipWorkflow
from workflows.release_ledger import ReleaseLedgerWorkflow
from workflows.school import SchoolWorkflow
from workflows.training import TrainingWorkflow

log = structlog.get_logger()

WORKFLOWS = [
    CohortWorkflow,
    TrainingWorkflow,
    PartnershipWorkflow,
    ReleaseLedgerWorkflow,
    SchoolWorkflow,
    DigestWorkflow,
    EnrollmentWorkflow,
    HelpRequestWorkflow,
    MeetingWorkflow,
]

# The domain (and python-statemachine, which imports parts of itself lazily) is
# pure and deterministic: share it with the sandbox instead of re-importing it
# for every workflow run.
PASSTHROUGH = ("domain", "statemachine", "pydantic", "pydantic_core", "annotated_types", "yaml", "zoneinfo")


def workflow_runner() -> SandboxedWorkflowRunner:
    return SandboxedWorkflowRunner(restrictions=SandboxRestrictions.default.with_passthrough_modules(*PASSTHROUGH))


async def connect(settings: Settings) -> Client:
    tls: TLSConfig | bool = settings.tls
    if settings.tls_client_cert and settings.tls_client_key:
        tls = TLSConfig(client_cert=settings.tls_client_cert.read_bytes(), client_private_key=settings.tls_client_key.read_bytes())
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.namespace,
        tls=tls,
        api_key=settings.api_key.get_secret_value() if settings.api_key else None,
        data_converter=data_converter(key_ring(settings)),
    )


def create_worker(
    client: Client,
    settings: Settings,
    database: Database | None = None,
    desk: SubstituteDesk | None = None,
    task_queue: str | None = None,
) -> Worker:
    mailer = Mailer(settings.smtp) if settings.smtp else None
    database = database or Database.open(settings.database)
    notices = NoticeActivities(Outbox(database), mailer, links(settings))
    substitutes = SubstituteActivities(desk or LocalSubstituteDesk(database))
    return Worker(
        worker_client(client, settings.refuse_plaintext),  # the same keys; marks and refuses unencrypted payloads
        task_queue=task_queue or settings.task_queue,
        workflows=WORKFLOWS,
        activities=[
            notices.send_notice,
            notices.held_recipients,
            notices.send_digest,
            substitutes.book_substitute,
            *cohort_activities(client, database),
            *school_activities(database, Sealer(key_ring(settings))),
            *enrollment_activities(database),
            HelpActivities(database, Sealer(key_ring(settings))).record_help_request,
            MeetingActivities(database).hold_meeting,
        ],
        workflow_runner=workflow_runner(),
        interceptors=[PlaintextGuard(settings.refuse_plaintext)],
        max_cached_workflows=settings.workflow_cache,
        max_concurrent_workflow_tasks=settings.workflow_tasks_at_once,
        graceful_shutdown_timeout=timedelta(seconds=10),
    )


def links(settings: Settings) -> Links:
    """The web app's address and secret, for the preferences and one-click unsubscribe links in messages:
    the worker signs with the web app's secret (PEERCOACH_WEB_SECRET, or the one kept in the data directory)."""
    configured = settings.web_secret.get_secret_value() if settings.web_secret else None
    return Links(web_url=settings.web_url, secret=secret_key(configured, settings.data_dir))


async def ensure_digest_schedule(client: Client, settings: Settings) -> None:
    """The daily digests' schedule, made if missing and brought to the settings' hour and zone if not: every worker
    that starts asks, so a district needs no step of its own, and two workers starting at once make one schedule."""
    schedule = digest_schedule(settings.task_queue, settings.digest_hour, settings.digest_timezone)

    def update(_: ScheduleUpdateInput) -> ScheduleUpdate:
        return ScheduleUpdate(schedule=schedule)

    try:
        try:
            await client.create_schedule(schedule_id(settings.task_queue), schedule)
        except ScheduleAlreadyRunningError:
            await client.get_schedule_handle(schedule_id(settings.task_queue)).update(update)
    except RPCError as err:  # the worker still carries out everything else; the next worker to start tries again
        log.error("the daily digests' schedule could not be made", schedule=schedule_id(settings.task_queue), error=err.message)


def cohort_activities(client: Client, database: Database) -> list[Callable[..., Any]]:
    """Starting and closing a cohort's workflows, and keeping the database in step with them."""
    starts, writes = WorkflowStarts(client, database), ReadModelActivities(database)
    return [
        starts.start_cohort_workflows,
        starts.close_ledgers,
        starts.tell_trainings,
        writes.publish_training,
        writes.publish_partnership,
        writes.publish_ledger,
        writes.record_participant,
        writes.record_partnership,
        writes.record_withdrawal,
        writes.record_session_move,
        writes.summarize_cohort,
    ]


def school_activities(database: Database, sealer: Sealer) -> list[Callable[..., Any]]:
    """A school's year in the database: its summary, and self-assessment answers sealed with the deployment's keys."""
    school = SchoolYearActivities(database, sealer)
    return [school.publish_school, school.record_self_assessment]


def enrollment_activities(database: Database) -> list[Callable[..., Any]]:
    """An offering's spring in the database: its state, its applications and their essays."""
    enrollment = EnrollmentActivities(database)
    return [enrollment.publish_applications, enrollment.record_essay]


def create_replayer(converter: DataConverter) -> Replayer:
    """Replays histories with the worker's workflows and sandbox; `converter` holds the keys the history was encrypted with."""
    # As the worker converts and refuses: a history that refused an unencrypted signal replays refusing it.
    return Replayer(
        workflows=WORKFLOWS,
        workflow_runner=workflow_runner(),
        data_converter=worker_data_converter(converter, refuse_plaintext=True),
        interceptors=[PlaintextGuard(refuse_plaintext=True)],
    )


async def run(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Run a worker until SIGINT/SIGTERM (or `stop` is set); in-flight activities get time to finish."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    client = await connect(settings)
    worker = create_worker(client, settings)
    log.info("worker started", address=settings.temporal_address, namespace=settings.namespace, task_queue=settings.task_queue)
    async with worker:
        await ensure_digest_schedule(client, settings)
        await stop.wait()
        log.info("worker stopping")
    # Drop the client before the loop ends: a Temporal client still referenced at exit can crash the interpreter
    # (PyGILState_Release, sdk-python issue 300).
    del worker, client
    gc.collect()
    await asyncio.sleep(0.2)
    log.info("worker stopped")

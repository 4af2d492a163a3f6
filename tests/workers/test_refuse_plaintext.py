"""A client without the key cannot put a note into Temporal's history: the worker refuses unencrypted payloads.

An Update is refused before it is accepted, so its note is stored nowhere. A signal or a start is
stored by the server before a worker sees it: those are dropped or failed (nobody without the key
drives a workflow), their text stays in the history, and every history still replays.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Sequence
from datetime import timedelta

import pytest
from temporalio import workflow
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client, WorkflowFailureError, WorkflowHandle, WorkflowQueryFailedError, WorkflowUpdateFailedError
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer, UnsandboxedWorkflowRunner, Worker
from temporalio.workflow import NondeterminismError

from domain.cycle import Stage
from domain.processes.partnership import PartnershipWithdrawn
from peercoach.local_temporal import temporal_binary
from tests.conftest import TEST_CONVERTER, TEST_KEYS
from tests.roster_fixtures import ANN, ANN_TIA, COORDINATOR
from tests.workers.test_codec import client_with, launch_with_ann_coaching, stored_payloads
from workers.codec import ENCRYPTED, PLAINTEXT, EncryptionCodec, data_converter
from workers.plaintext import REFUSE_PATCH, REFUSED, PlaintextGuard, worker_client, worker_data_converter
from workers.settings import Settings
from workers.worker import WORKFLOWS, create_replayer, create_worker, workflow_runner
from workflows import ids
from workflows.partnership import PartnershipWorkflow

NOT_ENCRYPTED = "not encrypted with the program's key"


async def settled(handle: WorkflowHandle) -> list[HistoryEvent]:  # type: ignore[type-arg]
    """The history once nothing the worker started (notices, read-model writes) is still adding to it."""
    events = list((await handle.fetch_history()).events)
    while True:
        await asyncio.sleep(0.5)
        again = list((await handle.fetch_history()).events)
        if len(again) == len(events):
            return again
        events = again


def anywhere(text: str, events: Sequence[HistoryEvent]) -> list[str]:
    """The events whose stored bytes hold `text`, however deep."""
    return [f"{e.event_id} {EventType.Name(e.event_type)}" for e in events if text.encode() in e.SerializeToString()]


def patch_markers(events: Sequence[HistoryEvent]) -> list[str]:
    """The patch ids the core recorded (workflow.patched): plaintext JSON the core writes, holding only the id."""
    return [
        json.loads(p.data)["id"]
        for e in events
        if e.marker_recorded_event_attributes.marker_name == "core_patch"
        for p in e.marker_recorded_event_attributes.details["patch-data"].payloads
    ]


async def refusal_recorded(handle: WorkflowHandle, seconds: float = 10) -> None:  # type: ignore[type-arg]
    deadline = asyncio.get_running_loop().time() + seconds
    while not patch_markers((await handle.fetch_history()).events):
        assert asyncio.get_running_loop().time() < deadline, "the signal was not refused"
        await asyncio.sleep(0.1)


async def test_an_update_without_the_key_is_refused_and_its_note_stored_nowhere(
    dev_env: WorkflowEnvironment, harness, dev_cohort: str
) -> None:  # type: ignore[no-untyped-def]
    h = harness(dev_env.client)
    assert h.settings.refuse_plaintext  # the default, so every test's worker refuses
    cohort, pid = dev_cohort, ids.partnership_id(dev_cohort, ANN_TIA)
    sdk_note = f"Tia cried after the observation {uuid.uuid4().hex}"
    cli_note = f"Tia asked not to be observed again {uuid.uuid4().hex}"
    coaching = h.coaching()
    raw = client_with(dev_env, pydantic_data_converter)  # an SDK client without the key (or its codec)
    async with h.worker():
        await launch_with_ann_coaching(coaching, cohort)
        before = await settled(raw.get_workflow_handle(pid))

        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await raw.get_workflow_handle(pid).execute_update("move", {"actor": ANN, "to": "initiate", "note": sdk_note})
        cause = refused.value.cause
        assert isinstance(cause, ApplicationError) and cause.type == REFUSED and NOT_ENCRYPTED in cause.message

        # The same with Temporal's own command line, as anyone with access to the server may run it.
        cli = await asyncio.create_subprocess_exec(
            temporal_binary(),
            *("workflow", "update", "execute", "--address", dev_env.client.service_client.config.target_host),
            *("--namespace", dev_env.client.namespace, "--workflow-id", pid, "--name", "move"),
            *("--input", json.dumps({"actor": ANN, "to": "initiate", "note": cli_note})),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        said = (await asyncio.wait_for(cli.communicate(), timeout=60))[0].decode()
        assert cli.returncode != 0 and NOT_ENCRYPTED in said, said

        after = await settled(raw.get_workflow_handle(pid))
        assert len(after) == len(before)  # a refused Update writes no event at all
        assert (await coaching.partnership_record(cohort, ANN_TIA)).stage == Stage.pending

        # The workflow is not held up (a codec that raised would fail its workflow task): the coach moves at once.
        moved = await asyncio.wait_for(coaching.move(cohort, ANN_TIA, ANN, Stage.initiate, "with the key"), timeout=10)
        assert moved.stage == Stage.initiate

    events = (await raw.get_workflow_handle(pid).fetch_history()).events
    assert anywhere(sdk_note, events) == [] and anywhere(cli_note, events) == []
    assert anywhere("with the key", events) == []  # the coach's own note is stored, encrypted
    payloads = stored_payloads(events)
    assert payloads and all(p.metadata["encoding"] == ENCRYPTED for p in payloads)
    assert patch_markers(events) == []  # no refusal marker: refusing an Update records nothing


async def test_a_signal_without_the_key_is_dropped_and_the_history_replays(dev_env: WorkflowEnvironment, harness, dev_cohort: str) -> None:  # type: ignore[no-untyped-def]
    h = harness(dev_env.client)
    cohort, pid = dev_cohort, ids.partnership_id(dev_cohort, ANN_TIA)
    coaching = h.coaching()
    raw = client_with(dev_env, pydantic_data_converter)
    async with h.worker():
        await launch_with_ann_coaching(coaching, cohort)
        # A coordinator's withdrawal, which the partnership obeys when it comes from the cohort (encrypted).
        await raw.get_workflow_handle(pid).signal(PartnershipWorkflow.withdraw, PartnershipWithdrawn(actor=COORDINATOR))
        await refusal_recorded(raw.get_workflow_handle(pid))
        assert (await coaching.partnership_record(cohort, ANN_TIA)).stage == Stage.pending  # dropped
        await coaching.move(cohort, ANN_TIA, ANN, Stage.initiate)

    events = (await raw.get_workflow_handle(pid).fetch_history()).events
    # What a worker cannot undo: the server stored the signal, in plaintext, before any worker saw it.
    signaled = [e for e in events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED]
    assert [e.workflow_execution_signaled_event_attributes.signal_name for e in signaled] == ["coaching_unlocked", "withdraw"]
    assert anywhere(COORDINATOR, signaled) == [f"{signaled[1].event_id} EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED"]
    assert patch_markers(events) == [REFUSE_PATCH]  # the run refuses, and says so in its history

    # A new worker replays the history (no cache) and carries on; the Replayer agrees with the live run.
    async with h.worker():
        moved = await asyncio.wait_for(coaching.move(cohort, ANN_TIA, ANN, Stage.co_plan), timeout=15)
        assert moved.stage == Stage.co_plan
    history = await raw.get_workflow_handle(pid).fetch_history()
    assert (await create_replayer(TEST_CONVERTER).replay_workflow(history, raise_on_replay_failure=False)).replay_failure is None
    # The interceptor is what keeps that replay faithful: without it the withdrawal would be obeyed on replay.
    bare = Replayer(workflows=WORKFLOWS, workflow_runner=workflow_runner(), data_converter=TEST_CONVERTER)
    assert isinstance((await bare.replay_workflow(history, raise_on_replay_failure=False)).replay_failure, NondeterminismError)


# -- the rules on a small workflow: queries, starts, the setting off, runs recorded before -----


@workflow.defn(sandboxed=False)
class Notebook:
    def __init__(self) -> None:
        self.seen: list[str] = []
        self.closed = False

    @workflow.run
    async def run(self, title: str) -> list[str]:
        self.seen.append(f"start {title}")
        await workflow.wait_condition(lambda: self.closed)
        return self.seen

    @workflow.update
    def write(self, text: str) -> None:
        self.seen.append(f"update {text}")

    @workflow.signal
    def jot(self, text: str) -> None:
        self.seen.append(f"signal {text}")

    @workflow.signal
    def close(self) -> None:
        self.closed = True

    @workflow.query
    def read(self, prefix: str) -> list[str]:
        return [s for s in self.seen if s.startswith(prefix)]


def notebook_worker(client: Client, task_queue: str, refuse: bool) -> Worker:
    """As create_worker builds the data converter and interceptor for PEERCOACH_REFUSE_PLAINTEXT."""
    return Worker(
        worker_client(client, refuse),
        task_queue=task_queue,
        workflows=[Notebook],
        interceptors=[PlaintextGuard(refuse)],
        workflow_runner=UnsandboxedWorkflowRunner(),
    )


async def replays(handle: WorkflowHandle) -> bool:  # type: ignore[type-arg]
    replayer = Replayer(
        workflows=[Notebook],
        data_converter=worker_data_converter(TEST_CONVERTER, refuse_plaintext=True),
        interceptors=[PlaintextGuard(refuse_plaintext=True)],
        workflow_runner=UnsandboxedWorkflowRunner(),
    )
    return (await replayer.replay_workflow(await handle.fetch_history(), raise_on_replay_failure=False)).replay_failure is None


async def test_queries_starts_and_runs_that_accepted_before(dev_env: WorkflowEnvironment) -> None:
    keyed, raw = dev_env.client, client_with(dev_env, pydantic_data_converter)
    queue = f"tq-{uuid.uuid4().hex[:12]}"
    async with notebook_worker(keyed, queue, refuse=True):
        book = await keyed.start_workflow(Notebook.run, "kept", id=f"book-{uuid.uuid4().hex[:8]}", task_queue=queue)
        with pytest.raises(WorkflowQueryFailedError, match=NOT_ENCRYPTED):  # a query is never stored; it is refused all the same
            await raw.get_workflow_handle(book.id).query("read", "s")
        assert await book.query(Notebook.read, "s") == ["start kept"]
        await raw.get_workflow_handle(book.id).signal("jot", "plain")
        await book.signal(Notebook.jot, "with the key")
        await book.signal(Notebook.close)
        assert await book.result() == ["start kept", "signal with the key"]
        assert await replays(book)

        # A start is stored before any worker sees it; the worker fails the run instead of running it.
        started = await raw.start_workflow("Notebook", "plain title", id=f"book-{uuid.uuid4().hex[:8]}", task_queue=queue)
        with pytest.raises(WorkflowFailureError) as failed:
            await keyed.get_workflow_handle(started.id).result()
        assert isinstance(failed.value.cause, ApplicationError) and failed.value.cause.type == REFUSED
        assert await replays(started)

    # With the setting off, unencrypted Updates and signals are accepted...
    late = await keyed.start_workflow(Notebook.run, "late", id=f"book-{uuid.uuid4().hex[:8]}", task_queue=queue)
    async with notebook_worker(keyed, queue, refuse=False):
        with pytest.raises(KeyError, match="binary/encrypted"):  # accepted; its result is encrypted, unreadable without the key
            await raw.get_workflow_handle(late.id).execute_update("write", "plain update")
        await raw.get_workflow_handle(late.id).signal("jot", "plain signal")
        assert sorted(await late.query(Notebook.read, "")) == ["signal plain signal", "start late", "update plain update"]
    # ...and once it is on again (a new worker, which replays), that run still accepts signals as it did
    # (a replay must agree with the run), while a new Update is refused: refusing one leaves no trace.
    async with notebook_worker(keyed, queue, refuse=True):
        await raw.get_workflow_handle(late.id).signal("jot", "plain again")
        with pytest.raises(WorkflowUpdateFailedError):
            await raw.get_workflow_handle(late.id).execute_update("write", "refused update")
        await late.signal(Notebook.close)
        assert sorted(await late.result()) == ["signal plain again", "signal plain signal", "start late", "update plain update"]
    assert await replays(late)

    # A run recorded before encryption (a worker without the codec) replays and carries on.
    plain = client_with(dev_env, pydantic_data_converter)
    async with Worker(plain, task_queue=queue, workflows=[Notebook], workflow_runner=UnsandboxedWorkflowRunner()):
        old = await plain.start_workflow(Notebook.run, "old", id=f"book-{uuid.uuid4().hex[:8]}", task_queue=queue)
        await old.signal(Notebook.jot, "old signal")
        await old.execute_update(Notebook.write, "old update")
    async with notebook_worker(keyed, queue, refuse=True):
        old = keyed.get_workflow_handle(old.id)
        await old.execute_update(Notebook.write, "new update")
        await old.signal(Notebook.close)
        told = sorted(await old.result(rpc_timeout=timedelta(seconds=10)))
        assert told == ["signal old signal", "start old", "update new update", "update old update"]
    assert await replays(old)


async def test_only_the_workers_codec_marks_payloads_and_a_mark_is_never_stored() -> None:
    plain = Payload(metadata={"encoding": b"json/plain"}, data=b'"a note"')
    client_codec, worker_codec = EncryptionCodec(TEST_KEYS), EncryptionCodec(TEST_KEYS, mark_plaintext=True)
    assert await client_codec.decode([plain]) == [plain]  # the codec server and clients show payloads as stored
    [marked] = await worker_codec.decode([plain])
    assert marked.metadata[PLAINTEXT] == b"1" and marked.data == plain.data
    [sealed] = await worker_codec.encode([marked])
    [opened] = await client_codec.decode([sealed])
    assert opened == plain  # the mark is dropped before sealing, and was never stored
    assert worker_data_converter(pydantic_data_converter, refuse_plaintext=True) is pydantic_data_converter  # no keys: nothing to refuse
    assert worker_data_converter(data_converter(TEST_KEYS), refuse_plaintext=True).payload_codec is not None


def test_the_setting_is_on_unless_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings(_env_file=None).refuse_plaintext  # type: ignore[call-arg]
    monkeypatch.setenv("PEERCOACH_REFUSE_PLAINTEXT", "false")
    assert not Settings(_env_file=None).refuse_plaintext  # type: ignore[call-arg]


async def test_create_worker_refuses_with_the_setting(dev_env: WorkflowEnvironment, harness) -> None:  # type: ignore[no-untyped-def]
    h = harness(dev_env.client)
    async with create_worker(dev_env.client, h.settings, database=h.database) as worker:
        converter = worker.client.data_converter
        assert isinstance(converter.payload_codec, EncryptionCodec) and converter.payload_codec.mark_plaintext
        assert worker.client.service_client is dev_env.client.service_client  # the same connection

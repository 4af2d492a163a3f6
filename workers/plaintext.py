"""Refusing unencrypted payloads in the worker.

A client without the key can still send payloads unencrypted (`temporal workflow update
execute --input ...`). The worker refuses them (PEERCOACH_REFUSE_PLAINTEXT, on by default):
its codec marks every payload that arrived unencrypted (the mark lives only in the worker's
memory), and
- an Update whose arguments arrived unencrypted is rejected before it is accepted, so its
  arguments never reach the history (a rejected Update leaves no event);
- a query whose arguments arrived unencrypted fails (queries are never stored);
- a signal, or a workflow start, is written to the history by the server before any worker
  sees it, so its text is stored in plaintext whatever the worker does; the worker drops such a
  signal (logged) and fails such a start, so nobody without the key drives a workflow. Whether a
  run refuses is recorded in its history (a patch marker, REFUSE_PATCH) the first time it
  refuses, so a replay refuses exactly what the live run refused, and a run that accepted an
  unencrypted payload before (recorded before encryption or with the setting off) replays as it
  ran and keeps accepting until it continues as new.
Refusals are decided when a payload is converted, not in the codec: a codec that raises fails
the whole workflow task, which holds the workflow in "Workflow Task in failed state" (an Update)
or for ever (a signal, retried from its history), and would also stop old histories replaying.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from temporalio import workflow
from temporalio.api.common.v1 import Payload
from temporalio.api.failure.v1 import Failure
from temporalio.client import Client
from temporalio.converter import (
    DataConverter,
    DefaultFailureConverter,
    DefaultFailureConverterWithEncodedAttributes,
    PayloadConverter,
    SerializationContext,
    WithSerializationContext,
)
from temporalio.exceptions import ApplicationError
from temporalio.worker import (
    ExecuteWorkflowInput,
    HandleQueryInput,
    HandleSignalInput,
    Interceptor,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
)

from workers.codec import PLAINTEXT, EncryptionCodec

# Recorded in a run's history the first time it refuses an unencrypted signal or start.
REFUSE_PATCH = "peercoach-refuse-plaintext"
REFUSED = "PlaintextRefused"  # the failure type of every refusal
REFUSAL = "refused: this payload is not encrypted with the program's key (use the peercoach client or a codec)"


class PlaintextArgs(list[Any]):
    """Values converted from payloads at least one of which arrived unencrypted: the workflow interceptor decides."""


def _arrived_unencrypted(payloads: Sequence[Payload]) -> bool:
    return any(PLAINTEXT in p.metadata for p in payloads)


def _refusal() -> ApplicationError:
    return ApplicationError(REFUSAL, type=REFUSED, non_retryable=True)


class PlaintextGate(PayloadConverter, WithSerializationContext):
    """The worker's payload converter, outermost: rejects an Update whose arguments arrived unencrypted.

    An Update's arguments are converted before its validator runs, and a conversion error there
    rejects the Update (the SDK's `_apply_do_update`): it is never accepted, so never stored. Only a
    new Update is refused: one replayed from the history was accepted, and is again.
    Anything else that arrived unencrypted comes back as PlaintextArgs, for PlaintextGuard.
    """

    def __init__(self, inner: PayloadConverter, refuse: bool):
        self.inner = inner
        self.refuse = refuse

    def to_payloads(self, values: Sequence[Any]) -> list[Payload]:
        return self.inner.to_payloads(values)

    def from_payloads(self, payloads: Sequence[Payload], type_hints: list[type] | None = None) -> list[Any]:
        if not _arrived_unencrypted(payloads):
            return self.inner.from_payloads(payloads, type_hints)
        if self.refuse and workflow.in_workflow() and workflow.current_update_info() is not None and not workflow.unsafe.is_replaying():
            raise _refusal()
        return PlaintextArgs(self.inner.from_payloads(payloads, type_hints))

    def with_context(self, context: SerializationContext) -> PlaintextGate:
        if not isinstance(self.inner, WithSerializationContext):
            return self
        inner = self.inner.with_context(context)
        return self if inner is self.inner else PlaintextGate(inner, self.refuse)


class _FailureConverter(DefaultFailureConverterWithEncodedAttributes):
    """Every failure encrypted, except a refusal: its fixed sentence is for the client without the key."""

    def to_failure(self, exception: BaseException, payload_converter: PayloadConverter, failure: Failure) -> None:
        if isinstance(exception, ApplicationError) and exception.type == REFUSED:
            DefaultFailureConverter().to_failure(exception, payload_converter, failure)
            failure.stack_trace = ""
            return
        super().to_failure(exception, payload_converter, failure)


@dataclass(frozen=True)
class _WorkerDataConverter(DataConverter):
    refuse_plaintext: bool = True

    def _new_payload_converter(self) -> PayloadConverter:
        # Outermost, over the SDK's own wrapper (which builds a new list of values), so the
        # workflow interceptor receives the PlaintextArgs list itself. temporalio is pinned: a
        # release that changes this hook fails tests/workers/test_refuse_plaintext.py.
        return PlaintextGate(super()._new_payload_converter(), self.refuse_plaintext)


def worker_data_converter(converter: DataConverter, refuse_plaintext: bool) -> DataConverter:
    """The worker's (and Replayer's) version of a client's converter: same keys, marks and refuses unencrypted payloads.

    A converter without our codec (no encryption at all) is returned as it is: nothing is refused.
    """
    codec = converter.payload_codec
    if not isinstance(codec, EncryptionCodec):
        return converter
    return _WorkerDataConverter(
        payload_converter_class=converter.payload_converter_class,
        payload_codec=EncryptionCodec(codec.ring, mark_plaintext=True),
        failure_converter_class=_FailureConverter,
        refuse_plaintext=refuse_plaintext,
    )


def worker_client(client: Client, refuse_plaintext: bool) -> Client:
    """The same connection, with the worker's data converter (the SDK's Worker takes its converter from its client)."""
    converter = worker_data_converter(client.data_converter, refuse_plaintext)
    if converter is client.data_converter:
        return client
    config = client.config()
    config["data_converter"] = converter
    return Client(**config)


class PlaintextGuard(Interceptor):
    """Drops signals and fails starts whose arguments arrived unencrypted, and fails such queries.

    `refuse_plaintext` decides only for a run that has not decided yet, and only live: whether a
    run refuses is a patch marker in its history, so every replay decides as the live run did.
    """

    def __init__(self, refuse_plaintext: bool):
        self.refuse_plaintext = refuse_plaintext

    def workflow_interceptor_class(self, input: WorkflowInterceptorClassInput) -> type[WorkflowInboundInterceptor]:
        return _RefusingInbound if self.refuse_plaintext else _AcceptingInbound


class _RefusingInbound(WorkflowInboundInterceptor):
    refuse_new = True

    def __init__(self, next: WorkflowInboundInterceptor):
        super().__init__(next)
        self._refusing: bool | None = None  # per run: unknown until the first unencrypted signal or start

    def _refuses(self) -> bool:
        if self._refusing is None:
            if workflow.unsafe.is_replaying():
                self._refusing = workflow.patched(REFUSE_PATCH)  # as the live run decided (marker or not)
            elif self.refuse_new:
                self._refusing = workflow.patched(REFUSE_PATCH)  # True, and recorded for every replay
            else:
                return False  # accepted, undecided: a replay finds no marker and accepts too
        return self._refusing

    async def execute_workflow(self, input: ExecuteWorkflowInput) -> Any:
        if isinstance(input.args, PlaintextArgs) and self._refuses():
            workflow.logger.warning("workflow input refused: it arrived unencrypted")
            raise _refusal()
        return await super().execute_workflow(input)

    async def handle_signal(self, input: HandleSignalInput) -> None:
        if isinstance(input.args, PlaintextArgs) and self._refuses():
            # The signal is in the history already (the server stores it before a worker sees it).
            workflow.logger.warning("signal dropped: it arrived unencrypted", extra={"signal": input.signal})
            return
        await super().handle_signal(input)

    async def handle_query(self, input: HandleQueryInput) -> Any:
        if isinstance(input.args, PlaintextArgs) and self.refuse_new:  # never stored: no history to agree with
            raise _refusal()
        return await super().handle_query(input)


class _AcceptingInbound(_RefusingInbound):
    refuse_new = False

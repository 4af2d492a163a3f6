"""Notes and reflections reach the Temporal server only encrypted; keys rotate; an unknown key is named."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import stat
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from google.protobuf.message import Message
from pydantic import SecretStr
from temporalio.api.common.v1 import Payload, SearchAttributes
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client, WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter
from temporalio.testing import WorkflowEnvironment

from domain.cycle import Stage
from domain.problems import InvalidInput
from domain.training import Attendance
from peercoach.client import CoachingClient
from tests.conftest import TEST_CONVERTER, eventually, program_starting
from tests.roster_fixtures import ANN, ANN_TIA, BOB, BOB_TED, COORDINATOR, TIA, small_roster
from workers.codec import ENCRYPTED, KEY_ID, UnreadablePayload, data_converter, key_ring
from workers.settings import Settings
from workers.worker import create_replayer, create_worker
from workflows import ids


def settings(tmp_path: Path, keys: dict[str, bytes] | None = None, current: str | None = None) -> Settings:
    text = json.dumps({k: base64.b64encode(v).decode() for k, v in keys.items()}) if keys is not None else None
    return Settings(data_dir=tmp_path, codec_keys=SecretStr(text) if text else None, codec_key_id=current, _env_file=None)  # type: ignore[call-arg]


def client_with(env: WorkflowEnvironment, converter: DataConverter) -> Client:
    """Another client on the same connection, with its own data converter."""
    return Client(env.client.service_client, namespace=env.client.namespace, data_converter=converter)


def payloads_in(message: Message) -> Iterator[Payload]:
    """Every payload anywhere in an event, except search attributes (not payloads to the SDK: they stay readable)."""
    if isinstance(message, Payload):
        yield message
        return
    if isinstance(message, SearchAttributes):
        return
    for field, value in message.ListFields():
        if field.type != field.TYPE_MESSAGE:
            continue
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            values = list(value.values())
        elif field.is_repeated:
            values = list(value)
        else:
            values = [value]
        for v in values:
            if isinstance(v, Message):
                yield from payloads_in(v)


def stored_payloads(events: Iterable[HistoryEvent]) -> list[Payload]:
    """Every payload the events hold, except in the SDK's own patch markers (workflow.patched):
    the core writes those, holding only the patch's name."""
    return [p for e in events if e.marker_recorded_event_attributes.marker_name != "core_patch" for p in payloads_in(e)]


async def unlocked(coaching: CoachingClient, cohort: str) -> bool:
    return (await coaching.partnership_record(cohort, ANN_TIA)).coaching_unlocked


async def launch_with_ann_coaching(coaching: CoachingClient, cohort: str) -> None:
    program = program_starting((datetime.now(UTC) - timedelta(days=200)).date())
    await coaching.launch_cohort(cohort, program, small_roster(), COORDINATOR)
    await coaching.wait_until_launched(cohort)
    await coaching.record_attendance(cohort, COORDINATOR, 5, {ANN: Attendance.attended})
    deadline = datetime.now(UTC) + timedelta(seconds=15)
    while not await unlocked(coaching, cohort):
        assert datetime.now(UTC) < deadline, "coaching never unlocked"
        await asyncio.sleep(0.1)


async def test_the_server_holds_no_note_or_reflection_in_plaintext(dev_env: WorkflowEnvironment, harness, dev_cohort: str) -> None:  # type: ignore[no-untyped-def]
    h = harness(dev_env.client)
    cohort = dev_cohort
    secrets = {
        "note": f"Tia worried about the unit {uuid.uuid4().hex}",
        "link": f"https://docs.example.org/{uuid.uuid4().hex}",
        "move note": f"We met after school {uuid.uuid4().hex}",
        "reflection": f"The debrief went badly {uuid.uuid4().hex}",
    }
    coaching = h.coaching()
    async with h.worker():
        await launch_with_ann_coaching(coaching, cohort)
        await coaching.move(cohort, ANN_TIA, ANN, Stage.initiate, secrets["move note"])
        await coaching.add_note(cohort, ANN_TIA, TIA, secrets["note"], secrets["link"])
        for stage in (Stage.co_plan, Stage.modeling, Stage.observe):
            await coaching.move(cohort, ANN_TIA, ANN, stage)
        await coaching.move(cohort, ANN_TIA, ANN, Stage.reflect, secrets["reflection"])
        await eventually(lambda: h.sent("stage_moved", to=TIA))  # notices (activities) are in the history too
        record = await coaching.partnership_record(cohort, ANN_TIA)  # the client with the codec reads them back

    assert [n.text for n in record.notes] == [secrets["note"]] and record.notes[0].link == secrets["link"]
    assert {m.note for m in record.moves} >= {secrets["move note"], secrets["reflection"]}

    raw = client_with(dev_env, DataConverter.default)  # what anyone with access to the server sees
    workflow_ids = [ids.cohort_id(cohort), ids.training_id(cohort, ANN), ids.training_id(cohort, BOB)]
    workflow_ids += [ids.partnership_id(cohort, ANN_TIA), ids.partnership_id(cohort, BOB_TED)]
    histories: list[WorkflowHistory] = [await raw.get_workflow_handle(wid).fetch_history() for wid in workflow_ids]
    events = [e for history in histories for e in history.events]
    assert len(events) > 50
    for event in events:
        stored = event.SerializeToString()
        for what, text in secrets.items():
            assert text.encode() not in stored, f"the {what} is in plaintext in event {event.event_id} ({event.event_type})"
    payloads = stored_payloads(events)
    assert len(payloads) > 20 and all(p.metadata["encoding"] == ENCRYPTED for p in payloads)
    assert {p.metadata[KEY_ID] for p in payloads} == {b"tests-only"}

    # search attributes stay readable, so visibility still finds partnerships by stage
    found = [wf.id async for wf in raw.list_workflows(f"CoachingCohort = '{cohort}' AND CoachingStage = 'reflect'")]
    assert found == [ids.partnership_id(cohort, ANN_TIA)]


async def test_keys_rotate_and_a_dropped_key_is_named(
    dev_env: WorkflowEnvironment, harness, dev_cohort: str, tmp_path: Path, caplog
) -> None:  # type: ignore[no-untyped-def]
    h = harness(dev_env.client)
    cohort = dev_cohort
    a, b = os.urandom(32), os.urandom(32)
    only_a = key_ring(settings(tmp_path, {"a": a}))
    a_and_b = key_ring(settings(tmp_path, {"a": a, "b": b}))  # rotated: b is listed last, so b encrypts
    only_b = key_ring(settings(tmp_path, {"b": b}))
    assert (only_a.current, a_and_b.current) == ("a", "b")

    # Each phase has its own worker, as a deployment restarted with new settings would.
    for converter, text in (
        (pydantic_data_converter, "written before encryption was turned on"),
        (data_converter(only_a), "written with key a"),
        (data_converter(a_and_b), "written with key b"),
    ):
        client = client_with(dev_env, converter)
        coaching = CoachingClient(client, h.task_queue, h.database)
        async with create_worker(client, h.settings):
            if converter is pydantic_data_converter:
                await launch_with_ann_coaching(coaching, cohort)
            await coaching.add_note(cohort, ANN_TIA, TIA, text)
            notes = [n.text for n in (await coaching.partnership_record(cohort, ANN_TIA)).notes]
    assert notes == ["written before encryption was turned on", "written with key a", "written with key b"]

    history = await dev_env.client.get_workflow_handle(ids.partnership_id(cohort, ANN_TIA)).fetch_history()
    used = {p.metadata.get(KEY_ID, b"none (plaintext)") for e in history.events for p in payloads_in(e)}
    assert used == {b"none (plaintext)", b"a", b"b"}

    replayed = await create_replayer(data_converter(a_and_b)).replay_workflow(history, raise_on_replay_failure=False)
    assert replayed.replay_failure is None

    # Failure messages are encrypted too, so the failure the Replayer reports (like the one in a
    # live worker's history) is opaque without the keys; the worker's log names the missing key.
    caplog.clear()
    dropped = await create_replayer(data_converter(only_b)).replay_workflow(history, raise_on_replay_failure=False)
    assert dropped.replay_failure is not None
    logged = [r.exc_info[1] for r in caplog.records if r.exc_info and isinstance(r.exc_info[1], UnreadablePayload)]
    assert logged and str(logged[0]) == "PEERCOACH_CODEC_KEYS: a payload is encrypted with key 'a', which is not in the key ring (keys: b)"


async def test_a_key_changed_under_the_same_id_is_named() -> None:
    payload = (await TEST_CONVERTER.encode(["a note"]))[0]
    other = key_ring(settings(Path("."), {"tests-only": os.urandom(32)}))
    with pytest.raises(UnreadablePayload, match="encrypted with key 'tests-only' does not decrypt with the key of that id here"):
        await data_converter(other).decode([payload])


def test_without_keys_one_is_made_once_and_kept_for_its_owner(tmp_path: Path) -> None:
    first = key_ring(settings(tmp_path / "data"))
    path = tmp_path / "data" / "codec-keys.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert key_ring(settings(tmp_path / "data")) == first and first.source == str(path)
    assert key_ring(settings(tmp_path / "elsewhere")).keys != first.keys
    assert [p.name for p in (tmp_path / "data").iterdir()] == ["codec-keys.json"]  # no draft left behind


@pytest.mark.parametrize(
    ("text", "current", "problem"),
    [
        ('{"a": ', None, "PEERCOACH_CODEC_KEYS: not JSON"),
        ("{}", None, "with at least one key"),
        ('{"a": "c2hvcnQ="}', None, "PEERCOACH_CODEC_KEYS, field 'a': the key must be base64 of 32 bytes"),
        ('{"a": 7}', None, "field 'a': the key must be base64 of 32 bytes"),
        (json.dumps({"a": base64.b64encode(bytes(32)).decode()}), "b", "PEERCOACH_CODEC_KEY_ID names key 'b', which is not here (keys: a)"),
    ],
)
def test_bad_keys_are_named(text: str, current: str | None, problem: str, tmp_path: Path) -> None:
    s = Settings(data_dir=tmp_path, codec_keys=SecretStr(text), codec_key_id=current, _env_file=None)  # type: ignore[call-arg]
    with pytest.raises(InvalidInput) as invalid:
        key_ring(s)
    assert problem in str(invalid.value)

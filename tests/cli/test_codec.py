"""`peercoach codec-server`: an authorized operator reads encrypted notes through Temporal's own tools."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from google.protobuf import json_format
from playwright.async_api import async_playwright, expect
from temporalio.api.common.v1 import Payload, Payloads
from temporalio.testing import WorkflowEnvironment

from domain.cycle import Stage
from peercoach.local_temporal import temporal_binary
from tests.cli.conftest import PEERCOACH
from tests.cli.test_dev import free_port
from tests.conftest import TEST_CONVERTER, TEST_KEYS, Harness
from tests.roster_fixtures import ANN, ANN_TIA, TIA
from tests.workers.test_codec import launch_with_ann_coaching, stored_payloads
from workers.codec import ENCRYPTED, KEY_ID
from workflows import ids
from workflows import search_attributes as sa

TOKEN = "operator-token-for-tests"
UI = "http://localhost:8233"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "codec"


@asynccontextmanager
async def codec_server(*args: str, token: str | None = TOKEN, port: int | None = None) -> AsyncIterator[tuple[str, str]]:
    """The real command, as an operator runs it; yields its URL and what it printed on starting."""
    port = port or free_port()
    env = {**os.environ, "PEERCOACH_CODEC_KEYS": TEST_KEYS.to_json(), "COLUMNS": "200"}
    env.pop("PEERCOACH_CODEC_TOKEN", None)
    if token:
        env["PEERCOACH_CODEC_TOKEN"] = token
    process = await asyncio.create_subprocess_exec(
        PEERCOACH, "codec-server", "--port", str(port), *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    assert process.stdout is not None
    try:
        said = (await asyncio.wait_for(process.stdout.readline(), timeout=30)).decode()
        said += (await asyncio.wait_for(process.stdout.readline(), timeout=5)).decode()
        assert "Codec server" in said, said
        yield f"http://127.0.0.1:{port}", said
    finally:
        process.terminate()
        assert await asyncio.wait_for(process.wait(), timeout=15) == 0


def as_json(payloads: list[Payload]) -> dict[str, Any]:
    return json_format.MessageToDict(Payloads(payloads=payloads))


def from_json(body: dict[str, Any]) -> list[Payload]:
    return list(json_format.ParseDict(body, Payloads()).payloads)


async def note_in_history(dev_env: WorkflowEnvironment, harness, cohort: str, text: str) -> tuple[str, list[Payload]]:  # type: ignore[no-untyped-def]
    """A partnership with a note, and every payload its history stores (fetched without the codec)."""
    h = harness(dev_env.client)
    coaching = h.coaching()
    async with h.worker():
        await launch_with_ann_coaching(coaching, cohort)
        await coaching.move(cohort, ANN_TIA, ANN, Stage.initiate)
        await coaching.add_note(cohort, ANN_TIA, TIA, text)
    workflow_id = ids.partnership_id(cohort, ANN_TIA)
    history = await dev_env.client.get_workflow_handle(workflow_id).fetch_history()  # fetching does not decode
    return workflow_id, stored_payloads(history.events)


async def test_an_operator_with_the_token_reads_notes_from_a_real_history(dev_env: WorkflowEnvironment, harness, dev_cohort: str) -> None:  # type: ignore[no-untyped-def]
    text = f"Tia is anxious about being observed {uuid.uuid4().hex}"
    workflow_id, stored = await note_in_history(dev_env, harness, dev_cohort, text)
    assert all(p.metadata["encoding"] == ENCRYPTED for p in stored) and not any(text.encode() in p.data for p in stored)

    async with codec_server() as (url, said), httpx.AsyncClient(base_url=url) as http:
        assert "Every request needs Authorization: Bearer" in said
        operator = {"Authorization": f"Bearer {TOKEN}", "X-Namespace": "default"}

        # the web UI, a page on another origin, asks first; the preflight needs no token
        preflight = await http.options(
            "/decode",
            headers={"Origin": UI, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,x-namespace"},
        )
        assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"] == UI
        stranger = await http.options("/decode", headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"})
        assert "access-control-allow-origin" not in stranger.headers

        no_token = await http.post("/decode", json=as_json(stored))
        assert no_token.status_code == 401 and no_token.headers["www-authenticate"] == "Bearer"
        wrong = await http.post("/decode", json=as_json(stored), headers={"Authorization": "Bearer guess"})
        assert wrong.status_code == 403 and text not in wrong.text
        other_namespace = await http.post("/decode", json=as_json(stored), headers={**operator, "X-Namespace": "payroll"})
        assert other_namespace.status_code == 403 and "serves namespace 'default', not 'payroll'" in other_namespace.text

        decoded = await http.post("/decode", json=as_json(stored), headers={**operator, "Origin": UI})
        assert decoded.status_code == 200 and decoded.headers["access-control-allow-origin"] == UI
        plain = from_json(decoded.json())
        assert len(plain) == len(stored) and all(p.metadata["encoding"] == b"json/plain" for p in plain)
        assert any(text in p.data.decode() for p in plain)

        encoded = await http.post("/encode", json=as_json(plain[:2]), headers=operator)
        assert encoded.status_code == 200
        again = from_json(encoded.json())
        assert [p.metadata[KEY_ID] for p in again] == [b"tests-only"] * 2 and again[0].data != stored[0].data  # a fresh nonce
        assert from_json((await http.post("/decode", json=encoded.json(), headers=operator)).json()) == plain[:2]

        unknown = Payload(metadata={"encoding": ENCRYPTED, KEY_ID: b"2019-retired"}, data=b"\0" * 40)
        refused = await http.post("/decode", json=as_json([unknown]), headers=operator)
        assert refused.status_code == 422 and "encrypted with key '2019-retired', which is not in the key ring" in refused.text
        garbled = await http.post("/decode", content=b"payloads, please", headers=operator)
        assert garbled.status_code == 400 and "protobuf JSON" in garbled.text

        # Temporal's own CLI, pointed at the codec server, shows the note; without it, it cannot
        show = [temporal_binary(), "workflow", "show", "-w", workflow_id, "--address", dev_env.client.service_client.config.target_host]
        show += ["--output", "json"]
        with_codec = await run(*show, "--codec-endpoint", url, "--codec-auth", f"Bearer {TOKEN}")
        without = await run(*show)
    assert any(text in data for data in payload_data(json.loads(with_codec)))
    assert not any(text in data for data in payload_data(json.loads(without)))


def payload_data(shown: Any) -> Iterator[str]:
    """The data of every payload in `temporal workflow show --output json` (base64 there)."""
    if isinstance(shown, dict):
        if "metadata" in shown and "data" in shown:
            yield base64.b64decode(shown["data"]).decode(errors="replace")
        for value in shown.values():
            yield from payload_data(value)
    elif isinstance(shown, list):
        for value in shown:
            yield from payload_data(value)


async def run(*args: str) -> str:
    process = await asyncio.create_subprocess_exec(*args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    return out.decode()


async def test_without_a_token_it_serves_this_machine_only() -> None:
    async with codec_server("--ui-origin", "http://localhost:9999", token=None) as (url, said), httpx.AsyncClient(base_url=url) as http:
        assert "No PEERCOACH_CODEC_TOKEN is set: it listens on 127.0.0.1 only and asks no token" in said
        assert "http://localhost:9999" in said
        sealed = (await http.post("/encode", json=as_json([Payload(metadata={"encoding": b"json/plain"}, data=b'"hi"')]))).json()
        assert from_json((await http.post("/decode", json=sealed)).json())[0].data == b'"hi"'

    env = {**os.environ, "PEERCOACH_CODEC_KEYS": TEST_KEYS.to_json()}
    env.pop("PEERCOACH_CODEC_TOKEN", None)
    process = await asyncio.create_subprocess_exec(
        PEERCOACH, "codec-server", "--host", "0.0.0.0", env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await process.communicate()
    assert process.returncode == 1 and not out
    assert err.decode().strip() == ("--host 0.0.0.0 would let other machines decode notes without a token; set PEERCOACH_CODEC_TOKEN first")


async def test_the_temporal_web_ui_shows_a_note_through_the_codec_server(tmp_path: Path) -> None:
    """What `peercoach dev` sets up: the dev server's UI pointed at the codec server (no token, this machine only)."""
    codec_port, ui_port = free_port(), free_port()
    ui_codec = ["--ui-codec-endpoint", f"http://127.0.0.1:{codec_port}"]
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_binary(),
        data_converter=TEST_CONVERTER,
        search_attributes=sa.ALL,
        ui=True,
        ui_port=ui_port,
        dev_server_extra_args=ui_codec,
    )
    text = f"Tia asked to keep this between us {uuid.uuid4().hex}"
    try:
        workflow_id, stored = await note_in_history(env, lambda client: Harness(client, tmp_path), "ui", text)
        assert not any(text.encode() in p.data for p in stored)
        run_id = (await env.client.get_workflow_handle(workflow_id).describe()).run_id
        ui = f"http://localhost:{ui_port}"
        async with codec_server("--ui-origin", ui, token=None, port=codec_port), async_playwright() as p:
            browser = await p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
            page = await browser.new_page(viewport={"width": 1400, "height": 1000})
            await page.goto(f"{ui}/namespaces/default/workflows/{quote(workflow_id, safe='')}/{run_id}/history")
            added = page.get_by_text("Workflow Execution Update Accepted")  # newest first: the note
            await expect(added.first).to_be_visible(timeout=30_000)
            await added.first.click()
            note = page.get_by_text(text).first
            await note.scroll_into_view_if_needed(timeout=15_000)
            await expect(note).to_be_visible()
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=str(ARTIFACTS / "ui-note-decoded.png"))
            await browser.close()
    finally:
        await env.shutdown()

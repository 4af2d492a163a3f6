"""The JSON API keeps the contract its OpenAPI document states, for every role.

Schemathesis (a separate process, so the app keeps serving from this event loop)
generates calls from /api/openapi.json against the running app, on the web tests'
Temporal and database: as someone not signed in, and signed in as a coordinator, a
coach, a teacher and a principal (the session cookie and CSRF token of a real
sign-in). Path parameters are often the cohort's real ids, so calls reach the
workflows and not only the refusals. No call may answer 5xx or a status code the
document does not list for it; undocumented methods answer 405 with `Allow`.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.web.conftest import ARTIFACTS, Cohort, WebStack, launch, signed_in
from web.session import COOKIE

API_CALLS = "/api/cohorts/{cohort}/partnerships/{pid}/moves"
EXAMPLES = 60  # per operation and role in the fuzzing phase; the coverage phase adds each operation's edge cases
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "unsupported_method",
        "allow_header_conformance",
    ]
)


@pytest.fixture(scope="module")
async def cohort(web_stack: WebStack) -> Cohort:
    return await launch(web_stack)


async def test_an_anonymous_call_is_told_to_sign_in_before_its_csrf_token_is_checked(web_stack: WebStack, cohort: Cohort) -> None:
    async with httpx.AsyncClient(base_url=web_stack.url) as anonymous:
        answer = await anonymous.post(f"/api/cohorts/{cohort.id}/partnerships/ann--tia/moves", json={"to": "plan"})
        assert answer.status_code == 401 and answer.json() == {"detail": "sign in first"}
    ann = await signed_in(web_stack, cohort.ann)
    stale = await ann.post(f"/api/cohorts/{cohort.id}/partnerships/ann--tia/moves", json={"to": "plan"})
    await ann.aclose()
    assert stale.status_code == 403 and "expired or came from another site" in stale.json()["detail"]


async def test_options_and_allow_name_every_method_of_a_resource(web_stack: WebStack, cohort: Cohort) -> None:
    async with httpx.AsyncClient(base_url=web_stack.url) as client:
        options = await client.options(f"/api/cohorts/{cohort.id}/release")
        assert options.status_code == 204 and options.headers["allow"] == "GET, OPTIONS, POST"
        wrong = await client.delete(f"/api/cohorts/{cohort.id}/release")
        assert wrong.status_code == 405 and wrong.headers["allow"] == "GET, OPTIONS, POST"
        assert (await client.options("/api/me")).headers["allow"] == "GET, OPTIONS"
        assert (await client.options("/no/such/page")).status_code == 404


async def test_no_redirect_takes_its_address_from_the_host_header(web_stack: WebStack) -> None:
    async with httpx.AsyncClient(base_url=web_stack.url) as client:
        slash = await client.get("/sign-in/", headers={"Host": "evil.example"}, params={"next": "1"})
        assert slash.status_code == 308 and slash.headers["location"] == "/sign-in?next=1"
        elsewhere = httpx.URL(web_stack.url).copy_with(raw_path=b"//evil.example/")  # not a redirect to //evil.example
        assert (await client.get(elsewhere, headers={"Host": "evil.example"})).status_code == 404
        home = await client.get("/", headers={"Host": "evil.example"})
        assert home.status_code == 303 and home.headers["location"] == "/sign-in"


async def test_the_document_lists_every_problem_with_its_body(web_stack: WebStack) -> None:
    async with httpx.AsyncClient(base_url=web_stack.url) as client:
        document = (await client.get("/api/openapi.json")).json()
    assert all(path.startswith("/api/") for path in document["paths"]), "the document describes the JSON API, not the pages"
    problem = {"$ref": "#/components/schemas/Problem"}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            expected = {"200", "401", "503"} | ({"403", "404", "422"} if "{" in path else set())
            assert expected <= set(operation["responses"]), f"{method} {path}: {sorted(operation['responses'])}"
            for status in set(operation["responses"]) - {"200", "422"}:
                assert operation["responses"][status]["content"]["application/json"]["schema"] == problem, f"{method} {path} {status}"
    assert "409" in document["paths"][API_CALLS]["post"]["responses"]


async def _visitor(stack: WebStack, email: str | None) -> list[str]:
    """The headers a role's calls carry: its session cookie and CSRF token (none for someone not signed in)."""
    if email is None:
        return []
    client = await signed_in(stack, email)
    me = (await client.get("/api/me")).json()
    await client.aclose()
    return ["-H", f"Cookie: {COOKIE}={client.cookies[COOKIE]}", "-H", f"X-CSRF-Token: {me['csrf_token']}"]


def _config(cohort: Cohort, school: str) -> str:
    """Real ids to draw path parameters from (schemathesis dictionaries), half the time."""
    known = {
        "cohort": [cohort.id],
        "pid": ["ann--tia", "bob--ted"],
        "coach": [cohort.ann, cohort.bob],
        "school": [school],
        "number": [1, 2],
    }
    lines = []
    for name, values in known.items():
        lines += [f"[dictionaries.{name}]", f"values = {json.dumps(values)}", ""]
    lines.append("[parameters]")
    lines += [f'"path.{name}" = {{ dictionary = "{name}", probability = 0.5 }}' for name in known]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("role", ["anonymous", "coordinator", "coach", "teacher", "principal"])
async def test_every_call_answers_as_documented(web_stack: WebStack, cohort: Cohort, role: str, tmp_path: Path) -> None:
    email = {"coordinator": cohort.coordinator, "coach": cohort.ann, "teacher": cohort.tia, "principal": cohort.principal}.get(role)
    headers = await _visitor(web_stack, email)
    config = tmp_path / "schemathesis.toml"
    config.write_text(_config(cohort, "hazel"))  # the small roster's one school
    report = ARTIFACTS / "schemathesis"
    report.mkdir(parents=True, exist_ok=True)
    command = [
        str(Path(sys.executable).parent / "st"),
        "--config-file",
        str(config),
        "--no-color",
        "run",
        f"{web_stack.url}/api/openapi.json",
        *headers,
        "--checks",
        CHECKS,
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        str(EXAMPLES),
        "--seed",
        "13",
        "--workers",
        "1",  # CPython 3.11's ast.parse is not thread-safe, and Hypothesis parses lambdas as it describes strategies
        "--report",
        "junit,ndjson",
        "--report-junit-path",
        str(report / f"{role}.xml"),
        "--report-ndjson-path",
        str(report / f"{role}.ndjson"),
    ]
    # Run where it keeps no cache between runs (its crash cache would otherwise land in the work tree).
    run = await asyncio.create_subprocess_exec(*command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output, _ = await run.communicate()
    (report / f"{role}.txt").write_bytes(output)
    assert run.returncode == 0, f"as {role}:\n{output.decode()[-20000:]}"
    answered = Counter(int(code) for code in re.findall(r'"status_code":\s*(\d+)', (report / f"{role}.ndjson").read_text()))
    if email is None:
        assert answered[200] == 0 and answered[401] > 0, answered
    else:  # the real ids took calls past the refusals: some succeeded, some the workflows refused
        assert answered[200] > 0 and answered[409] + answered[403] > 0, answered

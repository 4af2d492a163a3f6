"""Sign-in with the district's account, against a real OpenID provider (oidc-provider, started here).

The provider runs as its own node process (tests/services/oidc_provider.mjs) and the
app as a second uvicorn server on the web tests' Temporal and database, configured with
the provider's issuer. A person goes through the provider's own login and consent forms.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import httpx
import pytest
import uvicorn

from tests.web.conftest import Cohort, WebStack, _free_port, launch
from web.app import create_app
from web.oidc import DistrictAccounts, NotLetIn, provider_name, verified_email
from workers.settings import Settings

PROVIDER = Path(__file__).resolve().parents[1] / "services" / "oidc_provider.mjs"
CLIENT_ID, CLIENT_SECRET = "peercoach-tests", "a client secret for the sign-in tests"


@dataclass
class District:
    url: str  # the app, with sign-in by the district's accounts set up
    issuer: str
    cohort: Cohort


@pytest.fixture(scope="module")
async def district(web_stack: WebStack, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[District]:
    if shutil.which("node") is None or not (PROVIDER.parent / "node" / "node_modules" / "oidc-provider").exists():
        pytest.fail("the OpenID provider needs node and oidc-provider: run `make node`")
    provider_port, app_port = _free_port(), _free_port()
    url, issuer = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{provider_port}"
    data_dir = tmp_path_factory.mktemp("oidc")
    with (data_dir / "provider.log").open("wb") as provider_log:
        arguments = [str(provider_port), CLIENT_ID, CLIENT_SECRET, f"{url}/oidc/callback"]
        provider = await asyncio.create_subprocess_exec("node", str(PROVIDER), *arguments, stdout=subprocess.PIPE, stderr=provider_log)
    assert provider.stdout is not None
    started = await provider.stdout.readline()
    assert started.decode().strip() == f"listening on {issuer}", (data_dir / "provider.log").read_text()
    settings = Settings(
        data_dir=data_dir,
        web_port=app_port,
        web_secret="a secret for the sign-in tests",
        oidc_issuer=issuer,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET,
        oidc_provider_name="Test District",
        _env_file=None,  # type: ignore[call-arg]
    )
    server = uvicorn.Server(uvicorn.Config(create_app(settings, web_stack.coaching), host="127.0.0.1", port=app_port, log_config=None))
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    yield District(url=url, issuer=issuer, cohort=await launch(web_stack))
    server.should_exit = True
    await serving
    provider.terminate()
    await provider.wait()


def _form_action(html: str) -> str:
    found = re.search(r'<form[^>]*action="([^"]+)"', html)
    assert found is not None, f"the provider's page has no form:\n{html}"
    return found.group(1)


async def through_provider(browser: httpx.AsyncClient, district: District, login: str) -> str:
    """Start at the app's sign-in page, log in and consent at the provider; the URL it sends the browser back to."""
    page = await browser.get(f"{district.url}/sign-in")
    assert "Sign in with Test District" in page.text
    off = await browser.get(f"{district.url}/oidc/sign-in")
    assert off.status_code == 302 and off.headers["location"].startswith(f"{district.issuer}/auth?"), off.text
    asked = parse_qs(urlsplit(off.headers["location"]).query)
    assert asked["code_challenge_method"] == ["S256"] and asked["state"] and asked["nonce"]
    assert asked["redirect_uri"] == [f"{district.url}/oidc/callback"]
    login_form = await browser.get(off.headers["location"], follow_redirects=True)
    consent_form = await browser.post(
        urljoin(district.issuer, _form_action(login_form.text)),
        data={"prompt": "login", "login": login, "password": "anything"},
        follow_redirects=True,
    )
    answer = await browser.post(urljoin(district.issuer, _form_action(consent_form.text)), data={"prompt": "consent"})
    while not answer.headers["location"].startswith(district.url):
        answer = await browser.get(urljoin(district.issuer, answer.headers["location"]))
    return answer.headers["location"]


async def test_a_verified_roster_address_signs_in(district: District) -> None:
    async with httpx.AsyncClient(timeout=30) as browser:
        back = await through_provider(browser, district, district.cohort.ann)
        assert back.startswith(f"{district.url}/oidc/callback?code=")
        signed_in = await browser.get(back)
        assert signed_in.status_code == 303 and signed_in.headers["location"] == "/"
        me = await browser.get(f"{district.url}/api/me")
        assert me.status_code == 200 and me.json()["email"] == district.cohort.ann
        # The answer is used once: the same code and state again start nothing.
        again = await browser.get(back)
        assert again.status_code == 400 and "not for a sign-in started in this browser" in again.text


async def test_an_address_the_provider_has_not_verified_is_refused(district: District) -> None:
    async with httpx.AsyncClient(timeout=30) as browser:
        refused = await browser.get(await through_provider(browser, district, f"unverified:{district.cohort.tia}"))
        assert refused.status_code == 403
        assert f"Test District has not verified that {district.cohort.tia} is yours" in refused.text
        assert (await browser.get(f"{district.url}/api/me")).status_code == 401


async def test_an_address_in_no_running_cohort_is_refused(district: District) -> None:
    async with httpx.AsyncClient(timeout=30) as browser:
        refused = await browser.get(await through_provider(browser, district, "stranger@elsewhere.test"))
        assert refused.status_code == 403
        assert "stranger@elsewhere.test is not in any running cohort of the program" in refused.text
        assert (await browser.get(f"{district.url}/api/me")).status_code == 401


async def test_an_answer_with_another_state_is_refused(district: District) -> None:
    async with httpx.AsyncClient(timeout=30) as browser:
        back = await through_provider(browser, district, district.cohort.bob)
        query = {k: v[0] for k, v in parse_qs(urlsplit(back).query).items()}
        forged = await browser.get(f"{district.url}/oidc/callback?{urlencode({**query, 'state': 'forged-by-another-site'})}")
        assert forged.status_code == 400 and "not for a sign-in started in this browser" in forged.text
        assert (await browser.get(f"{district.url}/api/me")).status_code == 401
    async with httpx.AsyncClient(timeout=30) as elsewhere:  # the genuine answer, opened in a browser that did not start it
        stolen = await elsewhere.get(back)
        assert stolen.status_code == 400 and "not for a sign-in started in this browser" in stolen.text


async def test_the_provider_saying_no_is_shown(district: District) -> None:
    async with httpx.AsyncClient(timeout=30) as browser:
        await browser.get(f"{district.url}/sign-in")
        off = await browser.get(f"{district.url}/oidc/sign-in")
        state = parse_qs(urlsplit(off.headers["location"]).query)["state"][0]
        cancelled = await browser.get(f"{district.url}/oidc/callback", params={"error": "access_denied", "state": state})
        assert cancelled.status_code == 400 and "Test District did not sign you in" in cancelled.text


async def test_without_a_provider_the_page_offers_only_the_link(web_stack: WebStack) -> None:
    async with httpx.AsyncClient(base_url=web_stack.url) as browser:
        page = await browser.get("/sign-in")
        assert page.status_code == 200 and "Sign in with" not in page.text and "Email me a sign-in link" in page.text
        assert (await browser.get("/oidc/sign-in")).status_code == 404


def _accounts(issuer: str, tmp_path: Path) -> DistrictAccounts:
    settings = Settings(data_dir=tmp_path, oidc_issuer=issuer, oidc_client_id=CLIENT_ID, oidc_client_secret=CLIENT_SECRET, _env_file=None)  # type: ignore[call-arg]
    return DistrictAccounts(settings)


async def test_a_provider_that_names_another_issuer_is_not_trusted(district: District, tmp_path: Path) -> None:
    """The provider at this address says its issuer is http://127.0.0.1:…, not http://localhost:…."""
    with pytest.raises(NotLetIn, match="its issuer is not PEERCOACH_OIDC_ISSUER"):
        await _accounts(district.issuer.replace("127.0.0.1", "localhost"), tmp_path).discover()


async def test_a_provider_that_cannot_be_reached_is_said_so(tmp_path: Path) -> None:
    with pytest.raises(NotLetIn, match="cannot be reached just now"):
        await _accounts(f"http://127.0.0.1:{_free_port()}", tmp_path).discover()


def test_whose_address_the_provider_vouches_for() -> None:
    assert verified_email({"email": " Ann@Hazel.test ", "email_verified": True}, "Google") == "ann@hazel.test"
    assert verified_email({"email": "ann@hazel.test", "xms_edov": True}, "Microsoft") == "ann@hazel.test"  # Entra's spelling
    with pytest.raises(NotLetIn, match=re.escape("has not verified that ann@hazel.test is yours")):
        verified_email({"email": "ann@hazel.test", "email_verified": False}, "Google")
    with pytest.raises(NotLetIn, match="did not tell us your email address"):
        verified_email({"sub": "1234", "email_verified": True}, "Google")
    assert provider_name("https://login.microsoftonline.com/0000/v2.0") == "Microsoft"
    assert provider_name("https://accounts.google.com") == "Google"

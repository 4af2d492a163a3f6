"""With the database gone, the web app says so in one line (503) and changes nothing."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from temporalio.testing import WorkflowEnvironment

from peercoach.client import CoachingClient
from tests.databases import postgres_database
from tests.web.conftest import csrf_of
from web.app import create_app
from web.session import COOKIE
from workers.settings import Settings

DOWN = "the program's database cannot be reached just now; nothing was changed"
SAID = "database cannot be reached just now; nothing was changed"  # as a page shows it (the apostrophe is escaped)


async def test_pages_and_the_api_answer_503_in_one_line_when_the_database_is_gone(dev_env: WorkflowEnvironment, tmp_path: Path) -> None:
    with postgres_database() as database:
        settings = Settings(data_dir=tmp_path, database_url=database.url, web_secret="a secret for this test", _env_file=None)  # type: ignore[call-arg]
        app = create_app(settings, CoachingClient(dev_env.client, "nobody", database))
        with TestClient(app) as browser:
            sessions = app.state.engine.sessions
            signed_in = browser.portal.call(sessions.sign_in, "ann@hazel.test")  # type: ignore[union-attr]
            browser.cookies.set(COOKIE, sessions.cookie(signed_in))
            form = browser.get("/sign-in")
            assert form.status_code == 200 and browser.get("/api/me").status_code != 503
            _drop(database.url)

            api = browser.get("/api/me")
            assert (api.status_code, api.json()) == (503, {"detail": DOWN + ". Try again in a minute."})
            page = browser.get("/", follow_redirects=False)
            assert page.status_code == 503 and SAID in page.text and "Traceback" not in page.text
            browser.cookies.clear()  # a stranger asking for a sign-in link meets the same one line
            asked = browser.post("/sign-in", data={"email": "ann@hazel.test", "csrf": csrf_of(browser.get("/sign-in").text)})
            assert asked.status_code == 503 and SAID in asked.text


def _drop(url: str) -> None:
    """Take the database away from under the running app, as a failed server or a wrong URL would."""
    name = make_url(url).database
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f"drop database {name} with (force)"))
    admin.dispose()

"""Write docs/mail-examples/: one message of every kind, as a real SMTP server (aiosmtpd) received it.

    .venv/bin/python -m tests.activities.mail_examples

Each notice of tests/activities/records.py goes through send_notice, as a district's
worker would send it, to its first recipient; the envelope's content is written as
NAME.eml. Dates and MIME boundaries differ from run to run, nothing else does.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from pydantic import SecretStr

from activities.names import SEND_NOTICE
from activities.notifications import Links, Mailer, NoticeActivities
from store.outbox import Outbox
from tests.activities.conftest import SmtpServer, activity_environment, free_port
from tests.activities.records import realistic_notices
from tests.databases import sqlite_database

EXAMPLES = Path(__file__).parents[2] / "docs" / "mail-examples"


def main() -> None:
    smtp = SmtpServer(free_port())
    settings = smtp.settings.model_copy(
        update={
            "sender": "coaching@esd112.example.org",
            "sender_name": "ESD 112 Peer Coaching",
            "reply_to": "coaching-office@esd112.example.org",
        }
    )
    EXAMPLES.mkdir(exist_ok=True)
    smtp.start()
    with tempfile.TemporaryDirectory() as scratch:
        database = sqlite_database(Path(scratch))
        try:
            links = Links(web_url="https://peercoach.example.org", secret=SecretStr("an example secret"))  # unsubscribe links
            notices = NoticeActivities(Outbox(database), Mailer(settings), links)
            for name, (notice, _) in realistic_notices().items():
                one = notice.model_copy(update={"to": notice.to[:1]})
                asyncio.run(activity_environment(SEND_NOTICE).run(notices.send_notice, one))
                content = smtp.inbox.envelopes[-1].content
                assert isinstance(content, bytes)
                (EXAMPLES / f"{name}.eml").write_bytes(content)
                print(f"wrote {EXAMPLES / name}.eml")
        finally:
            database.dispose()
            smtp.stop()


if __name__ == "__main__":
    main()

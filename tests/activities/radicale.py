"""A real CalDAV server for the invite tests: Radicale on 127.0.0.1 and a free port.

It runs as a child process with its storage in a temporary folder and no configuration
but what is given here. Authentication is off (any user name is taken at its word), and
each user may use only their own calendars. Each test makes a calendar of its own, as a
calendar app keeps accepted invites in one; a calendar holds one event per UID.
"""

from __future__ import annotations

import itertools
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree

import httpx
from icalendar import Calendar

from tests.activities.conftest import free_port

STARTUP_SECONDS = 30
USER = "ann"
CALDAV = "urn:ietf:params:xml:ns:caldav"


class Radicale:
    def __init__(self, port: int, storage: Path, log: Path):
        self.url = f"http://127.0.0.1:{port}/{USER}/"
        self._names = itertools.count(1)
        command = [
            *(sys.executable, "-m", "radicale", "--config", ""),  # no system or user configuration
            *("--server-hosts", f"127.0.0.1:{port}"),
            *("--auth-type", "none", "--rights-type", "owner_only"),
            *("--storage-filesystem-folder", str(storage)),
        ]
        self._log = log.open("wb")
        self.process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT)
        self._client = httpx.Client(auth=(USER, ""))
        self._wait_until_listening(port)

    def _wait_until_listening(self, port: int) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"radicale exited with {self.process.returncode}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"radicale did not listen on port {port} within {STARTUP_SECONDS} s")

    def new_calendar(self) -> CalDavCalendar:
        url = f"{self.url}calendar-{next(self._names)}/"
        response = self._client.request("MKCALENDAR", url)
        assert response.status_code == 201, response.text
        return CalDavCalendar(self._client, url)

    def stop(self) -> None:
        self._client.close()
        self.process.terminate()
        self.process.wait(timeout=STARTUP_SECONDS)
        self._log.close()


class CalDavCalendar:
    def __init__(self, client: httpx.Client, url: str):
        self._client = client
        self.url = url

    def put(self, name: str, ics: str) -> httpx.Response:
        return self._client.put(f"{self.url}{name}.ics", content=ics.encode(), headers={"Content-Type": "text/calendar; charset=utf-8"})

    def get(self, name: str) -> str:
        response = self._client.get(f"{self.url}{name}.ics")
        assert response.status_code == 200, response.text
        return response.text

    def occurrences(self, start: datetime, end: datetime) -> list[tuple[str, datetime, datetime]]:
        """(UID, start, end) of every event between start and end, as the server expands them (RFC 4791 calendar-query)."""
        span = f'start="{_utc(start)}" end="{_utc(end)}"'
        query = f"""<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="{CALDAV}">
  <D:prop><C:calendar-data><C:expand {span}/></C:calendar-data></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range {span}/></C:comp-filter></C:comp-filter></C:filter>
</C:calendar-query>"""
        headers = {"Depth": "1", "Content-Type": "application/xml; charset=utf-8"}
        response = self._client.request("REPORT", self.url, content=query.encode(), headers=headers)
        assert response.status_code == 207, response.text
        found = []
        for data in ElementTree.fromstring(response.content).iter(f"{{{CALDAV}}}calendar-data"):
            for event in Calendar.from_ical(data.text or "").walk("VEVENT"):
                found.append((str(event["UID"]), event.decoded("DTSTART"), event.decoded("DTEND")))
        return sorted(found, key=lambda o: o[1])


def _utc(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


@contextmanager
def running_radicale(folder: Path) -> Iterator[Radicale]:
    """Radicale with its storage and its log in `folder`."""
    server = Radicale(free_port(), folder / "collections", folder / "radicale.log")
    try:
        yield server
    finally:
        server.stop()

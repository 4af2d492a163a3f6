"""`python -m bench simulate`: `peercoach simulate` of a program year, timed from outside.

The CLI runs in a process of its own (stopped at a deadline), as a coordinator runs
it: a 1,000-coach year twice with the same seed, whose JSON must be byte for byte
the same, and a 10,000-coach year; each against its target, beside the figure the
simulator had before it played the processes on a virtual clock (a 1,000-coach year
on relays of Temporal's time-skipping test server).
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel

SAMPLE_PROGRAM = Path(__file__).resolve().parent.parent / "samples" / "program.yaml"
TARGET_S = {1_000: 120.0, 10_000: 1_200.0}  # a 1,000-coach year in under 2 minutes, 10,000 coaches in under 20
BEFORE = "36-38 min: 1,000 coaches on the time-skipping server, relayed to a fresh server every 28 simulated days"


class SimulateRun(BaseModel):
    coaches: int
    seed: int
    timeout_s: float
    finished: bool
    wall_s: float
    cpu_s: float | None = None
    peak_rss_mb: float | None = None
    reason: str | None = None  # why it did not finish
    partnerships: int | None = None
    moves: int | None = None
    notices: int | None = None

    @property
    def target_s(self) -> float | None:
        return TARGET_S.get(self.coaches)


class SimulateBench(BaseModel):
    at: datetime
    cpus: int | None
    load_average: dict[str, list[float]]  # before and after: this machine is shared
    runs: list[SimulateRun]
    identical: bool | None  # the two runs with the same seed printed the same JSON, byte for byte
    before: str = BEFORE


def simulate(coaches: int, timeout_s: float, seed: int = 1) -> tuple[SimulateRun, bytes]:
    """One `peercoach simulate --json`: its figures, and what it printed."""
    peercoach = str(Path(sys.executable).parent / "peercoach")
    args = [peercoach, "simulate", "--program", str(SAMPLE_PROGRAM), "--coaches", str(coaches), "--seed", str(seed), "--json"]
    run = SimulateRun(coaches=coaches, seed=seed, timeout_s=timeout_s, finished=False, wall_s=0)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        began = time.monotonic()
        process = subprocess.Popen(args, stdout=out, stderr=err, start_new_session=True)
        status, usage = _wait(process, began + timeout_s)
        run.wall_s = time.monotonic() - began
        out.seek(0)
        err.seek(0)
        printed, said = out.read(), err.read().decode(errors="replace")
    if usage is not None:
        run.cpu_s = usage.ru_utime + usage.ru_stime
        run.peak_rss_mb = usage.ru_maxrss / 1024
    if status is None:
        run.reason = f"still running after {timeout_s:.0f} s"
        return run, b""
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        lines = [line for line in said.splitlines() if line.strip()]
        run.reason = f"exit {code}: {lines[-1] if lines else 'no message'}"
        return run, b""
    year = json.loads(printed)
    run.finished = True
    run.partnerships = year["partnerships"]
    run.moves = year["outcome"]["moves"]
    run.notices = sum(year["notifications"].values())
    return run, printed


def _wait(process: subprocess.Popen[bytes], deadline: float) -> tuple[int | None, resource.struct_rusage | None]:
    """The exit status and resource use of the process, or (None, None) if it was stopped at the deadline."""
    while time.monotonic() < deadline:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid == process.pid:
            return status, usage
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)  # its own session
    os.wait4(process.pid, 0)
    return None, None


def measure(coaches: int, large: int, timeout_s: float, seed: int, say: Callable[[str], None]) -> list[tuple[SimulateRun, bytes]]:
    """`coaches` twice with the same seed, then `large` once (0: not)."""
    runs = []
    for n in [coaches, coaches, *([large] if large else [])]:
        say(f"peercoach simulate --coaches {n} --seed {seed} (at most {timeout_s:.0f} s)")
        runs.append(simulate(n, timeout_s, seed))
    return runs

"""`peercoach simulate` of a program year, timed from outside: the CLI in a process of its own, stopped at a deadline."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from pydantic import BaseModel

SAMPLE_PROGRAM = Path(__file__).resolve().parent.parent / "samples" / "program.yaml"


class SimulateFigures(BaseModel):
    coaches: int
    timeout_s: float
    finished: bool
    wall_s: float
    reason: str | None = None  # why it did not finish
    partnerships: int | None = None
    cycles_completed: dict[str, int] | None = None


def simulate(coaches: int, timeout_s: float, seed: int = 1) -> SimulateFigures:
    peercoach = str(Path(sys.executable).parent / "peercoach")
    args = [peercoach, "simulate", "--program", str(SAMPLE_PROGRAM), "--coaches", str(coaches), "--seed", str(seed), "--json"]
    began = time.monotonic()
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # its own session: the time-skipping server goes too
        process.communicate()
        return SimulateFigures(
            coaches=coaches,
            timeout_s=timeout_s,
            finished=False,
            wall_s=time.monotonic() - began,
            reason=f"still running after {timeout_s:.0f} s",
        )
    wall = time.monotonic() - began
    if process.returncode != 0:
        lines = [line for line in err.decode(errors="replace").splitlines() if line.strip()]
        reason = f"exit {process.returncode}: {lines[-1] if lines else 'no message'}"
        return SimulateFigures(coaches=coaches, timeout_s=timeout_s, finished=False, wall_s=wall, reason=reason)
    year = json.loads(out)
    return SimulateFigures(
        coaches=coaches,
        timeout_s=timeout_s,
        finished=True,
        wall_s=wall,
        partnerships=year.get("partnerships"),
        cycles_completed={str(k): v for k, v in (year.get("cycles_completed") or {}).items()},
    )

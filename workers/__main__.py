"""`python -m workers`: run a worker against the Temporal named in the environment."""

import asyncio
import os
import sys

import structlog

from domain.problems import InvalidInput
from workers import logs
from workers.settings import Settings
from workers.worker import run


def main() -> None:
    settings = Settings()
    logs.configure(settings.log_format, settings.log_level)
    code = 0
    try:
        asyncio.run(run(settings))
    except InvalidInput as invalid:  # e.g. a malformed PEERCOACH_CODEC_KEYS: one clear line, no traceback
        structlog.get_logger().error("worker not started", problems=[str(p) for p in invalid.problems])
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()

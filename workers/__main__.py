"""`python -m workers`: run a worker against the Temporal named in the environment."""

import asyncio
import os
import sys

from workers import logs
from workers.settings import Settings
from workers.worker import run


def main() -> None:
    settings = Settings()
    logs.configure(settings.log_format, settings.log_level)
    asyncio.run(run(settings))
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()

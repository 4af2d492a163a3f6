"""`python -m web`: the web app against the Temporal named in the environment (PEERCOACH_*)."""

import asyncio
import os
import sys

from web.serve import serve
from workers.settings import Settings


def main() -> None:
    asyncio.run(serve(Settings()))
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # leave without the Temporal client's exit crash (sdk-python issue 300)


if __name__ == "__main__":
    main()

"""Turn a domain refusal into the Temporal failure a client sees.

A validator that raises rejects the Update before anything is written to
history. In a handler, anything but an ApplicationError would retry the
workflow task forever, so refusals become non-retryable ApplicationErrors whose
details carry the moves that are allowed instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain.problems import Refused

REFUSED = "Refused"


@contextmanager
def refusals() -> Iterator[None]:
    try:
        yield
    except Refused as refused:
        raise ApplicationError(refused.reason, refused.allowed, type=REFUSED, non_retryable=True) from None

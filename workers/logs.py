"""structlog JSON logs; Temporal's own log records carry the workflow and run ids they came from."""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog
from temporalio import activity
from temporalio.runtime import LogForwardingConfig, LoggingConfig, Runtime, TelemetryConfig, TelemetryFilter


def _temporal_ids(logger: Any, method: str, event: dict[str, Any]) -> dict[str, Any]:
    record = event.get("_record")
    for extra in ("temporal_workflow", "temporal_activity"):
        info = getattr(record, extra, None) if record is not None else None
        if isinstance(info, dict):
            for key in ("workflow_id", "run_id", "workflow_type", "activity_type", "attempt"):
                if key in info:
                    event.setdefault(key, info[key])
    if activity.in_activity():
        info = activity.info()
        event.setdefault("workflow_id", info.workflow_id)
        event.setdefault("run_id", info.workflow_run_id)
        event.setdefault("activity_type", info.activity_type)
        event.setdefault("attempt", info.attempt)
    return event


def route_core_logs() -> None:
    """The SDK core writes its own log lines to stdout unless told otherwise; send them through
    Python logging (stderr) instead, so `--json` output stays one JSON document. Call before any client."""
    logging_config = LoggingConfig(
        filter=TelemetryFilter(core_level="WARN", other_level="ERROR"),
        forwarding=LogForwardingConfig(logger=logging.getLogger("temporalio.core")),
    )
    Runtime.set_default(Runtime(telemetry=TelemetryConfig(logging=logging_config)), error_if_already_set=False)


def configure(log_format: str = "json", level: str = "INFO") -> None:
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _temporal_ids,
    ]
    renderer = structlog.processors.JSONRenderer() if log_format == "json" else structlog.dev.ConsoleRenderer()
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[structlog.stdlib.ExtraAdder(), *shared],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, structlog.processors.format_exc_info, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Alembic says which SQL dialect it found each time a process checks the schema: noise in every log.
    logging.getLogger("alembic.runtime.migration").setLevel(logging.WARNING)
    route_core_logs()

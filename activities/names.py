"""What the workflows know of the activities (they live in another layer): names, and the orders they send."""

from typing import Any

from pydantic import BaseModel

SEND_NOTICE = "send_notice"
BOOK_SUBSTITUTE = "book_substitute"
START_WORKFLOWS = "start_workflows"


class WorkflowStart(BaseModel):
    """One workflow to start by id (type name, input as JSON, keyword search attributes by name)."""

    workflow: str
    id: str
    task_queue: str
    input: dict[str, Any]
    attributes: dict[str, str]

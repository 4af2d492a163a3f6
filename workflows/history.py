"""When a long-lived workflow should continue as new."""

from temporalio import workflow

# A real cluster suggests continue-as-new around this size; the time-skipping
# test server never does, so count events ourselves too.
EVENTS_BEFORE_CONTINUING = 10_000


def history_is_long() -> bool:
    info = workflow.info()
    return info.is_continue_as_new_suggested() or info.get_current_history_length() > EVENTS_BEFORE_CONTINUING

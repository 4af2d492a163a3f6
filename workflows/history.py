"""When a long-lived workflow should continue as new."""

from temporalio import workflow


def history_is_long() -> bool:
    # Only when the server suggests it (real clusters, the dev server and the time-skipping
    # test server all do, the last at about 4,000 events): a count of our own would be a
    # second, differing limit to keep in step with theirs.
    return workflow.info().is_continue_as_new_suggested()

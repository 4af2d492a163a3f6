"""When a long-lived workflow should continue as new."""

from temporalio import workflow


def history_is_long() -> bool:
    # Only when the server suggests it. The time-skipping test server never does, and a
    # count of our own made it continue as new under a stream of signals, which that
    # server mishandled (its clock stopped); real clusters suggest it in time.
    return workflow.info().is_continue_as_new_suggested()

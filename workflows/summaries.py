"""Where a training or partnership keeps its latest summary: the memo, which visibility lists.

Before this, every change was signalled to the cohort, whose history then grew with
every move of every partnership (a state-sized cohort could not keep up). Runs from
before that replay without the patch marker and keep signalling.
"""

SUMMARY = "summary"  # the memo field
SUMMARY_IN_MEMO = "summary-in-memo"  # the workflow.patched id

"""`python -m bench` (`make bench`): how this program does against plain Temporal on this machine.

One run starts its own Temporal dev server, in memory by default (`--sqlite`:
on a temporary SQLite file, as `peercoach dev` runs it; on this shared machine
its fsyncs make figures swing with other people's disk use), and measures both
halves on it:

a. plain Temporal: trivial workflows started and completed, one Update each,
   with a trivial worker process: the ceiling on this machine;
b. this program: a cohort launched, every partnership moved through a whole
   cycle through `peercoach/client.py`, with the real worker process
   (`python -m workers`); figures as ratios to (a), peak memory, and the history
   events and billable actions one partnership cycle costs.

It writes one JSON file and prints a table with the targets met or missed.

`python -m bench simulate` times `peercoach simulate` (the domain's processes on a
virtual clock, no Temporal) for a 1,000-coach and a 10,000-coach year, and checks
that two runs with the same seed print byte-identical JSON (bench/simulate.py).

`python -m bench pages` is a mode of its own: the web app's pages timed through a
real `peercoach web` process with a 1,000-coach cohort beside two of 200, every
partnership moved (bench/pages.py), then a 10,000-coach launch, its rate against
plain Temporal's starts and the cohort's largest payload (bench/launch.py).
"""

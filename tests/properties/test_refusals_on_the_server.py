"""On the real dev server: a refused Update, whatever its payload, writes nothing to history.

Hypothesis generates bad moves and notes for a running partnership and bad
release requests for a running ledger; each goes through `peercoach/client.py`
as a door would send it, comes back as `Refused` with a sentence, and the
workflow's history has exactly as many events afterwards as before.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from temporalio.testing import WorkflowEnvironment

from domain.cycle import NOTE_MAX_CHARS, Stage
from domain.problems import Refused
from domain.training import Attendance
from tests.conftest import eventually, program_starting
from tests.properties.inputs import PROPERTY, any_days_number, any_text, awkward_text
from tests.properties.test_update_payloads import readable
from tests.roster_fixtures import ANN, ANN_TIA, COORDINATOR, PRINCIPAL, TIA, small_roster

not_the_coach = st.one_of(st.sampled_from([TIA, PRINCIPAL, "ted@hazel.test"]), awkward_text)
bad_moves = st.one_of(
    st.tuples(not_the_coach, st.sampled_from([s for s in Stage if s != Stage.withdrawn]), st.none()),
    st.tuples(st.just(ANN), st.sampled_from([Stage.co_plan, Stage.observe, Stage.closed, Stage.pending, Stage.withdrawn]), any_text),
    st.tuples(st.just(ANN), st.just(Stage.initiate), st.just("n" * (NOTE_MAX_CHARS + 1))),  # the allowed move, with too long a note
).map(lambda t: ("move", *t))
bad_notes = st.one_of(
    st.tuples(not_the_coach.filter(lambda a: a != TIA), any_text, st.none()),
    st.tuples(st.just(TIA), st.just("n" * (NOTE_MAX_CHARS + 1)), st.none()),
    st.tuples(st.just(TIA), st.sampled_from(["", "  "]), st.one_of(st.none(), awkward_text.filter(lambda t: not t.startswith("http")))),
).map(lambda t: ("note", *t))
bad_asks = st.one_of(
    st.tuples(st.one_of(st.just(PRINCIPAL), awkward_text), st.just(1.0), st.just(5), any_text),  # not a coach or teacher there
    st.tuples(st.just(TIA), any_days_number.filter(lambda d: not (0 < d <= 2 and float(d * 2).is_integer())), st.just(5), st.just("Plan")),
    st.tuples(st.just(TIA), st.just(0.5), st.integers(-400, -1), st.just("Co-plan")),
    st.tuples(st.just(TIA), st.just(0.5), st.just(5), st.just("p" * 501)),
).map(lambda t: ("ask", *t))


async def test_refused_updates_write_nothing_to_history(dev_env: WorkflowEnvironment, harness) -> None:  # type: ignore[no-untyped-def]
    h = harness(dev_env.client)
    cohort = f"refusals-{uuid.uuid4().hex[:6]}"
    now = datetime.now(UTC)
    coaching = h.coaching()
    loop = asyncio.get_running_loop()

    def on_loop(coro: Coroutine[Any, Any, Any]) -> Any:
        """Hypothesis runs in a thread; the worker and client stay on the test's event loop."""
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout=30)

    async def events(handle: Any) -> int:
        return len((await handle.fetch_history()).events)

    sent = 0

    @settings(PROPERTY, max_examples=36)
    @given(payload=st.one_of(bad_moves, bad_notes, bad_asks))
    def refused_and_unwritten(payload: tuple[Any, ...]) -> None:
        nonlocal sent
        kind, *args = payload
        if kind == "move":
            actor, stage, note = args
            handle, update = coaching.partnership(cohort, ANN_TIA), coaching.move(cohort, ANN_TIA, actor, stage, note)
        elif kind == "note":
            author, text, link = args
            handle, update = coaching.partnership(cohort, ANN_TIA), coaching.add_note(cohort, ANN_TIA, author, text, link)
        else:
            requester, days, in_days, purpose = args
            on = (now + timedelta(days=in_days)).date()
            handle, update = coaching.ledger(cohort, "hazel"), coaching.request_release(cohort, "hazel", requester, days, on, purpose)
        before = on_loop(events(handle))
        with pytest.raises(Refused) as refused:
            on_loop(update)
        readable(refused.value)
        assert on_loop(events(handle)) == before, f"refused ({refused.value.reason}) but history grew"
        sent += 1

    async with h.worker():
        await coaching.launch_cohort(cohort, program_starting((now - timedelta(days=200)).date()), small_roster(), COORDINATOR)
        await coaching.wait_until_launched(cohort)
        await coaching.record_attendance(cohort, COORDINATOR, 5, {ANN: Attendance.attended})
        await eventually(lambda: h.sent("coaching_unlocked"))
        await asyncio.sleep(0.5)  # the cohort's signal reaches the partnership

        await asyncio.to_thread(refused_and_unwritten)

        await coaching.move(cohort, ANN_TIA, ANN, Stage.initiate, "We met")  # and a good move still goes through
    assert sent >= 30  # hypothesis skips a payload it has already tried

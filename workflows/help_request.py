"""One teacher's question to their coach, carried out on Temporal: the coach hears of it, is reminded once if it is
still unanswered at the end of the next school day, and the teacher hears of the answer.

Every decision is the domain's (`domain/help.py`). This workflow waits for the answer Update or the process's next
wake-up, asks the process, and carries out its effects. The validator asks the same process first, so a refused
answer never reaches history. The answer is sealed into the database by an activity before the coach is told it is
done; its words live in the Update and that activity's input, which the codec encrypts, never in the record.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from pydantic import BaseModel
from temporalio import workflow

from activities.names import RECORD_HELP_REQUEST, HelpToRecord
from workflows.dispatch import DATABASE_RETRY, Dispatch
from workflows.refusals import refusals
from workflows.wake import Clock

with workflow.unsafe.imports_passed_through():
    from domain.help import HelpAnswer, HelpProcess, HelpRecord
    from domain.processes.effects import Effects
    from domain.program import Program


def help_id(cohort: str, request: str) -> str:
    return f"help/{cohort}/{request}"


class HelpInput(BaseModel):
    record: HelpRecord
    program: Program


@workflow.defn
class HelpRequestWorkflow:
    @workflow.init
    def __init__(self, input: HelpInput) -> None:
        self.record = input.record
        self.process = HelpProcess(input.program)
        self.dispatch = Dispatch()
        self.clock = Clock()

    @workflow.run
    async def run(self, input: HelpInput) -> HelpRecord:
        """A few events in all (asked, reminded, answered or closed): its history never needs continuing as new."""
        self._carry_out(self.process.start(self.record, workflow.now()))
        while not self.clock.done:
            if await self.clock.next():
                self._carry_out(self.process.wake(self.record, workflow.now()))
        await self.dispatch.settled()
        return self.record

    @workflow.update
    async def answer(self, answer: HelpAnswer) -> HelpRecord:
        """The record as answered, once the answer is sealed in the database (so the teacher's page shows it)."""
        with refusals():
            kept = self.process.check_answer(self.record, answer)
            effects = self.process.answer(self.record, answer, workflow.now())  # answered now: a second answer is refused
        assert isinstance(effects.summary, HelpRecord)
        given = HelpToRecord(record=effects.summary, answer=kept)
        await workflow.execute_activity(
            RECORD_HELP_REQUEST, given, start_to_close_timeout=timedelta(seconds=30), retry_policy=DATABASE_RETRY
        )
        return self._carry_out(replace(effects, summary=None))

    @answer.validator
    def _validate_answer(self, answer: HelpAnswer) -> None:
        with refusals():
            self.process.check_answer(self.record, answer)

    @workflow.query
    def details(self) -> HelpRecord:
        return self.record

    def _carry_out(self, effects: Effects[Any]) -> Any:
        """The record's row is this workflow's to write; the rest goes the way every process's effects go."""
        self.clock.took(effects)
        if isinstance(effects.summary, HelpRecord):
            self.dispatch.publish(RECORD_HELP_REQUEST, HelpToRecord(record=effects.summary))
        self.dispatch.carry_out(self.record.cohort, replace(effects, summary=None))
        return effects.reply

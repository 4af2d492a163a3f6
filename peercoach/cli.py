"""`peercoach`: run the Peer Coaching Program from a terminal.

Every command talks to the Temporal named by --address/--namespace (or the
PEERCOACH_* environment), so the same commands work against the local stack
that `peercoach dev` starts and against a production cluster. A user mistake
prints one line and exits 1; nothing is changed by a refused action.
"""

from __future__ import annotations

import os
import sys

import typer
from temporalio.service import RPCError

from domain.problems import InvalidInput, Refused
from peercoach import (
    application_commands,
    board_commands,
    cohort_commands,
    db_commands,
    dev,
    histories_command,
    lesson_commands,
    offering_commands,
    partnership_commands,
    plan_commands,
    release_commands,
    report_command,
    session_commands,
    simulate_command,
    site_commands,
    tiers_commands,
    tools,
    web_command,
    year_two_commands,
)
from peercoach.invocation import UserError, connection, settings
from peercoach.output import errors
from store.database import DatabaseProblem
from workers import logs

app = typer.Typer(
    help="Run the Peer Coaching Program: cohorts, training sessions, coaching cycles and release time.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.callback()(connection)
app.add_typer(cohort_commands.cohort_app, name="cohort")
app.add_typer(cohort_commands.attendance_app, name="attendance")
app.add_typer(partnership_commands.partnership_app, name="partnership")
app.add_typer(release_commands.release_app, name="release")
app.add_typer(session_commands.session_app, name="session")
app.add_typer(plan_commands.plan_app, name="plan")
app.add_typer(tiers_commands.tiers_app, name="tiers")
app.add_typer(year_two_commands.year_two_app, name="year-two")
app.add_typer(offering_commands.offering_app, name="offering")
app.add_typer(application_commands.applications_app, name="applications")
app.add_typer(site_commands.site_app, name="site")
app.add_typer(db_commands.db_app, name="db")
app.add_typer(histories_command.histories_app, name="histories")
app.add_typer(board_commands.board_app, name="board")
app.add_typer(lesson_commands.lessons_app, name="lessons")
app.command()(dev.dev)
app.command()(simulate_command.simulate)
app.command()(report_command.report)
app.command()(web_command.web)
tools.register(app)


def main() -> None:
    """Entry point: run the command, then leave without the Temporal client's exit crash (sdk-python issue 300)."""
    logs.route_core_logs()
    code = 0
    try:
        app()  # usage mistakes are reported by Typer itself, which exits with 2
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else 0 if done.code is None else 1
    except InvalidInput as invalid:
        errors.print(f"[red]{len(invalid.problems)} problem(s); nothing was changed:[/red]", highlight=False)
        for problem in invalid.problems:
            errors.print(f"  {problem}", highlight=False, markup=False)
        code = 1
    except Refused as refused:
        errors.print(f"refused: {refused.reason}", highlight=False, markup=False)
        if refused.allowed:
            errors.print(f"allowed now: {', '.join(refused.allowed)}", highlight=False, markup=False)
        code = 1
    except (UserError, DatabaseProblem) as mistake:
        errors.print(str(mistake), highlight=False, markup=False)
        code = 1
    except RPCError as err:
        errors.print(f"Temporal said: {err.message}", highlight=False, markup=False)
        code = 1
    except RuntimeError as err:
        if "client connect" not in str(err).lower():
            raise
        address = settings().temporal_address
        errors.print(f"cannot reach Temporal at {address}: start the local stack with `peercoach dev`, or point --address at your cluster")
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)

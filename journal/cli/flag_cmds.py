"""`journal flag`: list a patient's red flags, mark one seen, resolve it.

A flag's id is stable (computed from its course, kind and first day), so the
id `flag list` prints is the one `flag seen` and `flag resolve` take, as a
full id or its first 4+ characters.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import typer

from journal.cli.context import emit_json, open_from, say

if TYPE_CHECKING:
    from journal.services.amend import Outcome
    from journal.services.flags import PatientFlag

flag_app = typer.Typer(help="Act on red flags: list, mark seen, resolve.", no_args_is_help=True)

PATIENT_HELP = "Patient id, id prefix or unique name."
# The options `seen` and `resolve` share, declared once.
FLAG = typer.Argument(..., metavar="FLAG", help="Flag id or its first 4+ characters.")
BY = typer.Option(None, "--by", help="Who acted, e.g. 'Dr Chen' (default: your user name).")
NOTE = typer.Option(None, "--note", help="A note for the record, e.g. what was advised.")
IN_PATIENT = typer.Option(None, "--patient", "-p", help=PATIENT_HELP + " Narrows the search.")
JSON = typer.Option(False, "--json", help="Print one JSON document.")


@flag_app.command("list")
def list_flags(
    ctx: typer.Context,
    patient: str = typer.Option(..., "--patient", "-p", help=PATIENT_HELP),
    as_json: bool = JSON,
) -> None:
    """A patient's red flags with id and status, open ones first."""
    from journal.services.flags import patient_flags

    with open_from(ctx) as journal:
        found = patient_flags(journal, patient)
    if as_json:
        emit_json([p.to_dict() for p in found])
        return
    if not found:
        say("No red flags: nothing reported or derived from the check-ins.")
    for item in found:
        say(_line(item))


def _line(item: PatientFlag) -> str:
    flag = item.flag
    span = flag.first.isoformat()
    if flag.last != flag.first:
        span += f"..{flag.last.isoformat()}"
    words = f'  "{flag.words[-1]}"' if flag.words else ""
    return f"{flag.short_id}  {flag.status:<8}  {span:<22}  {flag.label}: {flag.sentence()}{words}"


@flag_app.command("seen")
def seen(
    ctx: typer.Context,
    flag: str = FLAG,
    by: str | None = BY,
    note: str | None = NOTE,
    patient: str | None = IN_PATIENT,
    as_json: bool = JSON,
) -> None:
    """Acknowledge a red flag: a provider has seen it."""
    from journal.services.flags import mark_seen

    with open_from(ctx) as journal:
        outcome = mark_seen(journal, flag, by=by, note=note, patient_ref=patient)
    _report(outcome, as_json)


@flag_app.command("resolve")
def resolve(
    ctx: typer.Context,
    flag: str = FLAG,
    date: str | None = typer.Option(
        None, "--date", "-d", help="Day it resolved, YYYY-MM-DD (default: today)."
    ),
    lasting: bool = typer.Option(
        False, "--lasting", help="The harm lasted (a scar, a pigment change): keeps the cap."
    ),
    by: str | None = BY,
    note: str | None = NOTE,
    patient: str | None = IN_PATIENT,
    as_json: bool = JSON,
) -> None:
    """Close a red flag on a date, saying whether harm lasted."""
    from journal.services.flags import resolve as resolve_flag

    with open_from(ctx) as journal:
        outcome = resolve_flag(
            journal,
            flag,
            on=date or dt.date.today(),
            by=by,
            lasting=lasting,
            note=note,
            patient_ref=patient,
        )
    _report(outcome, as_json)


def _report(outcome: Outcome, as_json: bool) -> None:
    if as_json:
        emit_json(outcome)
    else:
        say(outcome.summary)


def register(app: typer.Typer) -> None:
    app.add_typer(flag_app, name="flag")

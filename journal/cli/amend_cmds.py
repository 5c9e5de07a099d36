"""Correcting records: `edit` and `delete` for every kind, `journal undo`, `journal log`.

An edit command takes the same options as the matching `add`, all optional:
only what is given changes, and an empty value clears an optional field
(`--notes ""`). The options are declared once per kind in `EDITS` and the
commands are built from them, so an edit can never drift from its fields.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Optional

import typer

from journal.cli.amend_options import (
    BY_HELP,
    EDITS,
    JSON_HELP,
    changes_from,
    option_names,
    report,
)
from journal.cli.context import (
    emit_json,
    open_from,
    options,
    say,
    short_id,
)
from journal.cli.photo_cmds import photo_app
from journal.cli.records_cmds import (
    checkin_app,
    course_app,
    patient_app,
    review_app,
    session_app,
)

if TYPE_CHECKING:
    pass


def _param(name: str, default: Any, annotation: Any) -> inspect.Parameter:
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
    )


def _edit_command(kind: str) -> Callable[..., None]:
    options = EDITS[kind]

    def command(ctx: typer.Context, **given: Any) -> None:
        from journal.services.amend import edit

        changes = changes_from(kind, given)
        if not changes:
            from journal.core.errors import InvalidValue

            raise InvalidValue(kind, given["record_id"], "give at least one field to change")
        with open_from(ctx) as journal:
            outcome = edit(journal, kind, given["record_id"], changes, by=given["by"])
        _report(outcome, given["as_json"])

    params = [
        inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context),
        _param(
            "record_id", typer.Argument(..., metavar="ID", help=f"The {kind}'s id or prefix."), str
        ),
    ]
    for opt, name in zip(options, _names(options), strict=True):
        annotation = Optional[list[str]] if opt.many else Optional[str]  # noqa: UP045
        params.append(_param(name, typer.Option(None, opt.flag, help=opt.help), annotation))
    if kind == "check-in":
        flag = typer.Option(None, "--downtime/--no-downtime", help="Downtime that day.")
        params.append(_param("downtime", flag, Optional[bool]))  # noqa: UP045
    if kind != "review":
        keep = typer.Option(False, "--custom", help="Keep a word close to a known one as yours.")
        params.append(_param("custom", keep, bool))
    params.append(_param("by", typer.Option(None, "--by", help=BY_HELP), Optional[str]))  # noqa: UP045
    params.append(_param("as_json", typer.Option(False, "--json", help=JSON_HELP), bool))
    command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    command.__doc__ = f"Correct a {kind}: only the options given change."
    return command


_names = option_names


def _delete_command(kind: str) -> Callable[..., None]:
    def command(
        ctx: typer.Context,
        record_id: str = typer.Argument(..., metavar="ID", help=f"The {kind}'s id or prefix."),
        yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
        by: str | None = typer.Option(None, "--by", help=BY_HELP),
        as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
    ) -> None:
        from journal.services.amend import delete, delete_preview

        with open_from(ctx) as journal:
            if not yes:
                _confirm(delete_preview(journal, kind, record_id) + " (undo with `journal undo`)")
            outcome = delete(journal, kind, record_id, by=by)
        _report(outcome, as_json)

    command.__doc__ = f"Delete a {kind} (and what belongs only to it); `journal undo` reverts it."
    return command


def _confirm(question: str) -> None:
    """Ask on a terminal; without one, `--yes` is the only way to say yes."""
    from journal.core.errors import JournalError

    if not sys.stdin.isatty():
        raise JournalError(f"{question}: no terminal to confirm on; pass --yes to confirm")
    if not typer.confirm(question + "?", default=False):
        raise JournalError("cancelled: nothing was changed")


_report = report


def erase(
    ctx: typer.Context,
    patient: str = typer.Argument(..., metavar="P", help="Patient id, id prefix or unique name."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
    by: str | None = typer.Option(None, "--by", help=BY_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Erase a patient with every record, change and photo: final, no undo."""
    from journal.services.erasure import erase_patient, erase_preview

    with open_from(ctx) as journal:
        if not yes:
            _confirm(erase_preview(journal, patient))
        erased = erase_patient(journal, patient, by=by)
    if as_json:
        emit_json(erased)
        return
    say(
        f"Erased patient {short_id(erased.patient_id)}: {erased.records} record(s), "
        f"{erased.photo_files} photo file(s)."
    )
    if not erased.compacted:
        say("Another program had the journal open: run `journal doctor` once it is closed.")
    say("Backups you made before still hold them: delete those yourself.")


def undo(
    ctx: typer.Context,
    by: str | None = typer.Option(None, "--by", help=BY_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Revert the latest edit or delete made in this journal."""
    from journal.services.amend import undo as undo_latest

    with open_from(ctx) as journal:
        outcome = undo_latest(journal, by=by)
    _report(outcome, as_json)


def log(
    ctx: typer.Context,
    patient: str | None = typer.Option(
        None, "--patient", "-p", help="Only this patient's changes (id, id prefix or name)."
    ),
    limit: int | None = typer.Option(
        None, "--limit", help="At most this many lines, newest first."
    ),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Every edit, delete and undo, newest first: who, when, what, old -> new."""
    from journal.cli.amend_options import print_log
    from journal.services.changelog import log_for

    opts = options(ctx)
    print_log(log_for(opts.home, opts.db, patient, limit=limit, full=as_json), as_json)


def register(app: typer.Typer) -> None:
    apps = {
        "patient": patient_app,
        "course": course_app,
        "session": session_app,
        "check-in": checkin_app,
        "review": review_app,
        "photo": photo_app,
    }
    for kind, sub_app in apps.items():
        sub_app.command("edit")(_edit_command(kind))
        if kind != "patient":
            sub_app.command("delete")(_delete_command(kind))
    patient_app.command("delete")(erase)
    app.command("undo")(undo)
    app.command("log")(log)

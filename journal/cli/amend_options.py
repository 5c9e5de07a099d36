"""The options of `journal <kind> edit` and how an outcome is printed, without Typer.

Declared once here: `journal.cli.amend_cmds` builds the Typer commands from
them, and `journal.cli.fastpath` reads the same options for the edit, delete
and undo command lines it answers without loading Typer (or SQLAlchemy), so
both paths take the same options to the same changes and print the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from journal.cli.context import emit_json
from journal.core.vocab import SYMPTOM_KEYS

if TYPE_CHECKING:
    from journal.services.amend_rules import Outcome


@dataclass(frozen=True)
class Opt:
    """One option of an edit command and the field it changes."""

    field: str  # the service's field name
    flag: str
    help: str
    many: bool = False  # repeatable: the whole list is replaced


def _o(field: str, help: str, flag: str | None = None, many: bool = False) -> Opt:
    return Opt(field, flag or "--" + field.replace("_", "-"), help, many)


MOVE = (
    _o("course", "Move it to this course (id or title) of its patient."),
    _o("patient", "Move it to this patient's current course (check-in filed under the wrong one)."),
)

EDITS: dict[str, tuple[Opt, ...]] = {
    "patient": (
        _o("name", "New display name."),
        _o("birth_year", "Year of birth."),
        _o("skin_type", "Fitzpatrick type 1-6."),
        _o("concerns", "Target concern (repeatable; replaces the list).", "--concern", True),
        _o("screening", "Screening answer (repeatable; replaces the list).", many=True),
    ),
    "course": (
        _o("title", "Name of the series."),
        _o("areas", "Treated area (repeatable; replaces the list).", "--area", True),
        _o("concerns", "Target concern (repeatable; replaces the list).", "--concern", True),
        _o("planned", "Planned sessions 1-20."),
        _o("interval_weeks", "Weeks between sessions: 5 or 4-6."),
        _o("status", "active, paused, complete or stopped."),
    ),
    "session": (
        _o("date", "Date as YYYY-MM-DD."),
        _o("provider", "Who performed the session (name; empty clears)."),
        _o("setting", "in-office or at-home."),
        _o("device", "roller, pen, rf or stamp."),
        _o("device_name", "e.g. Dermapen."),
        _o("depth", "Needle depth in mm, or per area: cheeks=1.5,forehead=0.5."),
        _o("passes", "Number of passes 1-20."),
        _o("areas", "Treated area (repeatable; replaces the list).", "--area", True),
        _o("serums", "Adjunct or serum (repeatable; replaces the list).", "--serum", True),
        _o("anesthetic", "Numbing used."),
        _o("pain", "Procedure pain 0-10."),
        _o("cost", "Price of the session."),
        _o("currency", "Currency of the cost, e.g. EUR."),
        _o("notes", "Free-text notes (empty clears)."),
        *MOVE,
    ),
    "check-in": (
        _o("date", "Date as YYYY-MM-DD."),
        *(
            Opt(f"symptom:{name}", f"--{name}", f"{name.capitalize()} 0-10.")
            for name in SYMPTOM_KEYS
        ),
        _o("concerns", "Concern severity NAME=0-10 (repeatable; replaces all).", "--concern", True),
        _o("gais", "very-much-improved|much-improved|improved|no-change|worse."),
        _o("verdict", "worth-it|not-sure|not-worth-it."),
        _o("flags", "Red flag (repeatable; replaces the list).", "--flag", True),
        _o("notes", "Free-text notes (empty clears)."),
        *MOVE,
    ),
    "review": (
        _o("date", "Date as YYYY-MM-DD."),
        _o("provider", "Reviewing provider (name)."),
        _o("gais", "Observer GAIS."),
        _o("goodman_baron", "Qualitative scar grade 1-4."),
        _o("notes", "Free-text notes (empty clears)."),
        *MOVE,
    ),
    "photo": (
        _o("kind", "before, after or follow-up."),
        _o("area", "The area it shows (re-file it)."),
        _o("angle", "The angle it was taken from."),
        _o("date", "The day it was taken (the time of day is kept)."),
        *MOVE,
    ),
}

BY_HELP = "Who makes the change (a provider's name; default: your user name)."
JSON_HELP = "Print one JSON document."


def option_names(options: tuple[Opt, ...]) -> list[str]:
    """The keyword each option is passed to the command as."""
    return [o.field.replace("symptom:", "symptom_") for o in options]


def changes_from(kind: str, given: Mapping[str, Any]) -> dict[str, Any]:
    """The service's `changes` from the options given (by keyword, None when not given)."""
    options = EDITS[kind]
    changes: dict[str, Any] = {}
    symptoms: dict[str, Any] = {}
    for opt, name in zip(options, option_names(options), strict=True):
        value = given.get(name)
        if value is None or (opt.many and not value):
            continue
        if opt.field.startswith("symptom:"):
            symptoms[opt.field.removeprefix("symptom:")] = value
        else:
            changes[opt.field] = list(value) if opt.many else value
    if given.get("downtime") is not None:
        changes["downtime"] = given["downtime"]
    if given.get("custom") and changes:
        changes["custom"] = True
    if symptoms:
        changes["symptoms"] = symptoms
    return changes


def report(outcome: Outcome, as_json: bool) -> None:
    """Print what an edit, delete or undo did: its summary, or one JSON document."""
    if as_json:
        emit_json(
            {
                "batch_id": outcome.batch_id,
                "summary": outcome.summary,
                "changes": list(outcome.changes),
                "record": outcome.record,
            }
        )
    else:
        say_plain(outcome.summary)


def say_plain(line: str) -> None:
    """`context.say` without Typer: the same safe text, one line, flushed as `click.echo` does.

    The summary is the one text line edit, delete and undo print; loading
    Typer for it would cost the fast path its budget.
    """
    import sys

    from journal.core.values import terminal_safe

    sys.stdout.write(terminal_safe(line) + "\n")
    sys.stdout.flush()


def print_log(entries: Any, as_json: bool) -> None:
    """`journal log`'s output: the same bytes whether Typer's command or the fast path runs it.

    Written as `say_plain` writes (the text made terminal-safe, flushed), not
    through `typer.echo`: loading Typer costs `log` a fifth of its budget.
    """
    import sys

    from journal.cli.context import emit_json_text
    from journal.core.values import terminal_safe
    from journal.services.changelog import log_document, log_lines

    if as_json:
        emit_json_text(log_document(entries))
        return
    if not entries:
        say_plain("No changes yet: records are as they were added.")
        return
    sys.stdout.write(terminal_safe("\n".join(log_lines(entries))) + "\n")
    sys.stdout.flush()

"""`journal photos move --to database|folder`: where the journal keeps its photo files.

Thin like every command: `journal.services.photomove` copies, verifies,
switches and removes; this module only prints what it did.
"""

from __future__ import annotations

import typer

from journal.cli.context import emit_json, open_from, say

photos_app = typer.Typer(
    help="The photo store: move every photo file between the folder and the database.",
    no_args_is_help=True,
)


@photos_app.command("move")
def move(
    ctx: typer.Context,
    to: str = typer.Option(
        ..., "--to", metavar="STORE", help="database or folder: where the photos go."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Copy every photo to the other store, verify each, switch, then remove the old copies.

    Safe to interrupt and run again: until the switch the journal reads the old
    store, after it the new one; a re-run finishes whatever was left.
    """
    from journal.services.photomove import move_photos

    with open_from(ctx) as journal:
        report = move_photos(journal, to)
    if as_json:
        emit_json(report.to_dict())
        return
    if report.switched:
        say(
            f"Moved {report.files} photo files from the {report.source} to the {report.target}"
            f" ({report.copied} copied, {report.verified} verified by hash,"
            f" {report.removed} old copies removed)"
        )
    else:
        say(
            f"The photos are already in the {report.target};"
            f" removed {report.removed} old copies left by an earlier move"
        )


def register(app: typer.Typer) -> None:
    app.add_typer(photos_app, name="photos")

"""What every command shares: the chosen journal and how results are printed.

Commands stay thin: parse nothing themselves (services validate), open the
journal through `open_from`, print through `emit` so `--json` always means one
JSON document on stdout and nothing else there.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from journal.services.journal import Journal


@dataclass
class Options:
    """Global flags, plus whether the command asked for the UI to open afterwards."""

    home: str | None = None
    db: str | None = None
    open_tui: bool = False
    tui_notice: str | None = None  # a line the UI shows as it opens (the demo's location)


def options(ctx: typer.Context) -> Options:
    root = ctx.find_root()
    if not isinstance(root.obj, Options):
        root.obj = Options()
    return root.obj


def open_from(ctx: typer.Context, *, adopt: bool = False) -> Journal:
    """Open the journal named by the global --home/--db flags (or the environment).

    A journal its owner made read-only opens for reading, with one line on stderr.
    """
    from journal.services.journal import open_journal

    opts = options(ctx)
    journal = open_journal(opts.home, opts.db, adopt=adopt)
    if journal.read_only is not None:  # reads go on; the first write says why it cannot
        sys.stderr.write(
            f"journal: journal is read-only ({journal.read_only}): showing, not changing\n"
        )
    return journal


def emit_json(document: Any) -> None:
    """Print one JSON document; records and dates become plain JSON values.

    Non-ASCII text stays readable, but DEL, C1 and bidi controls are written
    as `\\u` escapes (json only escapes C0): the document is for machines,
    yet it is often printed to a terminal first.
    """
    from journal.core.records import to_jsonable
    from journal.core.values import json_safe

    text = json.dumps(to_jsonable(document), indent=2, ensure_ascii=False)
    sys.stdout.write(json_safe(text) + "\n")


def emit_json_text(text: str) -> None:
    """Print a JSON document a service already serialised, made safe as `emit_json` does."""
    from journal.core.values import json_safe

    sys.stdout.write(json_safe(text) + "\n")


def say_lines(lines: list[str]) -> None:
    """Many lines as `say` prints each, in one write (`journal log` prints thousands)."""
    from journal.core.values import terminal_safe

    typer.echo(terminal_safe("\n".join(lines)))


def say(line: str = "") -> None:
    """Print one line of text for a person; control characters are shown, not obeyed.

    Every CLI text output goes through here (or `warn`), whatever the source
    of the text: records from an older or hand-edited database must not be
    able to drive the terminal.
    """
    from journal.core.values import terminal_safe

    typer.echo(terminal_safe(line))


def warn(line: str) -> None:
    """One line on stderr, made terminal-safe like `say`."""
    from journal.core.values import terminal_safe

    sys.stderr.write(" ".join(terminal_safe(line).split()) + "\n")


def short_id(value: object) -> str:
    """The first 8 hex digits: enough to name a record on the command line."""
    return str(value).replace("-", "")[:8]

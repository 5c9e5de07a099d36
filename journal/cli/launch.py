"""`journal init`, `journal demo`, and opening the terminal UI."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from journal.cli.context import open_from, options, say


def open_tui(ctx: typer.Context) -> None:
    """Ask the entry point to open the UI once this command has finished.

    The CLI never imports the TUI (an import-linter contract); journal.entry
    composes the two.
    """
    options(ctx).open_tui = True


def init(
    ctx: typer.Context,
    adopt: bool = typer.Option(
        False, "--adopt", help="Make a folder that already holds other files a journal."
    ),
    encrypt: bool = typer.Option(
        False, "--encrypt", help="Create an encrypted journal (asks for a new passphrase)."
    ),
) -> None:
    """Create (or migrate) the journal and say where it lives."""
    if encrypt:
        from journal.cli.context import new_passphrase
        from journal.cli.crypt_cmds import show_recovery
        from journal.services.crypt import init_encrypted

        opts = options(ctx)
        show_recovery(init_encrypted(new_passphrase(), opts.home, opts.db))
    with open_from(ctx, adopt=adopt) as journal:
        loc = journal.location
    say(f"Journal ready at {loc.home}")
    if not loc.is_sqlite:
        say("Records are in the database given by --db / JOURNAL_DB_URL.")
    say(f"Photos are kept in {loc.photos_dir}")


def demo(
    ctx: typer.Context,
    home: str | None = typer.Option(
        None, "--home", help="Folder for the demo journal (default: a fresh temporary folder)."
    ),
    no_tui: bool = typer.Option(False, "--no-tui", help="Seed only; do not open the UI."),
) -> None:
    """Seed a realistic demo journal in a fresh folder and open it.

    Where the journal lives is said first, before seeding, and again inside the
    UI as it opens: the UI takes the whole terminal at once, so a line printed
    just before it is only read after it closes.
    """
    import tempfile

    from journal.services.demo import seed_demo
    from journal.services.journal import open_journal

    opts = options(ctx)
    target = home or opts.home
    if target is None:
        target = tempfile.mkdtemp(prefix="journal-demo-")
    opts.home = target
    where = Path(target).absolute()
    say(f"Demo journal at {where}")

    def announce(message: str) -> None:
        sys.stderr.write(message + "\n")

    with open_journal(target, opts.db) as journal:
        seed_demo(journal, progress=announce if sys.stderr.isatty() else None)
    say(f"Demo journal seeded at {where}")
    say(f"Open it again with: journal --home {where}")
    if not no_tui:
        opts.tui_notice = f"Demo journal at {where}. It stays there: journal --home {where}"
        open_tui(ctx)


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("demo")(demo)

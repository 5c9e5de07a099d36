"""Entry point of the `journal` command.

Click's own error output spans several lines and Typer's rich boxes more; the
contract is one line on stderr and exit status 2 for any usage or input error,
so `run()` drives the command in non-standalone mode and formats every
expected failure itself. Command modules are imported here, but each imports
its services lazily so `journal --help` stays fast.
"""

from __future__ import annotations

import sys

import typer

from journal.cli import (
    amend_cmds,
    crypt_cmds,
    export_cmds,
    flag_cmds,
    launch,
    maintenance_cmds,
    photo_cmds,
    photos_cmds,
    records_cmds,
    score_cmds,
    settings_cmds,
)
from journal.cli.context import CliSecrets, Options, coerce_without_pydantic, options
from journal.cli.failures import fail, settle

app = typer.Typer(
    name="journal",
    help="A terminal photo journal for microneedling: sessions, photos, recovery, worth-it score.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _print_version(value: bool) -> None:
    if value:
        from journal import __version__

        typer.echo(f"journal {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def main(
    ctx: typer.Context,
    version: bool = typer.Option(
        False, "--version", is_eager=True, callback=_print_version, help="Print the version."
    ),
    home: str | None = typer.Option(
        None,
        "--home",
        metavar="DIR",
        help="Journal folder (default: JOURNAL_HOME or your user data folder).",
    ),
    db: str | None = typer.Option(
        None,
        "--db",
        metavar="URL",
        help="Database URL, e.g. postgresql://... (default: JOURNAL_DB_URL).",
    ),
    recovery_key: bool = typer.Option(
        False,
        "--recovery-key",
        help="Unlock an encrypted journal with its recovery key (asked on the terminal).",
    ),
) -> None:
    """With no command, open the journal in the terminal UI."""
    opts = options(ctx)
    opts.home, opts.db, opts.recovery_key = home, db, recovery_key
    if ctx.invoked_subcommand is None:
        from journal.cli.launch import open_tui

        open_tui(ctx)


for _commands in (
    launch,
    records_cmds,
    photo_cmds,
    photos_cmds,
    amend_cmds,
    flag_cmds,
    score_cmds,
    export_cmds,
    settings_cmds,
    maintenance_cmds,
    crypt_cmds,
):
    _commands.register(app)


def run_cli(argv: list[str] | None = None) -> tuple[int, Options]:
    """Run one command; return its exit status and the options it settled on.

    Every expected failure becomes one line on stderr. A command that wants
    the terminal UI opened afterwards sets `Options.open_tui`; the entry point
    (journal.entry) opens it, so the CLI never imports the TUI.
    """
    command = typer.main.get_command(app)
    coerce_without_pydantic(command)
    from journal.services.unlock import unlocking

    opts = Options()
    try:
        with unlocking(CliSecrets(opts)):
            code = command.main(args=argv, prog_name="journal", standalone_mode=False, obj=opts)
    except typer.Abort:
        return fail("aborted", 130), opts
    except (Exception, KeyboardInterrupt) as exc:
        settled = settle(exc, opts)
        if settled is None:
            raise
        return settled, opts
    return (code if isinstance(code, int) else 0), opts


def run(argv: list[str] | None = None) -> None:
    """Run one command and exit with its status (the UI is never opened from here)."""
    code, _ = run_cli(argv)
    sys.exit(code)

"""`journal encrypt`, `journal decrypt` and `journal passphrase ...`: an encrypted journal.

The secret to unlock comes from the global source (`CliSecrets`: the terminal,
JOURNAL_PASSPHRASE, or `--recovery-key`); a new passphrase from the terminal
(typed twice, no echo) or from JOURNAL_PASSPHRASE / JOURNAL_NEW_PASSPHRASE in
scripts. The recovery key is printed once, on stdout, and never stored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from journal.cli.context import NEW_PASSPHRASE_ENV, new_passphrase, options, say

if TYPE_CHECKING:
    from journal.services.crypt import Encrypted
    from journal.services.unlock import Secret

passphrase_app = typer.Typer(
    help="Change the passphrase of an encrypted journal, or let the OS keyring remember it.",
    no_args_is_help=True,
)


def show_recovery(result: Encrypted) -> None:
    """The recovery key, once: the only way in when the passphrase is lost."""
    if result.postgres:
        say("Journal encrypted: its photo files are sealed; its records stay in the PostgreSQL")
        say("server, readable by whoever the server lets in (see docs/privacy.md)")
    else:
        say(f"Journal encrypted at {result.home}")
    say("Recovery key (shown only now: write it down and keep it away from this computer):")
    say(f"  {result.recovery_key}")
    say("Without the passphrase or this recovery key nobody can open the journal, you included.")
    if result.photo_files:
        say(f"Sealed {result.photo_files} photo files")
    if result.set_aside:
        from journal.cli.context import warn

        warn(
            f"journal: warning: {result.set_aside} files that `journal doctor --repair` set aside"
            " in photos/.orphaned/ stay in clear: look at them, then delete that folder"
        )


def encrypt(ctx: typer.Context) -> None:
    """Encrypt this journal's database and photos with a new passphrase (shows a recovery
    key once). On an encrypted journal an interrupted run left photos in clear, finishes it."""
    from journal.services.crypt import encrypt as do_encrypt
    from journal.services.crypt import finish_encrypt
    from journal.services.unlock import is_encrypted

    opts = options(ctx)
    if is_encrypted(opts.home, opts.db):
        finished = finish_encrypt(opts.home, opts.db)
        if finished:
            say(f"Finished encrypting: {finished} photo files left in clear were sealed or removed")
            return
    show_recovery(do_encrypt(new_passphrase(), opts.home, opts.db))


def decrypt(
    ctx: typer.Context,
    yes: bool = typer.Option(False, "--yes", help="Do not ask; the journal is stored in clear."),
) -> None:
    """Store this journal unencrypted again (asks for the passphrase first)."""
    import sys

    from journal.core.errors import JournalError
    from journal.services.crypt import decrypt as do_decrypt

    if not yes:
        if not sys.stdin.isatty():
            raise JournalError("decrypt stores the journal in clear: pass --yes to confirm")
        if not typer.confirm("Store this journal unencrypted on disk?", default=False):
            raise typer.Abort()
    opts = options(ctx)
    home = do_decrypt(opts.home, opts.db)
    from journal.services.unlock import on_postgres

    if on_postgres(opts.home, opts.db):
        say("The journal's photo files are stored in clear again; its key header is gone")
    else:
        say(f"Journal at {home} is no longer encrypted")


@passphrase_app.command("change")
def change(ctx: typer.Context) -> None:
    """Change the passphrase: the journal key is re-wrapped, nothing is re-encrypted."""
    from journal.services.crypt import change_passphrase
    from journal.services.journal import open_journal

    opts = options(ctx)
    open_journal(opts.home, opts.db).close()  # unlock first: the old passphrase before the new
    home = change_passphrase(new_passphrase(NEW_PASSPHRASE_ENV), opts.home, opts.db)
    say(f"Passphrase changed for the journal at {home}; the recovery key is unchanged")


@passphrase_app.command("remember")
def remember(ctx: typer.Context) -> None:
    """Let the OS keyring remember the passphrase for this journal (opt-in)."""
    from journal.services.crypt import set_remembered

    opts = options(ctx)
    secret = _passphrase_secret(opts.home)
    home = set_remembered(True, opts.home, opts.db, secret=secret)
    say(f"The OS keyring now remembers the passphrase of the journal at {home}")


@passphrase_app.command("forget")
def forget(ctx: typer.Context) -> None:
    """Remove this journal's passphrase from the OS keyring."""
    from journal.services.crypt import set_remembered

    opts = options(ctx)
    home = set_remembered(False, opts.home, opts.db)
    say(f"The OS keyring no longer remembers the passphrase of the journal at {home}")


def _passphrase_secret(home: str | None) -> Secret:
    """The passphrase itself (the keyring must hand back what the user types)."""
    import os
    import sys

    from journal.cli.context import PASSPHRASE_ENV, ask_secret
    from journal.core.errors import InvalidValue
    from journal.services.unlock import Secret

    if PASSPHRASE_ENV in os.environ:
        return Secret("passphrase", os.environ[PASSPHRASE_ENV])
    if not sys.stdin.isatty():
        raise InvalidValue("passphrase", "", f"give it on a terminal or in {PASSPHRASE_ENV}")
    return Secret("passphrase", ask_secret(f"Passphrase for the journal at {home or 'home'}: "))


def register(app: typer.Typer) -> None:
    app.command("encrypt")(encrypt)
    app.command("decrypt")(decrypt)
    app.add_typer(passphrase_app, name="passphrase")

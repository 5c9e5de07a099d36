"""Encrypting, decrypting and re-keying a journal (`journal init --encrypt`, `encrypt`,
`decrypt`, `passphrase change|remember|forget`).

The database is converted by SQLCipher's `sqlcipher_export` into a new file
beside it, fsync'ed and renamed over the old one. The key header moves with
it through `journal-keys.json.pending` (see `journal.store.keys.settle`): a
kill at any point leaves the old journal or the new one, and the next open
finishes or undoes the conversion from what the database file is.

A conversion needs the journal to itself: the database is switched out of
WAL mode first, which SQLite refuses while another connection (an open TUI,
a running import) holds it, and the write lock is kept until the new file is
in place, so no commit can land in the old file and be lost.

Photo files are not converted here yet: `journal.store.sealed` holds their
format, and the photo store wires it in (docs/privacy.md says what that
means for a journal encrypted today). PostgreSQL journals are refused: their
records are the server's to protect.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from journal.core.errors import JournalUnavailable
from journal.services.unlock import (
    KEYRING_SERVICE,
    NoSecret,
    Secret,
    forget,
    journal_key,
    unlocking,
)
from journal.store import keys
from journal.store.engine import BUSY_TIMEOUT_MS
from journal.store.location import (
    Location,
    prepare_private_dir,
    refuse_symlink,
    resolve_location,
)

HANDOVER_TIMEOUT_S = 2.0


class ConversionRefused(JournalUnavailable):
    """An encrypt/decrypt that must not run (busy, wrong kind of journal); nothing changed."""


@dataclass(frozen=True)
class Encrypted:
    home: Path
    recovery_key: str  # shown once to the user, never stored
    photo_files: int  # photo files left as they were (not sealed by this release)


def _sqlite_location(home: str | os.PathLike[str] | None, db_url: str | None) -> Location:
    location = resolve_location(home, db_url)
    if location.sqlite_path is None:
        raise ConversionRefused(
            "encryption covers SQLite journals: a PostgreSQL journal's records are protected by"
            " the server (see docs/privacy.md)"
        )
    refuse_symlink(location.home, "journal home")
    refuse_symlink(location.sqlite_path, "journal database")
    return location


def init_encrypted(
    passphrase: str, home: str | os.PathLike[str] | None = None, db_url: str | None = None
) -> Encrypted:
    """Create a new encrypted journal: header first, then the database under its key."""
    from journal.services.journal import open_journal

    keys.need_crypto()
    location = _sqlite_location(home, db_url)
    db_file = location.sqlite_path
    assert db_file is not None
    header = location.header_path
    if header.exists():
        raise ConversionRefused(f"the journal at {location.home} is already encrypted")
    if db_file.exists() and db_file.stat().st_size > 0:
        raise ConversionRefused(
            f"{location.home} already holds a journal; run `journal encrypt` to encrypt it"
        )
    made = keys.create(passphrase)
    prepare_private_dir(location.home, "journal home")
    keys.write_atomic(header, made.header.to_bytes(made.journal_key))
    with unlocking(NoSecret()):
        open_journal(location=location, secret=Secret("passphrase", passphrase)).close()
    return Encrypted(location.home, made.recovery_key, 0)


def encrypt(
    passphrase: str, home: str | os.PathLike[str] | None = None, db_url: str | None = None
) -> Encrypted:
    """Encrypt an existing plaintext journal's database in place (see the module doc)."""
    from journal.services.journal import open_journal

    keys.need_crypto()
    location = _sqlite_location(home, db_url)
    db_file = location.sqlite_path
    assert db_file is not None
    header = location.header_path
    keys.settle(header, db_file)
    if header.exists():
        raise ConversionRefused(f"the journal at {location.home} is already encrypted")
    if not db_file.is_file():
        raise ConversionRefused(f"no journal at {location.home}: use `journal init --encrypt`")
    with unlocking(NoSecret()):
        journal = open_journal(location=location)  # migrated, and a journal
        journal.close()
    if journal.read_only is not None:
        raise ConversionRefused(f"the journal is read-only ({journal.read_only}): not encrypted")
    made = keys.create(passphrase)
    target_pragma = keys.database_key_pragma(made.journal_key)
    with keys.conversion_lock(location.home, wait=True), _handover(db_file, None) as source:
        temp = _export(source, db_file, target_pragma)
        keys.write_atomic(keys.pending_path(header), made.header.to_bytes(made.journal_key))
        os.replace(temp, db_file)
        keys.fsync_dir(db_file.parent)
        os.replace(keys.pending_path(header), header)
        keys.fsync_dir(header.parent)
    return Encrypted(location.home, made.recovery_key, _photo_count(location))


def decrypt(
    home: str | os.PathLike[str] | None = None,
    db_url: str | None = None,
    *,
    secret: Secret | None = None,
) -> Path:
    """Turn an encrypted journal back into a plaintext one (the user's explicit choice)."""
    keys.need_crypto()
    location = _sqlite_location(home, db_url)
    db_file = location.sqlite_path
    assert db_file is not None
    header = location.header_path
    key = journal_key(location, secret)
    if key is None:
        raise ConversionRefused(f"the journal at {location.home} is not encrypted")
    journal_id = keys.header_of(header).journal_id
    pragma = keys.database_key_pragma(key)
    with keys.conversion_lock(location.home, wait=True), _handover(db_file, pragma) as source:
        temp = _export(source, db_file, None)
        os.replace(header, keys.pending_path(header))
        keys.fsync_dir(header.parent)
        os.replace(temp, db_file)
        keys.fsync_dir(db_file.parent)
        keys.pending_path(header).unlink()
        keys.fsync_dir(header.parent)
    forget(location.home)
    _forget_keyring(journal_id)
    return location.home


def change_passphrase(
    new_passphrase: str,
    home: str | os.PathLike[str] | None = None,
    db_url: str | None = None,
    *,
    secret: Secret | None = None,
) -> Path:
    """Re-wrap the journal key under a new passphrase; the data is not re-encrypted."""
    location = resolve_location(home, db_url)
    key = journal_key(location, secret)
    if key is None:
        raise ConversionRefused(
            f"the journal at {location.home} is not encrypted: run `journal encrypt` first"
        )
    header = location.header_path
    current = keys.header_of(header)
    changed = keys.rewrap(current, key, new_passphrase)
    with keys.conversion_lock(location.home, wait=True):
        keys.write_atomic(header, changed.to_bytes(key))
    forget(location.home)
    if current.keyring:
        _remember(current.journal_id, new_passphrase)
    return location.home


def set_remembered(
    remember: bool,
    home: str | os.PathLike[str] | None = None,
    db_url: str | None = None,
    *,
    secret: Secret | None = None,
) -> Path:
    """Opt in to (or out of) the OS keyring remembering this journal's passphrase.

    Remembering needs the passphrase itself (not the recovery key): it is what
    the keyring will hand back at the next open.
    """
    location = resolve_location(home, db_url)
    key = journal_key(location, secret)
    if key is None:
        raise ConversionRefused(f"the journal at {location.home} is not encrypted")
    header = location.header_path
    current = keys.header_of(header)
    if remember:
        if secret is None or secret.kind != "passphrase":
            raise keys.KeyProblem("give the passphrase (not the recovery key) to remember it")
        _remember(current.journal_id, secret.value)
    else:
        _forget_keyring(current.journal_id)
    from dataclasses import replace

    with keys.conversion_lock(location.home, wait=True):
        keys.write_atomic(header, replace(current, keyring=remember).to_bytes(key))
    return location.home


def _remember(journal_id: str, passphrase: str) -> None:
    try:
        import keyring
        import keyring.errors

        keyring.set_password(KEYRING_SERVICE, journal_id, passphrase)
    except ImportError:
        raise keys.MissingCrypto(keys.INSTALL_HINT) from None
    except Exception as exc:  # no usable backend on this machine
        raise ConversionRefused(
            f"the OS keyring cannot store the passphrase ({type(exc).__name__})"
        ) from None


def _forget_keyring(journal_id: str | None) -> None:
    if journal_id is None:
        return
    with contextlib.suppress(Exception):
        import keyring

        keyring.delete_password(KEYRING_SERVICE, journal_id)


def _photo_count(location: Location) -> int:
    photos = location.photos_dir
    if not photos.is_dir():
        return 0
    return sum(1 for p in photos.rglob("*") if p.is_file() and not p.name.startswith("."))


@contextlib.contextmanager
def _handover(db_file: Path, key_pragma: str | None) -> Iterator[Any]:
    """The source database to ourselves until the swap: out of WAL mode, locked.

    Leaving WAL mode needs the only connection, so an open TUI or a running
    import refuses the conversion before anything is written. Exclusive
    locking then keeps the shared lock of the first read until this
    connection closes, after the rename: another writer cannot commit into
    the old file (it waits, then fails as "busy"), so nothing is lost.
    """
    import sqlcipher3

    conn = sqlcipher3.connect(str(db_file), timeout=HANDOVER_TIMEOUT_S)
    conn.isolation_level = None
    try:
        if key_pragma is not None:
            conn.execute(key_pragma)
        try:
            mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        except sqlcipher3.OperationalError:
            mode = "busy"
        if str(mode).lower() != "delete":
            raise ConversionRefused(
                "the journal is open in another program (the journal UI, an import):"
                " close it and try again"
            )
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA main.locking_mode = EXCLUSIVE")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # take the lock now
        yield conn
    finally:
        conn.close()


def _export(source: Any, db_file: Path, key_pragma: str | None) -> Path:
    """Copy every table into a new file (encrypted under `key_pragma`, or plaintext).

    The copy is checked and fsync'ed, and returned for the caller to rename
    over the original while the source connection still holds its lock.
    """
    temp = db_file.with_name(f".{db_file.name}.convert-{secrets.token_hex(4)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    key = "" if key_pragma is None else key_pragma.partition("= ")[2].strip('"')
    try:
        source.execute("ATTACH DATABASE ? AS converted KEY ?", (str(temp), key))
        source.execute("BEGIN")
        user_version = source.execute("PRAGMA main.user_version").fetchone()[0]
        source.execute("SELECT sqlcipher_export('converted')")
        source.execute(f"PRAGMA converted.user_version = {int(user_version)}")
        source.execute("COMMIT")
        check = source.execute("PRAGMA converted.integrity_check").fetchone()[0]
        if check != "ok":
            raise ConversionRefused(f"the converted copy failed its integrity check ({check})")
        with open(temp, "rb+") as fh:
            os.fsync(fh.fileno())
    except BaseException:
        with contextlib.suppress(Exception):
            source.execute("ROLLBACK")
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    return temp

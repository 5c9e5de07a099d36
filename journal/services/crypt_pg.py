"""Encrypting a PostgreSQL journal: its photo files, sealed; its records, the server's.

A PostgreSQL journal's records live in a server the journal does not own:
who may read them is the server's access control, on the wire its TLS, on
its disks its own encryption (docs/privacy.md). What the journal can protect
is what it writes itself: the photo files, in the database store (rows of
`photo_blob`) or in the local folder store. Those are sealed with the same
format, keys and header as a SQLite journal's (`journal.store.sealed`,
`journal.store.keys`); the header is a row of the database
(`journal.store.key_row`), so every machine that opens the journal finds it.

The switch is one transaction under the journal's write lock (the advisory
lock every write takes): the header row goes in (encrypt) or out (decrypt)
together with the photo files' new layout.

* Database store: every blob is sealed (or unsealed) inside that very
  transaction, so a kill leaves all of them in the old layout or all in the
  new one.
* Folder store: files are written in the new layout first, each read back,
  then the transaction lists the files again (an import committed meanwhile
  is carried too) and switches; only after the commit are the old copies
  removed. A kill before the commit leaves the old journal (plus copies under
  a key nobody kept, which the next conversion removes); after it, the new
  one with old copies beside it, which running the same command again
  removes — as for SQLite (`journal.services.crypt`).

Another program with the journal open when it switches finds out at its next
photo write (`Journal.recheck_photo_store` compares the header it opened with
under the same write lock) and is told to open the journal again.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from journal.services.crypt import (
    ConversionRefused,
    Encrypted,
    _copy_files,
    _erase_copies,
    _forget_keyring,
    drop_layout,
)
from journal.services.unlock import Locked, NoSecret, Secret, forget, journal_key, unlocking
from journal.store import key_row, keys, photostore
from journal.store.location import Location
from journal.store.sealed import Sealing

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from journal.services.journal import Journal


def _open_plain(location: Location) -> Journal:
    from journal.services.journal import open_journal

    with unlocking(NoSecret()):
        return open_journal(location=location)


def _has_records(journal: Journal) -> bool:
    from sqlalchemy import func, select

    from journal.store.models import PatientRow

    with journal.read() as db:
        return bool(db.scalar(select(func.count()).select_from(PatientRow)))


def init_encrypted(passphrase: str, location: Location) -> Encrypted:
    """A new, empty PostgreSQL journal whose photos will be sealed."""
    keys.need_crypto()
    made = keys.create(passphrase)
    with _open_plain_or_refuse(location) as journal:
        if _has_records(journal):
            raise ConversionRefused(
                "the database already holds a journal; run `journal encrypt` to encrypt it"
            )
        with journal.write() as db:
            _refuse_if_encrypted(db)
            key_row.save(db, made.header.to_bytes(made.journal_key))
    return Encrypted(location.home, made.recovery_key, 0, postgres=True)


@contextlib.contextmanager
def _open_plain_or_refuse(location: Location) -> Any:
    """The journal opened as it is; an encrypted one is refused before anything else."""
    try:
        journal = _open_plain(location)
    except Locked:
        raise ConversionRefused("the journal in this database is already encrypted") from None
    try:
        if journal.read_only is not None:
            raise ConversionRefused(
                f"the journal is read-only ({journal.read_only}): not converted"
            )
        yield journal
    finally:
        journal.close()


def _refuse_if_encrypted(db: Session) -> None:
    if key_row.load_in(db) is not None:
        raise ConversionRefused("the journal in this database is already encrypted")


def encrypt(passphrase: str, location: Location) -> Encrypted:
    """Seal every photo file of a plaintext PostgreSQL journal and put its header in."""
    keys.need_crypto()
    made = keys.create(passphrase)
    header = made.header.to_bytes(made.journal_key)
    sealing = Sealing.for_journal(made.journal_key)
    with _open_plain_or_refuse(location) as journal:
        kind = journal.photos.kind
        if kind == photostore.DATABASE:
            with journal.write() as db:
                _refuse_if_encrypted(db)
                sealed = _convert_blobs(db, sealing.seal)
                key_row.save(db, header)
            aside = photostore.set_aside_files(location.photos_dir)
            return Encrypted(location.home, made.recovery_key, sealed, True, aside)
        root = location.photos_dir
        plain = photostore.FolderStore(root)
        target = photostore.FolderStore(root, sealing)
        with keys.conversion_lock(location.home, wait=True):
            drop_layout(root, sealed=True)  # an earlier run's, under a key nobody kept
            items = _items(journal)
            copied = _copy_files(plain, target, items)
            with journal.write() as db:  # the switch
                _refuse_if_encrypted(db)
                copied += _copy_files(plain, target, _new_items(db, items))
                key_row.save(db, header)
            _erase_copies(plain, items)
    aside = photostore.set_aside_files(location.photos_dir)
    return Encrypted(location.home, made.recovery_key, copied, True, aside)


def decrypt(location: Location, secret: Secret | None) -> None:
    """Unseal every photo file and take the header out (the user's explicit choice)."""
    from journal.services.journal import open_journal

    keys.need_crypto()
    probe = _open_plain_or_none(location)
    if probe is not None:  # not encrypted: only an interrupted decrypt's leftovers to go
        probe.close()
        if drop_layout(location.photos_dir, sealed=True):
            return
        raise ConversionRefused("the journal in this database is not encrypted")
    with open_journal(location=location, secret=secret) as journal:
        sealing = journal.sealing
        assert sealing is not None
        journal_id = journal.key_id
        if journal.photos.kind == photostore.DATABASE:
            with journal.write() as db:
                _same_header(db, journal_id)
                _convert_blobs(db, sealing.unseal)
                key_row.drop(db)
        else:
            root = location.photos_dir
            sealed = photostore.FolderStore(root, sealing)
            plain = photostore.FolderStore(root)
            with keys.conversion_lock(location.home, wait=True):
                items = _items(journal)
                _copy_files(sealed, plain, items)
                with journal.write() as db:  # the switch
                    _same_header(db, journal_id)
                    _copy_files(sealed, plain, _new_items(db, items))
                    key_row.drop(db)
                _erase_copies(sealed, items)
                drop_layout(root, sealed=True)
    forget(location)
    _forget_keyring(journal_id)


def _open_plain_or_none(location: Location) -> Journal | None:
    """The journal when it is not encrypted; None when it is (its header is there)."""
    try:
        return _open_plain(location)
    except Locked:
        return None


def _same_header(db: Session, journal_id: str | None) -> None:
    """Under the write lock: still the header this command unlocked (no other conversion)."""
    if key_row.journal_id(key_row.load_in(db)) != journal_id:
        raise ConversionRefused(
            "another command converted the journal meanwhile; nothing was changed"
        )


def rewrite_header(
    location: Location,
    secret: Secret | None,
    change: Callable[[keys.Header, bytes], keys.Header],
) -> keys.Header:
    """Replace the header row by `change(header, journal_key)` under the write lock;
    the header as it was (a passphrase change, the keyring flag)."""
    from journal.services.journal import open_journal

    with open_journal(location=location, secret=secret) as journal:
        if journal.sealing is None:
            raise ConversionRefused(
                "the journal in this database is not encrypted: run `journal encrypt` first"
            )
        with journal.write() as db:
            data = key_row.load_in(db)
            if data is None or key_row.journal_id(data) != journal.key_id:
                raise ConversionRefused("another command converted the journal meanwhile")
            current = keys.parse(data, key_row.WHERE)[0]
            key = journal_key(location, secret, stored=data)
            assert key is not None
            key_row.save(db, change(current, key).to_bytes(key))
    return current


def set_keyring_flag(location: Location, secret: Secret | None, remember: bool) -> keys.Header:
    """Record in the header whether the OS keyring remembers the passphrase."""
    return rewrite_header(location, secret, lambda header, _key: replace(header, keyring=remember))


# -- the files ----------------------------------------------------------------------


def _items(journal: Journal) -> list[Any]:
    from journal.services.photomove import _items as listed

    with journal.read() as db:
        return listed(db)


def _new_items(db: Session, known: list[Any]) -> list[Any]:
    """Files committed since `known` was listed (read under the switch's write lock)."""
    from journal.services.photomove import _items as listed

    seen = set(known)
    fresh = [item for item in listed(db) if item not in seen]
    known.extend(fresh)
    return fresh


def _convert_blobs(db: Session, transform: Callable[[bytes, str], bytes]) -> int:
    """Seal or unseal every `photo_blob` row in the caller's transaction, one at a time.

    The bytes travel in psycopg's binary protocol on the session's own
    connection (the text protocol doubles them as hex: see photodb).
    """
    raw: Any = db.connection().connection.driver_connection
    with raw.cursor(binary=True) as cursor:
        cursor.execute("SELECT sha256, which, extension FROM photo_blob ORDER BY sha256, which")
        names = list(cursor.fetchall())
        for sha, which, ext in names:
            cursor.execute(
                "SELECT data FROM photo_blob WHERE sha256 = %s AND which = %s", (sha, which)
            )
            (data,) = cursor.fetchone()
            name = photostore.relative_path(sha, which, ext)
            cursor.execute(
                "UPDATE photo_blob SET data = %s WHERE sha256 = %s AND which = %s",
                (transform(bytes(data), name), sha, which),
            )
    return len(names)

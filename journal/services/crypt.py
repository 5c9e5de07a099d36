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

Photo files go with the database. In the folder store every file a photo
row (or a deleted photo kept for undo) names is sealed under its sealed name
(`journal.store.sealed`) *before* the database is swapped, each copy read back
and checked; the swap is the moment the journal switches layouts; only after
it are the old copies removed. A kill before the swap leaves the old journal
(the new copies are under a key nobody kept: the next conversion removes
them); after it, the new one with old copies still beside it, which running
the same command again removes (`journal encrypt` on an encrypted journal
finishes, `journal decrypt` on a plaintext one). Decrypting works the other
way round. In the database store the blobs are sealed or unsealed inside the
exported copy itself, so they switch with the database, atomically.
A PostgreSQL journal's records are the server's to protect; its photo files
are sealed all the same, with its header in the database
(`journal.services.crypt_pg`).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import uuid
from collections.abc import Callable, Iterator
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
from journal.store import keys, photostore
from journal.store.engine import BUSY_TIMEOUT_MS
from journal.store.location import (
    Location,
    prepare_private_dir,
    refuse_symlink,
    resolve_location,
)
from journal.store.sealed import Sealing

HANDOVER_TIMEOUT_S = 2.0


class ConversionRefused(JournalUnavailable):
    """An encrypt/decrypt that must not run (busy, wrong kind of journal); nothing changed."""


@dataclass(frozen=True)
class Encrypted:
    home: Path
    recovery_key: str  # shown once to the user, never stored
    photo_files: int  # photo files sealed (folder) or blobs sealed (database store)
    postgres: bool = False  # only the photo files were sealed: records stay the server's
    set_aside: int = 0  # files `journal doctor --repair` set aside, left in clear (see privacy.md)


def _location(home: str | os.PathLike[str] | None, db_url: str | None) -> Location:
    location = resolve_location(home, db_url)
    refuse_symlink(location.home, "journal home")
    if location.sqlite_path is not None:
        refuse_symlink(location.sqlite_path, "journal database")
    return location


def init_encrypted(
    passphrase: str, home: str | os.PathLike[str] | None = None, db_url: str | None = None
) -> Encrypted:
    """Create a new encrypted journal: header first, then the database under its key."""
    from journal.services.journal import open_journal

    keys.need_crypto()
    location = _location(home, db_url)
    db_file = location.sqlite_path
    if db_file is None:
        from journal.services import crypt_pg

        return crypt_pg.init_encrypted(passphrase, location)
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
    """Encrypt an existing plaintext journal: database and photos (see the module doc)."""
    from journal.services.journal import open_journal

    keys.need_crypto()
    location = _location(home, db_url)
    db_file = location.sqlite_path
    if db_file is None:
        from journal.services import crypt_pg

        return crypt_pg.encrypt(passphrase, location)
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
    sealing = Sealing.for_journal(made.journal_key)
    plain = photostore.FolderStore(location.photos_dir)
    sealed = photostore.FolderStore(location.photos_dir, sealing)
    with keys.conversion_lock(location.home, wait=True), _handover(db_file, None) as source:
        drop_layout(location.photos_dir, sealed=True)  # an earlier run's, under a lost key
        items = _photo_items(source)
        keys.write_atomic(keys.pending_path(header), made.header.to_bytes(made.journal_key))
        copied = _copy_files(plain, sealed, items)
        temp = _export(source, db_file, target_pragma, _blobs(sealing.seal))
        os.replace(temp, db_file)
        keys.fsync_dir(db_file.parent)
        os.replace(keys.pending_path(header), header)
        keys.fsync_dir(header.parent)
    _erase_copies(plain, items)
    set_aside = photostore.set_aside_files(location.photos_dir)
    return Encrypted(location.home, made.recovery_key, copied, set_aside=set_aside)


def finish_encrypt(
    home: str | os.PathLike[str] | None = None,
    db_url: str | None = None,
    *,
    secret: Secret | None = None,
) -> int:
    """Finish an encryption a kill interrupted after its swap: seal any photo file
    still in clear (it has no sealed copy yet), then remove every clear copy.

    0 when nothing was left (the journal was simply already encrypted).
    """
    from journal.services.journal import open_journal

    keys.need_crypto()
    location = _location(home, db_url)  # SQLite or PostgreSQL alike: the photos' folder
    plain_left, _ = photostore.stored_names(location.photos_dir)
    trash_left = _trash_names(location.photos_dir, sealed=False)
    if not plain_left and not trash_left:
        return 0
    with open_journal(location=location, secret=secret) as journal:
        if journal.sealing is None:
            return 0
        sealed = photostore.FolderStore(location.photos_dir, journal.sealing)
        plain = photostore.FolderStore(location.photos_dir)
        with journal.read() as db:
            from journal.services.photomove import _items

            items = _items(db)
        with keys.conversion_lock(location.home, wait=True):
            _copy_files(plain, sealed, items, missing_only=True)
            _erase_copies(plain, items)
    return len(plain_left) + len(trash_left)


def decrypt(
    home: str | os.PathLike[str] | None = None,
    db_url: str | None = None,
    *,
    secret: Secret | None = None,
) -> Path:
    """Turn an encrypted journal back into a plaintext one (the user's explicit choice).

    On a plaintext journal that an interrupted conversion left sealed files
    in (their key is gone), removes them and is done.
    """
    keys.need_crypto()
    location = _location(home, db_url)
    db_file = location.sqlite_path
    if db_file is None:
        from journal.services import crypt_pg

        crypt_pg.decrypt(location, secret)
        return location.home
    header = location.header_path
    keys.settle(header, db_file)
    if not header.exists() and drop_layout(location.photos_dir, sealed=True):
        return location.home
    key = journal_key(location, secret)
    if key is None:
        raise ConversionRefused(f"the journal at {location.home} is not encrypted")
    journal_id = keys.header_of(header).journal_id
    pragma = keys.database_key_pragma(key)
    sealing = Sealing.for_journal(key)
    plain = photostore.FolderStore(location.photos_dir)
    sealed = photostore.FolderStore(location.photos_dir, sealing)
    with keys.conversion_lock(location.home, wait=True), _handover(db_file, pragma) as source:
        items = _photo_items(source)
        _copy_files(sealed, plain, items)
        temp = _export(source, db_file, None, _blobs(sealing.unseal))
        os.replace(header, keys.pending_path(header))
        keys.fsync_dir(header.parent)
        os.replace(temp, db_file)
        keys.fsync_dir(db_file.parent)
        keys.pending_path(header).unlink()
        keys.fsync_dir(header.parent)
    _erase_copies(sealed, items)
    drop_layout(location.photos_dir, sealed=True)
    forget(location)
    _forget_keyring(journal_id)
    return location.home


# -- photo files through a conversion ---------------------------------------------------

Item = tuple[str, "uuid.UUID | None"]  # (store name, delete batch of a file kept for undo)


def _photo_items(source: Any) -> list[Item]:
    """Every photo file the journal names (live, and deleted ones kept for undo), read
    on the conversion's own connection: under its lock nothing new can be added."""
    from journal.services.amend import photo_files

    found: dict[Item, None] = {}
    for row in source.execute("SELECT display_path, thumb_path, original_path FROM photo"):
        found.update(((name, None), None) for name in row if name)
    deleted = source.execute(
        "SELECT batch_id, old FROM change WHERE kind = 'photo' AND action = 'delete'"
        " AND batch_id NOT IN (SELECT reverts FROM change WHERE reverts IS NOT NULL)"
    )
    for batch, old in deleted:
        try:
            values = json.loads(old) if isinstance(old, str) else (old or {})
            batch_id = uuid.UUID(str(batch))
        except (ValueError, TypeError):
            continue
        if isinstance(values, dict):
            found.update(((name, batch_id), None) for name in photo_files(values))
    return list(found)


def _copy_files(
    source: photostore.FolderStore,
    target: photostore.FolderStore,
    items: list[Item],
    *,
    missing_only: bool = False,
) -> int:
    """Write every file into the other layout and read it back; the count written.

    A file missing from `source` is skipped (doctor's finding, not ours); a
    sealed one that fails authentication stops the conversion before the swap
    with one line naming it.
    """
    written = 0
    for name, batch in items:
        if missing_only and _present(target, name, batch):
            continue
        data = source.read_bytes(name) if batch is None else source.read_trashed(name, batch)
        if data is None:
            continue
        target.write_trashed(name, batch, data) if batch is not None else target.write_bytes(
            name, data
        )
        back = target.read_bytes(name) if batch is None else target.read_trashed(name, batch)
        if back != data:
            raise ConversionRefused(
                f"photo file {target.stored_name(name)} did not read back intact; nothing"
                " was switched: check the disk and run the command again"
            )
        written += 1
    return written


def _present(store: photostore.FolderStore, name: str, batch: uuid.UUID | None) -> bool:
    if batch is None:
        return bool(store.present([name]))
    return photostore.trash_path(store.root, store.stored_name(name), batch).is_file()


def _erase_copies(store: photostore.FolderStore, items: list[Item]) -> None:
    """Remove the old layout's copies once the swap made them unused."""
    for name, batch in items:
        with contextlib.suppress(OSError, ValueError):
            store.erase(name, batch)
    for name, _batch in items:  # shard folders left empty
        with contextlib.suppress(OSError, ValueError):
            store.path(name).parent.rmdir()
    keys.fsync_dir(store.root)


def drop_layout(root: Path, *, sealed: bool) -> int:
    """Remove the files of one layout (live and kept for undo); the count removed.

    Called only where that layout is an interrupted conversion's leftover: sealed
    files in a plaintext journal (their key was never kept, or was dropped).
    """
    plain_names, sealed_names = photostore.stored_names(root)
    live = sealed_names if sealed else plain_names
    trashed = _trash_names(root, sealed=sealed)
    photostore.remove(root, live)
    for path in trashed:
        with contextlib.suppress(OSError):
            path.unlink()
    return len(live) + len(trashed)


def _trash_names(root: Path, *, sealed: bool) -> list[Path]:
    """Files of one layout in the trash (`.trash/<batch>/<aa>/<name>`)."""
    trash = root / photostore.TRASH_DIRNAME
    found: list[Path] = []
    if trash.is_symlink() or not trash.is_dir():
        return found
    for batch in trash.iterdir():
        if batch.is_symlink() or not batch.is_dir():
            continue
        plain_names, sealed_names = photostore.stored_names(batch)
        found += [batch / n for n in (sealed_names if sealed else plain_names)]
    return found


def _blobs(transform: Callable[[bytes, str], bytes]) -> Callable[[Any], int]:
    """Seal or unseal every database-stored photo file inside the exported copy, so the
    blobs switch with the database in one rename (one blob in memory at a time)."""

    def run(source: Any) -> int:
        tables = source.execute(
            "SELECT count(*) FROM converted.sqlite_master WHERE name = 'photo_blob'"
        ).fetchone()[0]
        if not tables:
            return 0
        keys_ = source.execute(
            "SELECT sha256, which, extension FROM converted.photo_blob"
        ).fetchall()
        for sha, which, ext in keys_:
            (data,) = source.execute(
                "SELECT data FROM converted.photo_blob WHERE sha256 = ? AND which = ?",
                (sha, which),
            ).fetchone()
            name = photostore.relative_path(sha, which, ext)
            source.execute(
                "UPDATE converted.photo_blob SET data = ? WHERE sha256 = ? AND which = ?",
                (transform(bytes(data), name), sha, which),
            )
        return len(keys_)

    return run


def change_passphrase(
    new_passphrase: str,
    home: str | os.PathLike[str] | None = None,
    db_url: str | None = None,
    *,
    secret: Secret | None = None,
) -> Path:
    """Re-wrap the journal key under a new passphrase; the data is not re-encrypted."""
    location = resolve_location(home, db_url)
    if location.sqlite_path is None:
        from journal.services import crypt_pg

        keys.check_passphrase(new_passphrase)
        current = crypt_pg.rewrite_header(
            location, secret, lambda header, key: keys.rewrap(header, key, new_passphrase)
        )
    else:
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
    forget(location)
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
    if remember and (secret is None or secret.kind != "passphrase"):
        raise keys.KeyProblem("give the passphrase (not the recovery key) to remember it")
    if location.sqlite_path is None:
        from journal.services import crypt_pg

        current = crypt_pg.set_keyring_flag(location, secret, remember)
        if remember:
            assert secret is not None
            _remember(current.journal_id, secret.value)
        else:
            _forget_keyring(current.journal_id)
        return location.home
    key = journal_key(location, secret)
    if key is None:
        raise ConversionRefused(f"the journal at {location.home} is not encrypted")
    header = location.header_path
    current = keys.header_of(header)
    if remember:
        assert secret is not None
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


def _export(
    source: Any,
    db_file: Path,
    key_pragma: str | None,
    transform: Callable[[Any], int] | None = None,
) -> Path:
    """Copy every table into a new file (encrypted under `key_pragma`, or plaintext).

    `transform` runs on the copy inside the same transaction (the photo blobs).
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
        if transform is not None:
            transform(source)
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

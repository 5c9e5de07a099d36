"""Unlocking an encrypted journal: who is asked for the secret, and when.

A journal is encrypted when its home holds a key header (`journal-keys.json`,
see `journal.store.keys`). Opening one needs its journal key, which needs the
passphrase or the recovery key. Where that secret comes from is a front end's
business: the CLI reads `JOURNAL_PASSPHRASE`, asks on the terminal without
echo, or takes `--recovery-key`; the TUI shows a passphrase screen; an opted-in
OS keyring may remember it. A front end installs a `SecretSource` for the time
it runs (`unlocking`); every service that opens the journal (`open_journal`,
the fast readers of `journal history` / `score` / `log`) then asks here, and
the key is derived once per process and journal, not once per open.

This module imports only the standard library: the CLI installs its source
for every command, including `journal --help`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from journal.store.keys import KeyProblem

if TYPE_CHECKING:
    from journal.store.location import Location

KEYRING_SERVICE = "microneedling-journal"


@dataclass(frozen=True)
class Secret:
    """What the user gave to unlock: a passphrase or the recovery key (as typed)."""

    kind: Literal["passphrase", "recovery"]
    value: str

    def __repr__(self) -> str:  # never printed, never logged
        return f"Secret({self.kind}, ***)"


class SecretSource(Protocol):
    """A front end's way of getting the secret for an encrypted journal."""

    def offered(self) -> bool:
        """True when a secret was given up front (JOURNAL_PASSPHRASE, --recovery-key)."""
        ...

    def secret(self, where: str) -> Secret | None:
        """The secret for the journal at `where` (its home, or its server and database),
        asking the user if need be; None: no way."""
        ...


_source: SecretSource | None = None
_keys: dict[str, bytes] = {}


@contextlib.contextmanager
def unlocking(source: SecretSource) -> Iterator[None]:
    """Use `source` for every journal opened inside; forget derived keys afterwards."""
    global _source
    previous = _source
    _source = source
    try:
        yield
    finally:
        _source = previous
        _keys.clear()


class Locked(KeyProblem):
    """An encrypted journal and no secret to be had: a front end may ask and try again."""


def looks_like_recovery_key(text: str) -> bool:
    """Eight groups of four base32 characters: what the TUI's one field takes as recovery."""
    import re

    return bool(re.fullmatch(r"\s*[A-Za-z2-7]{4}(?:[-\s][A-Za-z2-7]{4}){7}\s*", text))


class NoSecret:
    """A source that has nothing to give: for steps that must see the plaintext journal
    as it is (the start of `journal encrypt`), whatever JOURNAL_PASSPHRASE says."""

    def offered(self) -> bool:
        return False

    def secret(self, where: str) -> Secret | None:
        return None


def is_encrypted(home: str | os.PathLike[str] | None = None, db_url: str | None = None) -> bool:
    """True when the journal keeps a key header (or is mid-conversion).

    A SQLite journal's header is a file in its home; a PostgreSQL journal's is
    a row in its database (`journal.store.key_row`), read here on a short
    connection of its own.
    """
    from journal.store.keys import pending_path
    from journal.store.location import resolve_location

    location = resolve_location(home, db_url)
    if location.sqlite_path is None:
        from journal.store import key_row
        from journal.store.engine import make_engine

        engine = make_engine(location.db_url)
        try:
            return key_row.load(engine) is not None
        except Exception:  # no schema yet, no server: the open that follows says why
            return False
        finally:
            engine.dispose()
    header = location.header_path
    return header.exists() or pending_path(header).exists()


def on_postgres(home: str | os.PathLike[str] | None = None, db_url: str | None = None) -> bool:
    """True for a PostgreSQL journal (flags, then environment): only its photos are sealed."""
    from journal.store.location import resolve_location

    return resolve_location(home, db_url).sqlite_path is None


def journal_key(
    location: Location, secret: Secret | None = None, *, stored: bytes | None = None
) -> bytes | None:
    """The journal key of an encrypted journal, None for a plaintext one.

    A SQLite journal's header is read from its file; a PostgreSQL journal's
    is `stored`, as its caller read it from the database (None: the journal
    is not encrypted). Refusals, each one line and before anything is
    touched: an encrypted journal with no secret to be had; a plaintext
    journal given a secret (`JOURNAL_PASSPHRASE` set for another journal is
    a mistake worth naming); a wrong passphrase or recovery key; a damaged
    header.
    """
    from journal.store import keys

    where: Path | str
    if location.sqlite_path is None:
        from journal.store.key_row import WHERE

        data, where = stored, WHERE
    else:
        header = location.header_path
        keys.settle(header, location.sqlite_path)
        data, where = _read_header_file(header), header
    if data is None:
        given = secret is not None or (_source is not None and _source.offered())
        if given:
            raise keys.KeyProblem(
                f"the journal at {_name(location)} is not encrypted, yet a passphrase was given;"
                " unset JOURNAL_PASSPHRASE (or run `journal encrypt` to encrypt it)"
            )
        return None
    keys.need_crypto()
    cache = _cache_id(location)
    cached = _keys.get(cache)
    if cached is not None and secret is None:
        return cached
    if secret is None:
        remembered = _from_keyring(data, where)
        if remembered is not None:
            with contextlib.suppress(keys.KeyProblem):  # stale: ask as if it were not there
                key = keys.unlock_data(data, where, passphrase=remembered.value)
                _remember_key(cache, key)
                return key
        secret = _source.secret(_name(location)) if _source is not None else None
    if secret is None:
        raise Locked(
            f"the journal at {_name(location)} is encrypted: give its passphrase"
            " (on the terminal, or JOURNAL_PASSPHRASE) or --recovery-key"
        )
    if secret.kind == "recovery":
        key = keys.unlock_data(data, where, recovery=secret.value)
    else:
        key = keys.unlock_data(data, where, passphrase=secret.value)
    _remember_key(cache, key)
    return key


def _read_header_file(header: Path) -> bytes | None:
    from journal.store.keys import KeyProblem

    try:
        return header.read_bytes()
    except (FileNotFoundError, NotADirectoryError):  # no header; a home that is a file
        return None  # is for the open to name
    except OSError as exc:
        raise KeyProblem(f"cannot read the key header {header}: {exc.strerror}") from None


def _name(location: Location) -> str:
    """How messages name a journal: its home, or its database (password hidden)."""
    if location.sqlite_path is not None:
        return str(location.home)
    from urllib.parse import urlsplit

    parts = urlsplit(location.db_url)  # no user, no password: messages may be pasted anywhere
    return f"{parts.hostname or 'localhost'}{parts.path or ''}"


def _cache_id(location: Location) -> str:
    """Keys are kept per journal: its home for SQLite, its database for PostgreSQL
    (one home's photo folder could serve journals on two servers)."""
    return str(location.home) if location.sqlite_path is not None else location.db_url


def _remember_key(cache: str, key: bytes) -> None:
    """Keep a derived key only while a front end's `unlocking` lasts (one command)."""
    if _source is not None:
        _keys[cache] = key


def remember_key(location: Location, key: bytes) -> None:
    """Keep a key unlocked elsewhere for the journal at `location` (a restore unlocks the
    backup's header, then opens the restored home), for the front end's `unlocking`."""
    _remember_key(_cache_id(location), key)


def forget(location: Location) -> None:
    """Drop a derived key (after a passphrase change or a decrypt)."""
    _keys.pop(_cache_id(location), None)


def _from_keyring(data: bytes, where: Path | str) -> Secret | None:
    """The passphrase the OS keyring remembers for this journal, if its owner opted in."""
    from journal.store import keys

    try:
        parsed = keys.parse(data, where)[0]
    except keys.KeyProblem:
        return None  # unlock() reads it again and says what is wrong
    if not parsed.keyring:
        return None
    try:
        import keyring

        stored = keyring.get_password(KEYRING_SERVICE, parsed.journal_id)
    except Exception:  # no keyring, a locked one, a backend failure: ask the user instead
        return None
    return Secret("passphrase", stored) if stored else None

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

    def secret(self, home: Path) -> Secret | None:
        """The secret for the journal at `home`, asking the user if need be; None: no way."""
        ...


_source: SecretSource | None = None
_keys: dict[Path, bytes] = {}


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

    def secret(self, home: Path) -> Secret | None:
        return None


def is_encrypted(home: str | os.PathLike[str] | None = None, db_url: str | None = None) -> bool:
    """True when the journal at `home` keeps its key header (or is mid-conversion)."""
    from journal.store.keys import pending_path
    from journal.store.location import resolve_location

    header = resolve_location(home, db_url).header_path
    return header.exists() or pending_path(header).exists()


def journal_key(location: Location, secret: Secret | None = None) -> bytes | None:
    """The journal key of an encrypted journal, None for a plaintext one.

    Refusals, each one line and before anything is touched: an encrypted
    journal with no secret to be had; a plaintext journal given a secret
    (`JOURNAL_PASSPHRASE` set for another journal is a mistake worth
    naming); a wrong passphrase or recovery key; a damaged header.
    """
    from journal.store import keys

    header = location.header_path
    keys.settle(header, location.sqlite_path)
    if not header.exists():
        given = secret is not None or (_source is not None and _source.offered())
        if given:
            raise keys.KeyProblem(
                f"the journal at {location.home} is not encrypted, yet a passphrase was given;"
                " unset JOURNAL_PASSPHRASE (or run `journal encrypt` to encrypt it)"
            )
        return None
    keys.need_crypto()
    cached = _keys.get(location.home)
    if cached is not None and secret is None:
        return cached
    if secret is None:
        remembered = _from_keyring(header)
        if remembered is not None:
            with contextlib.suppress(keys.KeyProblem):  # stale: ask as if it were not there
                key = keys.unlock(header, passphrase=remembered.value)
                _remember_key(location.home, key)
                return key
        secret = _source.secret(location.home) if _source is not None else None
    if secret is None:
        raise Locked(
            f"the journal at {location.home} is encrypted: give its passphrase"
            " (on the terminal, or JOURNAL_PASSPHRASE) or --recovery-key"
        )
    if secret.kind == "recovery":
        key = keys.unlock(header, recovery=secret.value)
    else:
        key = keys.unlock(header, passphrase=secret.value)
    _remember_key(location.home, key)
    return key


def _remember_key(home: Path, key: bytes) -> None:
    """Keep a derived key only while a front end's `unlocking` lasts (one command)."""
    if _source is not None:
        _keys[home] = key


def remember_key(home: Path, key: bytes) -> None:
    """Keep a key unlocked elsewhere for the journal at `home` (a restore unlocks the
    backup's header, then opens the restored home), for the front end's `unlocking`."""
    _remember_key(home, key)


def forget(home: Path) -> None:
    """Drop a derived key (after a passphrase change or a decrypt)."""
    _keys.pop(home, None)


def _from_keyring(header: Path) -> Secret | None:
    """The passphrase the OS keyring remembers for this journal, if its owner opted in."""
    from journal.store import keys

    try:
        parsed = keys.header_of(header)
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

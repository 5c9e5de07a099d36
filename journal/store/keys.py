"""The keys of an encrypted journal and the header file that keeps them wrapped.

One random 256-bit *journal key* encrypts everything (through subkeys, see
`subkey`). It is never stored in the clear: the header file in the journal
home (`journal-keys.json`, see docs/privacy.md) holds it twice, wrapped with
AES-256-GCM

* by a key derived from the passphrase with Argon2id (memory-hard, so a
  stolen laptop's header cannot be guessed at GPU speed), and
* by a key derived with HKDF from the *recovery key*, 160 random bits shown
  once as eight groups of base32 (`ABCD-EFGH-...`): random enough that no slow
  KDF is needed, and what unlocks the journal when the passphrase is lost.

The header is JSON, versioned, and authenticated twice over: the KDF
parameters and the journal id are the wraps' associated data (changing them
makes unwrapping fail), and an HMAC under the journal key covers the whole
document (a swapped recovery wrap or edited flag is caught after unlocking).
Changing the passphrase re-wraps the same journal key: nothing else is
re-encrypted.

While a conversion runs (`journal encrypt` / `decrypt`), the header sits at
`journal-keys.json.pending`; which state the journal is in is then decided by
the database file itself (`settle`), so a kill at any moment leaves the old or
the new journal, never a header that does not match its database.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import secrets
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from journal.core.errors import JournalUnavailable

FORMAT = "microneedling-journal-keys"
VERSION = 1
KEY_BYTES = 32
RECOVERY_BYTES = 20  # 160 bits: 32 base32 characters, 8 groups of 4
SQLITE_MAGIC = b"SQLite format 3\x00"
MIN_PASSPHRASE = 8

# Argon2id parameters for new headers (docs/privacy.md says why these): 32 MiB,
# 2 passes, one lane. About 70 ms on one core of the 2-core reference machine,
# so opening an encrypted journal stays within 1.5x of a plaintext one
# (bench/bench_crypt.py), while each guess costs an attacker 32 MiB and 2 passes.
KDF_MEMORY_KIB = 32 * 1024
KDF_TIME_COST = 2
KDF_PARALLELISM = 1
# Refused when read back: a header edited to make guessing cheap, or to make
# opening it exhaust the machine, is damaged, not a choice.
_KDF_LIMITS = {"memory_kib": (8 * 1024, 4 * 1024 * 1024), "time_cost": (1, 64)}


class KeyProblem(JournalUnavailable):
    """The journal cannot be unlocked as asked: exit 2, nothing touched.

    Messages never say anything about the content (not even whether the
    journal holds records): only which step failed.
    """


class MissingCrypto(JournalUnavailable):
    """Encryption was asked for without the optional packages installed."""


INSTALL_HINT = (
    "encryption needs the optional packages: pip install 'microneedling-journal[encrypt]'"
)


def need_crypto() -> None:
    """Fail with one line, not an ImportError, when the `encrypt` extra is missing."""
    try:
        import argon2.low_level  # noqa: F401
        import cryptography.hazmat.primitives.ciphers.aead  # noqa: F401
        import sqlcipher3  # noqa: F401
    except ImportError:
        raise MissingCrypto(INSTALL_HINT) from None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not base64 text")
    return base64.b64decode(text.encode("ascii"), validate=True)


@dataclass(frozen=True)
class Kdf:
    salt: bytes
    memory_kib: int = KDF_MEMORY_KIB
    time_cost: int = KDF_TIME_COST
    parallelism: int = KDF_PARALLELISM

    def derive(self, passphrase: str) -> bytes:
        from argon2.low_level import Type, hash_secret_raw

        return hash_secret_raw(
            passphrase.encode("utf-8"),
            self.salt,
            time_cost=self.time_cost,
            memory_cost=self.memory_kib,
            parallelism=self.parallelism,
            hash_len=KEY_BYTES,
            type=Type.ID,
        )

    def document(self) -> dict[str, Any]:
        return {
            "name": "argon2id",
            "version": 19,
            "memory_kib": self.memory_kib,
            "time_cost": self.time_cost,
            "parallelism": self.parallelism,
            "salt": _b64(self.salt),
        }


@dataclass(frozen=True)
class Wrap:
    """The journal key encrypted under one unlocking key (AES-256-GCM)."""

    nonce: bytes
    ciphertext: bytes
    salt: bytes = b""  # the recovery wrap's HKDF salt

    def document(self) -> dict[str, str]:
        doc = {"nonce": _b64(self.nonce), "ciphertext": _b64(self.ciphertext)}
        if self.salt:
            doc["salt"] = _b64(self.salt)
        return doc


@dataclass(frozen=True)
class Header:
    journal_id: str
    kdf: Kdf
    passphrase: Wrap
    recovery: Wrap
    keyring: bool = False  # the owner asked the OS keyring to remember the passphrase
    extra: dict[str, Any] = field(default_factory=dict)

    def associated_data(self, wrap: str) -> bytes:
        """What a wrap is bound to: change the id (or, for the passphrase's, the KDF
        parameters) and unwrapping fails. The recovery wrap does not depend on the
        passphrase's KDF, so a passphrase change leaves it valid."""
        bound: dict[str, Any] = {"format": FORMAT, "version": VERSION, "wrap": wrap}
        bound["journal_id"] = self.journal_id
        if wrap == "passphrase":
            bound["kdf"] = self.kdf.document()
        return json.dumps(bound, sort_keys=True, separators=(",", ":")).encode()

    def body(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "journal_id": self.journal_id,
            "cipher": "aes-256-gcm",
            "database": "sqlcipher-4 raw key",
            "kdf": self.kdf.document(),
            "wrapped": {
                "passphrase": self.passphrase.document(),
                "recovery": {"kdf": "hkdf-sha256", **self.recovery.document()},
            },
            "keyring": self.keyring,
        }

    def to_bytes(self, journal_key: bytes) -> bytes:
        body = self.body()
        body["mac"] = _b64(_mac(journal_key, body))
        return (json.dumps(body, indent=1, sort_keys=True) + "\n").encode()


def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(
        {k: v for k, v in body.items() if k != "mac"}, sort_keys=True, separators=(",", ":")
    ).encode()


def _mac(journal_key: bytes, body: dict[str, Any]) -> bytes:
    return hmac.new(subkey(journal_key, "header mac"), _canonical(body), hashlib.sha256).digest()


def subkey(journal_key: bytes, purpose: str) -> bytes:
    """One independent 256-bit key per use (database, photo files, photo names, header)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    info = f"microneedling-journal {purpose}".encode()
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=info).derive(
        journal_key
    )


def _seal(key: bytes, plain: bytes, aad: bytes) -> Wrap:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = secrets.token_bytes(12)
    return Wrap(nonce=nonce, ciphertext=AESGCM(key).encrypt(nonce, plain, aad))


def _open(key: bytes, wrap: Wrap, aad: bytes) -> bytes | None:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        return AESGCM(key).decrypt(wrap.nonce, wrap.ciphertext, aad)
    except InvalidTag:
        return None


def _recovery_wrapping_key(recovery: bytes, salt: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    info = b"microneedling-journal recovery key"
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=info).derive(recovery)


# -- recovery keys as people write them down ----------------------------------------


def format_recovery(raw: bytes) -> str:
    text = base64.b32encode(raw).decode("ascii").rstrip("=")
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def parse_recovery(text: str) -> bytes:
    """The recovery key as typed: case, spaces and dashes do not matter; 0/1 read as O/I."""
    cleaned = "".join(text.split()).replace("-", "").upper().replace("0", "O").replace("1", "I")
    try:
        raw = base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    except ValueError:
        raw = b""
    if len(raw) != RECOVERY_BYTES:
        raise KeyProblem("that is not a recovery key: it has 8 groups of 4 letters and digits")
    return raw


# -- making, reading and unlocking a header ----------------------------------------


@dataclass(frozen=True)
class NewKeys:
    header: Header
    journal_key: bytes
    recovery_key: str  # shown once, never stored


def check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise KeyProblem(f"the passphrase is too short: use at least {MIN_PASSPHRASE} characters")


def create(passphrase: str, *, kdf: Kdf | None = None) -> NewKeys:
    """A fresh journal key, wrapped by `passphrase` and by a new recovery key."""
    check_passphrase(passphrase)
    journal_key = secrets.token_bytes(KEY_BYTES)
    recovery = secrets.token_bytes(RECOVERY_BYTES)
    kdf = kdf or Kdf(salt=secrets.token_bytes(16))
    journal_id = uuid.uuid4().hex
    draft = Header(journal_id, kdf, Wrap(b"", b""), Wrap(b"", b""))
    by_passphrase = _seal(kdf.derive(passphrase), journal_key, draft.associated_data("passphrase"))
    salt = secrets.token_bytes(16)
    wrapping = _recovery_wrapping_key(recovery, salt)
    by_recovery = replace(
        _seal(wrapping, journal_key, draft.associated_data("recovery")), salt=salt
    )
    header = replace(draft, passphrase=by_passphrase, recovery=by_recovery)
    return NewKeys(header, journal_key, format_recovery(recovery))


def rewrap(header: Header, journal_key: bytes, new_passphrase: str) -> Header:
    """The same journal key under a new passphrase (new salt): nothing is re-encrypted."""
    check_passphrase(new_passphrase)
    kdf = Kdf(salt=secrets.token_bytes(16))
    moved = replace(header, kdf=kdf)
    wrap = _seal(kdf.derive(new_passphrase), journal_key, moved.associated_data("passphrase"))
    return replace(moved, passphrase=wrap)


def parse(data: bytes, where: Path | str) -> tuple[Header, str]:
    """The header and its MAC (checked once the key is known); damaged -> KeyProblem."""
    damaged = KeyProblem(f"the key header {where} is damaged; unlock is impossible without it")
    try:
        doc = json.loads(data)
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise damaged
        if doc.get("version") != VERSION:
            raise KeyProblem(
                f"the key header {where} has version {doc.get('version')!r}; upgrade journal"
            )
        kdf_doc, wraps = doc["kdf"], doc["wrapped"]
        if kdf_doc.get("name") != "argon2id":
            raise damaged
        kdf = Kdf(
            salt=_unb64(kdf_doc["salt"]),
            memory_kib=int(kdf_doc["memory_kib"]),
            time_cost=int(kdf_doc["time_cost"]),
            parallelism=int(kdf_doc["parallelism"]),
        )
        for name, (low, high) in _KDF_LIMITS.items():
            if not low <= getattr(kdf, name) <= high:
                raise damaged
        if not 1 <= kdf.parallelism <= 16 or len(kdf.salt) < 16:
            raise damaged
        header = Header(
            journal_id=str(doc["journal_id"]),
            kdf=kdf,
            passphrase=Wrap(
                _unb64(wraps["passphrase"]["nonce"]), _unb64(wraps["passphrase"]["ciphertext"])
            ),
            recovery=Wrap(
                _unb64(wraps["recovery"]["nonce"]),
                _unb64(wraps["recovery"]["ciphertext"]),
                _unb64(wraps["recovery"]["salt"]),
            ),
            keyring=bool(doc.get("keyring", False)),
        )
        mac = str(doc["mac"])
    except (ValueError, KeyError, TypeError, AttributeError):
        raise damaged from None
    return header, mac


def read_header(path: Path) -> tuple[Header, str]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KeyProblem(f"cannot read the key header {path}: {exc.strerror}") from None
    return parse(data, path)


def unlock(path: Path, *, passphrase: str | None = None, recovery: str | None = None) -> bytes:
    """The journal key, from the header at `path` and a passphrase or the recovery key."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KeyProblem(f"cannot read the key header {path}: {exc.strerror}") from None
    return unlock_data(data, path, passphrase=passphrase, recovery=recovery)


def unlock_data(
    data: bytes, where: Path | str, *, passphrase: str | None = None, recovery: str | None = None
) -> bytes:
    """The journal key from a header's bytes (a file's, or a PostgreSQL journal's row)."""
    header, mac = parse(data, where)
    if recovery is not None:
        raw = parse_recovery(recovery)
        wrapping = _recovery_wrapping_key(raw, header.recovery.salt)
        key = _open(wrapping, header.recovery, header.associated_data("recovery"))
        wrong = "wrong recovery key for this journal"
    else:
        derived = header.kdf.derive(passphrase or "")
        key = _open(derived, header.passphrase, header.associated_data("passphrase"))
        wrong = "wrong passphrase for this journal"
    if key is None:
        raise KeyProblem(wrong)
    body = header.body()
    try:
        expected = _unb64(mac)
    except ValueError:
        expected = b""
    if not hmac.compare_digest(_mac(key, body), expected):
        raise KeyProblem(f"the key header {where} was altered; restore it from a backup")
    return key


def header_of(path: Path) -> Header:
    return read_header(path)[0]


# -- files, written so a kill leaves the old or the new version ---------------------


def write_atomic(path: Path, data: bytes) -> None:
    """Write a small private file under a temporary name, fsync, rename, fsync the folder."""
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def pending_path(header: Path) -> Path:
    return header.with_name(header.name + ".pending")


def is_plaintext_db(db_file: Path) -> bool | None:
    """True for an ordinary SQLite file, False for SQLCipher's random-looking bytes.

    None when there is no database yet (or it is empty: a journal being created).
    """
    try:
        with db_file.open("rb") as fh:
            start = fh.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        return None
    if not start:
        return None
    return start == SQLITE_MAGIC


CONVERT_LOCK = ".convert.lock"


@contextlib.contextmanager
def conversion_lock(home: Path, *, wait: bool) -> Any:
    """An exclusive lock while a conversion swaps files; `settle` must not run meanwhile.

    `wait=False` (a journal being opened) fails at once with one line if a
    conversion holds it. Where `fcntl` is missing (Windows) nothing is locked.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    path = home / CONVERT_LOCK
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise KeyProblem(
                "the journal is being encrypted or decrypted by another command; try again"
                " when it has finished"
            ) from None
        yield
    finally:
        os.close(fd)


def settle(header: Path, db_file: Path | None) -> None:
    """Finish or undo a conversion a kill interrupted; the database decides which.

    A pending header with a plaintext database: the conversion did not swap
    the database in (encrypt) or had swapped it (decrypt); either way the
    journal is plaintext now and the pending header goes. With an encrypted
    database it becomes the header. Leftover temporary databases are removed.
    """
    pending = pending_path(header)
    leftovers = (
        list(db_file.parent.glob(f".{db_file.name}.convert-*")) if db_file is not None else []
    )
    if not pending.exists() and not leftovers:
        return
    with conversion_lock(header.parent, wait=False):
        _settle(header, pending, db_file)


def _settle(header: Path, pending: Path, db_file: Path | None) -> None:
    if db_file is not None:
        for leftover in db_file.parent.glob(f".{db_file.name}.convert-*"):
            with contextlib.suppress(OSError):
                leftover.unlink()
    if not pending.exists() or db_file is None:
        fsync_dir(header.parent)
        return
    plain = is_plaintext_db(db_file)
    if plain is False:
        if not header.exists():
            os.replace(pending, header)
        else:
            pending.unlink()
    else:
        pending.unlink()
    fsync_dir(header.parent)


def database_key_pragma(journal_key: bytes) -> str:
    """SQLCipher's raw-key form: no PBKDF2 runs at each open (the KDF ran once, above)."""
    return f"PRAGMA key = \"x'{subkey(journal_key, 'database').hex()}'\""

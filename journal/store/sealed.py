"""Sealed photo files: how an encrypted journal stores an image on disk.

Format (version 1), one file per stored image:

    offset  size  content
    0       4     magic b"MNJS" (microneedling journal sealed)
    4       1     format version (1)
    5       12    nonce: 96 random bits, fresh for every file written
    17      n+16  AES-256-GCM ciphertext of the image bytes, then its 16-byte tag

The associated data is the 5-byte prefix plus the file's stored name, so a
file renamed to another photo's name, or with its version byte changed, fails
authentication like a flipped bit does. The key is the journal key's
"photo files" subkey (`journal.store.keys.subkey`).

Names: the plaintext store names a file after the sha256 of the original
photo, which tells anyone with the disk whether a given picture is in the
journal. A sealed file is named `HMAC-SHA256(names subkey, sha256 + variant)`
instead, sharded by its first two hex digits like the plaintext store: stable
(the same photo gets the same name, so imports stay idempotent) but unlinkable
without the key.

This module is the format; `Sealing` is what a photo store of an encrypted
journal holds (journal/store/photostore.py, journal/store/photodb.py): the
two subkeys, and the one place that turns a store name into its sealed name.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from journal.core.errors import JournalUnavailable

MAGIC = b"MNJS"
VERSION = 1
NONCE_BYTES = 12
TAG_BYTES = 16
PREFIX = MAGIC + bytes([VERSION])
HEADER_BYTES = len(PREFIX) + NONCE_BYTES
PRIVATE_FILE = 0o600


class SealedFileDamaged(JournalUnavailable):
    """One sealed file failed authentication or is not a sealed file; named, nothing else.

    Exit status 2 (one line naming the file); the other photos still open.
    """

    def __init__(self, name: str, reason: str, *, what: str | None = None) -> None:
        self.name = name
        self.reason = reason
        super().__init__(f"{what or f'photo file {name}'} {reason}; run `journal doctor`")


@dataclass(frozen=True)
class Sealing:
    """The keys a photo store of an encrypted journal seals and names its files with.

    Picklable on purpose (a photo import's workers may carry it); its repr
    never shows the keys.
    """

    file_key: bytes
    names_key: bytes

    @classmethod
    def for_journal(cls, journal_key: bytes) -> Sealing:
        from journal.store.keys import subkey

        return cls(subkey(journal_key, "photo files"), subkey(journal_key, "photo names"))

    def __repr__(self) -> str:
        return "Sealing(***)"

    def name(self, sha256: str, variant: str) -> str:
        return sealed_name(self.names_key, sha256, variant)

    def seal(self, data: bytes, name: str) -> bytes:
        return seal(self.file_key, data, name)

    def unseal(self, blob: bytes, name: str) -> bytes:
        """The plaintext, or `SealedFileDamaged` naming the stored file."""
        return unseal(self.file_key, blob, name)


def is_sealed(blob: bytes) -> bool:
    """True for bytes in the sealed format (a conversion tells old files from new)."""
    return blob.startswith(MAGIC)


def sealed_name(names_key: bytes, sha256: str, variant: str) -> str:
    """The stored relative path of one variant (display, thumb, original) of a photo."""
    digest = hmac.new(names_key, f"{sha256}:{variant}".encode(), hashlib.sha256).hexdigest()
    return f"{digest[:2]}/{digest}"


def seal(file_key: bytes, data: bytes, name: str) -> bytes:
    """The sealed bytes of `data`, bound to its stored `name`."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = secrets.token_bytes(NONCE_BYTES)
    return PREFIX + nonce + AESGCM(file_key).encrypt(nonce, data, PREFIX + name.encode())


def unseal(file_key: bytes, blob: bytes, name: str) -> bytes:
    """The image bytes, or `SealedFileDamaged` naming `name` (never a partial image)."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if len(blob) < HEADER_BYTES + TAG_BYTES or not blob.startswith(MAGIC):
        raise SealedFileDamaged(name, "is not a sealed journal file (truncated or replaced)")
    if blob[len(MAGIC)] != VERSION:
        raise SealedFileDamaged(
            name, f"has sealed-file version {blob[len(MAGIC)]}; upgrade journal"
        )
    nonce = blob[len(PREFIX) : HEADER_BYTES]
    try:
        return AESGCM(file_key).decrypt(nonce, blob[HEADER_BYTES:], PREFIX + name.encode())
    except InvalidTag:
        raise SealedFileDamaged(
            name, "failed its authentication check (altered or damaged)"
        ) from None


def write_sealed(root: Path, relative: str, file_key: bytes, data: bytes) -> None:
    """Seal `data` and write it atomically at `root/relative` (temp, fsync, rename)."""
    target = root.joinpath(*relative.split("/"))
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(seal(file_key, data, relative))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise


def read_sealed(root: Path, relative: str, file_key: bytes) -> bytes:
    """The image stored at `root/relative`, authenticated."""
    return unseal(file_key, root.joinpath(*relative.split("/")).read_bytes(), relative)


def verify(root: Path, relative: str, file_key: bytes) -> str | None:
    """None when the file authenticates, else the one-line reason (for `journal doctor`)."""
    try:
        read_sealed(root, relative, file_key)
    except SealedFileDamaged as exc:
        return exc.message
    except OSError as exc:
        return f"photo file {relative} cannot be read: {exc.strerror}"
    return None

"""What the exchange archive and the backup share: member digests and safe member names.

Both are zip files whose `manifest.json` lists every member with its sha256
and size, and both must refuse a member name that could land outside the
folder it is unpacked into. One implementation keeps the two formats equally
strict.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from typing import IO, Any

CHUNK = 1 << 20


def digest_of(data: bytes) -> dict[str, Any]:
    """A manifest entry for bytes in memory: `{"sha256": ..., "size": ...}`."""
    return {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def digest_blocks(
    blocks: Iterable[bytes], sink: Callable[[bytes], object] | None = None
) -> dict[str, Any]:
    """A manifest entry for a stream, optionally passing each block on (to a copy).

    Hashing exactly the bytes that are written or read means a manifest can
    never describe bytes other than those in the archive or on disk.
    """
    digest = hashlib.sha256()
    size = 0
    for block in blocks:
        digest.update(block)
        size += len(block)
        if sink is not None:
            sink(block)
    return {"sha256": digest.hexdigest(), "size": size}


def blocks_of(stream: IO[bytes], chunk: int = CHUNK) -> Iterable[bytes]:
    return iter(lambda: stream.read(chunk), b"")


def is_safe_member(name: str) -> bool:
    """A relative POSIX path without `..`, empty parts, drive letters, backslashes or NULs."""
    if not name or "\\" in name or "\x00" in name or name.startswith("/"):
        return False
    if re.match(r"^[A-Za-z]:", name):
        return False
    parts = name.rstrip("/").split("/")
    return all(part not in ("", ".", "..") for part in parts)

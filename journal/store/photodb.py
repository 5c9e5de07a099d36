"""The database photo store: photo files as rows of `photo_blob` (migration 0010).

Apart from journal/store/photostore.py (the interface and the folder store)
so that what only needs names and the folder never imports SQLAlchemy. See
docs/photos-in-postgresql.md for why and how big it grows.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from journal.store.photostore import (
    DATABASE,
    FolderStore,
    PhotoStore,
    StoredFiles,
    digest,
    parse_name,
    relative_path,
)
from journal.store.sealed import SealedFileDamaged, Sealing

if TYPE_CHECKING:
    from sqlalchemy import Engine


class DatabaseStore:
    """Photo files as rows of `photo_blob` in the journal's own database.

    Reads take a short connection of their own; writes join the caller's
    transaction when given one (`db`), so a photo's bytes and its row commit
    together, else they run in a transaction of their own that takes the
    journal's write lock like every other write.
    """

    kind = DATABASE
    transactional = True

    def __init__(self, engine: Engine, sealing: Sealing | None = None) -> None:
        self.engine = engine
        self.sealing = sealing

    def __repr__(self) -> str:
        sealed = ", sealed" if self.sealing else ""
        return f"DatabaseStore({self.engine.url.render_as_string(hide_password=True)}{sealed})"

    @property
    def sealed(self) -> bool:
        return self.sealing is not None

    def describe(self, relative: str) -> str:
        parse_name(relative)
        return f"database:{relative}"

    def _load(self, stored: bytes, relative: str) -> bytes:
        """Stored bytes to photo bytes: the one reading seam (unsealed when sealed).

        A sealed blob keeps the plaintext store name as its key (sha256,
        which): the encrypted journal's database is SQLCipher, whose every
        page (indexes included) is encrypted, so an HMAC name would hide
        nothing more; a PostgreSQL journal is not encrypted by the journal
        (docs/privacy.md), its server's access control guards the table.
        """
        data = bytes(stored)  # psycopg may hand a memoryview
        if self.sealing is None:
            return data
        return self.sealing.unseal(data, relative)

    def _dump(self, data: bytes, relative: str) -> bytes:
        """Photo bytes to stored bytes: the one writing seam (sealed when sealed)."""
        if self.sealing is None:
            return data
        return self.sealing.seal(data, relative)

    def read_bytes(self, relative: str) -> bytes | None:
        from sqlalchemy import select

        from journal.store.models import PhotoBlobRow as B

        try:
            sha, which, _ext = parse_name(relative)
        except ValueError:
            return None
        if self.engine.dialect.name == "postgresql":
            rows = self._binary(
                "SELECT data FROM photo_blob WHERE sha256 = %s AND which = %s"
                " AND trashed_batch IS NULL",
                (sha, which),
            )
            return self._load(rows[0][0], relative) if rows else None
        with self.engine.connect() as conn:
            data = conn.execute(
                select(B.data).where(B.sha256 == sha, B.which == which, B.trashed_batch.is_(None))
            ).scalar()
        return None if data is None else self._load(data, relative)

    def _binary(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        """PostgreSQL rows in the binary protocol: bytea arrives as it is stored.

        SQLAlchemy's psycopg cursor asks for text, where bytea travels as hex
        (twice the bytes) and is decoded back in Python: 40 ms for a 2048-px
        display copy instead of well under one (bench/bench_pgphotos.py).
        """
        with self.engine.connect() as conn:
            raw: Any = conn.connection.driver_connection
            with raw.cursor(binary=True) as cursor:
                cursor.execute(sql, params)
                return list(cursor.fetchall())

    def read_many(self, relatives: Iterable[str]) -> dict[str, bytes]:
        from sqlalchemy import select, tuple_

        from journal.store.models import PhotoBlobRow as B

        keys = self._keys(relatives)
        found: dict[str, bytes] = {}
        if not keys:
            return found
        if self.engine.dialect.name == "postgresql":
            ordered = list(keys)
            for start in range(0, len(ordered), 200):
                chunk = ordered[start : start + 200]
                found_rows = self._binary(
                    "SELECT b.sha256, b.which, b.data FROM photo_blob b"
                    " JOIN unnest(%s::text[], %s::text[]) AS k(sha256, which)"
                    " ON b.sha256 = k.sha256 AND b.which = k.which"
                    " WHERE b.trashed_batch IS NULL",
                    ([sha for sha, _ in chunk], [which for _, which in chunk]),
                )
                for sha, which, data in found_rows:
                    self._found(found, keys[(sha, which)], data)
            return found
        with self.engine.connect() as conn:
            for start in range(0, len(keys), 200):
                chunk = list(keys)[start : start + 200]
                rows = conn.execute(
                    select(B.sha256, B.which, B.data).where(
                        tuple_(B.sha256, B.which).in_(chunk), B.trashed_batch.is_(None)
                    )
                )
                for sha, which, data in rows:
                    self._found(found, keys[(sha, which)], data)
        return found

    def _found(self, found: dict[str, bytes], relative: str, stored: bytes) -> None:
        """Add one file to `read_many`'s answer; a damaged sealed one is left out (the
        other photos still open, `journal doctor` names it)."""
        with contextlib.suppress(SealedFileDamaged):
            found[relative] = self._load(stored, relative)

    def present(self, relatives: Iterable[str]) -> set[str]:
        from sqlalchemy import select, tuple_

        from journal.store.models import PhotoBlobRow as B

        keys = self._keys(relatives)
        found: set[str] = set()
        with self.engine.connect() as conn:
            for start in range(0, len(keys), 500):
                chunk = list(keys)[start : start + 500]
                rows = conn.execute(
                    select(B.sha256, B.which).where(
                        tuple_(B.sha256, B.which).in_(chunk), B.trashed_batch.is_(None)
                    )
                )
                found.update(keys[(sha, which)] for sha, which in rows)
        return found

    @staticmethod
    def _keys(relatives: Iterable[str]) -> dict[tuple[str, str], str]:
        keys: dict[tuple[str, str], str] = {}
        for rel in relatives:
            with contextlib.suppress(ValueError):
                sha, which, _ext = parse_name(rel)
                keys[(sha, which)] = rel
        return keys

    def has_derivatives(self, sha256: str) -> bool:
        names = [relative_path(sha256, "display"), relative_path(sha256, "thumb")]
        return len(self.present(names)) == 2

    @contextlib.contextmanager
    def _within(self, db: Any) -> Iterator[Any]:
        if db is not None:
            yield db
            return
        from journal.store.engine import for_writing

        with for_writing(self.engine).begin() as conn:
            yield conn

    def write_bytes(self, relative: str, data: bytes, db: Any = None) -> bool:
        from sqlalchemy import insert, select, update

        from journal.store.models import PhotoBlobRow as B

        sha, which, ext = parse_name(relative)
        stored = self._dump(data, relative)
        values = {
            "extension": ext,
            "size": len(data),
            "digest": digest(data),
            "data": stored,
            "trashed_batch": None,
            "trashed_at": None,
        }
        with self._within(db) as conn:
            live = conn.execute(
                select(B.trashed_batch, B.digest).where(B.sha256 == sha, B.which == which)
            ).first()
            if live is None:
                conn.execute(
                    insert(B).values(
                        sha256=sha, which=which, created_at=dt.datetime.now(dt.UTC), **values
                    )
                )
                return True
            if live.trashed_batch is None and live.digest == values["digest"]:
                return False  # the same bytes: nothing to rewrite
            conn.execute(update(B).where(B.sha256 == sha, B.which == which).values(**values))
            return live.trashed_batch is not None

    def put(
        self,
        sha256: str,
        *,
        display: bytes | None,
        thumb: bytes | None,
        original: bytes | None = None,
        original_extension: str | None = None,
        db: Any = None,
    ) -> StoredFiles:
        planned: list[tuple[str, bytes | None]] = [
            (relative_path(sha256, "display"), display),
            (relative_path(sha256, "thumb"), thumb),
        ]
        original_rel = None
        if original is not None:
            original_rel = relative_path(sha256, "original", original_extension or "bin")
            planned.append((original_rel, original))
        created: list[str] = []
        with self._within(db) as conn:
            for rel, data in planned:
                if data is not None and self.write_bytes(rel, data, conn):
                    created.append(rel)
        return StoredFiles(planned[0][0], planned[1][0], original_rel, tuple(created))

    def remove(self, relatives: Iterable[str], db: Any = None) -> None:
        from sqlalchemy import delete

        from journal.store.models import PhotoBlobRow as B

        keys = list(self._keys(relatives))
        if not keys:
            return
        with self._within(db) as conn:
            for sha, which in keys:
                conn.execute(
                    delete(B).where(B.sha256 == sha, B.which == which, B.trashed_batch.is_(None))
                )

    def move_to_trash(self, relative: str, batch: uuid.UUID, db: Any = None) -> None:
        from sqlalchemy import update

        from journal.store.models import PhotoBlobRow as B

        sha, which, _ext = parse_name(relative)
        with self._within(db) as conn:
            conn.execute(
                update(B)
                .where(B.sha256 == sha, B.which == which, B.trashed_batch.is_(None))
                .values(trashed_batch=batch, trashed_at=dt.datetime.now(dt.UTC))
            )

    def restore_from_trash(self, relative: str, batch: uuid.UUID, db: Any = None) -> bool:
        from sqlalchemy import select, update

        from journal.store.models import PhotoBlobRow as B

        sha, which, _ext = parse_name(relative)
        with self._within(db) as conn:
            mark = conn.execute(
                select(B.trashed_batch).where(B.sha256 == sha, B.which == which)
            ).first()
            if mark is None:
                return False
            if mark.trashed_batch is None:
                return True
            if mark.trashed_batch != batch:
                return False
            conn.execute(
                update(B)
                .where(B.sha256 == sha, B.which == which)
                .values(trashed_batch=None, trashed_at=None)
            )
            return True

    def erase(self, relative: str, batch: uuid.UUID | None, db: Any = None) -> bool:
        from sqlalchemy import delete

        from journal.store.models import PhotoBlobRow as B

        sha, which, _ext = parse_name(relative)
        mark = B.trashed_batch.is_(None) if batch is None else B.trashed_batch == batch
        with self._within(db) as conn:
            done = conn.execute(delete(B).where(B.sha256 == sha, B.which == which, mark))
            return bool(done.rowcount)

    def read_trashed(self, relative: str, batch: uuid.UUID) -> bytes | None:
        from sqlalchemy import select

        from journal.store.models import PhotoBlobRow as B

        sha, which, _ext = parse_name(relative)
        with self.engine.connect() as conn:
            data = conn.execute(
                select(B.data).where(B.sha256 == sha, B.which == which, B.trashed_batch == batch)
            ).scalar()
        return None if data is None else self._load(data, relative)

    def stored(self) -> Iterator[str]:
        from sqlalchemy import select

        from journal.store.models import PhotoBlobRow as B

        with self.engine.connect() as conn:
            rows = conn.execute(
                select(B.sha256, B.which, B.extension)
                .where(B.trashed_batch.is_(None))
                .order_by(B.sha256, B.which)
            ).all()
        for sha, which, ext in rows:
            yield relative_path(sha, which, ext)


def open_store(
    kind: str, *, root: Path, engine: Engine, sealing: Sealing | None = None
) -> PhotoStore:
    """The store a journal's `photo_store` setting names (sealed on an encrypted journal)."""
    if kind == DATABASE:
        return DatabaseStore(engine, sealing)
    return FolderStore(root, sealing)

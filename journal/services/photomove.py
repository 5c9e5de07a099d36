"""`journal photos move --to database|folder`: move every photo file between stores.

The order is what makes it safe to interrupt and re-run (issue 17):

1. Copy: every file the journal refers to (live photos, and deleted ones kept
   for undo) is read from the current store and written to the other, one
   file at a time (memory holds one photo), then read back and compared by
   sha256. A file already there with the same bytes is not rewritten, so a
   re-run after a kill picks up where it stopped.
2. Switch: one transaction, under the journal's write lock, first copies any
   photo committed meanwhile, then sets the `photo_store` setting. Before it
   commits, the journal reads the old store, which is complete; after, the
   new one, which was verified. A kill at any moment leaves every photo
   readable.
3. Only then are the old copies removed. A kill here leaves copies nobody
   reads; running the move again (the journal is already in the target store)
   finishes the removal.

A file missing from the current store stops the move before the switch: it
cannot be verified, and `journal doctor` says what to do about it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from journal.core.errors import InvalidValue, JournalDamaged
from journal.store import photostore

if TYPE_CHECKING:
    from sqlalchemy.orm import Session as DbSession

    from journal.services.journal import Journal

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class MoveReport:
    """What a move did: files copied (newly written), verified, old copies removed."""

    source: str
    target: str
    files: int
    copied: int
    verified: int
    removed: int
    switched: bool  # False: the journal already used the target store (a re-run)

    def to_dict(self) -> dict[str, object]:
        return {
            "from": self.source,
            "to": self.target,
            "files": self.files,
            "copied": self.copied,
            "verified": self.verified,
            "removed": self.removed,
            "switched": self.switched,
        }


Item = tuple[str, uuid.UUID | None]  # (store name, delete batch for a file kept for undo)


def move_photos(journal: Journal, to: str, *, progress: Progress | None = None) -> MoveReport:
    """Move the journal's photo files to the `to` store (see the module docstring)."""
    target_kind = (to or "").strip().lower()
    if target_kind not in photostore.BACKENDS:
        raise InvalidValue("to", to, "choose database or folder")
    current = journal.photos
    other = photostore.FOLDER if target_kind == photostore.DATABASE else photostore.DATABASE
    if current.kind == target_kind:  # a re-run: finish removing what an earlier move left
        old = _open(journal, other)
        with journal.read() as db:
            items = _items(db)
        removed = _remove_old(old, current, items)
        return MoveReport(other, target_kind, len(items), 0, 0, removed, switched=False)
    target = _open(journal, target_kind)
    with journal.read() as db:
        items = _items(db)
    copied = verified = 0
    for done, item in enumerate(items, start=1):
        wrote = _copy(current, target, item)
        copied += wrote
        verified += 1
        if progress is not None:
            progress(done, len(items))
    with journal.write() as db:  # the switch: under the write lock, nothing new slips by
        for item in _items(db):
            if item not in items:
                copied += _copy(current, target, item, db if target.transactional else None)
                verified += 1
                items.append(item)
        _set_store(db, target_kind)
    journal.forget_photo_store()
    removed = _remove_old(current, target, items)
    return MoveReport(current.kind, target_kind, len(items), copied, verified, removed, True)


def _open(journal: Journal, kind: str) -> photostore.PhotoStore:
    from journal.store.photodb import open_store

    return open_store(kind, root=journal.photos_dir, engine=journal.engine, sealing=journal.sealing)


def _items(db: DbSession) -> list[Item]:
    """Every file the journal refers to: live photos' files and deleted ones' kept for undo."""
    from sqlalchemy import select

    from journal.services.amend import photo_files
    from journal.store.models import ChangeRow, PhotoRow

    found: dict[Item, None] = {}
    columns = (PhotoRow.display_path, PhotoRow.thumb_path, PhotoRow.original_path)
    for row in db.execute(select(*columns).order_by(PhotoRow.sha256)):
        found.update(((name, None), None) for name in row if name)
    undone = select(ChangeRow.reverts).where(ChangeRow.reverts.is_not(None))
    deleted = select(ChangeRow.batch_id, ChangeRow.old).where(
        ChangeRow.kind == "photo",
        ChangeRow.action == "delete",
        ChangeRow.batch_id.not_in(undone),
    )
    for batch, old in db.execute(deleted):
        found.update(((name, batch), None) for name in photo_files(old or {}))
    return list(found)


def _copy(
    source: photostore.PhotoStore,
    target: photostore.PhotoStore,
    item: Item,
    db: DbSession | None = None,
) -> int:
    """Copy one file and prove it arrived whole; 1 when it was newly written."""
    name, batch = item
    data = source.read_bytes(name) if batch is None else source.read_trashed(name, batch)
    if data is None:
        if batch is not None:
            return 0  # a deleted photo's file already purged: nothing left to keep
        if name in target.present([name]):
            return 0  # an earlier, interrupted move copied it and the source lost it since
        raise JournalDamaged(
            f"photo file {name} is missing from the {source.kind} store;"
            " run `journal doctor` before moving the photos"
        )
    wrote = target.write_bytes(name, data, db)
    if batch is not None:
        target.move_to_trash(name, batch, db)
        back = target.read_trashed(name, batch) if db is None else data
    else:
        back = target.read_bytes(name) if db is None else data
    if back is None or photostore.digest(back) != photostore.digest(data):
        raise JournalDamaged(f"photo file {name} did not arrive intact in the {target.kind} store")
    return int(wrote)


def _set_store(db: DbSession, kind: str) -> None:
    from journal.store.models import SettingRow

    row = db.get(SettingRow, photostore.SETTING)
    if row is None:
        db.add(SettingRow(name=photostore.SETTING, value=kind))
    else:
        row.value = kind


def _remove_old(old: photostore.PhotoStore, new: photostore.PhotoStore, items: list[Item]) -> int:
    """Remove the old store's copies of files the new store holds (never one it lacks)."""
    live = [name for name, batch in items if batch is None]
    safe = new.present(live)
    removed = 0
    for name, batch in items:
        if batch is None and name not in safe:
            continue
        if batch is not None and new.read_trashed(name, batch) is None:
            continue
        removed += old.erase(name, batch)
    return removed


__all__ = ["MoveReport", "move_photos"]

"""`journal import ARCHIVE`: merge an exchange archive into this journal by UUID.

Merging rules, chosen so that moving a journal between machines (or a patient
between a home journal and a clinic's) is safe to repeat:

* A record whose id is new is added with its own id and timestamps.
* A record whose id exists is replaced only if the archive's `updated_at` is
  newer; otherwise the local one stays. Importing the same archive twice
  therefore changes nothing, and the newer edit wins wherever it was made.
* A provider whose name exists under another id is the same provider: the
  archive's sessions and reviews are linked to the local one.
* A photo whose content (sha256) is already this patient's is the same photo
  and is skipped; if it belongs to another patient the import is refused (one
  photo cannot show two people's skin), with a message that does not say so.
* A flag row (what a provider recorded about a red flag: seen, resolved) is
  merged by its computed id like any record, newer `updated_at` winning; it
  takes the archive's patient. Like other merged records it writes no
  change-log lines (the source's log stays with the source).
* Deletions the source made travel as tombstones (`_apply_tombstones`) and are
  applied unless the local copy changed later; flag rows are never deleted on
  their own, so none name a flag.

Order of work: the archive is checked completely (`ArchiveReader.load`), the
merge is computed in a read-only pass (which refuses conflicts), photo files
not yet in the store are written atomically, then all rows are committed in
one transaction. If the commit fails, the files written by this import are
removed again. A refused archive therefore leaves no row and no file behind.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from journal.core import records
from journal.core.errors import JournalError, JournalUnavailable
from journal.export.archive import SINGULAR, ArchiveContent, ArchiveReader, Limits

if TYPE_CHECKING:
    from sqlalchemy.orm import Session as DbSession

    from journal.services.journal import Journal

ORDER = ("providers", "patient", "courses", "sessions", "checkins", "photos", "reviews", "flags")
CHILDREN = ("sessions", "checkins", "photos", "reviews")


@dataclass
class ImportSummary:
    """What an import did, per kind of record."""

    archive: Path
    patient: records.Patient | None = None
    added: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ORDER, 0))
    updated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ORDER, 0))
    unchanged: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ORDER, 0))
    deleted: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ORDER, 0))
    photo_files_written: int = 0
    trashed: list[tuple[str, uuid.UUID]] = field(default_factory=list)  # files, after commit

    @property
    def changed(self) -> bool:
        return any(self.added.values()) or any(self.updated.values()) or any(self.deleted.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "archive": str(self.archive),
            "patient": records.to_jsonable(self.patient),
            "added": dict(self.added),
            "updated": dict(self.updated),
            "unchanged": dict(self.unchanged),
            "deleted": dict(self.deleted),
            "photo_files_written": self.photo_files_written,
            "changed": self.changed,
        }


def import_archive(
    journal: Journal, path: Path | str, *, limits: Limits | None = None
) -> ImportSummary:
    """Merge the archive at `path` into `journal` (see the module docstring).

    Photo files go through the journal's photo store: the folder's are written
    before the commit (and removed again if it fails), the database's inside
    the commit, one file at a time, so memory stays bounded by one photo.
    """
    archive_path = Path(path).expanduser()
    journal.recheck_photo_store()  # `photos move` in another process since
    store = journal.photos
    root = journal.photos_dir
    with ArchiveReader(archive_path, limits) as reader:
        content = reader.load()
        with journal.read() as db:
            _merge(db, content, ImportSummary(archive_path), apply=False)  # refuses conflicts
        names = {name: name.removeprefix("photos/") for name in sorted(content.photo_members)}
        try:
            have = store.present(names.values())
        except ValueError as exc:
            raise JournalUnavailable(str(exc)) from None
        missing = [(name, rel) for name, rel in names.items() if rel not in have]
        created: list[str] = []
        try:
            if not store.transactional:
                for name, relative in missing:
                    if store.write_bytes(relative, reader.photo_bytes(name)):
                        created.append(relative)
            summary = ImportSummary(archive_path, photo_files_written=len(created))
            with journal.write() as db:
                if store.transactional:
                    summary.photo_files_written = sum(
                        store.write_bytes(relative, reader.photo_bytes(name), db)
                        for name, relative in missing
                    )
                _merge(db, content, summary, apply=True)
                _apply_tombstones(db, content, summary)
                if store.transactional:
                    for relative, batch in summary.trashed:
                        store.move_to_trash(relative, batch, db)
        except BaseException as exc:
            store.remove(created)
            if _is_db_error(exc):
                raise JournalUnavailable(f"cannot save the import: {_first_line(exc)}") from None
            if isinstance(exc, OSError) and not isinstance(exc, JournalError):
                raise JournalUnavailable(
                    f"cannot write to the photo folder {root}: {exc.strerror or exc}"
                ) from None
            raise
    if not store.transactional:
        for relative, batch in summary.trashed:
            store.move_to_trash(relative, batch)
    return summary


TOMBSTONE_KEYS = {
    "course": "courses",
    "session": "sessions",
    "checkin": "checkins",
    "photo": "photos",
    "review": "reviews",
}


def _apply_tombstones(db: DbSession, content: ArchiveContent, summary: ImportSummary) -> None:
    """Delete here what was deleted at the source, unless our copy changed after that.

    Each deletion is logged like one made here (whole-row tombstones, undoable),
    by "archive import"; a record already gone is nothing to do, so importing
    the same archive twice changes nothing.
    """
    from journal.services.amend import MODELS, delete_rows

    patient_id: uuid.UUID = content.patient["id"]
    for stone in content.tables.get("tombstones", []):
        row = db.get(MODELS[stone["kind"]], stone["id"])
        if row is None or row.updated_at > stone["at"]:
            continue
        _check_owner(db, TOMBSTONE_KEYS[stone["kind"]], row, patient_id)
        deleted, files, batch = delete_rows(db, stone["kind"], row, actor="archive import")
        for table in deleted:
            summary.deleted[TOMBSTONE_KEYS[table]] += 1
        summary.trashed += [(f, batch) for f in files]


def _merge(db: DbSession, content: ArchiveContent, summary: ImportSummary, *, apply: bool) -> None:
    """Decide (and with `apply`, perform) every insert and update, in dependency order."""
    from journal.services import convert
    from journal.store.models import PatientRow

    patient_id: uuid.UUID = content.patient["id"]
    provider_ids = _merge_providers(db, content.tables["providers"], summary, apply)
    _merge_rows(db, "patient", content.tables["patient"], summary, apply, patient_id)
    _merge_rows(db, "courses", content.tables["courses"], summary, apply, patient_id)
    for key in CHILDREN:
        rows = [_remap(r, provider_ids) for r in content.tables[key]]
        if key == "photos":
            rows = _without_duplicate_photos(db, rows, summary, patient_id)
        _merge_rows(db, key, rows, summary, apply, patient_id)
    flags = [{**r, "patient_id": patient_id} for r in content.tables.get("flags", [])]
    _merge_rows(db, "flags", flags, summary, apply, patient_id)
    if apply:
        db.flush()
        row = db.get(PatientRow, patient_id)
        summary.patient = convert.patient(row) if row is not None else None


def _merge_providers(
    db: DbSession, providers: list[dict[str, Any]], summary: ImportSummary, apply: bool
) -> dict[uuid.UUID, uuid.UUID]:
    """Add or update providers; returns archive id -> local id for same-name matches.

    Names are compared with Python's casefold, not SQL lower(): SQLite's only
    folds ASCII, and "Dr. Ōkubo" must match "dr. ōkubo" on every database.
    """
    from sqlalchemy import select

    from journal.store.models import ProviderRow

    by_name = {row.name.casefold(): row for row in db.scalars(select(ProviderRow))}
    mapping: dict[uuid.UUID, uuid.UUID] = {}
    for values in providers:
        row = db.get(ProviderRow, values["id"])
        same_name = by_name.get(values["name"].casefold())
        if row is None and same_name is not None:
            mapping[values["id"]] = same_name.id
            summary.unchanged["providers"] += 1
            continue
        if row is not None and same_name is not None and same_name.id != row.id:
            values = {**values, "name": row.name}  # a rename onto a taken name: keep ours
        _upsert(db, ProviderRow, row, values, "providers", summary, apply)
    if apply:
        db.flush()
    return mapping


def _merge_rows(
    db: DbSession,
    key: str,
    rows: list[dict[str, Any]],
    summary: ImportSummary,
    apply: bool,
    patient_id: uuid.UUID,
) -> None:
    from journal.store.models import (
        CheckInRow,
        CourseRow,
        FlagRow,
        PatientRow,
        PhotoRow,
        ReviewRow,
        SessionRow,
    )

    model: Any = {
        "patient": PatientRow,
        "courses": CourseRow,
        "sessions": SessionRow,
        "checkins": CheckInRow,
        "photos": PhotoRow,
        "reviews": ReviewRow,
        "flags": FlagRow,
    }[key]
    gone = _locally_deleted(db, patient_id)
    for values in rows:
        deleted_at = gone.get(values["id"])
        if deleted_at is not None and deleted_at >= values["updated_at"]:
            summary.unchanged[key] += 1  # deleted here after the archive's last edit: stays so
            continue
        row = db.get(model, values["id"])
        if row is not None:
            _check_owner(db, key, row, patient_id)
        _upsert(db, model, row, values, key, summary, apply)
    if apply:
        db.flush()  # parents before children, whatever the ORM's own ordering


def _upsert(
    db: DbSession,
    model: Any,
    row: Any,
    values: dict[str, Any],
    key: str,
    summary: ImportSummary,
    apply: bool,
) -> None:
    if row is None:
        summary.added[key] += 1
        if apply:
            db.add(model(**values))
        return
    if values["updated_at"] > row.updated_at:
        summary.updated[key] += 1
        if apply:
            for name, value in values.items():
                if name != "id":
                    setattr(row, name, value)  # updated_at too: the archive's edit time
        return
    summary.unchanged[key] += 1


def _locally_deleted(db: DbSession, patient_id: uuid.UUID) -> dict[uuid.UUID, Any]:
    from journal.services.amend import live_deletions

    return {record_id: at for _, record_id, at in live_deletions(db, patient_id)}


def _check_owner(db: DbSession, key: str, row: Any, patient_id: uuid.UUID) -> None:
    """An existing record with the archive's id must belong to the archive's patient."""
    from journal.store.models import CourseRow

    if key == "patient":
        return
    if key in ("courses", "flags"):
        owner = row.patient_id
    else:
        owner = _course_owner(db, row.course_id, CourseRow)
    if owner != patient_id:
        raise JournalError(
            f"{SINGULAR[key]} {str(row.id)[:8]} already exists for another patient in this "
            "journal; nothing was imported"
        )


def _course_owner(db: DbSession, course_id: uuid.UUID, course_model: Any) -> uuid.UUID | None:
    course = db.get(course_model, course_id)
    return course.patient_id if course is not None else None


def _remap(values: dict[str, Any], provider_ids: dict[uuid.UUID, uuid.UUID]) -> dict[str, Any]:
    provider = values.get("provider_id")
    if provider is not None and provider in provider_ids:
        return {**values, "provider_id": provider_ids[provider]}
    return values


def _without_duplicate_photos(
    db: DbSession, rows: list[dict[str, Any]], summary: ImportSummary, patient_id: uuid.UUID
) -> list[dict[str, Any]]:
    """Drop photos whose content is already here under another id (refuse another patient's)."""
    from sqlalchemy import select

    from journal.store.models import CourseRow, PhotoRow

    kept = []
    for values in rows:
        other = db.scalars(
            select(PhotoRow).where(PhotoRow.sha256 == values["sha256"], PhotoRow.id != values["id"])
        ).first()
        if other is None:
            kept.append(values)
            continue
        if _course_owner(db, other.course_id, CourseRow) != patient_id:
            # Neutral on purpose: whose photo it is stays private to that patient.
            raise JournalError(
                f"photo {values['sha256'][:12]} is already stored in this journal and cannot be "
                "added again; nothing was imported"
            )
        summary.unchanged["photos"] += 1
    return kept


def _is_db_error(exc: BaseException) -> bool:
    from sqlalchemy.exc import SQLAlchemyError

    return isinstance(exc, SQLAlchemyError)


def _first_line(exc: BaseException) -> str:
    orig: Any = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return text[0] if text else type(exc).__name__

"""Importing, listing and locating photos.

An import runs in three phases so that a failure never leaves a half state:

1. Every user value (patient, course, session, date, kind, area, angle) is
   checked before a single file is opened: a typo costs nothing. So is each
   file's own area and kind (given per file, or read from its name): a file
   whose name names no area when the area is to come from the names stops
   the whole batch here, before anything is written.
2. The files are decoded and their derivatives written to the content-addressed
   store, in parallel; each file either succeeds or fails on its own. With
   the photos in the database (`journal.photos.transactional`) a worker only
   renders: the bytes come back to this process, one photo at a time.
3. As each file completes, one transaction adds its row (and, for the
   database store, its bytes: they commit or vanish together). If it fails,
   the files this import newly created for it, and that no committed row
   refers to, are removed again. Committing photo by photo means a batch that is
   killed keeps every photo it acknowledged and loses at most the one in
   flight.

The same bytes are one photo: a re-import returns the existing photo (as a
duplicate) and writes nothing, and the same bytes offered for another patient
are refused, since one photo cannot show two people's skin.

This module is also what the worker processes import (to run
`_process_file`), so the database layers are imported inside the functions
that need them: a worker never pays for SQLAlchemy.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from journal.core import records
from journal.core.errors import BadPhoto, InvalidValue, JournalUnavailable
from journal.core.filenames import NameGuess, guess_from_name
from journal.core.vocab import AREAS
from journal.imaging import batch, pipeline
from journal.services.fields import parse_new
from journal.store import photostore

if TYPE_CHECKING:
    import uuid

    from sqlalchemy.orm import Session as DbSession

    from journal.services.journal import Journal
    from journal.store.models import PatientRow, PhotoRow, SessionRow

Progress = Callable[[int, int], None]
#: Said when the bytes belong to another patient's photo. It must not say so:
#: whose photo it is, or that another patient exists, is not this user's to learn.
OTHER_PATIENT = "this photo is already stored in this journal and cannot be added again"
#: Said when `journal photos move` switched the store while this import ran.
MOVED_MEANWHILE = (
    "the journal's photos were moved to another store while importing"
    " (journal photos move): nothing of this photo was kept, import it again"
)


@dataclass(frozen=True)
class ImportReport:
    """What an import did, file by file; `failed` holds (path, one-line reason)."""

    imported: list[records.Photo] = field(default_factory=list)
    duplicates: list[records.Photo] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Filing:
    """One file's own area and kind, chosen by the user (the TUI's import table).

    None means "not chosen for this file": the batch's `area` (none if not
    given) or the automatic kind from the date applies.
    """

    area: str | None = None
    kind: str | None = None


@dataclass(frozen=True)
class PhotoPreview:
    """What the import table shows for a picked file before anything is stored.

    `taken` is the day the photo will be filed under if no date is given (the
    capture day from EXIF or the file time); `problem` is why the file cannot
    be imported, when its header already says so (None for a good file).
    """

    path: str
    name: str
    guess: NameGuess
    taken: dt.date | None
    problem: str | None = None


@dataclass(frozen=True)
class _Task:
    path: str
    store_root: str | None  # None: the database store, the worker only renders
    keep_original: bool
    now: dt.datetime


@dataclass(frozen=True)
class _Stored:
    """A worker's answer for a good file: metadata only, the pixels stay on disk."""

    path: str
    sha256: str
    width: int
    height: int
    taken_at: dt.datetime
    taken_at_source: str
    files: photostore.StoredFiles
    # The database store's bytes (display, thumb, original), written with the row.
    data: tuple[bytes, bytes, bytes | None, str] | None = None
    quality: dict[str, Any] | None = None  # None: not read (already stored, or unreadable)
    measures: dict[str, Any] | None = None


@dataclass(frozen=True)
class _Failed:
    path: str
    reason: str
    fatal: bool = False  # the store itself is unusable: stop the whole import


@dataclass(frozen=True)
class _Targets:
    """The references the user named, resolved before any file is read."""

    patient_id: uuid.UUID
    session_id: uuid.UUID | None
    course_areas: tuple[str, ...] = ()


def import_photos(
    journal: Journal,
    patient_ref: str,
    paths: Sequence[str | os.PathLike[str]],
    *,
    date: str | None = None,
    session: str | None = None,
    course: str | None = None,
    kind: str | None = None,
    area: str | None = None,
    angle: str | None = None,
    keep_original: bool = False,
    filing: Sequence[Filing] | None = None,
    area_from_name: bool = False,
    kind_from_name: bool = False,
    workers: int | None = None,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> ImportReport:
    """Import photo files for a patient; bad files are reported, good ones kept.

    `session` links every photo to that session (and its course). `date` says
    when the photos were taken: it links them to the patient's session on that
    day when there is one, and replaces a capture time that falls on another
    day (the photo then records the date at noon, source "import"). Without
    `kind`, a photo on or before the course's first session is "before", a
    later one "follow-up". A `date` after `today` is refused: it is when the
    photos were taken, and would otherwise sort them after every later session.

    Each file may be filed on its own: `filing` (one entry per path) gives a
    file's area and kind outright; `area_from_name` and `kind_from_name` read
    them from the file name (`after-left-cheek.jpg`, see
    `journal.core.filenames`). A name that says nothing, or says two areas,
    falls back to `area` / `kind`; with `area_from_name` and no `area`, such a
    name is refused before any file is read, so nothing of the batch is stored.
    """
    files = [os.fspath(p) for p in paths]
    if not files:
        raise InvalidValue("file", "", "give at least one photo file")
    if date is not None and session is not None:
        raise InvalidValue("date", date, "give --date or --session, not both")
    given = parse_new(
        "photo", {"kind": kind, "area": area, "angle": angle, "date": date}, today=today
    )
    clean_kind, clean_area = given.get("kind"), given.get("area")
    clean_angle, photo_day = given.get("angle"), given.get("taken_date")
    if workers is not None and workers < 1:
        raise InvalidValue("workers", workers, "must be at least 1")
    if filing is not None and len(filing) != len(files):
        raise InvalidValue("filing", len(filing), f"give one per file ({len(files)})")
    targets = _resolve_targets(journal, patient_ref, course, session)
    chosen = _file_choices(
        files,
        filing,
        area=clean_area,
        kind=clean_kind,
        area_from_name=area_from_name,
        kind_from_name=kind_from_name,
        custom_areas=targets.course_areas,
    )

    pieces: dict[int, ImportReport] = {}
    journal.recheck_photo_store()  # `photos move` in another process: write to the new store
    store = journal.photos
    outcomes = _process_all(journal, files, keep_original, workers, progress)
    try:
        for index, outcome in outcomes:
            if isinstance(outcome, _Failed) and outcome.fatal:
                raise JournalUnavailable(outcome.reason)
            pieces[index] = _save_outcome(
                journal,
                store,
                targets,
                outcome,
                course_ref=course,
                photo_day=photo_day,
                area=chosen[index][0],
                kind=chosen[index][1],
                angle=clean_angle,
            )
    except BaseException:
        _discard_rest(journal, store, outcomes)
        raise
    report = ImportReport()
    for index in sorted(pieces):
        report.imported.extend(pieces[index].imported)
        report.duplicates.extend(pieces[index].duplicates)
        report.failed.extend(pieces[index].failed)
    return report


def preview_photos(
    paths: Sequence[str | os.PathLike[str]], custom_areas: Iterable[str] = ()
) -> list[PhotoPreview]:
    """Each file's name guess and capture day, for a table to check before importing.

    Reads headers only (no pixels are decoded, nothing is stored); a file
    that cannot be a photo gets its reason instead of a day, so the table can
    say so before the import does.
    """
    areas = tuple(custom_areas)
    previews = []
    now = dt.datetime.now(dt.UTC)
    for path in paths:
        name = pipeline.file_name(path)
        guess = guess_from_name(name, areas)
        try:
            image, header = pipeline.open_image(pipeline.read_original(path), now=now)
            image.close()
        except BadPhoto as exc:
            previews.append(PhotoPreview(os.fspath(path), name, guess, None, exc.reason))
            continue
        except Exception as exc:  # a preview must never stop the picking; the import judges
            reason = f"could not be read ({type(exc).__name__})"
            previews.append(PhotoPreview(os.fspath(path), name, guess, None, reason))
            continue
        previews.append(PhotoPreview(os.fspath(path), name, guess, _local_day(header.taken_at)))
    return previews


def _file_choices(
    files: list[str],
    filing: Sequence[Filing] | None,
    *,
    area: str | None,
    kind: str | None,
    area_from_name: bool,
    kind_from_name: bool,
    custom_areas: tuple[str, ...],
) -> list[tuple[str | None, str | None]]:
    """(area, kind) for every file, checked before any file is read.

    A file's own choice wins, then what its name says (when asked), then the
    batch's value. With `area_from_name` and no batch area, every file must
    name its area: the ones that do not are refused together, in one line.
    """
    chosen: list[tuple[str | None, str | None]] = []
    unnamed: list[str] = []
    for index, path in enumerate(files):
        own = filing[index] if filing is not None else Filing()
        guess = (
            guess_from_name(pipeline.file_name(path), custom_areas)
            if area_from_name or kind_from_name
            else NameGuess()
        )
        own_values = parse_new("photo", {"area": own.area, "kind": own.kind})
        file_area, file_kind = own_values.get("area"), own_values.get("kind")
        if file_area is None and area_from_name:
            file_area = guess.area
            if file_area is None and area is None:
                unnamed.append(path)
        if file_kind is None and kind_from_name:
            file_kind = guess.kind
        chosen.append((file_area or area, file_kind or kind))
    if unnamed:
        more = f" (and {len(unnamed) - 1} more)" if len(unnamed) > 1 else ""
        raise InvalidValue(
            "area", unnamed[0], f"the file name names no single area{more}; give --area"
        )
    return chosen


def _discard_rest(
    journal: Journal,
    store: photostore.PhotoStore,
    outcomes: Iterator[tuple[int, _Stored | _Failed]],
) -> None:
    """After a failure, let the files still being written land, then remove
    the ones no committed row refers to: nothing half-imported stays behind."""
    try:
        for _index, outcome in outcomes:
            if isinstance(outcome, _Stored):
                _remove_unreferenced(
                    journal, store, list(outcome.files.created), {outcome.sha256}, referenced=None
                )
    except BaseException:  # interrupted again: `journal doctor` finds the rest
        return


def _save_outcome(
    journal: Journal,
    store: photostore.PhotoStore,
    targets: _Targets,
    outcome: _Stored | _Failed,
    **choices: Any,
) -> ImportReport:
    """Commit one photo's row as soon as its files exist.

    One transaction per photo, so a batch killed halfway keeps every photo
    already acknowledged and loses at most the one in flight; a file the
    commit does not end up referring to is removed again.
    """
    created = list(outcome.files.created) if isinstance(outcome, _Stored) else []
    shas = {outcome.sha256} if isinstance(outcome, _Stored) else set()
    try:
        report, referenced = _save_rows(
            journal, store, targets, [outcome], written=created, **choices
        )
    except BaseException as exc:
        _remove_unreferenced(journal, store, created, shas, referenced=None)
        if _is_db_error(exc):
            raise JournalUnavailable(f"cannot save the photos: {_first_line(exc)}") from None
        raise
    _remove_unreferenced(journal, store, created, shas, referenced=referenced)
    return report


def list_photos(journal: Journal, patient_ref: str, area: str | None = None) -> list[records.Photo]:
    """A patient's photos (every course), oldest first; optionally one area only."""
    from sqlalchemy import select

    from journal.services import convert
    from journal.services.lookup import find_patient
    from journal.store.models import CourseRow, PhotoRow

    clean_area = AREAS.normalize(area) if area is not None else None
    with journal.read() as db:
        patient = find_patient(db, patient_ref)
        stmt = (
            select(PhotoRow)
            .join(CourseRow, PhotoRow.course_id == CourseRow.id)
            .where(CourseRow.patient_id == patient.id)
            .order_by(PhotoRow.taken_at, PhotoRow.created_at)
        )
        if clean_area is not None:
            stmt = stmt.where(PhotoRow.area == clean_area)
        return [convert.photo(row) for row in db.scalars(stmt)]


def photo_name(photo: records.Photo, which: str = "display") -> str:
    """The store name of a photo's display copy, thumbnail or kept original."""
    relative = {
        "display": photo.display_path,
        "thumb": photo.thumb_path,
        "original": photo.original_path,
    }.get(which, "")
    if relative == "":
        raise InvalidValue("photo file", which, "choose display, thumb or original")
    if relative is None:
        raise InvalidValue("photo file", which, "this photo was imported without its original")
    return relative


@dataclass(frozen=True)
class StoredPhoto:
    """A photo file to read when it is shown, not before (a compare view steps
    through a whole series; holding every display copy would cost megabytes).

    Equal by name: names are content hashes, so a cache keyed on this is never
    stale, across reloads too.
    """

    store: photostore.PhotoStore = field(compare=False, repr=False)
    name: str

    def read(self) -> bytes | None:
        return self.store.read_bytes(self.name)


def photo_where(journal: Journal, photo: records.Photo, which: str = "display") -> str:
    """Where a photo's file is, for a person: a path, or `database:<name>`."""
    try:
        return journal.photos.describe(photo_name(photo, which))
    except ValueError as exc:
        raise JournalUnavailable(str(exc)) from None


def read_photo(journal: Journal, photo: records.Photo, which: str = "display") -> bytes | None:
    """A photo file's bytes from whichever store the journal uses; None when missing.

    A sealed file that fails authentication is one line naming the photo by
    its short id (never its hash or path); the other photos still open.
    """
    from journal.store.sealed import SealedFileDamaged

    try:
        return journal.photos.read_bytes(photo_name(photo, which))
    except SealedFileDamaged as exc:
        raise damaged_photo(photo, which, exc) from None


def damaged_photo(photo: records.Photo, which: str, exc: Exception) -> JournalUnavailable:
    """The one line for a photo whose sealed file failed authentication."""
    from journal.store.sealed import SealedFileDamaged

    reason = exc.reason if isinstance(exc, SealedFileDamaged) else str(exc)
    label = str(photo.id).replace("-", "")[:8]
    return SealedFileDamaged(label, reason, what=f"photo {label} ({which})")


def photo_path(journal: Journal, photo: records.Photo, which: str = "display") -> Path:
    """The file of a photo in a folder-backed journal (maintenance and tests).

    A database-backed journal has no file to point at: ask `read_photo`.
    """
    name = photo_name(photo, which)
    store = journal.photos
    if not isinstance(store, photostore.FolderStore):
        raise JournalUnavailable("this journal keeps its photos in the database, not in files")
    try:
        return store.path(name)
    except ValueError as exc:
        raise JournalUnavailable(str(exc)) from None


# -- phase 1: references ---------------------------------------------------------


def _resolve_targets(
    journal: Journal, patient_ref: str, course_ref: str | None, session_ref: str | None
) -> _Targets:
    from sqlalchemy import select

    from journal.services.lookup import find_course, find_patient, find_session
    from journal.store.models import CourseRow

    with journal.read() as db:
        patient = find_patient(db, patient_ref)
        chosen = find_course(db, patient, course_ref) if course_ref is not None else None
        course_areas: dict[str, None] = {}
        for areas in db.scalars(select(CourseRow.areas).where(CourseRow.patient_id == patient.id)):
            course_areas.update(dict.fromkeys(areas or ()))
        session_id = None
        if session_ref is not None:
            session = find_session(db, patient, session_ref)
            if chosen is not None and session.course_id != chosen.id:
                raise InvalidValue(
                    "session", session_ref, f"belongs to another course than {chosen.title!r}"
                )
            session_id = session.id
        return _Targets(
            patient_id=patient.id, session_id=session_id, course_areas=tuple(course_areas)
        )


# -- phase 2: files -----------------------------------------------------------


def _process_all(
    journal: Journal,
    files: list[str],
    keep_original: bool,
    workers: int | None,
    progress: Progress | None,
) -> Iterator[tuple[int, _Stored | _Failed]]:
    """Run the pipeline over every file, yielding (input index, outcome) as each completes."""
    now = dt.datetime.now(dt.UTC)
    store = journal.photos
    # A sealed store (an encrypted journal) takes the rendered bytes in this
    # process, like the database store: workers never hold the journal's keys.
    root = None if store.transactional or store.sealing else os.fspath(journal.photos_dir)
    tasks = [_Task(path, root, keep_original, now) for path in files]
    for done in batch.run(_process_file, tasks, workers=workers, progress=progress):
        outcome = done.result
        if isinstance(outcome, batch.Crashed):
            outcome = _Failed(files[done.index], f"could not be processed: {outcome.message}")
        yield done.index, outcome


def _process_file(task: _Task) -> _Stored | _Failed:
    """One file, in a worker: validate, render (unless stored already), store.

    Failures are returned, not raised: exceptions cross process boundaries by
    pickling, which `BadPhoto(path, reason)` does not survive intact.
    """
    root = Path(task.store_root) if task.store_root is not None else None
    try:
        original = pipeline.read_original(task.path)
        image, header = pipeline.open_image(original, now=task.now)
        with image:
            rendered = None
            if root is None or not photostore.has_derivatives(root, original.sha256):
                rendered = pipeline.render(original, image, header)
    except BadPhoto as exc:
        return _Failed(task.path, exc.reason)
    if root is None:  # the database store: the row's transaction writes these
        assert rendered is not None
        kept = original.data if task.keep_original else None
        return _Stored(
            path=task.path,
            sha256=original.sha256,
            width=header.width,
            height=header.height,
            taken_at=header.taken_at,
            taken_at_source=header.taken_at_source,
            files=photostore.StoredFiles(
                photostore.relative_path(original.sha256, "display"),
                photostore.relative_path(original.sha256, "thumb"),
                photostore.relative_path(original.sha256, "original", original.extension or "bin")
                if kept is not None
                else None,
                (),
            ),
            data=(rendered.display, rendered.thumb, kept, original.extension),
        )
    try:
        files = photostore.put(
            root,
            original.sha256,
            display=rendered.display if rendered else None,
            thumb=rendered.thumb if rendered else None,
            original=original.data if task.keep_original else None,
            original_extension=original.extension,
        )
    except OSError as exc:
        reason = f"cannot write to the photo folder {root}: {exc.strerror or exc}"
        return _Failed(task.path, reason, fatal=True)
    quality, measures = _read_evidence(rendered.pixels if rendered else None)
    return _Stored(
        path=task.path,
        sha256=original.sha256,
        width=header.width,
        height=header.height,
        taken_at=header.taken_at,
        taken_at_source=header.taken_at_source,
        files=files,
        quality=quality,
        measures=measures,
    )


def _read_evidence(pixels: Any) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Quality and skin measures of the display copy, read in the worker that made it.

    The pixels are already decoded and scaled, so the reading costs tens of
    milliseconds against the hundreds a 24-MP decode takes (bench/bench_import.py).
    It only describes the photo: any failure leaves both unknown (None), to be
    read at the first `journal photo compare`, and never stops the import.
    """
    if pixels is None:
        return None, None
    try:
        from journal.imaging.evidence import read_photo

        reading = read_photo(pixels)
    except Exception:
        return None, None
    return reading.quality, reading.measures


# -- phase 3: rows ------------------------------------------------------------


def _save_rows(
    journal: Journal,
    store: photostore.PhotoStore,
    targets: _Targets,
    outcomes: list[_Stored | _Failed],
    *,
    written: list[str],
    course_ref: str | None,
    photo_day: dt.date | None,
    kind: str | None,
    area: str | None,
    angle: str | None,
) -> tuple[ImportReport, set[str]]:
    """Add one row per new photo in one transaction; returns the report and the
    store paths the committed rows refer to (the files to keep).

    Nothing is added (not even a default course) unless a photo is new.
    `written` collects the files a sealed folder store writes here, in this
    process (it takes the rendered bytes, like the database store, but writes
    them at once): the caller removes them if the commit fails.
    """
    from sqlalchemy import select

    from journal.core.errors import NotFound
    from journal.services import convert
    from journal.store.models import CourseRow, PatientRow

    report = ImportReport()
    with journal.write() as db:
        if journal.recheck_photo_store(db):  # files went to the store this import began with
            raise JournalUnavailable(MOVED_MEANWHILE)
        patient = db.get(PatientRow, targets.patient_id)
        if patient is None:
            raise NotFound("the patient was deleted while the photos were imported")
        own_courses = set(
            db.scalars(select(CourseRow.id).where(CourseRow.patient_id == patient.id))
        )
        existing = _rows_by_sha(db, {o.sha256 for o in outcomes if isinstance(o, _Stored)})
        fresh: dict[str, _Stored] = {}
        placed: list[tuple[str, bool]] = []  # (sha256, new?) in input order
        for outcome in outcomes:
            if isinstance(outcome, _Failed):
                report.failed.append((outcome.path, outcome.reason))
                continue
            known = existing.get(outcome.sha256)
            if known is not None and known.course_id not in own_courses:
                report.failed.append((outcome.path, OTHER_PATIENT))
            elif known is not None or outcome.sha256 in fresh:
                placed.append((outcome.sha256, False))
            else:
                fresh[outcome.sha256] = outcome
                placed.append((outcome.sha256, True))
        new_rows: dict[str, PhotoRow] = {}
        if fresh:
            new_rows = _add_rows(
                store,
                db,
                patient,
                targets,
                list(fresh.values()),
                written=written,
                course_ref=course_ref,
                photo_day=photo_day,
                kind=kind,
                area=area,
                angle=angle,
            )
            db.flush()
        for sha, is_new in placed:
            photo = convert.photo(new_rows.get(sha) or existing[sha])
            (report.imported if is_new else report.duplicates).append(photo)
        referenced = _referenced_paths([*existing.values(), *new_rows.values()])
    return report, referenced


def _add_rows(
    store: photostore.PhotoStore,
    db: DbSession,
    patient: PatientRow,
    targets: _Targets,
    fresh: list[_Stored],
    *,
    written: list[str],
    course_ref: str | None,
    photo_day: dt.date | None,
    kind: str | None,
    area: str | None,
    angle: str | None,
) -> dict[str, PhotoRow]:
    """Rows for new photos: their session, course and default kind decided here.

    A store that takes the bytes here writes them with the row; the names a
    non-transactional (sealed folder) store newly created are added to
    `written` as they land, so a failed commit can remove them.
    """
    from sqlalchemy import select

    from journal.services.lookup import course_for_new_record
    from journal.store.models import PhotoRow, SessionRow

    session = db.get(SessionRow, targets.session_id) if targets.session_id else None
    if session is None and photo_day is not None:
        session = _session_on(db, patient.id, photo_day, course_ref)
    if session is not None:
        course_id = session.course_id
    else:
        course_id = course_for_new_record(db, patient, course_ref).id
    first_session = db.scalars(
        select(SessionRow.date)
        .where(SessionRow.course_id == course_id)
        .order_by(SessionRow.date)
        .limit(1)
    ).first()
    rows: dict[str, PhotoRow] = {}
    for outcome in fresh:
        if outcome.data is not None:  # the database store: bytes and row in one commit
            display, thumb, kept, extension = outcome.data
            files = store.put(
                outcome.sha256,
                display=display,
                thumb=thumb,
                original=kept,
                original_extension=extension,
                db=db,
            )
            if not store.transactional:  # the rollback does not take these back
                written.extend(files.created)
        taken_at, source = _taken_at(outcome, photo_day)
        day = photo_day or (session.date if session else _local_day(taken_at))
        default_kind = "before" if first_session is None or day <= first_session else "follow-up"
        row = PhotoRow(
            course_id=course_id,
            session_id=session.id if session else None,
            kind=kind or default_kind,
            area=area,
            angle=angle,
            taken_at=taken_at,
            taken_at_source=source,
            sha256=outcome.sha256,
            width=outcome.width,
            height=outcome.height,
            display_path=outcome.files.display,
            thumb_path=outcome.files.thumb,
            original_path=outcome.files.original,
            original_name=pipeline.file_name(outcome.path)[:255],
            quality=outcome.quality,
            measures=outcome.measures,
        )
        db.add(row)
        rows[outcome.sha256] = row
    return rows


def _session_on(
    db: DbSession, patient_id: uuid.UUID, day: dt.date, course_ref: str | None
) -> SessionRow | None:
    """The patient's session on `day` (within the named course, if one was named)."""
    from sqlalchemy import select

    from journal.services.lookup import find_course
    from journal.store.models import CourseRow, PatientRow, SessionRow

    stmt = (
        select(SessionRow)
        .join(CourseRow, SessionRow.course_id == CourseRow.id)
        .where(CourseRow.patient_id == patient_id, SessionRow.date == day)
        .order_by(CourseRow.created_at.desc(), SessionRow.created_at)
    )
    if course_ref is not None:
        patient = db.get(PatientRow, patient_id)
        course = find_course(db, patient, course_ref) if patient else None
        if course is None:
            return None
        stmt = stmt.where(SessionRow.course_id == course.id)
    return db.scalars(stmt).first()


def _taken_at(outcome: _Stored, photo_day: dt.date | None) -> tuple[dt.datetime, str]:
    """The capture time, unless the user said the photo is from another day."""
    if photo_day is None or _local_day(outcome.taken_at) == photo_day:
        return outcome.taken_at, outcome.taken_at_source
    noon = dt.datetime.combine(photo_day, dt.time(12, 0)).astimezone()
    return noon.astimezone(dt.UTC), "import"


def _local_day(moment: dt.datetime) -> dt.date:
    """The calendar day the user lived the moment in (sessions are local dates)."""
    return moment.astimezone().date()


def _rows_by_sha(db: DbSession, shas: set[str]) -> dict[str, PhotoRow]:
    from sqlalchemy import select

    from journal.store.models import PhotoRow

    found: dict[str, PhotoRow] = {}
    ordered = sorted(shas)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        for row in db.scalars(select(PhotoRow).where(PhotoRow.sha256.in_(chunk))):
            found[row.sha256] = row
    return found


def _referenced_paths(rows: Iterable[PhotoRow]) -> set[str]:
    paths: set[str] = set()
    for row in rows:
        paths.update(p for p in (row.display_path, row.thumb_path, row.original_path) if p)
    return paths


def _remove_unreferenced(
    journal: Journal,
    store: photostore.PhotoStore,
    created: list[str],
    shas: set[str],
    *,
    referenced: set[str] | None,
) -> None:
    """Remove the files this import created that no committed row refers to.

    After a failed commit, `referenced` is None and the database is asked
    afresh: another process may have committed the same content meanwhile,
    and its row needs these files. If even that query fails, our rows were
    certainly not committed, so the new files go.
    """
    if not created:
        return
    if referenced is None:
        referenced = set()
        try:
            with journal.read() as db:
                referenced = _referenced_paths(_rows_by_sha(db, shas).values())
        except Exception:
            referenced = set()
    store.remove([rel for rel in created if rel not in referenced])


def _is_db_error(exc: BaseException) -> bool:
    try:
        from sqlalchemy.exc import SQLAlchemyError
    except ImportError:  # pragma: no cover
        return False
    return isinstance(exc, SQLAlchemyError)


def _first_line(exc: BaseException) -> str:
    orig: Any = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return text[0] if text else type(exc).__name__

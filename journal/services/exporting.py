"""Exporting one patient: follow-up PDF or HTML, CSV, the exchange archive, FHIR.

The services fetch (history, score, plan, ORM rows for the archive, photo
paths) and `journal.export` renders; nothing here knows a file format. Each
exporter below declares its format once (`@_declares`); `FORMATS` collects
them for `journal export --help`, the TUI's export screen and docs/exports.md,
and `all_formats()` adds the formats installed plugins declare (see
`journal.export.registry`). The CLI's `journal export` and the TUI's export
screen both call `export_patient`. Renderers are imported inside the
exporters, so reading `FORMATS` costs nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from journal.core.errors import InvalidValue, JournalError
from journal.export.registry import ExportFormat, ExportJob

if TYPE_CHECKING:
    from journal.core import records
    from journal.export.summary import MeasuredPair, Summary
    from journal.services.journal import Journal

PAPERS = ("a4", "letter")
AUDIENCES = ("provider", "patient")
SUMMARY_FORMATS = ("pdf", "html")  # the formats that have a provider and a patient version
FORMATS: dict[str, ExportFormat] = {}
_with_plugins: tuple[dict[str, ExportFormat], list[str]] | None = None

_Exporter = Callable[["Journal", ExportJob], Path]


def _declares(
    name: str, suffix: str, label: str, description: str
) -> Callable[[_Exporter], _Exporter]:
    """Register the decorated exporter as the built-in format `name`."""

    def register(exporter: _Exporter) -> _Exporter:
        FORMATS[name] = ExportFormat(name, suffix, label, description, exporter)
        return exporter

    return register


def all_formats() -> dict[str, ExportFormat]:
    """The built-in formats and those installed plugins declare (read once, on first use)."""
    return _plugins()[0]


def plugin_problems() -> list[str]:
    """Why an installed export plugin was left out, one line each."""
    return _plugins()[1]


def _plugins() -> tuple[dict[str, ExportFormat], list[str]]:
    global _with_plugins
    if _with_plugins is None:
        from journal.export.registry import installed_entry_points, with_plugins

        _with_plugins = with_plugins(FORMATS, installed_entry_points())
    return _with_plugins


def plaintext_notice(journal: Journal, out: Path | str, *, on_terminal: bool) -> str | None:
    """The one line a person at a terminal sees when an encrypted journal exports.

    Exports are written in clear by the user's explicit choice: they exist to
    be shared (docs/privacy.md). Saying so once, on a terminal only, keeps a
    script's stderr clean while nobody exports a locked journal's photos to a
    cloud folder believing the copy is still protected. None: nothing to say
    (a plaintext journal, or no person watching).
    """
    if not on_terminal or journal.sealing is None:
        return None
    return f"note: the journal is encrypted, but this export is not: {out} is written in clear"


def export_patient(
    journal: Journal,
    patient_ref: str,
    *,
    fmt: str,
    out: Path | str,
    course_ref: str | None = None,
    today: dt.date | None = None,
    paper: str = "a4",
    audience: str | None = None,
) -> Path:
    """Write one patient's export in `fmt` to `out` and return the path written.

    `pdf` and `html` summarise one course (default: the latest active one)
    for `audience`: `provider` (the default, a clinical summary) or `patient`
    (the patient's own wording). `csv`, `json` (the archive) and `fhir` are
    data, the same for every reader, so they refuse an audience rather than
    silently ignore it. They hold every course unless `course_ref` names one.
    `today` fixes the date the score and plan are computed for (default: today).
    """
    fmt = (fmt or "").strip().lower()
    formats = FORMATS if fmt in FORMATS else all_formats()
    if fmt not in formats:
        reason = "choose one of " + ", ".join(formats)
        raise InvalidValue("format", fmt, "; ".join([reason, *plugin_problems()]))
    paper = (paper or "").strip().lower()
    if paper not in PAPERS:
        raise InvalidValue("paper", paper, "choose a4 or letter")
    reader = _audience(fmt, audience)
    target = Path(out).expanduser()
    if not str(out).strip():
        raise InvalidValue("output", out, "give a file name with -o")
    job = ExportJob(patient_ref, target, course_ref, today or dt.date.today(), paper, reader)
    return formats[fmt].exporter(journal, job)


def _audience(fmt: str, audience: str | None) -> str:
    """Who the document is for: checked before anything is read or written."""
    if audience is None:
        return AUDIENCES[0]
    reader = audience.strip().lower()
    if fmt not in SUMMARY_FORMATS:
        raise InvalidValue("for", audience, f"only {' and '.join(SUMMARY_FORMATS)} take --for")
    if reader not in AUDIENCES:
        raise InvalidValue("for", audience, "choose provider or patient")
    return reader


@_declares("pdf", ".pdf", "PDF summary", "follow-up summary of one course, A4 or letter")
def export_pdf(journal: Journal, job: ExportJob) -> Path:
    """The follow-up summary of one course (default: the latest active) as a PDF."""
    from journal.export.pdf import render_pdf

    summary = _summary(journal, job)
    return render_pdf(summary, job.out, photo_file=photo_locator(journal), paper=job.paper)


@_declares("html", ".html", "HTML page", "the same summary as one self-contained HTML file")
def export_html(journal: Journal, job: ExportJob) -> Path:
    """The follow-up summary as one HTML file (inline CSS, photos and charts)."""
    from journal.export.htmldoc import render_html

    return render_html(_summary(journal, job), job.out, photo_file=photo_locator(journal))


@_declares("csv", ".csv.zip", "CSV tables (zip)", "one CSV table per record kind, .zip or folder")
def export_csv(journal: Journal, job: ExportJob) -> Path:
    """Sessions, check-ins, photos and reviews as spreadsheets (all courses by default)."""
    from journal.export.csvexport import write_csv
    from journal.services.history import patient_history

    history = patient_history(journal, job.patient_ref)
    return write_csv(_only_course(history, job.course_ref), job.out)


@_declares(
    "json",
    ".zip",
    "Archive (JSON and photos)",
    "the exchange archive `journal import` reads: records and photos in a .zip",
)
def export_archive(journal: Journal, job: ExportJob) -> Path:
    """Every row of the patient (or one course) and its photo files, to move between journals."""
    return _archive(journal, job.patient_ref, job.course_ref, job.out)


@_declares("fhir", ".fhir.json", "FHIR bundle", "a FHIR R4 Bundle as JSON")
def export_fhir(journal: Journal, job: ExportJob) -> Path:
    """A validated FHIR R4 collection Bundle (all courses by default)."""
    from journal.services.history import patient_history

    history = patient_history(journal, job.patient_ref)
    return _fhir(journal, history, job.course_ref, job.out, job.today)


def photo_locator(journal: Journal) -> Any:
    """A `PhotoFile` for the renderers: the stored bytes, or None when they are missing.

    One photo at a time from the journal's photo store (folder or database),
    so a long course never holds every display copy in memory at once.
    """
    from journal.services.photos import damaged_photo
    from journal.store.sealed import SealedFileDamaged

    store = journal.photos

    def locate(photo: records.Photo, which: str) -> bytes | None:
        try:
            return store.read_bytes(photo.thumb_path if which == "thumb" else photo.display_path)
        except SealedFileDamaged as exc:  # one line naming the photo, never its path
            raise damaged_photo(photo, which, exc) from None

    return locate


def _summary(journal: Journal, job: ExportJob) -> Summary:
    """The follow-up summary of the course `job` names (default: the latest active).

    The provider's version also compares each area's photo pair first
    (`_measured`): a comparison made now is stored, so the score below counts
    it, and each pair is aligned and measured once per export.
    """
    from journal.core.rules import screening_warnings
    from journal.export.summary import build_summary
    from journal.services.history import patient_history
    from journal.services.scoring import report_for_history
    from journal.services.settings import journal_settings

    history = patient_history(journal, job.patient_ref)
    report = report_for_history(history, job.course_ref, today=job.today)
    measured: list[MeasuredPair] = []
    caveat = ""
    if job.audience == "provider" and report is not None:
        history, measured, caveat = _measured(journal, history, report.record.photos)
        report = report_for_history(history, job.course_ref, today=job.today)
    return build_summary(
        history,
        course=report.record.course if report else None,
        score=report.score if report else None,
        plan=report.plan if report else None,
        screening=report.screening if report else screening_warnings(history.patient),
        flags=report.flags if report else (),
        generated=job.today,
        amended=_amended(journal, history.patient.id),
        audience=job.audience,
        settings=journal_settings(journal) if job.audience == "provider" else None,
        measured=measured,
        measured_caveat=caveat,
    )


#: The aligned pair is embedded at this JPEG quality (the difference panel's
#: fine red dots survive it; a 3-panel picture costs about 150 kB).
PAIR_QUALITY = 85


def _measured(
    journal: Journal, history: records.PatientHistory, photos: tuple[records.Photo, ...]
) -> tuple[records.PatientHistory, list[MeasuredPair], str]:
    """Each area's aligned pair and measured change (`evidence.compare_areas`), worded.

    Returns the history with the comparisons just made on its photos (so the
    score reads them without another query), the pairs, and the caveat said
    once above them. Nothing to compare (no photos, one per area) costs no
    OpenCV import.
    """
    from dataclasses import replace

    from journal.core.timeline import photo_day
    from journal.core.vocab import AREAS
    from journal.export.summary import MeasuredPair

    ordered = sorted(photos, key=lambda p: (p.taken_at, p.sha256))
    areas = [p.area for p in ordered if p.area is not None]
    if not any(areas.count(a) > 1 for a in areas):
        return history, [], ""
    from journal.imaging.pipeline import encode_jpeg
    from journal.services import evidence

    compared = evidence.compare_areas(journal, str(history.patient.id), ordered)
    fresh = {c.evidence.follow_up.id: c.evidence.follow_up for c in compared if c.evidence}
    if fresh:
        history = replace(history, photos=tuple(fresh.get(p.id, p) for p in history.photos))
    pairs: list[MeasuredPair] = []
    caveat = ""
    for c in compared:
        label = AREAS.label(c.area)
        e = c.evidence
        if e is None:
            pairs.append(MeasuredPair(label, problem=c.problem))
            continue
        picture = e.pair_image()
        caveat = f"{e.caveat} {e.limits}"
        pairs.append(
            MeasuredPair(
                label,
                baseline_day=photo_day(e.baseline),
                follow_up_day=photo_day(e.follow_up),
                comparable=e.comparable,
                not_counted=None if e.comparable else evidence.NOT_COUNTED,
                warnings=e.warnings,
                alignment=e.alignment.sentence(),
                rows=tuple(evidence.change_cells(change) for change in e.changes),
                picture=encode_jpeg(picture, PAIR_QUALITY),
                picture_size=picture.size,
            )
        )
    return history, pairs, caveat


def _amended(journal: Journal, patient_id: Any) -> frozenset[Any]:
    from journal.services.amend import amended_ids

    return frozenset(amended_ids(journal, patient_id))


def _only_course(history: records.PatientHistory, course_ref: str | None) -> records.PatientHistory:
    """The history with only the course `course_ref` names (all of it when None)."""
    if course_ref is None:
        return history
    from journal.core.records import PatientHistory
    from journal.services.scoring import pick_course

    course = pick_course(history, course_ref)
    assert course is not None
    record = history.course_record(course.id)
    return PatientHistory(
        patient=history.patient,
        courses=(course,),
        sessions=record.sessions,
        checkins=record.checkins,
        photos=record.photos,
        reviews=record.reviews,
    )


def _fhir(
    journal: Journal,
    history: records.PatientHistory,
    course_ref: str | None,
    out: Path,
    today: dt.date,
) -> Path:
    from journal.export.fhir import bundle_document, validate_bundle, write_bundle
    from journal.export.images import FHIR_EDGE, PhotoCache
    from journal.services.scoring import report_for_history

    report = report_for_history(history, course_ref, today=today)
    chosen = _only_course(history, course_ref)
    cache = PhotoCache(photo_locator(journal))
    cache.prefetch([(p, FHIR_EDGE) for p in chosen.photos])
    document = bundle_document(
        chosen,
        _providers(journal, chosen),
        score=report.score if report else None,
        flags=report.flags if report else (),
        jpeg_of=lambda photo: cache.jpeg(photo, FHIR_EDGE),
        generated=dt.datetime.now(dt.UTC),
        episodes=report.flag_episodes if report else (),
    )
    try:
        validate_bundle(document)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        first = str(exc).strip().splitlines()
        raise JournalError(f"the FHIR bundle did not validate: {' '.join(first[:2])}") from None
    return write_bundle(document, out)


def _providers(journal: Journal, history: records.PatientHistory) -> list[records.Provider]:
    """The providers named in the history's sessions and reviews, with their ids."""
    from sqlalchemy import select

    from journal.services import convert
    from journal.store.models import ProviderRow

    # Records carry the provider's stored name verbatim, so match it exactly
    # (SQLite's lower() only folds ASCII).
    names = {t.provider for t in history.sessions} | {r.provider for r in history.reviews}
    wanted = sorted(n for n in names if n)
    if not wanted:
        return []
    with journal.read() as db:
        rows = db.scalars(
            select(ProviderRow).where(ProviderRow.name.in_(wanted)).order_by(ProviderRow.name)
        )
        return [convert.provider(row) for row in rows]


def _archive(journal: Journal, patient_ref: str, course_ref: str | None, out: Path) -> Path:
    """The exchange archive: every row of the patient (or one course) and its photo files.

    Flag rows travel with the courses they belong to: a provider's "seen" and
    "resolved" are clinical records, and a flag row of a course not exported
    (another course, or one deleted here) stays behind.
    """
    from sqlalchemy import select

    from journal.export import archive
    from journal.services.lookup import find_course, find_patient
    from journal.store import photostore
    from journal.store.models import (
        CheckInRow,
        CourseRow,
        FlagRow,
        PhotoRow,
        ProviderRow,
        ReviewRow,
        SessionRow,
    )

    with journal.read() as db:
        patient = find_patient(db, patient_ref)
        if course_ref is not None:
            course = find_course(db, patient, course_ref)
            courses = [course] if course is not None else []
        else:
            courses = list(
                db.scalars(
                    select(CourseRow)
                    .where(CourseRow.patient_id == patient.id)
                    .order_by(CourseRow.created_at, CourseRow.id)
                )
            )
        ids = [c.id for c in courses]

        def rows(model: Any) -> list[Any]:
            if not ids:
                return []
            stmt = select(model).where(model.course_id.in_(ids))
            return list(db.scalars(stmt.order_by(model.created_at, model.id)))

        children = {
            "sessions": rows(SessionRow),
            "checkins": rows(CheckInRow),
            "photos": rows(PhotoRow),
            "reviews": rows(ReviewRow),
        }
        flags = (
            list(
                db.scalars(
                    select(FlagRow)
                    .where(FlagRow.patient_id == patient.id, FlagRow.course_id.in_(ids))
                    .order_by(FlagRow.first_date, FlagRow.created_at, FlagRow.id)
                )
            )
            if ids
            else []
        )
        provider_ids = {
            r.provider_id for r in children["sessions"] + children["reviews"] if r.provider_id
        }
        providers = (
            list(
                db.scalars(
                    select(ProviderRow)
                    .where(ProviderRow.id.in_(provider_ids))
                    .order_by(ProviderRow.name)
                )
            )
            if provider_ids
            else []
        )
        tables: dict[str, Any] = {
            "patient": archive.record_of("patient", patient),
            "providers": [archive.record_of("providers", p) for p in providers],
            "courses": [archive.record_of("courses", c) for c in courses],
        }
        for key, found in children.items():
            tables[key] = [archive.record_of(key, row) for row in found]
        tables["flags"] = [archive.record_of("flags", row) for row in flags]
        tables[archive.TOMBSTONES] = _tombstones(db, patient.id)
    photo_files: list[str] = []
    for photo in tables["photos"]:
        for column in ("display_path", "thumb_path", "original_path"):
            relative = photo[column]
            if relative is None:
                continue
            try:
                photostore.parse_name(relative)
            except ValueError as exc:
                raise JournalError(str(exc)) from None
            photo_files.append(relative)
    archive.write_archive(
        out,
        tables,
        photo_files,
        created=dt.datetime.now(dt.UTC),
        generator=_generator(),
        read_photo=journal.photos.read_bytes,
    )
    return out


def _generator() -> str:
    from importlib import metadata

    try:
        return f"microneedling-journal {metadata.version('microneedling-journal')}"
    except metadata.PackageNotFoundError:
        return "microneedling-journal"


def _tombstones(db: Any, patient_id: Any) -> list[dict[str, str]]:
    """The patient's deletions that still stand (not undone): kind, id and when, no data."""
    from journal.services.amend import live_deletions

    return [
        {"kind": kind, "id": str(record_id), "at": at.astimezone(dt.UTC).isoformat()}
        for kind, record_id, at in live_deletions(db, patient_id)
        if kind != "patient"
    ]

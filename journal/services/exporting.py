"""Exporting one patient: follow-up PDF or HTML, CSV, the exchange archive, FHIR.

The services fetch (history, score, plan, ORM rows for the archive, photo
paths) and `journal.export` renders; nothing here knows a file format. The
CLI's `journal export` and the TUI's export buttons both call
`export_patient`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from journal.core.errors import InvalidValue, JournalError

if TYPE_CHECKING:
    from journal.core import records
    from journal.services.journal import Journal

FORMATS = ("pdf", "html", "csv", "json", "fhir")
PAPERS = ("a4", "letter")


def export_patient(
    journal: Journal,
    patient_ref: str,
    *,
    fmt: str,
    out: Path | str,
    course_ref: str | None = None,
    today: dt.date | None = None,
    paper: str = "a4",
) -> Path:
    """Write one patient's export in `fmt` to `out` and return the path written.

    `pdf` and `html` summarise one course (default: the latest active one);
    `csv`, `json` (the archive) and `fhir` hold every course unless
    `course_ref` names one. `today` fixes the date the score and plan are
    computed for (default: today).
    """
    fmt = (fmt or "").strip().lower()
    if fmt not in FORMATS:
        raise InvalidValue("format", fmt, "choose one of " + ", ".join(FORMATS))
    paper = (paper or "").strip().lower()
    if paper not in PAPERS:
        raise InvalidValue("paper", paper, "choose a4 or letter")
    target = Path(out).expanduser()
    if not str(out).strip():
        raise InvalidValue("output", out, "give a file name with -o")
    today = today or dt.date.today()
    if fmt == "json":
        return _archive(journal, patient_ref, course_ref, target)
    from journal.services.history import patient_history

    history = patient_history(journal, patient_ref)
    if fmt in ("pdf", "html"):
        return _summary(journal, history, course_ref, target, fmt, today, paper)
    if fmt == "csv":
        from journal.export.csvexport import write_csv

        return write_csv(_only_course(history, course_ref), target)
    return _fhir(journal, history, course_ref, target, today)


def photo_locator(journal: Journal) -> Any:
    """A `PhotoFile` for the renderers: the stored file, or None when it is missing."""
    from journal.store import photostore

    def locate(photo: records.Photo, which: str) -> Path | None:
        relative = photo.thumb_path if which == "thumb" else photo.display_path
        try:
            path = photostore.resolve(journal.photos_dir, relative)
        except ValueError:
            return None
        return path if path.is_file() else None

    return locate


def _summary(
    journal: Journal,
    history: records.PatientHistory,
    course_ref: str | None,
    out: Path,
    fmt: str,
    today: dt.date,
    paper: str,
) -> Path:
    from journal.core.rules import screening_warnings
    from journal.export.summary import build_summary
    from journal.services.scoring import report_for_history

    report = report_for_history(history, course_ref, today=today)
    summary = build_summary(
        history,
        course=report.record.course if report else None,
        score=report.score if report else None,
        plan=report.plan if report else None,
        screening=report.screening if report else screening_warnings(history.patient),
        flags=report.flags if report else (),
        generated=today,
    )
    if fmt == "pdf":
        from journal.export.pdf import render_pdf

        return render_pdf(summary, out, photo_file=photo_locator(journal), paper=paper)
    from journal.export.htmldoc import render_html

    return render_html(summary, out, photo_file=photo_locator(journal))


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
        treatments=record.treatments,
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
    names = {t.provider for t in history.treatments} | {r.provider for r in history.reviews}
    wanted = sorted(n for n in names if n)
    if not wanted:
        return []
    with journal.read() as s:
        rows = s.scalars(
            select(ProviderRow).where(ProviderRow.name.in_(wanted)).order_by(ProviderRow.name)
        )
        return [convert.provider(row) for row in rows]


def _archive(journal: Journal, patient_ref: str, course_ref: str | None, out: Path) -> Path:
    """The exchange archive: every row of the patient (or one course) and its photo files."""
    from sqlalchemy import select

    from journal.export import archive
    from journal.services.lookup import find_course, find_patient
    from journal.store import photostore
    from journal.store.models import (
        CheckInRow,
        CourseRow,
        PhotoRow,
        ProviderRow,
        ReviewRow,
        TreatmentRow,
    )

    with journal.read() as s:
        patient = find_patient(s, patient_ref)
        if course_ref is not None:
            course = find_course(s, patient, course_ref)
            courses = [course] if course is not None else []
        else:
            courses = list(
                s.scalars(
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
            return list(s.scalars(stmt.order_by(model.created_at, model.id)))

        children = {
            "treatments": rows(TreatmentRow),
            "checkins": rows(CheckInRow),
            "photos": rows(PhotoRow),
            "reviews": rows(ReviewRow),
        }
        provider_ids = {
            r.provider_id for r in children["treatments"] + children["reviews"] if r.provider_id
        }
        providers = (
            list(
                s.scalars(
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
    photo_files: list[tuple[str, Path]] = []
    for photo in tables["photos"]:
        for column in ("display_path", "thumb_path", "original_path"):
            relative = photo[column]
            if relative is None:
                continue
            try:
                photo_files.append((relative, photostore.resolve(journal.photos_dir, relative)))
            except ValueError as exc:
                raise JournalError(str(exc)) from None
    archive.write_archive(
        out,
        tables,
        photo_files,
        created=dt.datetime.now(dt.UTC),
        generator=_generator(),
    )
    return out


def _generator() -> str:
    from importlib import metadata

    try:
        return f"microneedling-journal {metadata.version('microneedling-journal')}"
    except metadata.PackageNotFoundError:
        return "microneedling-journal"

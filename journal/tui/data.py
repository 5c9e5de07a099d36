"""What the screens show, loaded through the services in one call.

Every screen of one patient (dashboard, score, timeline, gallery, compare)
works from the same `PatientData`, loaded once in a worker thread and handed
on, so moving between them never queries the journal again and they can never
disagree. Service modules are imported inside the functions: importing
SQLAlchemy costs a few hundred milliseconds, which a worker can pay after the
first frame is on screen.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from journal.tui.present import area_label, first_session

if TYPE_CHECKING:
    from journal.core import records
    from journal.services.amend import Change
    from journal.services.journal import Journal
    from journal.services.photos import StoredPhoto
    from journal.services.scoring import CourseReport


@dataclass(frozen=True)
class PatientData:
    """A patient's history, the current course's report, and their photos.

    `thumbs` holds each thumbnail's bytes (small, read in one query);
    `displays` says where each display copy is, read only when shown. A photo
    whose file is missing has no entry in either.
    """

    history: records.PatientHistory
    report: CourseReport | None
    today: dt.date
    thumbs: dict[uuid.UUID, bytes] = field(default_factory=dict)
    displays: dict[uuid.UUID, StoredPhoto] = field(default_factory=dict)
    changes: tuple[Change, ...] = ()  # the patient's change log, newest first

    def changes_of(self, record_id: uuid.UUID) -> list[Change]:
        """What was edited, deleted or undone on one record (its detail view lists them)."""
        return [c for c in self.changes if c.record_id == record_id]

    @property
    def patient(self) -> records.Patient:
        return self.history.patient

    @property
    def ref(self) -> str:
        """How services are told which patient: the full id (names need not be unique)."""
        return str(self.history.patient.id)

    @property
    def course(self) -> records.Course | None:
        return self.report.record.course if self.report else None

    @property
    def first_session(self) -> dt.date | None:
        course = self.course
        return first_session(self.history, course.id if course else None)

    def photos_by_area(self) -> dict[str | None, list[records.Photo]]:
        """Each area's photos oldest first; areas in the course's order, then by label."""
        grouped: dict[str | None, list[records.Photo]] = {}
        for photo in sorted(self.history.photos, key=lambda p: (p.taken_at, p.sha256)):
            grouped.setdefault(photo.area, []).append(photo)
        order = list(self.course.areas) if self.course else []
        return dict(
            sorted(
                grouped.items(),
                key=lambda kv: (
                    order.index(kv[0]) if kv[0] in order else len(order),
                    area_label(kv[0]),
                ),
            )
        )

    def latest_photos(self) -> list[records.Photo]:
        """The newest photo of every area: what the dashboard shows."""
        return [photos[-1] for photos in self.photos_by_area().values()]


def load_patient(journal: Journal, patient_id: uuid.UUID | str, today: dt.date) -> PatientData:
    """History, score, plan, alerts, photo files and change log of one patient (in a worker)."""
    from journal.services.amend import change_log
    from journal.services.history import patient_history
    from journal.services.scoring import report_for_history

    history = patient_history(journal, str(patient_id))
    report = report_for_history(history, today=today)
    thumbs, displays = _photo_files(journal, history.photos)
    return PatientData(
        history=history,
        report=report,
        today=today,
        thumbs=thumbs,
        displays=displays,
        changes=tuple(change_log(journal, str(history.patient.id))),
    )


def _photo_files(
    journal: Journal, photos: tuple[records.Photo, ...] | list[records.Photo]
) -> tuple[dict[uuid.UUID, bytes], dict[uuid.UUID, StoredPhoto]]:
    """Every thumbnail (one query on a database store) and where each display copy is.

    Only files that are there: a photo store damaged by hand must not crash a
    screen; a missing file shows as a placeholder (and `journal doctor` repairs it).
    """
    from journal.services.photos import StoredPhoto

    journal.recheck_photo_store()  # `photos move` in another process: read the new store
    store = journal.photos
    found = store.read_many(p.thumb_path for p in photos)
    thumbs = {p.id: found[p.thumb_path] for p in photos if p.thumb_path in found}
    present = store.present(p.display_path for p in photos)
    displays = {
        p.id: StoredPhoto(store, p.display_path) for p in photos if p.display_path in present
    }
    return thumbs, displays

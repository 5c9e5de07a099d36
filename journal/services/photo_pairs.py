"""The score's view of a course's stored photo comparisons: plain numbers, no OpenCV.

Every write keeps its course's stored result (journal.services.results), and
the result counts a comparable before/after pair; so what turns stored
comparisons into `PhotoPair`s must cost a write nothing to import. It lives
here, apart from journal/services/evidence.py (the compare itself, its
tables and its export wording).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace
from typing import Any

from journal.core import records
from journal.imaging import ANALYSIS_VERSION


def current(stored: dict[str, Any] | None) -> bool:
    """A stored reading or comparison of this analysis version (older ones are redone)."""
    return bool(stored) and isinstance(stored, dict) and stored.get("version") == ANALYSIS_VERSION


def photo_pairs(record: records.CourseRecord) -> tuple[records.PhotoPair, ...]:
    """The course's stored comparisons as plain numbers for the score (no OpenCV).

    A comparison counts when it is current (this analysis version), its
    baseline is still one of the course's photos, and neither photo's
    content changed since; the follow-up's day is its local capture day.
    """
    by_id = {p.id: p for p in record.photos}
    pairs: list[records.PhotoPair] = []
    for photo in record.photos:
        stored = photo.comparison
        if not current(stored) or not isinstance(stored, dict) or photo.area is None:
            continue
        try:
            baseline = by_id.get(uuid.UUID(str(stored.get("baseline_id"))))
        except ValueError:
            continue
        if (
            baseline is None
            or stored.get("baseline_sha256") != baseline.sha256
            or stored.get("follow_up_sha256") != photo.sha256
        ):
            continue
        measures = _measures(stored.get("measures"))
        if measures is None:
            continue
        alignment = stored.get("alignment") or {}
        pairs.append(
            records.PhotoPair(
                area=photo.area,
                baseline_date=_local_day(baseline.taken_at),
                follow_up_date=_local_day(photo.taken_at),
                aligned=bool(isinstance(alignment, dict) and alignment.get("ok")),
                comparable=bool(stored.get("comparable")),
                measures=measures,
            )
        )
    return tuple(pairs)


def with_photo_pairs(record: records.CourseRecord) -> records.CourseRecord:
    """`record` with its stored photo comparisons attached for the score."""
    pairs = photo_pairs(record)
    return replace(record, photo_pairs=pairs) if pairs else record


def _measures(stored: Any) -> tuple[records.PhotoMeasure, ...] | None:
    if not isinstance(stored, list):
        return None
    try:
        return tuple(
            records.PhotoMeasure(
                name=str(m["name"]),
                label=str(m["label"]),
                unit=str(m["unit"]),
                baseline=float(m["baseline"]),
                follow_up=float(m["follow_up"]),
                uncertainty=float(m["uncertainty"]),
                lower_is_better=bool(m.get("lower_is_better", True)),
            )
            for m in stored
        )
    except (KeyError, TypeError, ValueError):
        return None


def _local_day(moment: dt.datetime) -> dt.date:
    """The calendar day the photo was taken, as the user lived it (sessions are local)."""
    return moment.astimezone().date()

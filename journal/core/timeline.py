"""A patient's history as people read it: one timeline, one wording per record.

The CLI's `history`, the TUI's timeline and dashboard and the exports all read
a history through these functions, so a session, a check-in or a photo is
worded and ordered the same way wherever it appears: by day, and on one day
the session first, then its photos, the check-ins and the provider's review.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from journal.core.records import CheckIn, PatientHistory, Photo, Review, Session, day_offset
from journal.core.vocab import (
    AREAS,
    CONCERNS,
    DEVICE_KINDS,
    GAIS,
    PHOTO_KINDS,
    RED_FLAGS,
    SYMPTOMS,
    VERDICTS,
)

NONE = "—"


def verdict_label(verdict: str | None) -> str:
    return VERDICTS.label(verdict) if verdict else NONE


def area_label(area: str | None) -> str:
    return AREAS.label(area) if area else "No area"


def local_day(moment: dt.datetime) -> dt.date:
    """The calendar day a photo was taken where the user lives (as the import sees it)."""
    return moment.astimezone().date() if moment.tzinfo else moment.date()


def photo_day(photo: Photo) -> dt.date:
    return local_day(photo.taken_at)


def first_session(history: PatientHistory, course_id: object | None = None) -> dt.date | None:
    """The first session of a course (or of the whole history): day 0 of every offset."""
    dates = [t.date for t in history.sessions if course_id is None or t.course_id == course_id]
    return min(dates, default=None)


def days_since_first(first: dt.date | None, day: dt.date) -> str:
    """`day 21`, `3 days before the first session`: photos read against the series."""
    if first is None:
        return "before any session"
    delta = (day - first).days
    if delta < 0:
        return f"{-delta} day{'s' if delta != -1 else ''} before the first session"
    return f"day {delta} since the first session"


def join_labels(items: list[str]) -> str:
    return ", ".join(i for i in items if i) or NONE


def session_summary(t: Session) -> str:
    device = " ".join(
        x for x in (t.device_name, DEVICE_KINDS.label(t.device_kind) if t.device_kind else "") if x
    )
    depth = f"{t.depth_mm:g} mm" if t.depth_mm is not None else ""
    parts = [device, depth, join_labels([AREAS.label(a) for a in t.areas]) if t.areas else ""]
    parts.append(t.provider or "")
    return " · ".join(p for p in parts if p) or "Session"


def checkin_summary(c: CheckIn, sessions: tuple[Session, ...]) -> str:
    offset = day_offset(c.date, sessions)
    head = f"day {offset}" if offset is not None else "before the first session"
    rated = [f"{SYMPTOMS.label(k).lower()} {v}" for k, v in c.symptoms.items() if v]
    concerns = [f"{CONCERNS.label(k).lower()} {v}" for k, v in c.concerns.items()]
    parts = [head, join_labels(rated) if rated else "", join_labels(concerns) if concerns else ""]
    if c.verdict:
        parts.append(verdict_label(c.verdict))
    if c.red_flags:
        parts.append("⚠ " + join_labels([RED_FLAGS.label(f) for f in c.red_flags]))
    return " · ".join(p for p in parts if p)


def review_summary(r: Review) -> str:
    parts = [r.provider or "", GAIS.label(r.gais) if r.gais else ""]
    if r.goodman_baron is not None:
        parts.append(f"Goodman & Baron grade {r.goodman_baron}")
    return " · ".join(p for p in parts if p) or "Review"


def photo_summary(p: Photo) -> str:
    return " · ".join([area_label(p.area), PHOTO_KINDS.label(p.kind), f"{p.width}x{p.height}"])


@dataclass(frozen=True)
class TimelineEntry:
    """One line of the timeline; `record` is what its detail view shows."""

    date: dt.date
    kind: str  # session | check-in | photo | review
    title: str
    summary: str
    record: Session | CheckIn | Photo | Review


_KIND_ORDER = {"session": 0, "photo": 1, "check-in": 2, "review": 3}


def timeline(history: PatientHistory) -> list[TimelineEntry]:
    """Sessions, check-ins, photos and reviews in date order (a session first on its day)."""
    entries: list[TimelineEntry] = []
    for n, t in enumerate(history.sessions, start=1):
        entries.append(TimelineEntry(t.date, "session", f"Session {n}", session_summary(t), t))
    for c in history.checkins:
        course_sessions = tuple(t for t in history.sessions if t.course_id == c.course_id)
        summary = checkin_summary(c, course_sessions)
        entries.append(TimelineEntry(c.date, "check-in", "Check-in", summary, c))
    for p in history.photos:
        entries.append(TimelineEntry(photo_day(p), "photo", "Photo", photo_summary(p), p))
    for r in history.reviews:
        entries.append(TimelineEntry(r.date, "review", "Review", review_summary(r), r))
    return sorted(entries, key=lambda e: (e.date, _KIND_ORDER[e.kind]))


def timeline_lines(history: PatientHistory) -> list[str]:
    """The timeline as plain text lines, each with the short id that `edit` and `delete` take.

    `2026-01-02  1a2b3c4d  Session 1   Dermapen · 1.5 mm`
    """
    return [
        f"{e.date.isoformat()}  {e.record.id.hex[:8]}  {e.title:<10}  {e.summary}"
        for e in timeline(history)
    ]

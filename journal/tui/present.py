"""How records read on screen: labels, one-line summaries, the timeline.

Pure functions over `journal.core` records, kept apart from the widgets so
every screen words a session, a check-in or a photo the same way, and so the
wording can be tested without running an app.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from journal.core.records import day_offset
from journal.core.vocab import (
    AREAS,
    CONCERNS,
    DEVICE_KINDS,
    GAIS,
    PHOTO_KINDS,
    RED_FLAGS,
    SERUMS,
    SETTINGS,
    SYMPTOMS,
    VERDICTS,
)

if TYPE_CHECKING:
    from journal.core.records import (
        CheckIn,
        PatientHistory,
        Photo,
        Review,
        Treatment,
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
    dates = [t.date for t in history.treatments if course_id is None or t.course_id == course_id]
    return min(dates, default=None)


def days_since_first(first: dt.date | None, day: dt.date) -> str:
    """`day 21`, `3 days before the first session`: photos read against the series."""
    if first is None:
        return "before any session"
    delta = (day - first).days
    if delta < 0:
        return f"{-delta} day{'s' if delta != -1 else ''} before the first session"
    return f"day {delta} since the first session"


def _join(items: list[str]) -> str:
    return ", ".join(i for i in items if i) or NONE


def treatment_summary(t: Treatment) -> str:
    device = " ".join(
        x for x in (t.device_name, DEVICE_KINDS.label(t.device_kind) if t.device_kind else "") if x
    )
    depth = f"{t.depth_mm:g} mm" if t.depth_mm is not None else ""
    parts = [device, depth, _join([AREAS.label(a) for a in t.areas]) if t.areas else ""]
    parts.append(t.provider or "")
    return " · ".join(p for p in parts if p) or "Session"


def checkin_summary(c: CheckIn, treatments: tuple[Treatment, ...]) -> str:
    offset = day_offset(c.date, treatments)
    head = f"day {offset}" if offset is not None else "before the first session"
    rated = [f"{SYMPTOMS.label(k).lower()} {v}" for k, v in c.symptoms.items() if v]
    concerns = [f"{CONCERNS.label(k).lower()} {v}" for k, v in c.concerns.items()]
    parts = [head, _join(rated) if rated else "", _join(concerns) if concerns else ""]
    if c.verdict:
        parts.append(verdict_label(c.verdict))
    if c.red_flags:
        parts.append("⚠ " + _join([RED_FLAGS.label(f) for f in c.red_flags]))
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
    record: Treatment | CheckIn | Photo | Review


_KIND_ORDER = {"session": 0, "photo": 1, "check-in": 2, "review": 3}


def timeline(history: PatientHistory) -> list[TimelineEntry]:
    """Sessions, check-ins, photos and reviews in date order (a session first on its day)."""
    entries: list[TimelineEntry] = []
    for n, t in enumerate(history.treatments, start=1):
        entries.append(TimelineEntry(t.date, "session", f"Session {n}", treatment_summary(t), t))
    for c in history.checkins:
        entries.append(
            TimelineEntry(c.date, "check-in", "Check-in", checkin_summary(c, history.treatments), c)
        )
    for p in history.photos:
        entries.append(TimelineEntry(photo_day(p), "photo", "Photo", photo_summary(p), p))
    for r in history.reviews:
        entries.append(TimelineEntry(r.date, "review", "Review", review_summary(r), r))
    return sorted(entries, key=lambda e: (e.date, _KIND_ORDER[e.kind]))


def details(entry: TimelineEntry, history: PatientHistory) -> list[tuple[str, str]]:
    """Every field of a timeline entry as label/value pairs for its detail view."""
    record = entry.record
    rows: list[tuple[str, str]] = [("Date", entry.date.isoformat())]
    if entry.kind == "session":
        t = cast("Treatment", record)
        depth = (
            ", ".join(f"{AREAS.label(a)} {mm:g} mm" for a, mm in t.depth_by_area.items())
            if t.depth_by_area
            else (f"{t.depth_mm:g} mm" if t.depth_mm is not None else NONE)
        )
        rows += [
            ("Provider", t.provider or NONE),
            ("Setting", SETTINGS.label(t.setting)),
            ("Device", DEVICE_KINDS.label(t.device_kind) if t.device_kind else NONE),
            ("Device name", t.device_name or NONE),
            ("Depth", depth),
            ("Passes", str(t.passes) if t.passes is not None else NONE),
            ("Areas", _join([AREAS.label(a) for a in t.areas])),
            ("Serums", _join([SERUMS.label(s) for s in t.adjuncts])),
            ("Anesthetic", t.anesthetic or NONE),
            ("Pain", f"{t.pain}/10" if t.pain is not None else NONE),
            ("Cost", f"{t.cost} {t.currency or ''}".strip() if t.cost is not None else NONE),
            ("Notes", t.notes or NONE),
        ]
    elif entry.kind == "check-in":
        c = cast("CheckIn", record)
        offset = day_offset(c.date, history.treatments)
        rows.append(("Day", str(offset) if offset is not None else "before the first session"))
        rows += [(SYMPTOMS.label(k), f"{v}/10") for k, v in c.symptoms.items()]
        downtime = {True: "yes", False: "no", None: NONE}[c.downtime]
        rows.append(("Downtime", downtime))
        rows += [(CONCERNS.label(k), f"{v}/10") for k, v in c.concerns.items()]
        rows += [
            ("GAIS", GAIS.label(c.gais) if c.gais else NONE),
            ("Verdict", verdict_label(c.verdict)),
            ("Red flags", _join([RED_FLAGS.label(f) for f in c.red_flags])),
            ("Notes", c.notes or NONE),
        ]
    elif entry.kind == "photo":
        p = cast("Photo", record)
        rows += [
            ("Area", area_label(p.area)),
            ("Kind", PHOTO_KINDS.label(p.kind)),
            ("Taken", days_since_first(first_session(history, p.course_id), entry.date)),
            ("Size", f"{p.width} x {p.height}"),
            ("Angle", p.angle or NONE),
            ("File", p.original_name or NONE),
        ]
    else:
        r = cast("Review", record)
        rows += [
            ("Provider", r.provider or NONE),
            ("Observer GAIS", GAIS.label(r.gais) if r.gais else NONE),
            (
                "Goodman & Baron",
                f"grade {r.goodman_baron}" if r.goodman_baron is not None else NONE,
            ),
            ("Notes", r.notes or NONE),
        ]
    return rows

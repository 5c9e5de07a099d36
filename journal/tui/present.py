"""How records read on screen: the detail view's label/value rows.

The one-line summaries and the timeline live in `journal.core.timeline`
(the CLI and the exports word records through them too); they are
re-exported here for the screens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from journal.core.records import day_offset
from journal.core.timeline import (
    NONE,
    TimelineEntry,
    area_label,
    checkin_summary,
    days_since_first,
    first_session,
    join_labels,
    local_day,
    photo_day,
    photo_summary,
    review_summary,
    session_summary,
    timeline,
    verdict_label,
)
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
)

__all__ = [
    "NONE",
    "TimelineEntry",
    "area_label",
    "checkin_summary",
    "days_since_first",
    "details",
    "first_session",
    "local_day",
    "photo_day",
    "photo_summary",
    "review_summary",
    "session_summary",
    "timeline",
    "verdict_label",
]

if TYPE_CHECKING:
    from journal.core.records import (
        CheckIn,
        PatientHistory,
        Photo,
        Review,
        Session,
    )


def details(entry: TimelineEntry, history: PatientHistory) -> list[tuple[str, str]]:
    """Every field of a timeline entry as label/value pairs for its detail view."""
    record = entry.record
    rows: list[tuple[str, str]] = [("Date", entry.date.isoformat())]
    if entry.kind == "session":
        t = cast("Session", record)
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
            ("Areas", join_labels([AREAS.label(a) for a in t.areas])),
            ("Serums", join_labels([SERUMS.label(s) for s in t.serums])),
            ("Anesthetic", t.anesthetic or NONE),
            ("Pain", f"{t.pain}/10" if t.pain is not None else NONE),
            ("Cost", f"{t.cost} {t.currency or ''}".strip() if t.cost is not None else NONE),
            ("Notes", t.notes or NONE),
        ]
    elif entry.kind == "check-in":
        c = cast("CheckIn", record)
        offset = day_offset(c.date, history.sessions)
        rows.append(("Day", str(offset) if offset is not None else "before the first session"))
        rows += [(SYMPTOMS.label(k), f"{v}/10") for k, v in c.symptoms.items()]
        downtime = {True: "yes", False: "no", None: NONE}[c.downtime]
        rows.append(("Downtime", downtime))
        rows += [(CONCERNS.label(k), f"{v}/10") for k, v in c.concerns.items()]
        rows += [
            ("GAIS", GAIS.label(c.gais) if c.gais else NONE),
            ("Verdict", verdict_label(c.verdict)),
            ("Red flags", join_labels([RED_FLAGS.label(f) for f in c.red_flags])),
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

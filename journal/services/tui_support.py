"""Small read helpers the terminal UI needs and no command does.

The TUI's forms pre-fill what a patient or provider would otherwise retype at
every visit: the last session's provider, device, depth and serums, and the
course's target concerns for check-in ratings. Working that out is a read of
the patient's history the dashboard already loaded, so it lives here rather
than in a screen; the functions are pure and never query the journal again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from journal.core import records
from journal.core.lookup import match_course


@dataclass(frozen=True)
class SessionDefaults:
    """Form values for a new session, as the strings the form fields hold."""

    date: str
    provider: str = ""
    setting: str = "in-office"
    device: str = ""
    device_name: str = ""
    depth: str = ""
    passes: str = ""
    areas: tuple[str, ...] = ()
    serums: tuple[str, ...] = ()
    anesthetic: str = ""
    cost: str = ""
    currency: str = "USD"


@dataclass(frozen=True)
class CheckInDefaults:
    """The date and the concerns a check-in asks the patient to rate."""

    date: str
    concerns: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReviewDefaults:
    date: str
    provider: str = ""


def _current_course(history: records.PatientHistory) -> records.Course | None:
    """The course new records go to: core's rule without a reference (the latest active)."""
    return match_course(None, history.courses, history.patient.display_name)


def _depth_text(session: records.Session) -> str:
    """A depth the depth field accepts back: `1.5` or `cheeks=1.5,forehead=0.5`."""
    if session.depth_by_area:
        return ",".join(f"{area}={mm:g}" for area, mm in session.depth_by_area.items())
    return f"{session.depth_mm:g}" if session.depth_mm is not None else ""


def _amount_text(amount: Decimal) -> str:
    """`450` rather than `450.00`, `99.5` rather than `99.50`: what a person would type."""
    text = f"{amount:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def session_defaults_from(history: records.PatientHistory, today: dt.date) -> SessionDefaults:
    """Today's date and everything the last session did (the usual case: a repeat)."""
    course = _current_course(history)
    pool = [t for t in history.sessions if course is None or t.course_id == course.id]
    pool = pool or list(history.sessions)
    last = pool[-1] if pool else None
    if last is None:
        return SessionDefaults(date=today.isoformat(), areas=course.areas if course else ())
    return SessionDefaults(
        date=today.isoformat(),
        provider=last.provider or "",
        setting=last.setting or "in-office",
        device=last.device_kind or "",
        device_name=last.device_name or "",
        depth=_depth_text(last),
        passes=str(last.passes) if last.passes is not None else "",
        areas=last.areas or (course.areas if course else ()),
        serums=last.serums,
        anesthetic=last.anesthetic or "",
        cost=_amount_text(last.cost) if last.cost is not None else "",
        currency=last.currency or "USD",
    )


def checkin_defaults_from(history: records.PatientHistory, today: dt.date) -> CheckInDefaults:
    """Rate the course's target concerns (else the patient's own) on today's date."""
    course = _current_course(history)
    concerns = (course.concerns if course else ()) or history.patient.concerns
    return CheckInDefaults(date=today.isoformat(), concerns=tuple(concerns))


def review_defaults_from(history: records.PatientHistory, today: dt.date) -> ReviewDefaults:
    """The provider who last reviewed (else who last treated) this patient."""
    names = [r.provider for r in history.reviews if r.provider]
    names += [t.provider for t in history.sessions if t.provider] if not names else []
    return ReviewDefaults(date=today.isoformat(), provider=names[-1] if names else "")

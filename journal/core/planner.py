"""What is due next in a course: sessions, check-ins, maintenance, event timing.

The planner only reads a course and a date; it never stores reminders. That
keeps it a pure function a test can freeze in time (`today=`), and means the
plan is always recomputed from what was actually recorded, never from a stale
schedule.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from journal.core.records import CheckIn, CourseRecord
from journal.core.rules import session_dates, session_on_or_before

# Check-in prompts after each session and the days that still count for each.
# A patient who checks in on day 2 instead of day 1 has still told us about the
# first day; the windows are disjoint so one check-in never answers two prompts.
CHECKIN_WINDOWS: dict[int, tuple[int, int]] = {
    1: (1, 2),
    3: (3, 5),
    7: (6, 10),
    21: (18, 25),
    90: (80, 110),
}
EVENT_BUFFER_DAYS = 14  # redness, flaking and pinpoint scabs can show for up to two weeks
MAINTENANCE_MONTHS = (6, 12)
MAINTENANCE_MONTHS_SOONER = (3, 4)  # over 40 or with heavy sun damage
SOONER_AFTER_AGE = 40
SUN_DAMAGE = "sun-damage"
RESULTS_MONTHS = (3, 6)  # full collagen results

DUE = "due"
UPCOMING = "upcoming"
OVERDUE = "overdue"
BOOKED = "booked"
DONE = "done"


@dataclass(frozen=True)
class Window:
    """A date range something is due in, and where today stands in it."""

    earliest: dt.date
    latest: dt.date
    status: str  # due | upcoming | overdue | booked

    def to_dict(self) -> dict[str, Any]:
        return {
            "earliest": self.earliest.isoformat(),
            "latest": self.latest.isoformat(),
            "status": self.status,
        }


@dataclass(frozen=True)
class CheckInPrompt:
    """One day-N check-in after a session: when it is due and whether it was done."""

    session_date: dt.date
    day: int
    due: dt.date
    window_end: dt.date
    status: str  # done | due | upcoming | overdue
    done_on: dt.date | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "session_date": self.session_date.isoformat(),
            "day": self.day,
            "due": self.due.isoformat(),
            "window_end": self.window_end.isoformat(),
            "status": self.status,
            "done_on": self.done_on.isoformat() if self.done_on else None,
        }


@dataclass(frozen=True)
class Plan:
    """What is due in a course as of `today`, with the sentences to show it.

    `sentences` is the display order the CLI and TUI print as is: progress,
    next session, missing or due check-ins, maintenance, event warnings and
    the results timeline last.
    """

    today: dt.date
    event: dt.date | None
    sessions_done: int
    sessions_planned: int
    sessions_booked: tuple[dt.date, ...]
    series_complete: bool
    next_session: Window | None
    checkins: tuple[CheckInPrompt, ...]
    maintenance: Window | None
    warnings: tuple[str, ...]
    results_timeline: str
    sentences: tuple[str, ...]

    @property
    def overdue_checkins(self) -> tuple[CheckInPrompt, ...]:
        return tuple(p for p in self.checkins if p.status == OVERDUE)

    def to_dict(self) -> dict[str, Any]:
        """The `plan --json` document."""
        return {
            "today": self.today.isoformat(),
            "event": self.event.isoformat() if self.event else None,
            "sessions_done": self.sessions_done,
            "sessions_planned": self.sessions_planned,
            "sessions_booked": [d.isoformat() for d in self.sessions_booked],
            "series_complete": self.series_complete,
            "next_session": self.next_session.to_dict() if self.next_session else None,
            "checkins": [p.to_dict() for p in self.checkins],
            "maintenance": self.maintenance.to_dict() if self.maintenance else None,
            "warnings": list(self.warnings),
            "results_timeline": self.results_timeline,
            "sentences": list(self.sentences),
        }


def interval_words(low: int, high: int) -> str:
    """`4 weeks` for a fixed interval, `4-6 weeks` for a range (never `4-4 weeks`)."""
    low, high = sorted((low, high))
    return f"{low} weeks" if low == high else f"{low}-{high} weeks"


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day of the month `months` later, clamped to the month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _status(earliest: dt.date, latest: dt.date, today: dt.date) -> str:
    if today < earliest:
        return UPCOMING
    if today > latest:
        return OVERDUE
    return DUE


def plan_course(record: CourseRecord, *, today: dt.date, event: dt.date | None = None) -> Plan:
    """Plan a course as of `today` (sessions dated later count as booked, not done)."""
    done = tuple(d for d in session_dates(record.sessions) if d <= today)
    booked = tuple(d for d in session_dates(record.sessions) if d > today)
    sessions_done = sum(1 for t in record.sessions if t.date <= today)
    status = record.course.status
    complete = status == "completed" or sessions_done >= record.course.planned_sessions
    next_session = _next_session(record, done, booked, today, complete)
    checkins = _checkin_prompts(record.checkins, done, today)
    maintenance = _maintenance(record, done, today) if complete and status != "stopped" else None
    warnings = _event_warnings(event, done, next_session, today)
    timeline = results_timeline(done)
    plan = Plan(
        today=today,
        event=event,
        sessions_done=sessions_done,
        sessions_planned=record.course.planned_sessions,
        sessions_booked=booked,
        series_complete=complete,
        next_session=next_session,
        checkins=checkins,
        maintenance=maintenance,
        warnings=tuple(warnings),
        results_timeline=timeline,
        sentences=(),
    )
    return dataclasses.replace(plan, sentences=tuple(_sentences(record, plan)))


def _next_session(
    record: CourseRecord,
    done: tuple[dt.date, ...],
    booked: tuple[dt.date, ...],
    today: dt.date,
    complete: bool,
) -> Window | None:
    """The next session window: booked date, else due now, else the course interval.

    Nothing is due for a completed, stopped or paused course: maintenance takes
    over after a series, and a paused course waits for the patient.
    """
    if booked:
        return Window(booked[0], booked[0], BOOKED)
    if complete or record.course.status in ("stopped", "paused"):
        return None
    if not done:
        return Window(today, today, DUE)
    course = record.course
    low, high = sorted((course.interval_weeks_min, course.interval_weeks_max))
    earliest = done[-1] + dt.timedelta(weeks=low)
    latest = done[-1] + dt.timedelta(weeks=high)
    return Window(earliest, latest, _status(earliest, latest, today))


def _checkin_prompts(
    checkins: tuple[CheckIn, ...], done: tuple[dt.date, ...], today: dt.date
) -> tuple[CheckInPrompt, ...]:
    """Day 1, 3, 7, 21 and 90 prompts after each session done.

    A check-in belongs to the latest session on or before it, so a prompt whose
    window starts after the next session is dropped: the day-90 check-in of the
    first session is really a check-in after the second one.
    """
    offsets: dict[dt.date, list[tuple[int, dt.date]]] = {}
    for checkin in checkins:
        session = session_on_or_before(done, checkin.date)
        if session is not None and checkin.date <= today:
            offsets.setdefault(session, []).append(((checkin.date - session).days, checkin.date))
    prompts: list[CheckInPrompt] = []
    for index, session in enumerate(done):
        following = done[index + 1] if index + 1 < len(done) else None
        for day, (first, last) in CHECKIN_WINDOWS.items():
            due = session + dt.timedelta(days=day)
            start = session + dt.timedelta(days=first)
            end = session + dt.timedelta(days=last)
            if following is not None and start >= following:
                continue
            hits = sorted(d for offset, d in offsets.get(session, []) if first <= offset <= last)
            if hits:
                prompts.append(CheckInPrompt(session, day, due, end, DONE, hits[0]))
            else:
                prompts.append(CheckInPrompt(session, day, due, end, _status(start, end, today)))
    return tuple(prompts)


def _wants_sooner_maintenance(record: CourseRecord, today: dt.date) -> bool:
    """Over 40 or heavy sun damage: collagen fades faster, so maintain sooner."""
    birth_year = record.patient.birth_year
    older = birth_year is not None and today.year - birth_year > SOONER_AFTER_AGE
    concerns = set(record.patient.concerns) | set(record.course.concerns)
    return older or SUN_DAMAGE in concerns


def _maintenance(record: CourseRecord, done: tuple[dt.date, ...], today: dt.date) -> Window | None:
    if not done:
        return None
    low, high = (
        MAINTENANCE_MONTHS_SOONER
        if _wants_sooner_maintenance(record, today)
        else MAINTENANCE_MONTHS
    )
    earliest, latest = add_months(done[-1], low), add_months(done[-1], high)
    return Window(earliest, latest, _status(earliest, latest, today))


def _event_warnings(
    event: dt.date | None,
    done: tuple[dt.date, ...],
    next_session: Window | None,
    today: dt.date,
) -> list[str]:
    """Warn when a session would fall less than two weeks before the event."""
    if event is None or event < today:
        return []
    warnings: list[str] = []
    book_by = event - dt.timedelta(days=EVENT_BUFFER_DAYS)
    if done and 0 <= (event - done[-1]).days < EVENT_BUFFER_DAYS:
        warnings.append(
            f"Your last session ({done[-1].isoformat()}) is only "
            f"{(event - done[-1]).days} days before your event on {event.isoformat()}: "
            "redness or flaking may still show."
        )
    if (
        next_session is not None
        and next_session.earliest <= event
        and next_session.latest > book_by
    ):
        if next_session.status == BOOKED:
            warnings.append(
                f"Your booked session on {next_session.earliest.isoformat()} is less than two "
                f"weeks before your event on {event.isoformat()}: move it to {book_by.isoformat()}"
                " or earlier, or to after the event."
            )
        else:
            advice = (
                f"book the session by {book_by.isoformat()} or after the event"
                if book_by >= today
                else "book the session after the event"
            )
            warnings.append(
                f"Your event on {event.isoformat()} is less than two weeks after the next "
                f"session window ({next_session.earliest.isoformat()} to "
                f"{next_session.latest.isoformat()}): {advice}."
            )
    return warnings


def results_timeline(done: tuple[dt.date, ...] = ()) -> str:
    """When to expect what, so an early score is not read as the final one."""
    general = (
        "Texture often looks smoother within a week; scars and wrinkles usually need three "
        "or more sessions; full collagen results show 3-6 months after treatment."
    )
    if not done:
        return general
    low, high = (add_months(done[-1], m) for m in RESULTS_MONTHS)
    return (
        f"{general} For your latest session ({done[-1].isoformat()}) that is between "
        f"{low.isoformat()} and {high.isoformat()}."
    )


def _sentences(record: CourseRecord, plan: Plan) -> list[str]:
    lines = [
        f"{plan.sessions_done} of {plan.sessions_planned} planned sessions done"
        + (f", {len(plan.sessions_booked)} booked." if plan.sessions_booked else ".")
    ]
    window = plan.next_session
    if window is None:
        if record.course.status == "stopped":
            lines.append("This course was stopped, so no session is due.")
        elif record.course.status == "paused":
            lines.append("This course is paused; no session is due until you resume it.")
        else:
            lines.append("The series is complete.")
    elif window.status == BOOKED:
        lines.append(f"Next session booked for {window.earliest.isoformat()}.")
    elif plan.sessions_done == 0:
        lines.append("The first session is due now.")
    else:
        span = f"between {window.earliest.isoformat()} and {window.latest.isoformat()}"
        lines.append(
            {
                DUE: f"Next session is due now, {span}.",
                UPCOMING: f"Next session is due {span}.",
                OVERDUE: f"Next session is overdue: it was due {span}.",
            }[window.status]
        )
    for prompt in plan.checkins:
        if prompt.status == OVERDUE:
            lines.append(
                f"Day {prompt.day} check-in after the {prompt.session_date.isoformat()} session "
                f"was due {prompt.due.isoformat()} and is missing; record it now if you can."
            )
        elif prompt.status == DUE:
            lines.append(
                f"Day {prompt.day} check-in after the {prompt.session_date.isoformat()} session "
                f"is due now (until {prompt.window_end.isoformat()})."
            )
    if plan.maintenance is not None:
        m = plan.maintenance
        lines.append(
            f"Maintenance session {'overdue, it was ' if m.status == OVERDUE else ''}due "
            f"between {m.earliest.isoformat()} and {m.latest.isoformat()}."
        )
    lines.extend(plan.warnings)
    if plan.event is not None and not plan.warnings and plan.event >= plan.today:
        clear_from = plan.event - dt.timedelta(days=EVENT_BUFFER_DAYS)
        lines.append(
            f"Your event on {plan.event.isoformat()} is clear: no session done, booked or due "
            f"falls in the two weeks before it (from {clear_from.isoformat()})."
        )
    lines.append(plan.results_timeline)
    return lines

"""The follow-up summary as plain text and numbers, shared by the PDF and the HTML.

Both documents must say exactly the same thing: a provider who gets the PDF by
mail and a patient who opens the HTML on a phone are looking at one summary.
So every sentence, label and table cell is decided here, once, and the
renderers only lay it out. Nothing in here knows about fonts, pages or markup.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from journal.core.records import Course, CourseRecord, PatientHistory, Photo, Review, Session
from journal.core.timeline import photo_day
from journal.core.vocab import (
    AREAS,
    CONCERNS,
    COURSE_STATUSES,
    PHOTO_KINDS,
    SERUMS,
    SYMPTOMS,
    VERDICTS,
    gais_text,
    goodman_baron_text,
)

if TYPE_CHECKING:
    from journal.core.planner import Plan
    from journal.core.rules import RedFlag, ScreeningWarning
    from journal.core.score import ScoreResult

TITLE = "Microneedling follow-up summary"
DISCLAIMER = (
    "Not medical advice: a summary of a personal treatment journal, to discuss with your provider."
)
DASH = "-"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI"}
DEVICE_SHORT = {"pen": "pen", "roller": "roller", "rf": "RF", "stamp": "stamp"}
SESSION_COLUMNS = (
    "#",
    "Date",
    "Provider",
    "Device",
    "Depth",
    "Passes",
    "Areas",
    "Serums",
    "Pain",
    "Cost",
)
REVIEW_COLUMNS = ("Date", "Provider", "Observer GAIS", "Goodman & Baron", "Notes")
RECOVERY_COLUMNS = ("Session", "Worst symptom", "Downtime", "Still present later")
RECOVERY_WINDOW_DAYS = 30  # the recovery chart follows each session for a month at most
VERDICT_COLORS: dict[str, tuple[int, int, int]] = {
    "worth-it": (46, 125, 50),
    "not-sure": (191, 110, 0),
    "not-worth-it": (198, 40, 40),
}
NEUTRAL_COLOR = (90, 90, 90)


@dataclass(frozen=True)
class PhotoItem:
    """One photo with the day it shows and the caption printed under it."""

    photo: Photo
    day: dt.date
    caption: str


@dataclass(frozen=True)
class PhotoPair:
    """Baseline and latest photo of one area (`after` is None with a single photo)."""

    area: str
    before: PhotoItem
    after: PhotoItem | None


@dataclass(frozen=True)
class RecoveryLine:
    """Worst rated symptom (0-10) by day after one session: one line of the chart."""

    number: int
    session_date: dt.date
    points: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Summary:
    """Everything a follow-up document shows, already worded."""

    generated: dt.date
    patient_name: str
    course_title: str | None
    facts: tuple[tuple[str, str], ...]
    screening: tuple[str, ...]
    sessions: tuple[tuple[str, ...], ...]
    session_total: str | None
    score: ScoreResult | None
    recovery: tuple[RecoveryLine, ...]
    recovery_rows: tuple[tuple[str, ...], ...]
    flags: tuple[tuple[str, str], ...]  # (date, sentence)
    reviews: tuple[tuple[str, ...], ...]
    pairs: tuple[PhotoPair, ...]
    photos: tuple[PhotoItem, ...]
    plan: tuple[str, ...]
    amended_note: str | None = None  # set when a listed entry was corrected after it was added

    title: str = TITLE
    disclaimer: str = DISCLAIMER

    @property
    def verdict_label(self) -> str | None:
        """`Worth It`, or `Worth It (provisional)` while confidence is low."""
        if self.score is None:
            return None
        label = VERDICTS.label(self.score.verdict)
        return f"{label} (provisional)" if self.score.provisional else label

    @property
    def verdict_color(self) -> tuple[int, int, int]:
        if self.score is None:
            return NEUTRAL_COLOR
        return VERDICT_COLORS.get(self.score.verdict, NEUTRAL_COLOR)


def build_summary(
    history: PatientHistory,
    *,
    course: Course | None,
    score: ScoreResult | None,
    plan: Plan | None,
    screening: Sequence[ScreeningWarning],
    flags: Sequence[RedFlag],
    generated: dt.date,
    amended: frozenset[uuid.UUID] = frozenset(),
) -> Summary:
    """Word the follow-up summary of one course (or of a patient without a course yet).

    `amended` are the ids of records corrected after they were added: their
    rows carry a mark, so a provider reading the summary knows the journal's
    change log has the earlier values.
    """
    record = history.course_record(course.id) if course is not None else None
    sessions = sorted(record.sessions, key=lambda t: t.date) if record else []
    photos = _photo_items(record) if record else []
    return Summary(
        generated=generated,
        patient_name=history.patient.display_name,
        course_title=course.title if course else None,
        facts=tuple(_facts(history, course, generated)),
        screening=tuple(w.message for w in screening),
        sessions=tuple(_session_row(n, t, t.id in amended) for n, t in enumerate(sessions, 1)),
        session_total=_session_total(sessions),
        score=score,
        recovery=tuple(recovery_lines(record)) if record else (),
        recovery_rows=tuple(_recovery_rows(score)) if score else (),
        flags=tuple((f.date.isoformat(), f.sentence()) for f in flags),
        reviews=tuple(_review_row(r, r.id in amended) for r in record.reviews) if record else (),
        pairs=tuple(_pairs(photos)),
        photos=tuple(photos),
        plan=tuple(plan.sentences) if plan else (),
        amended_note=AMENDED_NOTE if amended & _listed(record) else None,
    )


# -- small formatters shared by the renderers ----------------------------------------


def short_date(day: dt.date) -> str:
    """`22 Oct`: compact axis labels, independent of the machine's locale."""
    return f"{day.day} {MONTHS[day.month - 1]}"


def money(amount: Decimal | float, currency: str | None) -> str:
    return f"{Decimal(str(amount)):,.2f} {currency or ''}".strip()


def labels(label: Callable[[str], str], keys: Sequence[str]) -> str:
    """Comma-separated labels (`label` is a vocabulary's), or a dash when there are none."""
    return ", ".join(label(k) for k in keys) if keys else DASH


# -- sections ------------------------------------------------------------------------


def _facts(history: PatientHistory, course: Course | None, today: dt.date) -> list[tuple[str, str]]:
    p = history.patient
    facts = [("Patient", p.display_name)]
    if p.birth_year:
        facts.append(("Birth year", f"{p.birth_year} (about {today.year - p.birth_year})"))
    if p.skin_type:
        facts.append(("Skin type", f"Fitzpatrick {ROMAN.get(p.skin_type, str(p.skin_type))}"))
    facts.append(("Concerns", labels(CONCERNS.label, p.concerns)))
    if course is not None:
        status = COURSE_STATUSES.label(course.status).lower()
        interval = (
            f"{course.interval_weeks_min}"
            if course.interval_weeks_min == course.interval_weeks_max
            else f"{course.interval_weeks_min}-{course.interval_weeks_max}"
        )
        facts.append(
            (
                "Course",
                f"{course.title}: {course.planned_sessions} planned sessions "
                f"every {interval} weeks ({status})",
            )
        )
        if course.areas:
            facts.append(("Areas", labels(AREAS.label, course.areas)))
        if course.concerns and tuple(course.concerns) != tuple(p.concerns):
            facts.append(("Course concerns", labels(CONCERNS.label, course.concerns)))
    return facts


def _device(t: Session) -> str:
    kind = DEVICE_SHORT.get(t.device_kind or "", t.device_kind or "")
    if t.device_name and kind:
        return f"{t.device_name} ({kind})"
    return t.device_name or kind or DASH


def _depth(t: Session) -> str:
    if t.depth_by_area:
        parts = [f"{AREAS.label(a)} {d:g}" for a, d in t.depth_by_area.items()]
        return ", ".join(parts) + " mm"
    return f"{t.depth_mm:g} mm" if t.depth_mm is not None else DASH


AMENDED_MARK = " *"
AMENDED_NOTE = "* corrected after it was first recorded; `journal log` shows the earlier values."


def _session_row(number: int, t: Session, amended: bool = False) -> tuple[str, ...]:
    provider = t.provider or ("at home" if t.setting == "at-home" else DASH)
    return (
        str(number) + (AMENDED_MARK if amended else ""),
        t.date.isoformat(),
        provider,
        _device(t),
        _depth(t),
        str(t.passes) if t.passes is not None else DASH,
        labels(AREAS.label, t.areas),
        labels(SERUMS.label, t.serums),
        f"{t.pain}/10" if t.pain is not None else DASH,
        money(t.cost, t.currency) if t.cost is not None else DASH,
    )


def _listed(record: CourseRecord | None) -> set[uuid.UUID]:
    """Ids of the entries the summary lists in its tables (sessions and reviews)."""
    if record is None:
        return set()
    return {t.id for t in record.sessions} | {r.id for r in record.reviews}


def _session_total(sessions: Sequence[Session]) -> str | None:
    if not sessions:
        return None
    count = f"{len(sessions)} session{'s' if len(sessions) != 1 else ''}"
    by_currency: dict[str, Decimal] = {}
    for t in sessions:
        if t.cost is not None:
            key = t.currency or ""
            by_currency[key] = by_currency.get(key, Decimal(0)) + Decimal(str(t.cost))
    if not by_currency:
        return count
    spent = " + ".join(money(v, k) for k, v in sorted(by_currency.items()))
    return f"{count}, {spent} in total"


def recovery_lines(record: CourseRecord) -> list[RecoveryLine]:
    """Worst rated symptom by day after each session, until the next one.

    A check-in without any symptom rating is "not rated", not "no symptoms",
    so it adds no point: the chart must not invent a recovery.
    """
    dates = sorted({t.date for t in record.sessions})
    lines = []
    for n, start in enumerate(dates, 1):
        end = dates[n] if n < len(dates) else start + dt.timedelta(days=RECOVERY_WINDOW_DAYS + 1)
        worst: dict[int, int] = {}
        for c in record.checkins:
            day = (c.date - start).days
            if start < c.date < end and day <= RECOVERY_WINDOW_DAYS and c.symptoms:
                worst[day] = max(worst.get(day, 0), max(c.symptoms.values()))
        lines.append(RecoveryLine(n, start, tuple(sorted(worst.items()))))
    return lines


def _recovery_rows(score: ScoreResult) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for r in score.recovery:
        if not r.rated:
            rows.append((r.session_date.isoformat(), "not rated", DASH, DASH))
            continue
        worst = (
            f"{SYMPTOMS.label(r.peak_symptom)} {r.peak}/10"
            + (f" on day {r.peak_day}" if r.peak_day is not None else "")
            if r.peak_symptom
            else "none"
        )
        lingering = (
            f"{SYMPTOMS.label(r.lingering_symptom)} {r.lingering_level}/10 on day {r.lingering_day}"
            if r.lingering_symptom and r.lingering_day is not None
            else DASH
        )
        days = f"{r.downtime_days} day{'s' if r.downtime_days != 1 else ''}"
        rows.append((r.session_date.isoformat(), worst, days, lingering))
    return rows


def _review_row(r: Review, amended: bool = False) -> tuple[str, ...]:
    return (
        r.date.isoformat() + (AMENDED_MARK if amended else ""),
        r.provider or DASH,
        gais_text(r.gais) if r.gais else DASH,
        goodman_baron_text(r.goodman_baron) if r.goodman_baron is not None else DASH,
        r.notes or "",
    )


def _photo_items(record: CourseRecord) -> list[PhotoItem]:
    items = []
    for p in sorted(record.photos, key=lambda p: (p.taken_at, str(p.id))):
        day = photo_day(p)
        where = AREAS.label(p.area) if p.area else "Area not set"
        angle = f", {p.angle}" if p.angle else ""
        caption = f"{where}{angle} · {PHOTO_KINDS.label(p.kind).lower()} · {day.isoformat()}"
        items.append(PhotoItem(p, day, caption))
    return items


def _pairs(items: Sequence[PhotoItem]) -> list[PhotoPair]:
    """Baseline (earliest) and latest photo per area, areas in first-seen order."""
    by_area: dict[str | None, list[PhotoItem]] = {}
    for item in items:
        by_area.setdefault(item.photo.area, []).append(item)
    pairs = []
    for area, shots in by_area.items():
        label = AREAS.label(area) if area else "Area not set"
        pairs.append(PhotoPair(label, shots[0], shots[-1] if len(shots) > 1 else None))
    return pairs

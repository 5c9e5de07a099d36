"""The follow-up summary as plain text and numbers, shared by the PDF and the HTML.

Both documents must say exactly the same thing: a provider who gets the PDF by
mail and a patient who opens the HTML on a phone are looking at one summary.
So every sentence, label and table cell is decided here, once, and the
renderers only lay it out. Nothing in here knows about fonts, pages or markup.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from journal.core.flags import RESOLVED, SEEN, course_flags
from journal.core.planner import interval_words
from journal.core.records import (
    CheckIn,
    Course,
    CourseRecord,
    PatientHistory,
    Photo,
    Review,
    Session,
)
from journal.core.rules import PROVIDER_SCREENING, PROVIDER_SCREENING_OTHER
from journal.core.timeline import photo_day
from journal.core.vocab import (
    AREAS,
    CONCERNS,
    COURSE_STATUSES,
    GAIS,
    GAIS_NUMBERS,
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
PATIENT, PROVIDER = "patient", "provider"
AUDIENCES = (PROVIDER, PATIENT)  # who a pdf/html summary is for; the first is the default
PROVIDER_TITLE = "Microneedling clinical follow-up summary"
PROVIDER_DISCLAIMER = (
    "Not medical advice: compiled from a patient's treatment journal (patient-reported entries "
    "are unverified) for clinical review."
)
NBSP = "\u00a0"  # joins a value to its unit so no table wraps "1.5" / "mm"
FLAG_STATUS_OPEN = "open"
DASH = "-"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI"}
DEVICE_SHORT = {"pen": "pen", "roller": "roller", "rf": "RF", "stamp": "stamp"}
PROVIDER_SESSION_COLUMNS = (
    "#",
    "Date",
    "Provider",
    "Device",
    "Areas",
    "Depth",
    "Passes",
    "Adjuncts",
    "Pain",
)
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
#: The measured-change table (journal.services.evidence.CHANGE_COLUMNS, the TUI's too).
CHANGE_COLUMNS = ("Measure", "Baseline", "Follow-up", "Change", "Uncertainty", "Verdict")
MEASURED_TITLE = "Photo evidence: aligned pairs and measured change"
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
class MeasuredPair:
    """One area's aligned photo pair and its measured change, worded for the provider.

    Built by journal.services.exporting from `journal.services.evidence`
    (the same numbers as `journal photo compare` and the TUI compare view).
    `picture` is a metadata-free JPEG: baseline | follow-up aligned onto it |
    difference. A pair that is not comparable is still shown, with
    `not_counted` saying the score leaves it out; an area with photos but no
    pair to compare has only `problem`.
    """

    area: str
    baseline_day: dt.date | None = None
    follow_up_day: dt.date | None = None
    comparable: bool = False
    not_counted: str | None = None
    warnings: tuple[str, ...] = ()
    alignment: str = ""
    rows: tuple[tuple[str, ...], ...] = ()
    picture: bytes | None = None
    picture_size: tuple[int, int] = (0, 0)
    problem: str | None = None

    @property
    def panels(self) -> tuple[str, str, str]:
        """The labels under the three panels of `picture`, left to right."""
        base = self.baseline_day.isoformat() if self.baseline_day else ""
        later = self.follow_up_day.isoformat() if self.follow_up_day else ""
        return (
            f"Baseline {base}",
            f"Follow-up {later}, aligned",
            "Difference: red changed, blue not compared",
        )

    @property
    def title(self) -> str:
        """`Left cheek: 2026-01-22 to 2026-04-09 (11 weeks)`."""
        if self.baseline_day is None or self.follow_up_day is None:
            return self.area
        weeks = (self.follow_up_day - self.baseline_day).days // 7
        span = f"{weeks} week{'s' if weeks != 1 else ''}"
        return (
            f"{self.area}: {self.baseline_day.isoformat()} to "
            f"{self.follow_up_day.isoformat()} ({span})"
        )


@dataclass(frozen=True)
class RecoveryLine:
    """Worst rated symptom (0-10) by day after one session: one line of the chart."""

    number: int
    session_date: dt.date
    points: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class FlagRow:
    """One red flag as the provider summary lists it.

    `status`, `by` and `note` come from the flag lifecycle (open -> seen ->
    resolved); until the journal records it every flag is open. `patient_words`
    is the note of the patient's check-in on the day of the flag.
    """

    date: dt.date
    label: str
    status: str
    by: str
    note: str
    patient_words: str
    context: str  # "day 3 after the 2026-01-05 session; reported by the patient"


@dataclass(frozen=True)
class ProviderPage:
    """Page 1 of the provider summary: what to read in the minute before the visit."""

    identification: tuple[tuple[str, str], ...]
    flags: tuple[FlagRow, ...]
    screening: tuple[str, ...]
    concern_columns: tuple[str, ...]
    concern_rows: tuple[tuple[str, ...], ...]
    concern_note: str | None
    amendments: tuple[str, ...]


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
    session_columns: tuple[str, ...] = SESSION_COLUMNS
    provider: ProviderPage | None = None  # set for the provider's version (page 1)
    audience: str = PATIENT

    title: str = TITLE
    disclaimer: str = DISCLAIMER
    flag_rows: tuple[FlagRow, ...] = field(default=())
    # The provider's version only: aligned pairs and measured change per area,
    # and what no photo check can see (said once above them).
    measured: tuple[MeasuredPair, ...] = ()
    measured_caveat: str = ""

    @property
    def measured_areas(self) -> frozenset[str]:
        """Areas whose aligned pair is shown: their raw before/after pair is left out."""
        return frozenset(m.area for m in self.measured if m.picture is not None)

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
    audience: str = PATIENT,
    settings: Mapping[str, str] | None = None,
    measured: Sequence[MeasuredPair] = (),
    measured_caveat: str = "",
) -> Summary:
    """Word the follow-up summary of one course (or of a patient without a course yet).

    `amended` are the ids of records corrected after they were added: their
    rows carry a mark, so a provider reading the summary knows the journal's
    change log has the earlier values. `audience` is `patient` (the patient's
    own wording) or `provider` (a clinical summary whose page 1 is `provider`;
    `settings` gives the clinic and provider names it is from). `measured`
    (provider only) are the aligned photo pairs with their measured change,
    and `measured_caveat` what the photo checks cannot see.
    """
    record = history.course_record(course.id) if course is not None else None
    sessions = sorted(record.sessions, key=lambda t: t.date) if record else []
    photos = _photo_items(record) if record else []
    summary = Summary(
        generated=generated,
        patient_name=history.patient.display_name,
        course_title=course.title if course else None,
        facts=tuple(_facts(history, course, generated, plan)),
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
    if audience != PROVIDER:
        return summary
    rows = _flag_rows(record, generated) if record else []
    return dataclasses.replace(
        summary,
        audience=PROVIDER,
        title=PROVIDER_TITLE,
        disclaimer=PROVIDER_DISCLAIMER,
        session_columns=PROVIDER_SESSION_COLUMNS,
        sessions=tuple(
            _provider_session_row(n, t, t.id in amended) for n, t in enumerate(sessions, 1)
        ),
        screening=tuple(provider_screening(w) for w in screening),
        flag_rows=tuple(rows),
        provider=_provider_page(
            history, record, score, plan, screening, rows, amended, settings or {}
        ),
        measured=tuple(measured),
        measured_caveat=measured_caveat if measured else "",
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


def _facts(
    history: PatientHistory, course: Course | None, today: dt.date, plan: Plan | None
) -> list[tuple[str, str]]:
    p = history.patient
    facts = [("Patient", p.display_name)]
    if p.birth_year:
        facts.append(("Birth year", f"{p.birth_year} (about {today.year - p.birth_year})"))
    if p.skin_type:
        facts.append(("Skin type", skin_type_text(p.skin_type)))
    facts.append(("Concerns", labels(CONCERNS.label, p.concerns)))
    if course is not None:
        facts.append(("Course", f"{course.title}: {course_progress(course, plan)}"))
        if course.areas:
            facts.append(("Areas", labels(AREAS.label, course.areas)))
        if course.concerns and tuple(course.concerns) != tuple(p.concerns):
            facts.append(("Course concerns", labels(CONCERNS.label, course.concerns)))
    return facts


def skin_type_text(skin_type: int) -> str:
    return f"Fitzpatrick {ROMAN.get(skin_type, str(skin_type))}"


def course_progress(course: Course, plan: Plan | None) -> str:
    """`4 of 4 planned sessions done, every 4-6 weeks (series complete)`.

    The counts and the state come from the planner, the function the app's
    plan screen and `journal plan` use, so the document cannot say "4 planned
    sessions (active)" while the app says "6 of 4, complete".
    """
    every = interval_words(course.interval_weeks_min, course.interval_weeks_max)
    status = COURSE_STATUSES.label(course.status).lower()
    if plan is None:
        return f"{course.planned_sessions} planned sessions every {every} ({status})"
    state = "series complete" if plan.series_complete and course.status == "active" else status
    booked = f", {len(plan.sessions_booked)} booked" if plan.sessions_booked else ""
    return (
        f"{plan.sessions_done} of {plan.sessions_planned} planned sessions done{booked}, "
        f"every {every} ({state})"
    )


def provider_screening(warning: ScreeningWarning) -> str:
    """A screening answer in clinical wording (rules.PROVIDER_SCREENING)."""
    text = PROVIDER_SCREENING.get(warning.key)
    return text if text else PROVIDER_SCREENING_OTHER.format(label=warning.label)


def _device(t: Session) -> str:
    kind = DEVICE_SHORT.get(t.device_kind or "", t.device_kind or "")
    if t.device_name and kind:
        return f"{t.device_name} ({kind})"
    return t.device_name or kind or DASH


def _depth(t: Session) -> str:
    """`1.5 mm`, or `Forehead 0.5 mm, Cheeks 1.5 mm`: a number never leaves its unit.

    The space inside a value is a no-break space, so a narrow table column
    wraps between areas, never between `1.5` and `mm`.
    """
    if t.depth_by_area:
        return ", ".join(f"{AREAS.label(a)} {d:g}{NBSP}mm" for a, d in t.depth_by_area.items())
    return f"{t.depth_mm:g}{NBSP}mm" if t.depth_mm is not None else DASH


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


def _provider_session_row(number: int, t: Session, amended: bool = False) -> tuple[str, ...]:
    """Device, areas, depth, passes, adjuncts (serums, anaesthetic) and pain of one session."""
    adjuncts = [SERUMS.label(k) for k in t.serums] + ([t.anesthetic] if t.anesthetic else [])
    where = labels(AREAS.label, t.areas)
    if t.setting == "at-home":
        where += " (at home)"
    return (
        str(number) + (AMENDED_MARK if amended else ""),
        t.date.isoformat(),
        t.provider or DASH,
        _device(t),
        where,
        _depth(t),
        str(t.passes) if t.passes is not None else DASH,
        ", ".join(adjuncts) if adjuncts else DASH,
        f"{t.pain}/10" if t.pain is not None else DASH,
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


# -- the provider's page 1 -------------------------------------------------------------


RECENT_RESOLVED_DAYS = 90  # resolved flags older than this leave page 1


def _flag_rows(record: CourseRecord, today: dt.date) -> list[FlagRow]:
    """Open and recent red flags as the provider summary lists them, open ones first.

    One row per flag (an episode: every report of one sign until it was
    resolved), with the status a provider recorded (`journal flag seen|resolve`),
    who did and their note, and the patient's own words from the check-ins
    that reported it. Flags resolved more than `RECENT_RESOLVED_DAYS` ago are
    history, not something to read before this visit.
    """
    rows = []
    for flag in course_flags(record):
        if flag.first > today:
            continue
        review = flag.review
        status = flag.status_on(today)
        if (
            status == RESOLVED
            and review is not None
            and review.resolved_on is not None
            and (today - review.resolved_on).days > RECENT_RESOLVED_DAYS
        ):
            continue
        first = flag.reports[0]
        where = (
            f"day {first.day} after the {first.session_date.isoformat()} session"
            if first.session_date is not None and first.day is not None
            else "before the first session"
        )
        how = (
            "reported by the patient"
            if first.source == "reported"
            else f"derived from {first.detail}"
        )
        again = (
            f"; {len(flag.reports)} reports until {flag.last.isoformat()}"
            if len(flag.reports) > 1
            else ""
        )
        by, note = "", ""
        if review is not None and status == RESOLVED:
            by = review.resolved_by or ""
            when = review.resolved_on.isoformat() if review.resolved_on else ""
            harm = "lasting harm" if review.lasting else "no lasting harm"
            note = "; ".join(x for x in (f"{when}, {harm}", review.resolved_note) if x)
        elif review is not None and status == SEEN:
            by = review.seen_by or ""
            note = review.seen_note or ""
        rows.append(
            FlagRow(
                date=flag.first,
                label=flag.label,
                status=status,
                by=by,
                note=note,
                patient_words=" / ".join(flag.words),
                context=f"{where}; {how}{again}",
            )
        )
    order = {FLAG_STATUS_OPEN: 0, SEEN: 1, RESOLVED: 2}
    rows.sort(key=lambda r: (order.get(r.status, 3), -r.date.toordinal()))
    return rows


def flags_title(flags: Sequence[FlagRow]) -> str:
    """`Red flags: 1 open, 1 seen, 2 recently resolved`: counts by status, zeros left out."""
    if not flags:
        return "Red flags: none"
    counts = [
        (sum(1 for f in flags if f.status == status), word)
        for status, word in (
            (FLAG_STATUS_OPEN, "open"),
            (SEEN, "seen, not resolved"),
            (RESOLVED, "recently resolved"),
        )
    ]
    return "Red flags: " + ", ".join(f"{n} {word}" for n, word in counts if n)


def flag_status_text(row: FlagRow) -> str:
    """`OPEN`, or `SEEN by Dr Chen: note`: the status cell of a flag."""
    text = row.status.upper()
    if row.by:
        text += f" by {row.by}"
    if row.note:
        text += f": {row.note}"
    return text


def _provider_page(
    history: PatientHistory,
    record: CourseRecord | None,
    score: ScoreResult | None,
    plan: Plan | None,
    screening: Sequence[ScreeningWarning],
    flags: Sequence[FlagRow],
    amended: frozenset[uuid.UUID],
    settings: Mapping[str, str],
) -> ProviderPage:
    columns, rows, note = _concern_table(record, score) if record else ((), (), None)
    return ProviderPage(
        identification=tuple(_identification(history, record, plan, settings)),
        flags=tuple(flags),
        screening=tuple(provider_screening(w) for w in screening),
        concern_columns=columns,
        concern_rows=rows,
        concern_note=note,
        amendments=tuple(_amendments(record, amended)) if record else (),
    )


def _identification(
    history: PatientHistory,
    record: CourseRecord | None,
    plan: Plan | None,
    settings: Mapping[str, str],
) -> list[tuple[str, str]]:
    p = history.patient
    short_id = str(p.id).replace("-", "")[:8]
    born = str(p.birth_year) if p.birth_year else "not recorded"
    unset = "not set (journal settings set {})"
    ident = [
        ("Patient", f"{p.display_name} (id {short_id})"),
        ("Birth year", born),
        ("Skin type", skin_type_text(p.skin_type) if p.skin_type else "not recorded"),
        ("Concerns", labels(CONCERNS.label, p.concerns)),
    ]
    if record is not None:
        course = record.course
        ident.append(("Course", f"{course.title}: {course_progress(course, plan)}"))
    ident.append(("Clinic", settings.get("clinic") or unset.format("clinic")))
    ident.append(("Provider", settings.get("provider") or unset.format("provider")))
    return ident


def _concern_table(
    record: CourseRecord, score: ScoreResult | None
) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...], str | None]:
    """Concern ratings by date (baseline, each follow-up, latest, change) with both GAIS.

    One row per day with a concern rating, a patient GAIS (check-in) or an
    observer GAIS (provider review), so the two GAIS sit side by side when the
    patient and the provider rated on the same day. The change row is the
    score's own (baseline against latest), so it agrees with `journal score`.
    """
    from journal.core.score import rating_phase

    concerns = list(record.course.concerns or record.patient.concerns)
    for c in record.checkins:
        concerns += [k for k in c.concerns if k not in concerns]
    by_day: dict[dt.date, tuple[list[CheckIn], list[Review]]] = {}
    for c in record.checkins:
        if c.concerns or c.gais:
            by_day.setdefault(c.date, ([], []))[0].append(c)
    for r in record.reviews:
        if r.gais:
            by_day.setdefault(r.date, ([], []))[1].append(r)
    if not by_day:
        return (), (), None
    sessions = sorted({t.date for t in record.sessions})
    columns = ("Rated", *(CONCERNS.label(k) for k in concerns), "Patient GAIS", "Observer GAIS")
    rows: list[tuple[str, ...]] = []
    days = sorted(by_day)
    for n, day in enumerate(days):
        checkins, reviews = by_day[day]
        phase = rating_phase(sessions, day)
        name = {"baseline": "Baseline", "early": "Early"}.get(phase, "Follow-up")
        if n == len(days) - 1 and phase != "baseline":
            name = "Latest"
        values = []
        for key in concerns:
            found = [c.concerns[key] for c in checkins if key in c.concerns]
            values.append(f"{found[-1]}/10" if found else DASH)
        rows.append(
            (
                f"{name} {day.isoformat()}",
                *values,
                _gais_short([c.gais for c in checkins if c.gais]),
                _gais_short([r.gais for r in reviews if r.gais]),
            )
        )
    note = None
    if score is not None and score.concerns:
        changes = {c.key: c for c in score.concerns}
        cells = []
        for key in concerns:
            change = changes.get(key)
            if change is None:
                cells.append(DASH)
                continue
            delta = f"{change.latest - change.baseline:+g}"
            pct = f" ({change.percent:+d}%)" if change.percent is not None else ""
            cells.append(delta + pct)
        rows.append(("Change", *cells, "", ""))
        note = (
            "Concern ratings 0-10, 10 the worst; change is the score's baseline against its "
            "latest rating (ratings within 13 days of a session show the acute reaction)."
        )
    return columns, tuple(rows), note


def _gais_short(keys: Sequence[str]) -> str:
    """`Much improved (2)`: the last GAIS of a day, with its published number."""
    if not keys:
        return DASH
    key = keys[-1]
    number = GAIS_NUMBERS.get(key)
    return f"{GAIS.label(key)} ({number})" if number else GAIS.label(key)


def _amendments(record: CourseRecord, amended: frozenset[uuid.UUID]) -> list[str]:
    """One line per entry of this course corrected after it was first recorded."""
    lines = []
    for n, t in enumerate(sorted(record.sessions, key=lambda t: t.date), 1):
        if t.id in amended:
            lines.append(f"Session {n} of {t.date.isoformat()} was corrected.")
    lines += [
        f"Check-in of {c.date.isoformat()} was corrected."
        for c in sorted(record.checkins, key=lambda c: c.date)
        if c.id in amended
    ]
    lines += [
        f"Review of {r.date.isoformat()} was corrected."
        for r in sorted(record.reviews, key=lambda r: r.date)
        if r.id in amended
    ]
    lines += [
        f"Photo of {p.taken_at.date().isoformat()} was re-filed."
        for p in sorted(record.photos, key=lambda p: p.taken_at)
        if p.id in amended
    ]
    if record.course.id in amended:
        lines.append("The course itself was edited.")
    if record.patient.id in amended:
        lines.append("The patient's details were edited.")
    return lines

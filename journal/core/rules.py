"""Clinical rules: intake screening warnings and red flags.

Both are safety information, so both follow two rules. They are worded as
warnings to raise with a provider, never as a diagnosis (the journal cannot
examine anyone). And they are derived from what the patient recorded, in one
place, so the CLI, the TUI, the exports and the score engine show the same
flags with the same dates and the same advice.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from journal.core.errors import InvalidValue
from journal.core.records import CheckIn, CourseRecord, Patient, Session
from journal.core.vocab import RED_FLAGS, SCREENING

# Derived red flags (the "call your doctor" signs a check-in can reveal by itself).
SWELLING_FLAG_DAY = 8  # swelling is expected for up to ~5 days; past a week it is a flag
BLEEDING_FLAG_DAY = 2  # pinpoint bleeding stops within hours; still bleeding on day 2 is not

_DERIVED_RULES: tuple[tuple[str, str, int], ...] = (
    ("swelling-over-week", "swelling", SWELLING_FLAG_DAY),
    ("bleeding-over-24h", "bleeding", BLEEDING_FLAG_DAY),
)
_DERIVED_SYMPTOM = {key: symptom for key, symptom, _ in _DERIVED_RULES}

REPORTED = "reported"
DERIVED = "derived"

_SCREENING_MESSAGES: dict[str, str] = {
    "pregnant-or-nursing": (
        "You said you are pregnant or nursing: microneedling is usually postponed until "
        "after pregnancy and nursing, so talk to your provider before booking."
    ),
    "active-skin-condition": (
        "You reported active acne, eczema, rosacea or psoriasis: needling over an active "
        "flare can spread or worsen it, so ask your provider whether to wait until it settles."
    ),
    "isotretinoin": (
        "You took isotretinoin in the last 6 months: skin may heal poorly for a while, "
        "so tell your provider, who may ask you to wait."
    ),
    "autoimmune": (
        "You reported lupus or vitiligo: skin injury can trigger new patches, "
        "so discuss it with your provider before treatment."
    ),
    "bleeding-risk": (
        "You take blood thinners or have a bleeding disorder: bleeding and bruising can be "
        "heavier, so tell your provider before treatment and do not stop a medicine on your own."
    ),
    "keloid-tendency": (
        "You tend to form keloid scars: needling can trigger them, "
        "so ask your provider whether microneedling suits your skin."
    ),
    "chemo-or-radiation": (
        "You have had chemotherapy or radiation: healing can be slower, "
        "so check with your care team and your provider first."
    ),
    "changing-moles": (
        "You have moles that change: have them checked by a dermatologist before treatment, "
        "and make sure they are never needled over."
    ),
    "cold-sores": (
        "You get cold sores: needling can set off an outbreak, "
        "so tell your provider and ask about an antiviral before treatment."
    ),
}

# The same screening answers in the words a provider reads them in (the provider
# summary's page 1); keys as in _SCREENING_MESSAGES, a custom answer gets
# PROVIDER_SCREENING_OTHER with its label.
PROVIDER_SCREENING: dict[str, str] = {
    "pregnant-or-nursing": "Pregnant or nursing: defer microneedling until after pregnancy "
    "and lactation.",
    "active-skin-condition": "Active acne, eczema, rosacea or psoriasis: do not needle active "
    "lesions; consider deferral until controlled.",
    "isotretinoin": "Isotretinoin within 6 months: risk of impaired healing and atypical "
    "scarring; consider deferral.",
    "autoimmune": "Lupus or vitiligo: risk of Koebner phenomenon; assess before treatment.",
    "bleeding-risk": "Anticoagulant or antiplatelet use, or a bleeding disorder: expect heavier "
    "bleeding and bruising; medication changes only with the prescriber.",
    "keloid-tendency": "History of keloid scarring: risk of keloid formation; assess suitability.",
    "chemo-or-radiation": "Chemotherapy or radiotherapy history: wound healing may be impaired; "
    "liaise with the oncology team.",
    "changing-moles": "Changing naevi: dermatological assessment before treatment; do not "
    "needle over pigmented lesions.",
    "cold-sores": "History of HSV (cold sores): consider antiviral prophylaxis.",
}
PROVIDER_SCREENING_OTHER = "{label}: patient answered yes at intake; review before treatment."

_DEFAULT_ADVICE = "Contact your provider about this now rather than waiting for your next visit."
_ADVICE: dict[str, str] = {
    "infection": (
        "Contact your provider today; seek urgent care if you have a fever or redness that spreads."
    ),
    "allergic-reaction": (
        "Contact your provider today; call emergency services if you have trouble breathing "
        "or swelling of the lips, tongue or throat."
    ),
    "bleeding-over-24h": (
        "Contact your provider: bleeding should stop within hours of a session, not days."
    ),
    "swelling-over-week": (
        "Contact your provider: swelling usually settles within about five days."
    ),
    "cold-sore": (
        "Contact your provider: a cold sore on freshly needled skin can spread and may need "
        "an antiviral."
    ),
}


@dataclass(frozen=True)
class ScreeningWarning:
    """One intake answer that a provider should hear about before treatment."""

    key: str
    label: str
    message: str


@dataclass(frozen=True)
class RedFlag:
    """A "call your provider" sign with the date it appeared.

    `source` says whether the patient reported it or the journal derived it from
    the recorded symptoms; `session_date` and `day` place it after a session
    (both None when it was reported before the first session).
    """

    date: dt.date
    key: str
    label: str
    source: str
    advice: str
    session_date: dt.date | None = None
    day: int | None = None
    detail: str = ""
    level: int | None = None  # the symptom level a derived flag came from
    note: str | None = None  # the patient's own note on the check-in that showed it

    def sentence(self) -> str:
        """The flag as a line a patient can read aloud to the clinic."""
        where = ""
        if self.session_date is not None and self.day is not None:
            where = f" (day {self.day} after the {self.session_date.isoformat()} session)"
        how = "reported" if self.source == REPORTED else f"derived from {self.detail}"
        return f"{self.label} on {self.date.isoformat()}{where}, {how}. {self.advice}"


def screening_warnings(patient: Patient) -> list[ScreeningWarning]:
    """One warning per screening answer, in the intake form's order.

    Custom answers (kept because the vocabulary is open) get a generic warning
    rather than being dropped: an unexpected answer is still worth mentioning.
    """
    seen: set[str] = set()
    known: list[ScreeningWarning] = []
    custom: list[ScreeningWarning] = []
    for raw in patient.screening:
        key = _screening_key(raw)
        if not key or key in seen:
            continue
        seen.add(key)
        label = SCREENING.label(key)
        if key in _SCREENING_MESSAGES:
            known.append(ScreeningWarning(key, label, _SCREENING_MESSAGES[key]))
        else:
            message = (
                f"You answered yes to '{label}': mention it to your provider before treatment."
            )
            custom.append(ScreeningWarning(key, label, message))
    order = {key: i for i, key in enumerate(SCREENING.keys)}
    known.sort(key=lambda w: order.get(w.key, len(order)))
    custom.sort(key=lambda w: w.key)
    return known + custom


def _screening_key(raw: str) -> str:
    """Canonical key of an answer; odd stored values are kept, never raised on."""
    try:
        return SCREENING.normalize(raw)
    except InvalidValue:
        return raw.strip()


@functools.lru_cache(maxsize=1024)
def _flag_label(key: str) -> str:
    """Cached: the score asks for the same few labels on every trend point."""
    return RED_FLAGS.label(key)


@functools.lru_cache(maxsize=1024)
def _flag_key(raw: str) -> str:
    """Canonical red flag key, so "pus" and "infection" are one flag (custom kept)."""
    try:
        return RED_FLAGS.normalize(raw)
    except InvalidValue:
        return raw.strip()


def advice_for(key: str) -> str:
    """The contact-your-provider sentence for a red flag key."""
    return _ADVICE.get(key, _DEFAULT_ADVICE)


def session_dates(sessions: Iterable[Session]) -> tuple[dt.date, ...]:
    """Distinct session dates in order: offsets are measured from dates, not rows."""
    return tuple(sorted({t.date for t in sessions}))


def session_on_or_before(dates: Sequence[dt.date], day: dt.date) -> dt.date | None:
    """The latest session on or before `day` (None before the first session).

    A check-in belongs to this session: its day offset is `day` minus this date.
    """
    index = bisect.bisect_right(dates, day)
    return dates[index - 1] if index else None


def checkin_flags(checkin: CheckIn, session: dt.date | None) -> tuple[RedFlag, ...]:
    """The flags one check-in shows on its own: what it reports and what it reveals.

    `session` is the latest session on or before the check-in (None before the
    first). Use `merge_flags` to de-duplicate the flags of many check-ins.
    """
    day = (checkin.date - session).days if session is not None else None
    flags: list[RedFlag] = []
    for raw in checkin.red_flags:
        key = _flag_key(raw)
        if key:
            label = _flag_label(key)
            flags.append(
                RedFlag(
                    checkin.date,
                    key,
                    label,
                    REPORTED,
                    advice_for(key),
                    session,
                    day,
                    note=checkin.notes,
                )
            )
    if session is None or day is None:
        return tuple(flags)
    for key, symptom, first_day in _DERIVED_RULES:
        level = checkin.symptoms.get(symptom, 0)
        if level > 0 and day >= first_day:
            detail = f"{symptom} {level}/10 on day {day}"
            label = _flag_label(key)
            flags.append(
                RedFlag(
                    checkin.date,
                    key,
                    label,
                    DERIVED,
                    advice_for(key),
                    session,
                    day,
                    detail,
                    level,
                    checkin.notes,
                )
            )
    return tuple(flags)


def merge_flags(flags: Iterable[RedFlag]) -> list[RedFlag]:
    """De-duplicate flags from many check-ins, oldest first.

    Reported flags are kept per (key, date) as the patient entered them. Derived
    flags are kept once per (key, session), at the first day they appear (the
    worst level on a tie): a patient checking in daily with lingering swelling
    has one problem, not seven. A derived flag the patient also reported after
    the same session is dropped, because the patient's own report already says it.
    """
    reported: dict[tuple[str, dt.date], RedFlag] = {}
    derived: dict[tuple[str, dt.date | None], RedFlag] = {}
    for flag in flags:
        if flag.source == REPORTED:
            reported.setdefault((flag.key, flag.date), flag)
            continue
        earlier = derived.get((flag.key, flag.session_date))
        if earlier is None or (flag.date, -(flag.level or 0)) < (
            earlier.date,
            -(earlier.level or 0),
        ):
            derived[(flag.key, flag.session_date)] = flag
    episodes = {(f.key, f.session_date) for f in reported.values()}
    merged = list(reported.values())
    merged += [flag for episode, flag in derived.items() if episode not in episodes]
    merged.sort(key=lambda f: (f.date, f.key, f.source))
    return merged


def red_flags_for(checkins: Iterable[CheckIn], dates: Sequence[dt.date]) -> list[RedFlag]:
    """Reported and derived flags of some check-ins, given the sorted session dates."""
    return merge_flags(
        flag
        for checkin in checkins
        for flag in checkin_flags(checkin, session_on_or_before(dates, checkin.date))
    )


def derive_red_flags(record: CourseRecord, as_of: dt.date | None = None) -> list[RedFlag]:
    """Every red flag of a course known on `as_of` (default: everything), oldest first."""
    sessions = [t for t in record.sessions if as_of is None or t.date <= as_of]
    checkins = [c for c in record.checkins if as_of is None or c.date <= as_of]
    return red_flags_for(checkins, session_dates(sessions))

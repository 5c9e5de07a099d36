"""The personal worth-it score of one course, with its reasons.

The score turns a patient's own series into the verdict RealSelf reviewers
already use (Worth It / Not Sure / Not Worth It) and says why, one sentence per
component. docs/scoring.md states every weight and threshold with its reason.
This module does the arithmetic and holds the result types;
`journal.core.score_text` writes the sentences from the `Facts` computed here.

Two design rules keep the score honest when data is missing:

* Things that can only hurt (symptoms, red flags, cost) count as absent until
  recorded. Recording one can then only lower the score, never raise it, so a
  patient cannot improve their score by writing down a side effect or a bill.
* Things that can go either way (concern ratings, GAIS, verdicts) sit at a
  neutral 50 until rated.

Every component therefore always has a value and the weights never change, so
each component is monotone in its inputs and so is the weighted total. What is
missing lowers `confidence` and is listed in `missing`; it never distorts the
arithmetic.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from journal.core.flags import FlagEpisode, episode_of, episodes
from journal.core.records import CheckIn, CourseRecord, PhotoMeasure, PhotoPair, Review, Session
from journal.core.rules import RedFlag, checkin_flags, merge_flags, session_on_or_before
from journal.core.vocab import CONCERNS, GAIS, GAIS_NUMBERS

# --- weights and verdict --------------------------------------------------------------

WEIGHTS: dict[str, float] = {
    "efficacy": 0.35,  # the reason anyone books a series
    "recovery": 0.10,  # real, but temporary
    "safety": 0.20,  # red flags weigh heavily
    "satisfaction": 0.20,  # the patient's own verdict, the RealSelf measure itself
    "value": 0.15,  # cost against improvement
}
COMPONENT_NAMES: tuple[str, ...] = tuple(WEIGHTS)
WORTH_IT_AT = 70
NOT_SURE_AT = 40

# --- efficacy -------------------------------------------------------------------------

MEANINGFUL_POINTS = 2.0  # a 2-point change on a 0-10 scale ...
MEANINGFUL_FRACTION = 0.30  # ... or a 30% change is the usual minimal meaningful change
NO_CHANGE_SCORE = 30.0  # an unchanged concern, like GAIS "no change"
MEANINGFUL_SCORE = 70.0  # exactly a meaningful improvement, like GAIS "improved"
NEUTRAL_SCORE = 50.0  # nothing rated yet: neither good nor bad
# Improvement beyond the meaningful mark approaches 100 with diminishing returns:
# score = 30 + 70 * (1 - exp(-k * units)) with k chosen so one unit gives 70.
_CURVE_K = math.log((100 - NO_CHANGE_SCORE) / (100 - MEANINGFUL_SCORE))  # = ln(7/3)
# By the published GAIS number: 1 very much improved ... 5 worse (journal.core.vocab).
GAIS_SCORES: dict[int, float] = {1: 100.0, 2: 85.0, 3: 70.0, 4: 30.0, 5: 0.0}
OBSERVER_SHARE = 0.65  # the provider's observer GAIS weighs more than the patient's
CONCERN_SHARE = 0.5  # concern ratings and global impression count equally

# --- recovery -------------------------------------------------------------------------

# Day after which a symptom is no longer part of the expected course.
EXPECTED_DAYS: dict[str, int] = {
    "redness": 2,  # 24-48 h
    "swelling": 5,  # up to about five days
    "bruising": 5,
    "bleeding": 0,  # pinpoint bleeding stops within hours
    "pain": 2,
    "itching": 3,
    "flaking": 5,  # peeling on days 2-5
    "tightness": 3,
    "sensitivity": 3,
}
DEFAULT_EXPECTED_DAYS = 3
TRACE_LEVEL = 1  # a 1/10 trace past the expected day is normal fading, not lingering
EXPECTED_DOWNTIME_DAYS = 3  # 1-3 days of downtime is the usual cost
PEAK_WEIGHT = 2.0  # burden points per point of the worst symptom (0-10)
LINGER_WEIGHT = 12.0  # per day a 10/10 symptom lasts past its expected day
DOWNTIME_WEIGHT = 4.0  # per downtime day within the expected 1-3
EXTRA_DOWNTIME_WEIGHT = 12.0  # per downtime day beyond three
WORST_SESSION_SHARE = 0.5  # the worst session counts half, the average the other half

# --- safety ---------------------------------------------------------------------------

FLAG_FACTOR = 0.5  # each kind of red flag halves safety
RECURRENCE_FACTOR = 0.8  # the same flag after another session costs a further 20%
LASTING_HARM_CAP = WORTH_IT_AT - 1  # such a course reads Not Sure at best

# --- satisfaction ---------------------------------------------------------------------

VERDICT_SCORES: dict[str, float] = {"worth-it": 100.0, "not-sure": 50.0, "not-worth-it": 0.0}
VERDICT_DECAY = 0.5  # each earlier verdict date weighs half as much as the next

# --- value ----------------------------------------------------------------------------

TYPICAL_SESSION_COST = (Decimal(100), Decimal(700))
# (cost per session, share of efficacy kept as value); linear in between.
AFFORDABILITY: tuple[tuple[float, float], ...] = ((100.0, 1.0), (700.0, 0.7), (1500.0, 0.4))

# --- confidence -----------------------------------------------------------------------

MIN_SESSIONS = 3  # scars and wrinkles need three or more sessions
MIN_FOLLOW_UP_DAYS = 90  # collagen remodelling takes 3-6 months
FIRM_AFTER_DAYS = 28  # no firm result before a rating four weeks after the first session

# --- measured change in photos (journal.services.evidence) ---------------------------------

# Measured improvement of a comparable, aligned photo pair takes this share of
# efficacy; the ratings keep the rest. A minority: photos taken at home measure
# light and camera as well as skin (docs/photo-measures.md), ratings do not.
PHOTO_SHARE = 0.25
# A follow-up photo counts only from four weeks after the first session, like a
# firm rating: before that, photos show the healing reaction, not the result.
PHOTO_AFTER_DAYS = FIRM_AFTER_DAYS

# --- the early window -----------------------------------------------------------------

# What a patient (or provider) rates in the first two weeks after a session is the
# acute wound-healing reaction (redness, swelling, then the flush of the
# proliferative phase), not the collagen result, which takes 3-6 months; such a
# rating counts toward recovery but not as efficacy (docs/scoring.md).
EARLY_WINDOW_DAYS = 14

# --- community benchmark --------------------------------------------------------------

BENCHMARK_SOURCE = "RealSelf"
BENCHMARK_WORTH_IT_PERCENT = 79
BENCHMARK_REVIEWS = 156
BENCHMARK_UPDATED = "Nov 2023"


# ======================================================================================
# Result types
# ======================================================================================


@dataclass(frozen=True)
class ConcernChange:
    """One concern's baseline (earliest rating) against its latest rating."""

    key: str
    label: str
    baseline: float
    latest: float
    baseline_date: dt.date
    latest_date: dt.date
    sessions: int  # sessions done by the latest rating
    meaningful: bool
    score: float

    @property
    def percent(self) -> int | None:
        """Signed change in percent of the baseline (None from a baseline of 0)."""
        if self.baseline <= 0:
            return None
        return round_half_up((self.latest - self.baseline) / self.baseline * 100)


@dataclass(frozen=True)
class PhotoFinding:
    """The photo pairs behind the measured part of efficacy, and its 0-100 score.

    `pairs` holds, per area, the latest comparable and aligned pair whose
    follow-up was taken `PHOTO_AFTER_DAYS` or more after the first session.
    """

    pairs: tuple[PhotoPair, ...]
    score: float
    ratings_efficacy: float  # efficacy from the ratings alone, before the photos' share


@dataclass(frozen=True)
class GaisRating:
    """The latest global improvement rating from one side (patient or observer)."""

    source: str  # patient | observer
    date: dt.date
    number: float  # published GAIS 1 (very much improved) - 5 (worse); mean of that day's
    label: str
    score: float


@dataclass(frozen=True)
class SessionRecovery:
    """How heavy the recovery after one session was, against the expected course."""

    session_date: dt.date
    burden: float
    peak: int
    peak_symptom: str | None
    peak_day: int | None
    downtime_days: int
    lingering_symptom: str | None
    lingering_level: int
    lingering_day: int | None
    rated: bool


@dataclass(frozen=True)
class ComponentScore:
    """One component as shown: its score, its weight and the sentence behind it.

    `has_data` is False when the component sits at its no-data value (neutral
    50 for efficacy and satisfaction, "nothing went wrong" for the others).
    """

    name: str
    score: int
    weight: float
    sentence: str
    has_data: bool


@dataclass(frozen=True)
class TrendPoint:
    """The score as it stood on a session date, from what was recorded by then."""

    date: dt.date
    score: int


@dataclass(frozen=True)
class Benchmark:
    """The community figure the personal verdict is compared with."""

    source: str
    worth_it_percent: int
    reviews: int
    updated: str
    verdict: str
    sentence: str


BASELINE, EARLY, COUNTED = "baseline", "early", "counted"


def rating_phase(sessions: Sequence[dt.date], day: dt.date) -> str:
    """Where a rating made on `day` falls against the (sorted) session dates.

    * `baseline`: before the first session, or on its date (a rating on a
      session's day is taken as made before the needling);
    * `early`: 1-13 days after the latest earlier session, the acute reaction;
    * `counted`: 14 days or more after it: a rating of the result.
    """
    index = bisect.bisect_left(sessions, day)  # sessions strictly before `day`
    if not index:
        return BASELINE
    return EARLY if (day - sessions[index - 1]).days < EARLY_WINDOW_DAYS else COUNTED


@dataclass(frozen=True)
class ScoreResult:
    """A course's score with everything needed to show and explain it.

    `components` carry each component's score, weight and sentence (the TUI and
    PDF show them as a table); `concerns` and `recovery` hold the per-concern
    and per-session detail behind the efficacy and recovery sentences.
    `to_dict()` gives the `score --json` document.
    """

    score: int
    verdict: str
    confidence: str
    components: tuple[ComponentScore, ...]
    explanation: tuple[str, ...]
    trend: tuple[TrendPoint, ...]
    flags: tuple[RedFlag, ...]
    benchmark: Benchmark
    missing: tuple[str, ...]
    as_of: dt.date | None
    capped: bool
    concerns: tuple[ConcernChange, ...]
    recovery: tuple[SessionRecovery, ...]
    firm_when: str | None = None  # for a provisional result: what would make it firm
    episodes: tuple[FlagEpisode, ...] = ()  # the flags with their ids and status
    photos: PhotoFinding | None = None  # measured change in photos, when it counts

    @property
    def provisional(self) -> bool:
        """A low-confidence result is provisional wherever it is shown."""
        return self.confidence == "low"

    def component(self, name: str) -> ComponentScore:
        for component in self.components:
            if component.name == name:
                return component
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """The `score --json` document (the contract in docs/architecture.md, plus details)."""
        return {
            "score": self.score,
            "verdict": self.verdict,
            "confidence": self.confidence,
            "provisional": self.provisional,
            "firm_when": self.firm_when,
            "components": {c.name: c.score for c in self.components},
            "details": [
                {"name": c.name, "score": c.score, "weight": c.weight, "sentence": c.sentence}
                for c in self.components
            ],
            "explanation": list(self.explanation),
            "trend": [{"date": p.date.isoformat(), "score": p.score} for p in self.trend],
            "flags": [_flag_dict(f, episode_of(self.episodes, f), self.as_of) for f in self.flags],
            "benchmark": {
                "source": self.benchmark.source,
                "worth_it_percent": self.benchmark.worth_it_percent,
                "reviews": self.benchmark.reviews,
                "updated": self.benchmark.updated,
                "sentence": self.benchmark.sentence,
            },
            "missing": list(self.missing),
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "capped": self.capped,
            "photo_evidence": _photo_dict(self.photos),
        }


def _photo_dict(finding: PhotoFinding | None) -> dict[str, Any] | None:
    if finding is None:
        return None
    return {
        "share": PHOTO_SHARE,
        "score": round(finding.score, 1),
        "pairs": [
            {
                "area": pair.area,
                "baseline_date": pair.baseline_date.isoformat(),
                "follow_up_date": pair.follow_up_date.isoformat(),
                "measures": [
                    {
                        "name": m.name,
                        "baseline": m.baseline,
                        "follow_up": m.follow_up,
                        "uncertainty": m.uncertainty,
                        "score": round(measure_score(m), 1),
                    }
                    for m in pair.measures
                ],
            }
            for pair in finding.pairs
        ],
    }


def _flag_dict(flag: RedFlag, episode: FlagEpisode | None, as_of: dt.date | None) -> dict[str, Any]:
    review = episode.review if episode else None
    return {
        "date": flag.date.isoformat(),
        "key": flag.key,
        "label": flag.label,
        "source": flag.source,
        "advice": flag.advice,
        "session_date": flag.session_date.isoformat() if flag.session_date else None,
        "day": flag.day,
        "detail": flag.detail,
        "flag_id": str(episode.id) if episode else None,
        "status": episode.status_on(as_of) if episode else "open",
        "seen_by": review.seen_by if review else None,
        "resolved_on": (review.resolved_on.isoformat() if review and review.resolved_on else None),
        "lasting": review.lasting if review else None,
    }


# ======================================================================================
# Public entry points
# ======================================================================================


def score_course(record: CourseRecord, *, as_of: dt.date | None = None) -> ScoreResult:
    """Score a course from the records dated on or before `as_of` (default: all)."""
    from journal.core import score_text  # imported here: the sentences import this module

    timeline = _Timeline.build(record)
    facts = _evaluate(timeline, as_of)
    by_date = {day: _evaluate(timeline, day).score for day in set(facts.trend_dates)}
    trend = tuple(TrendPoint(day, by_date[day]) for day in facts.trend_dates)
    components = _components(facts)
    explanation = [c.sentence for c in components]
    if facts.photos is not None:
        explanation.append(score_text.photo_sentence(facts))
    if facts.capped:
        explanation.append(score_text.cap_sentence(facts))
    confidence = _confidence(facts)
    firm_when = score_text.firm_sentence(facts) if confidence == "low" else None
    if firm_when:
        explanation.append(firm_when)
    return ScoreResult(
        score=facts.score,
        verdict=facts.verdict,
        confidence=confidence,
        components=components,
        explanation=tuple(explanation),
        trend=trend,
        flags=facts.flags,
        benchmark=benchmark_for(facts.verdict),
        missing=tuple(score_text.missing(facts)),
        as_of=as_of,
        capped=facts.capped,
        concerns=facts.concerns,
        recovery=facts.recoveries,
        firm_when=firm_when,
        episodes=facts.episodes,
        photos=facts.photos,
    )


def verdict_for(score: int) -> str:
    """Map a 0-100 score to the RealSelf vocabulary."""
    if score >= WORTH_IT_AT:
        return "worth-it"
    if score >= NOT_SURE_AT:
        return "not-sure"
    return "not-worth-it"


def benchmark_for(verdict: str) -> Benchmark:
    """The community figure next to a personal verdict, with the sentence comparing them."""
    from journal.core import score_text

    return Benchmark(
        BENCHMARK_SOURCE,
        BENCHMARK_WORTH_IT_PERCENT,
        BENCHMARK_REVIEWS,
        BENCHMARK_UPDATED,
        verdict,
        score_text.benchmark_sentence(verdict),
    )


# ======================================================================================
# The course laid out on a timeline once, then read as of any date
# ======================================================================================


@dataclass(frozen=True)
class _Timeline:
    """Records sorted by date once, so each `as_of` view is a prefix (a bisect).

    Sorting with the id as a tie-breaker is what makes the score independent
    of the order the records arrive in.
    """

    sessions: tuple[Session, ...]
    session_dates: tuple[dt.date, ...]
    checkins: tuple[CheckIn, ...]
    checkin_dates: tuple[dt.date, ...]
    reviews: tuple[Review, ...]
    review_dates: tuple[dt.date, ...]
    aftercare: tuple[_Aftercare, ...]
    aftercare_dates: tuple[dt.date, ...]
    flags: tuple[RedFlag, ...]  # per check-in, before de-duplication
    flag_dates: tuple[dt.date, ...]
    episodes: tuple[FlagEpisode, ...]  # the flags with their status, oldest first
    rated: tuple[CheckIn, ...]  # check-ins that rate the outcome (concern, GAIS, verdict)
    rated_dates: tuple[dt.date, ...]
    rated_phases: tuple[str, ...]  # baseline / early / counted, one per rated check-in
    review_phases: tuple[str, ...]
    complete_recoveries: dict[dt.date, SessionRecovery]
    photo_pairs: tuple[PhotoPair, ...] = ()  # comparable and aligned, by follow-up date
    photo_dates: tuple[dt.date, ...] = ()

    @classmethod
    def build(cls, record: CourseRecord) -> _Timeline:
        """Sort once and read each check-in once.

        A check-in's session (the latest one on or before it) is the same in
        every as-of view that contains the check-in, so what it says about
        recovery and red flags is worked out here, not once per trend point.
        """
        sessions = tuple(sorted(record.sessions, key=lambda t: (t.date, str(t.id))))
        checkins = tuple(sorted(record.checkins, key=lambda c: (c.date, str(c.id))))
        reviews = tuple(sorted(record.reviews, key=lambda r: (r.date, str(r.id))))
        dates = tuple(sorted({t.date for t in sessions}))
        aftercare: list[_Aftercare] = []
        flags: list[RedFlag] = []
        for checkin in checkins:
            session = session_on_or_before(dates, checkin.date)
            flags.extend(checkin_flags(checkin, session))
            if session is not None and (checkin.symptoms or checkin.downtime is not None):
                aftercare.append(_Aftercare.of(checkin, session))
        rated = tuple(c for c in checkins if _rates_outcome(c))
        # Only comparable, aligned pairs can count; sorted so the latest per area wins.
        pairs = tuple(
            sorted(
                (p for p in record.photo_pairs if p.comparable and p.aligned and p.measures),
                key=lambda p: (
                    p.follow_up_date,
                    p.area,
                    p.baseline_date,
                    tuple((m.name, m.baseline, m.follow_up, m.uncertainty) for m in p.measures),
                ),
            )
        )
        # A rating's phase depends only on the sessions before it, which every
        # as-of view that holds the rating also holds: worked out once here.
        return cls(
            sessions,
            tuple(t.date for t in sessions),
            checkins,
            tuple(c.date for c in checkins),
            reviews,
            tuple(r.date for r in reviews),
            tuple(aftercare),
            tuple(a.date for a in aftercare),
            tuple(flags),
            tuple(f.date for f in flags),
            tuple(episodes(record.course.id, flags, {r.flag_id: r for r in record.flag_reviews})),
            rated,
            tuple(c.date for c in rated),
            tuple(rating_phase(dates, c.date) for c in rated),
            tuple(rating_phase(dates, r.date) for r in reviews),
            {s.session_date: s for s in _session_recoveries(aftercare, dates)},
            photo_pairs=pairs,
            photo_dates=tuple(p.follow_up_date for p in pairs),
        )

    def recoveries(
        self, dates: tuple[dt.date, ...], as_of: dt.date | None
    ) -> tuple[SessionRecovery, ...]:
        """Per-session recovery as of a date.

        Every session but the latest in view already has all its check-ins (they
        come before the next session), so only the latest is recomputed.
        """
        if not dates:
            return ()
        if as_of is None:
            return tuple(self.complete_recoveries[d] for d in dates)
        last = dates[-1]
        start = bisect.bisect_left(self.aftercare_dates, last)
        end = bisect.bisect_right(self.aftercare_dates, as_of)
        (partial,) = _session_recoveries(self.aftercare[start:end], (last,))
        return (*(self.complete_recoveries[d] for d in dates[:-1]), partial)


@dataclass(frozen=True)
class _Aftercare:
    """What one check-in says about the recovery from its session."""

    date: dt.date
    session: dt.date
    downtime_days: int  # days of downtime this check-in shows (0: none or not said)
    peak: tuple[int, int, str] | None  # (level, -day, symptom) of its worst symptom
    linger: tuple[tuple[str, tuple[float, int, int]], ...]  # symptom -> (excess, level, day)

    @classmethod
    def of(cls, checkin: CheckIn, session: dt.date) -> _Aftercare:
        day = (checkin.date - session).days
        peak: tuple[int, int, str] | None = None
        linger: list[tuple[str, tuple[float, int, int]]] = []
        for symptom, level in checkin.symptoms.items():
            if level <= 0:
                continue
            candidate = (level, -day, symptom)
            peak = candidate if peak is None else max(peak, candidate)
            excess_days = day - EXPECTED_DAYS.get(symptom, DEFAULT_EXPECTED_DAYS)
            if excess_days > 0 and level > TRACE_LEVEL:
                linger.append((symptom, (excess_days * level / 10, level, day)))
        downtime = day + 1 if checkin.downtime else 0
        return cls(checkin.date, session, downtime, peak, tuple(linger))


def _rates_outcome(checkin: CheckIn) -> bool:
    """Does this check-in say anything about results (not just recovery)?"""
    return (
        bool(checkin.concerns) or checkin.gais in GAIS_NUMBERS or checkin.verdict in VERDICT_SCORES
    )


def _upto(items: tuple[Any, ...], dates: tuple[dt.date, ...], as_of: dt.date | None) -> Any:
    return items if as_of is None else items[: bisect.bisect_right(dates, as_of)]


@dataclass(frozen=True)
class Facts:
    """Everything computed for one as-of date; sentences are written from this."""

    sessions: tuple[Session, ...]
    session_dates: tuple[dt.date, ...]
    trend_dates: tuple[dt.date, ...]
    concerns: tuple[ConcernChange, ...]
    baseline_only: tuple[tuple[str, float, dt.date], ...]
    patient_gais: GaisRating | None
    observer_gais: GaisRating | None
    efficacy: float
    efficacy_rated: bool
    recoveries: tuple[SessionRecovery, ...]
    recovery: float
    recovery_rated: bool
    flags: tuple[RedFlag, ...]
    episodes: tuple[FlagEpisode, ...]  # the same flags grouped, with their status on as_of
    safety_rated: bool
    safety: float
    capped: bool
    verdicts: tuple[tuple[dt.date, float], ...]
    latest_verdict: str | None
    satisfaction: float
    costs_known: int
    total_cost: Decimal
    currencies: tuple[str, ...]
    per_session_cost: float
    value: float
    follow_up_days: int | None
    early_set_aside: int  # concern and GAIS ratings inside the early window, not counted
    no_baseline: tuple[str, ...]  # concerns rated after treatment but never before it
    firm: bool  # a counted rating made FIRM_AFTER_DAYS or more after the first session
    total: float
    score: int
    verdict: str
    as_of: dt.date | None = None
    photos: PhotoFinding | None = None


def _evaluate(timeline: _Timeline, as_of: dt.date | None) -> Facts:
    sessions = _upto(timeline.sessions, timeline.session_dates, as_of)
    checkins = _upto(timeline.rated, timeline.rated_dates, as_of)  # outcome ratings only
    phases = timeline.rated_phases[: len(checkins)]
    reviews = _upto(timeline.reviews, timeline.review_dates, as_of)
    review_phases = timeline.review_phases[: len(reviews)]
    baseline = [c for c, p in zip(checkins, phases, strict=True) if p == BASELINE]
    counted = [c for c, p in zip(checkins, phases, strict=True) if p == COUNTED]
    counted_reviews = [r for r, p in zip(reviews, review_phases, strict=True) if p == COUNTED]
    early_set_aside = sum(
        len(c.concerns) + (c.gais in GAIS_NUMBERS)
        for c, p in zip(checkins, phases, strict=True)
        if p == EARLY
    ) + sum(1 for r, p in zip(reviews, review_phases, strict=True) if p == EARLY and r.gais)
    dates = tuple(sorted({t.date for t in sessions}))
    recorded = (
        bisect.bisect_right(timeline.checkin_dates, as_of) if as_of else len(timeline.checkin_dates)
    )
    recorded_after_first = (
        recorded - bisect.bisect_left(timeline.checkin_dates, dates[0]) if dates else 0
    )

    concerns, baseline_only, no_baseline = _concern_changes(baseline, counted, dates)
    patient_gais = _latest_gais("patient", [(c.date, c.gais) for c in counted])
    observer_gais = _latest_gais("observer", [(r.date, r.gais) for r in counted_reviews])
    efficacy, efficacy_rated = _efficacy(concerns, patient_gais, observer_gais)
    photos = _photo_finding(
        _upto(timeline.photo_pairs, timeline.photo_dates, as_of), dates, efficacy
    )
    if photos is not None:
        efficacy = (1 - PHOTO_SHARE) * efficacy + PHOTO_SHARE * photos.score

    recoveries = timeline.recoveries(dates, as_of)
    recovery = _recovery(recoveries)

    flags = tuple(merge_flags(_upto(timeline.flags, timeline.flag_dates, as_of)))
    safety = _safety(flags)
    known_flags = tuple(e for e in timeline.episodes if as_of is None or e.first <= as_of)
    capped_possible = any(e.holds_cap(as_of) for e in known_flags)

    verdicts = _verdicts_by_date(checkins)
    satisfaction = _satisfaction(verdicts)
    latest_verdict = _latest_verdict_key(checkins)

    known = [t for t in sessions if t.cost is not None]
    total_cost = sum((t.cost for t in known if t.cost is not None), Decimal(0))
    per_session = float(total_cost) / len(sessions) if sessions else 0.0
    value = efficacy * _affordability(per_session)

    parts = {
        "efficacy": efficacy,
        "recovery": recovery,
        "safety": safety,
        "satisfaction": satisfaction,
        "value": value,
    }
    total = math.fsum(WEIGHTS[name] * parts[name] for name in COMPONENT_NAMES)
    score = _clamp_int(total)
    capped = capped_possible and score > LASTING_HARM_CAP
    if capped_possible:
        score = min(score, LASTING_HARM_CAP)
    return Facts(
        sessions=sessions,
        session_dates=dates,
        trend_dates=tuple(t.date for t in sessions),
        concerns=concerns,
        baseline_only=baseline_only,
        patient_gais=patient_gais,
        observer_gais=observer_gais,
        efficacy=efficacy,
        efficacy_rated=efficacy_rated,
        recoveries=recoveries,
        recovery=recovery,
        recovery_rated=any(s.rated for s in recoveries),
        flags=flags,
        episodes=known_flags,
        safety_rated=bool(flags) or recorded_after_first > 0,
        safety=safety,
        capped=capped,
        verdicts=verdicts,
        latest_verdict=latest_verdict,
        satisfaction=satisfaction,
        costs_known=len(known),
        total_cost=total_cost,
        currencies=tuple(sorted({(t.currency or "USD").upper() for t in known})),
        per_session_cost=per_session,
        value=value,
        follow_up_days=_follow_up_days(counted, counted_reviews, dates),
        early_set_aside=early_set_aside,
        no_baseline=no_baseline,
        firm=_firm(counted, counted_reviews, dates),
        total=total,
        score=score,
        verdict=verdict_for(score),
        as_of=as_of,
        photos=photos,
    )


# ======================================================================================
# Components
# ======================================================================================


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values)


def round_half_up(value: float) -> int:
    """Round half up: Python's round() rounds half to even, which surprises readers."""
    return math.floor(value + 0.5)


def _clamp(value: float) -> float:
    return min(100.0, max(0.0, value))


def _clamp_int(value: float) -> int:
    return min(100, max(0, round_half_up(value)))


def _change_units(baseline: float, latest: float) -> float:
    """How many "meaningful changes" separate two ratings (2 points or 30%, whichever
    is reached first): 1.0 is exactly the threshold, the sign is lost on purpose."""
    step = abs(baseline - latest)
    relative = step / baseline if baseline > 0 else (math.inf if step else 0.0)
    return max(step / MEANINGFUL_POINTS, relative / MEANINGFUL_FRACTION)


def concern_score(baseline: float, latest: float) -> float:
    """0-100 for one concern: 30 unchanged, 70 at a meaningful drop, toward 100 at
    full clearance; a meaningful worsening scores 0. Lower latest is never worse."""
    units = _change_units(baseline, latest)
    if latest < baseline:
        return NO_CHANGE_SCORE + (100 - NO_CHANGE_SCORE) * (1 - math.exp(-_CURVE_K * units))
    return NO_CHANGE_SCORE * (1 - min(1.0, units))


def _by_concern(checkins: Sequence[CheckIn]) -> dict[str, dict[dt.date, list[int]]]:
    by_concern: dict[str, dict[dt.date, list[int]]] = {}
    for checkin in checkins:
        for key, level in checkin.concerns.items():
            by_concern.setdefault(key, {}).setdefault(checkin.date, []).append(level)
    return by_concern


def _concern_changes(
    baseline: Sequence[CheckIn], counted: Sequence[CheckIn], dates: Sequence[dt.date]
) -> tuple[tuple[ConcernChange, ...], tuple[tuple[str, float, dt.date], ...], tuple[str, ...]]:
    """Per concern, the baseline (the last rating before the first session) against
    the latest rating made 14 days or more after a session.

    Ratings inside the early window never reach this function. Several ratings
    of one concern on one day are averaged, so no rating is silently preferred
    over another that happens to be stored later. Returns the changes, the
    concerns with a baseline only, and those rated after treatment with no
    baseline (their change cannot be measured).
    """
    before = _by_concern(baseline)
    after = _by_concern(counted)
    changes: list[ConcernChange] = []
    baseline_only: list[tuple[str, float, dt.date]] = []
    for key in sorted(before):
        by_day = before[key]
        first = max(by_day)  # the rating closest to the start of treatment
        start = sum(by_day[first]) / len(by_day[first])
        if key not in after:
            baseline_only.append((key, start, first))
            continue
        last = max(after[key])
        latest = sum(after[key][last]) / len(after[key][last])
        baseline_value = start
        changes.append(
            ConcernChange(
                key=key,
                label=_concern_label(key),
                baseline=baseline_value,
                latest=latest,
                baseline_date=first,
                latest_date=last,
                sessions=bisect.bisect_right(dates, last),
                meaningful=latest < baseline_value and _change_units(baseline_value, latest) >= 1,
                score=concern_score(baseline_value, latest),
            )
        )
    no_baseline = tuple(sorted(set(after) - set(before)))
    return tuple(changes), tuple(baseline_only), no_baseline


@functools.lru_cache(maxsize=1024)
def _concern_label(key: str) -> str:
    """Cached: the same few concerns are labelled on every trend point."""
    return CONCERNS.label(key)


def gais_score(number: float) -> float:
    """Map a mean published GAIS number (1 best - 5 worse) onto 0-100, linear between
    the anchors: a lower number is a better rating and never scores less."""
    low = max(1, min(4, math.floor(number)))
    fraction = number - low
    return GAIS_SCORES[low] + (GAIS_SCORES[low + 1] - GAIS_SCORES[low]) * fraction


def _latest_gais(source: str, ratings: list[tuple[dt.date, str | None]]) -> GaisRating | None:
    rated = [(day, GAIS_NUMBERS[key]) for day, key in ratings if key in GAIS_NUMBERS]
    if not rated:
        return None
    last = max(day for day, _ in rated)
    number = _mean([n for day, n in rated if day == last])
    # A mean halfway between two grades is labelled with the more modest one.
    label_key = next(k for k, n in GAIS_NUMBERS.items() if n == round_half_up(number))
    return GaisRating(source, last, number, GAIS.label(label_key), gais_score(number))


def _efficacy(
    concerns: Sequence[ConcernChange],
    patient: GaisRating | None,
    observer: GaisRating | None,
) -> tuple[float, bool]:
    if patient and observer:
        gais: float | None = OBSERVER_SHARE * observer.score + (1 - OBSERVER_SHARE) * patient.score
    else:
        gais = observer.score if observer else patient.score if patient else None
    concern = _mean([c.score for c in concerns]) if concerns else None
    if concern is not None and gais is not None:
        return CONCERN_SHARE * concern + (1 - CONCERN_SHARE) * gais, True
    if concern is not None:
        return concern, True
    if gais is not None:
        return gais, True
    return NEUTRAL_SCORE, False


def measure_score(measure: PhotoMeasure) -> float:
    """0-100 for one photo measure, on the concern scale: 30 unchanged, 70 at a meaningful
    improvement, toward 100 beyond; a meaningful worsening scores 0.

    Only the part of the change beyond the measure's no-change uncertainty
    counts (noise is no change), and a meaningful change is 30% of the
    baseline (MEANINGFUL_FRACTION, as for a concern), or the uncertainty when
    the baseline is tiny. More measured improvement never scores less.
    """
    change = measure.follow_up - measure.baseline
    improvement = -change if measure.lower_is_better else change
    beyond = max(0.0, abs(improvement) - measure.uncertainty)
    unit = max(MEANINGFUL_FRACTION * abs(measure.baseline), measure.uncertainty, 1e-9)
    units = beyond / unit
    if improvement > 0:
        return NO_CHANGE_SCORE + (100 - NO_CHANGE_SCORE) * (1 - math.exp(-_CURVE_K * units))
    return NO_CHANGE_SCORE * (1 - min(1.0, units))


def _photo_finding(
    pairs: Sequence[PhotoPair], dates: Sequence[dt.date], ratings_efficacy: float
) -> PhotoFinding | None:
    """The latest qualifying pair per area and their mean score (None: no pair counts).

    A pair qualifies when its follow-up was taken PHOTO_AFTER_DAYS or more
    after the first session (the caller passes comparable, aligned pairs
    only). Each pair scores the mean of its measures; areas count equally.
    """
    if not dates:
        return None
    due = dates[0] + dt.timedelta(days=PHOTO_AFTER_DAYS)
    latest: dict[str, PhotoPair] = {}
    for pair in pairs:
        if pair.follow_up_date >= due:
            latest[pair.area] = pair  # sorted by date: the last one wins
    if not latest:
        return None
    chosen = tuple(latest[area] for area in sorted(latest))
    score = _mean([_mean([measure_score(m) for m in pair.measures]) for pair in chosen])
    return PhotoFinding(chosen, score, ratings_efficacy)


def _session_recoveries(
    aftercare: Sequence[_Aftercare], dates: Sequence[dt.date]
) -> tuple[SessionRecovery, ...]:
    """Burden after each session from the check-ins that belong to it.

    Each part is a maximum or a sum of non-negative terms, so a worse or a
    later symptom can only add burden.
    """
    peak: dict[dt.date, tuple[int, int, str]] = {}
    linger: dict[dt.date, dict[str, tuple[float, int, int]]] = {}
    downtime: dict[dt.date, int] = {}
    rated: set[dt.date] = set()
    for item in aftercare:
        session = item.session
        rated.add(session)
        if item.downtime_days > downtime.get(session, 0):
            downtime[session] = item.downtime_days
        if item.peak is not None:
            peak[session] = max(peak.get(session, item.peak), item.peak)
        for symptom, candidate in item.linger:
            per_symptom = linger.setdefault(session, {})
            per_symptom[symptom] = max(per_symptom.get(symptom, candidate), candidate)
    return tuple(
        _session_recovery(
            session,
            peak.get(session),
            linger.get(session, {}),
            downtime.get(session, 0),
            session in rated,
        )
        for session in dates
    )


def _session_recovery(
    session: dt.date,
    peak: tuple[int, int, str] | None,
    linger: dict[str, tuple[float, int, int]],
    downtime_days: int,
    rated: bool,
) -> SessionRecovery:
    level = peak[0] if peak else 0
    lingering = math.fsum(linger[s][0] for s in sorted(linger))
    burden = (
        PEAK_WEIGHT * level
        + LINGER_WEIGHT * lingering
        + DOWNTIME_WEIGHT * min(downtime_days, EXPECTED_DOWNTIME_DAYS)
        + EXTRA_DOWNTIME_WEIGHT * max(0, downtime_days - EXPECTED_DOWNTIME_DAYS)
    )
    worst = max(linger.items(), key=lambda item: (item[1], item[0]), default=None)
    return SessionRecovery(
        session_date=session,
        burden=burden,
        peak=level,
        peak_symptom=peak[2] if peak else None,
        peak_day=-peak[1] if peak else None,
        downtime_days=downtime_days,
        lingering_symptom=worst[0] if worst else None,
        lingering_level=worst[1][1] if worst else 0,
        lingering_day=worst[1][2] if worst else None,
        rated=rated,
    )


def _recovery(sessions: Sequence[SessionRecovery]) -> float:
    """100 minus the course burden: half the worst session, half the average one.

    Sessions without check-ins count as uneventful (burden 0): a side effect
    nobody wrote down cannot be scored, and `missing` asks for it instead.
    """
    if not sessions:
        return 100.0
    burdens = [s.burden for s in sessions]
    worst = max(burdens)
    average = _mean(burdens)
    return _clamp(100 - (WORST_SESSION_SHARE * worst + (1 - WORST_SESSION_SHARE) * average))


def _safety(flags: Sequence[RedFlag]) -> float:
    """Halve safety for every kind of flag, and a bit more when one recurs.

    Episodes are (flag, session) pairs, so a flag reported on three days after
    one session is one episode, while the same flag after two sessions is two.
    """
    episodes: dict[str, set[dt.date | None]] = {}
    for flag in flags:
        episodes.setdefault(flag.key, set()).add(flag.session_date)
    factor = 1.0
    for key in sorted(episodes):
        factor *= FLAG_FACTOR * RECURRENCE_FACTOR ** (len(episodes[key]) - 1)
    return 100.0 * factor


def _verdicts_by_date(checkins: Sequence[CheckIn]) -> tuple[tuple[dt.date, float], ...]:
    by_day: dict[dt.date, list[float]] = {}
    for checkin in checkins:
        if checkin.verdict in VERDICT_SCORES:
            by_day.setdefault(checkin.date, []).append(VERDICT_SCORES[checkin.verdict])
    return tuple((day, _mean(sorted(by_day[day]))) for day in sorted(by_day))


def _latest_verdict_key(checkins: Sequence[CheckIn]) -> str | None:
    """The latest verdict for the sentence; on a tie the least favourable, to be modest."""
    rated = [
        (c.date, -VERDICT_SCORES[verdict], verdict)
        for c in checkins
        if (verdict := c.verdict) in VERDICT_SCORES and verdict is not None
    ]
    return max(rated)[2] if rated else None


def _satisfaction(verdicts: Sequence[tuple[dt.date, float]]) -> float:
    """Recency-weighted mean of the verdicts: the latest date weighs most."""
    if not verdicts:
        return NEUTRAL_SCORE
    count = len(verdicts)
    weights = [VERDICT_DECAY ** (count - 1 - i) for i in range(count)]
    return math.fsum(w * v for w, (_, v) in zip(weights, verdicts, strict=True)) / math.fsum(
        weights
    )


def _affordability(per_session: float) -> float:
    """Share of the efficacy kept as value at a given cost per session."""
    points = AFFORDABILITY
    if per_session <= points[0][0]:
        return points[0][1]
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        if per_session <= x1:
            return y0 + (y1 - y0) * (per_session - x0) / (x1 - x0)
    return points[-1][1]


def _follow_up_days(
    checkins: Sequence[CheckIn], reviews: Sequence[Review], dates: Sequence[dt.date]
) -> int | None:
    """Days from the first session to the latest outcome rating, if any."""
    if not dates:
        return None
    rated = [c.date for c in checkins if _rates_outcome(c)]
    rated += [r.date for r in reviews if r.gais in GAIS_NUMBERS or r.goodman_baron]
    if not rated:
        return None
    return max(0, (max(rated) - dates[0]).days)


def _firm(counted: Sequence[CheckIn], reviews: Sequence[Review], dates: Sequence[dt.date]) -> bool:
    """Is there a rating of the result (outside the early window) made four weeks or
    more after the first session? Until then the result is provisional."""
    if not dates:
        return False
    due = dates[0] + dt.timedelta(days=FIRM_AFTER_DAYS)
    return any(c.date >= due for c in counted) or any(
        r.date >= due for r in reviews if r.gais in GAIS_NUMBERS or r.goodman_baron
    )


def _components(facts: Facts) -> tuple[ComponentScore, ...]:
    """Each component's score and weight, with the sentence `score_text` writes for it."""
    from journal.core import score_text

    values = {
        "efficacy": (facts.efficacy, score_text.efficacy_sentence(facts), facts.efficacy_rated),
        "recovery": (facts.recovery, score_text.recovery_sentence(facts), facts.recovery_rated),
        "safety": (facts.safety, score_text.safety_sentence(facts), facts.safety_rated),
        "satisfaction": (
            facts.satisfaction,
            score_text.satisfaction_sentence(facts),
            bool(facts.verdicts),
        ),
        "value": (
            facts.value,
            score_text.value_sentence(facts),
            facts.costs_known > 0 and facts.efficacy_rated,
        ),
    }
    return tuple(
        ComponentScore(name, _clamp_int(values[name][0]), WEIGHTS[name], *values[name][1:])
        for name in COMPONENT_NAMES
    )


# ======================================================================================
# Confidence (what is missing is said in journal.core.score_text)
# ======================================================================================


def _confidence(facts: Facts) -> str:
    """low / medium / high from sessions, follow-up time and how much was rated."""
    outcome_rated = facts.efficacy_rated or bool(facts.verdicts)
    if not facts.sessions or not outcome_rated or not facts.firm:
        return "low"
    rated = sum(
        (
            facts.efficacy_rated,
            facts.recovery_rated,
            bool(facts.verdicts),
            facts.costs_known > 0,
        )
    )
    enough_sessions = len(facts.sessions) >= MIN_SESSIONS
    long_enough = (facts.follow_up_days or 0) >= MIN_FOLLOW_UP_DAYS
    if enough_sessions and long_enough and facts.efficacy_rated and rated >= 3:
        return "high"
    return "medium"

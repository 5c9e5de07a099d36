"""The sentences that explain a worth-it score: one per component, the cap, what is missing.

`journal.core.score` does the arithmetic and hands each as-of date's `Facts`
here; nothing in this module changes a number, so wording can be edited (or
translated) without touching the score, and the arithmetic can be read without
the prose. docs/scoring.md quotes these sentences and its worked example is
held true by tests/core/test_scoring_doc.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from journal.core.flags import episode_of
from journal.core.records import OPEN, RESOLVED, SEEN
from journal.core.score import (
    BENCHMARK_REVIEWS,
    BENCHMARK_SOURCE,
    BENCHMARK_UPDATED,
    BENCHMARK_WORTH_IT_PERCENT,
    DEFAULT_EXPECTED_DAYS,
    EARLY_WINDOW_DAYS,
    EXPECTED_DAYS,
    EXPECTED_DOWNTIME_DAYS,
    FIRM_AFTER_DAYS,
    LASTING_HARM_CAP,
    MIN_FOLLOW_UP_DAYS,
    MIN_SESSIONS,
    PHOTO_AFTER_DAYS,
    PHOTO_SHARE,
    TYPICAL_SESSION_COST,
    round_half_up,
)
from journal.core.vocab import CONCERNS, VERDICTS, reads_plural

if TYPE_CHECKING:
    from journal.core.records import PhotoMeasure
    from journal.core.rules import RedFlag
    from journal.core.score import ConcernChange, Facts

#: What measured change in photos cannot see, said with every photo sentence.
PHOTO_LIMITS = (
    "photos measure the light, makeup and camera as well as the skin, so only changes "
    "beyond each measure's uncertainty count"
)


def benchmark_sentence(verdict: str) -> str:
    """Say plainly how a personal verdict sits next to the community figure."""
    crowd = f"{BENCHMARK_WORTH_IT_PERCENT}% of {BENCHMARK_REVIEWS} {BENCHMARK_SOURCE} reviewers"
    when = f"(page updated {BENCHMARK_UPDATED})"
    if verdict == "worth-it":
        return f"Your series reads Worth It, like {crowd} {when}."
    if verdict == "not-sure":
        return f"Your series reads Not Sure so far; {crowd} rated microneedling Worth It {when}."
    return (
        f"Your series reads Not Worth It, unlike the {crowd} "
        f"who rated microneedling Worth It {when}."
    )


def _number(value: float) -> str:
    """7 reads as 7, an average of two ratings as 6.5."""
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _concern_phrase(change: ConcernChange, first: bool) -> str:
    """ "Acne scars went from 7 to 3 (-57%)"; later concerns drop the verb."""
    if change.percent is None:
        delta = change.latest - change.baseline
        how = f"{'+' if delta > 0 else ''}{_number(delta)} points"
    else:
        how = f"{'+' if change.percent > 0 else ''}{change.percent}%"
    if not change.meaningful and change.latest < change.baseline:
        how += ", below the 2-point or 30% mark of a meaningful change"
    lead = f"{change.label} went from" if first else f"{change.label.lower()} from"
    return f"{lead} {_number(change.baseline)} to {_number(change.latest)} ({how})"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _join(parts: Sequence[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def efficacy_sentence(facts: Facts) -> str:
    clauses: list[str] = []
    if facts.concerns:
        phrases = [_concern_phrase(c, i == 0) for i, c in enumerate(facts.concerns)]
        sessions = max(c.sessions for c in facts.concerns)
        clauses.append(f"{_join(phrases)} over {_plural(sessions, 'session')}")
    gais: list[str] = []
    if facts.patient_gais:
        gais.append(f"you rate the overall change {facts.patient_gais.label.lower()}")
    if facts.observer_gais:
        gais.append(f"your provider rates it {facts.observer_gais.label.lower()}")
    if gais:
        text = _join(gais) + " (GAIS)"
        clauses.append(text if clauses else text[:1].upper() + text[1:])
    if facts.early_set_aside:
        clauses.append(_early_clause(facts.early_set_aside, first=not clauses))
    if facts.concerns or facts.patient_gais or facts.observer_gais:
        return "; ".join(clauses) + "."
    if facts.no_baseline:
        names = _join([CONCERNS.label(k).lower() for k in facts.no_baseline])
        lead = "; ".join(clauses) + "; " if clauses else ""
        text = (
            f"{names} {'was' if len(facts.no_baseline) == 1 else 'were'} not rated before "
            "the first session, so the change cannot be measured and efficacy sits at a "
            "neutral 50 until a GAIS is rated."
        )
        return lead + (text if lead else text[:1].upper() + text[1:])
    if clauses:
        return "; ".join(clauses) + ", so efficacy sits at a neutral 50 for now."
    if facts.baseline_only:
        key, level, day = facts.baseline_only[0]
        return (
            f"{CONCERNS.label(key)} has only a baseline rating ({_number(level)} on "
            f"{day.isoformat()}), so efficacy sits at a neutral 50 until it is rated again."
        )
    return "Nothing rated yet, so efficacy sits at a neutral 50 until a concern or GAIS is rated."


def _measure_phrase(measure: PhotoMeasure) -> str:
    """ "redness 1.20 -> 0.70 (-42%, uncertainty 0.07)"; within it: "no clear change"."""
    count = measure.name == "spots"
    change = measure.follow_up - measure.baseline
    uncertainty = f"uncertainty {_amount(measure.uncertainty, count)}"
    if abs(change) <= measure.uncertainty:
        how = f"no clear change, {uncertainty}"
    elif abs(measure.baseline) > measure.uncertainty:  # a percentage of ~0 means nothing
        percent = round_half_up(change / abs(measure.baseline) * 100)
        how = f"{'+' if change > 0 else ''}{percent}%, {uncertainty}"
    else:
        how = f"{'+' if change > 0 else ''}{_amount(change, count)}, {uncertainty}"
    before, after = _amount(measure.baseline, count), _amount(measure.follow_up, count)
    return f"{measure.label} {before} -> {after} ({how})"


def _amount(value: float, count: bool = False) -> str:
    """Counts (marks) as whole numbers, the other measures with two decimals."""
    return str(round_half_up(value)) if count else f"{value:.2f}"


def photo_sentence(facts: Facts) -> str:
    """The measured part of efficacy: which pairs, each measure's numbers, what it cannot do."""
    finding = facts.photos
    if finding is None:
        return ""
    parts = []
    for pair in finding.pairs:
        measures = "; ".join(_measure_phrase(m) for m in pair.measures)
        parts.append(
            f"{pair.area} ({pair.baseline_date.isoformat()} to "
            f"{pair.follow_up_date.isoformat()}): {measures}"
        )
    share = round_half_up(PHOTO_SHARE * 100)
    return (
        f"Measured in aligned, comparable photos of {_join(parts)}; this measured change "
        f"scores {round_half_up(finding.score)} and counts for {share}% of efficacy "
        f"(the ratings alone give {round_half_up(finding.ratings_efficacy)}). "
        f"It compares photos, not skin: {PHOTO_LIMITS}."
    )


def _early_clause(count: int, *, first: bool) -> str:
    text = (
        f"{_plural(count, 'rating')} from the first {EARLY_WINDOW_DAYS} days after a session "
        f"{'is' if count == 1 else 'are'} set aside (the skin's acute reaction, not the result)"
    )
    return text if first else text[:1].lower() + text[1:]


def firm_sentence(facts: Facts) -> str:
    """Why a result is provisional, and what would make it firm."""
    if not facts.sessions:
        return "Provisional: no sessions yet; add the first session, then rate the result."
    due = facts.session_dates[0] + dt.timedelta(days=FIRM_AFTER_DAYS)
    return (
        f"Provisional: it becomes firm with a rating of your concerns or GAIS made on or "
        f"after {due.isoformat()} ({FIRM_AFTER_DAYS} days after the first session) and at "
        f"least {EARLY_WINDOW_DAYS} days after the latest session before it."
    )


def recovery_sentence(facts: Facts) -> str:
    sessions = len(facts.session_dates)
    if not facts.recovery_rated:
        if not sessions:
            return "No sessions yet, so there is no recovery to weigh."
        return (
            f"No symptoms recorded after the {_plural(sessions, 'session')}, "
            "so recovery counts as uneventful."
        )
    worst = max((s for s in facts.recoveries if s.rated), key=lambda s: (s.burden, s.session_date))
    parts: list[str] = []
    if worst.peak_symptom:
        parts.append(f"{worst.peak_symptom} peaked at {worst.peak}/10 on day {worst.peak_day}")
    else:
        parts.append("no symptom above 0/10")
    parts.append(f"{_plural(worst.downtime_days, 'downtime day')}")
    if worst.lingering_symptom:
        expected = EXPECTED_DAYS.get(worst.lingering_symptom, DEFAULT_EXPECTED_DAYS)
        parts.append(
            f"{worst.lingering_symptom} still {worst.lingering_level}/10 on day "
            f"{worst.lingering_day} (expected to settle by day {expected})"
        )
    within = not worst.lingering_symptom and worst.downtime_days <= EXPECTED_DOWNTIME_DAYS
    course = (
        "within the expected course (redness 24-48 h, 1-3 days of downtime, swelling up to "
        "about 5 days)"
        if within
        else "heavier than the expected course (redness 24-48 h, 1-3 days of downtime, "
        "swelling up to about 5 days)"
    )
    lead = "The heaviest recovery" if sessions > 1 else "Recovery"
    when = worst.session_date.isoformat()
    return f"{lead} followed the {when} session: {', '.join(parts)}, {course}."


def safety_sentence(facts: Facts) -> str:
    if not facts.flags:
        return "No red flags reported or derived from your check-ins."
    items = []
    statuses: list[str] = []
    for flag in facts.flags:
        how = "reported" if flag.source == "reported" else f"derived from {flag.detail}"
        status, note = _flag_status(facts, flag)
        statuses.append(status)
        items.append(f"{flag.label.lower()} on {flag.date.isoformat()} ({how}{note})")
    listed = f"{_plural(len(facts.flags), 'red flag')}: {_join(items)}; "
    open_count = statuses.count(OPEN)
    if open_count:
        return listed + f"contact your provider about {'it' if open_count == 1 else 'each'}."
    if SEEN in statuses:
        return listed + "your provider has seen what is not yet resolved."
    return listed + (
        "all resolved, and still counted here because "
        f"{'it' if len(items) == 1 else 'they'} happened."
    )


def _flag_status(facts: Facts, flag: RedFlag) -> tuple[str, str]:
    """A report's flag status on the as-of date, and the words to add after it."""
    episode = episode_of(facts.episodes, flag)
    if episode is None or episode.review is None:
        return OPEN, ""
    status = episode.status_on(facts.as_of)
    review = episode.review
    if status == RESOLVED and review.resolved_on is not None:
        harm = ", with lasting harm" if review.lasting else ""
        return status, f", resolved on {review.resolved_on.isoformat()}{harm}"
    if status == SEEN:
        return status, f", seen by {review.seen_by or 'your provider'}"
    return status, ""


def satisfaction_sentence(facts: Facts) -> str:
    if not facts.verdicts or facts.latest_verdict is None:
        return "No verdict recorded yet, so satisfaction sits at a neutral 50."
    last_day = facts.verdicts[-1][0]
    label = VERDICTS.label(facts.latest_verdict)
    if len(facts.verdicts) == 1:
        return f"Your verdict on {last_day.isoformat()} is {label}."
    return (
        f"Your latest verdict ({last_day.isoformat()}) is {label}; verdicts on "
        f"{len(facts.verdicts)} days count, the latest weighing most."
    )


def _money(amount: Decimal | float, currencies: Sequence[str]) -> str:
    value = Decimal(str(amount)).quantize(Decimal("0.01"))
    text = f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"
    if not currencies or currencies == ("USD",):
        return f"${text}"
    if len(currencies) == 1:
        return f"{text} {currencies[0]}"
    return f"{text} (mixed currencies)"


def value_sentence(facts: Facts) -> str:
    efficacy = round_half_up(facts.efficacy)
    sessions = len(facts.sessions)
    if not facts.costs_known:
        return f"No costs recorded, so value is judged on results alone (efficacy {efficacy})."
    low, high = TYPICAL_SESSION_COST
    per = Decimal(str(facts.per_session_cost))
    where = "within" if low <= per <= high else "below" if per < low else "above"
    per_text = _money(per, facts.currencies)
    typical = f"the typical {_money(low, ())}-{_money(high, ())}"
    spent = _money(facts.total_cost, facts.currencies)
    if facts.costs_known < sessions:
        return (
            f"{spent} recorded for {facts.costs_known} of {_plural(sessions, 'session')} "
            f"({per_text} a session counting the unrecorded ones as nothing, {where} {typical}) "
            f"against efficacy {efficacy}."
        )
    return (
        f"{spent} over {_plural(sessions, 'session')} ({per_text} a session, {where} "
        f"{typical}) against efficacy {efficacy}."
    )


def cap_sentence(facts: Facts) -> str:
    """Why the score is held at Not Sure: which flags, and what would lift the hold."""
    holding = [e for e in facts.episodes if e.holds_cap(facts.as_of)]
    waiting = sorted({e.label.lower(): e for e in holding if e.status_on(facts.as_of) != RESOLVED})
    lasting = sorted({e.label.lower(): e for e in holding if e.status_on(facts.as_of) == RESOLVED})
    parts: list[str] = []
    if waiting:
        keys = {e.label.lower(): e.key for e in holding}
        plural = len(waiting) > 1 or any(reads_plural(keys[label], label) for label in waiting)
        parts.append(
            f"Because {_join(waiting)} {'were' if plural else 'was'} reported, the score is "
            f"held at {LASTING_HARM_CAP} (Not Sure at best) until your provider has resolved "
            f"{'them' if plural else 'it'} without lasting harm."
        )
    if lasting:
        lead = "Also, because" if parts else "Because"
        parts.append(
            f"{lead} {_join(lasting)} left lasting harm, the score "
            f"{'stays' if parts else 'is'} held at {LASTING_HARM_CAP} (Not Sure at best)."
        )
    return " ".join(parts)


def missing(facts: Facts) -> list[str]:
    """Sentences saying what would raise confidence, most useful first."""
    missing: list[str] = []
    sessions = len(facts.sessions)
    if not sessions:
        missing.append("No sessions recorded yet: add the first session to start the series.")
    elif sessions < MIN_SESSIONS:
        missing.append(
            f"Only {_plural(sessions, 'session')} so far: scars and wrinkles usually need "
            f"{MIN_SESSIONS} or more."
        )
    if facts.session_dates and (facts.follow_up_days or 0) < MIN_FOLLOW_UP_DAYS:
        due = facts.session_dates[0] + dt.timedelta(days=MIN_FOLLOW_UP_DAYS)
        missing.append(
            f"Rate your concerns again on or after {due.isoformat()} ({MIN_FOLLOW_UP_DAYS} days "
            "after the first session): collagen takes 3-6 months to remodel."
        )
    if facts.session_dates and not facts.firm:
        due = facts.session_dates[0] + dt.timedelta(days=FIRM_AFTER_DAYS)
        missing.append(
            f"Rate the result on or after {due.isoformat()} and at least {EARLY_WINDOW_DAYS} "
            "days after a session: what you see in the first two weeks is swelling and "
            "redness, not the result."
        )
    if facts.no_baseline and not facts.concerns:
        names = _join([CONCERNS.label(k).lower() for k in facts.no_baseline])
        missing.append(
            f"No rating of {names} from before the first session: the change cannot be "
            "measured, so rate the overall change (GAIS) instead."
        )
    elif not facts.concerns:
        if facts.baseline_only:
            names = _join([CONCERNS.label(k).lower() for k, _, _ in facts.baseline_only])
            missing.append(f"Rate {names} again to measure the change since the baseline.")
        else:
            missing.append(
                "Rate each concern 0-10 before the first session to set a baseline, "
                "then again at later check-ins."
            )
    if facts.patient_gais is None and facts.observer_gais is None:
        missing.append(
            "Add a global improvement rating (GAIS) at a check-in, or ask your provider "
            "for an observer rating."
        )
    elif facts.observer_gais is None:
        missing.append("Ask your provider for an observer GAIS rating at your next visit.")
    if not facts.verdicts:
        missing.append("Give your own verdict (worth-it, not-sure or not-worth-it) at a check-in.")
    if sessions and facts.photos is None:
        due = facts.session_dates[0] + dt.timedelta(days=PHOTO_AFTER_DAYS)
        missing.append(
            "A comparable before/after photo pair would firm up efficacy with measured "
            f"change: a 'before' photo of a treated area and a follow-up of it taken on or "
            f"after {due.isoformat()}, in the same light, then journal photo compare."
        )
    if sessions and not facts.recovery_rated:
        missing.append(
            "Record symptoms and downtime on days 1, 3 and 7 after a session to weigh recovery."
        )
    if sessions and facts.costs_known < sessions:
        missing.append(
            f"Cost is missing for {sessions - facts.costs_known} of "
            f"{_plural(sessions, 'session')}: record it to judge value."
        )
    return missing

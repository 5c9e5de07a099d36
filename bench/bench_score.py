"""Benchmark the worth-it score in process (journal.core only, synthetic data).

    python bench/bench_score.py

Prints one table row per case with the median of several runs. The targets
come from issue 3: one heavy course (10 sessions, 200 check-ins) in under
5 ms, so the TUI can rescore on every keystroke-sized change; and a clinic of
1,000 patients x 5 courses in under 5 s, so a full export or report stays
interactive.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
import uuid
from collections.abc import Callable
from decimal import Decimal

from journal.core.planner import plan_course
from journal.core.records import CheckIn, Course, CourseRecord, Patient, Review, Session
from journal.core.score import score_course
from journal.core.vocab import GAIS_POINTS, SYMPTOM_KEYS

START = dt.date(2023, 1, 2)
CONCERNS = ("acne-scars", "texture", "large-pores", "fine-lines")
VERDICTS = ("worth-it", "not-sure", "not-worth-it")


def synthetic_course(rnd: random.Random, session_count: int, checkins: int) -> CourseRecord:
    """A plausible course: sessions 4-6 weeks apart, check-ins spread after them."""
    patient = Patient(
        uuid.UUID(int=rnd.getrandbits(128)), "Bench", birth_year=rnd.randint(1955, 2003)
    )
    concerns = tuple(rnd.sample(CONCERNS, 2))
    course = Course(uuid.UUID(int=rnd.getrandbits(128)), patient.id, "Face", concerns=concerns)
    day = START + dt.timedelta(days=rnd.randint(0, 300))
    sessions = []
    for _ in range(session_count):
        cost = Decimal(rnd.randrange(100, 800, 25)) if rnd.random() < 0.9 else None
        sessions.append(Session(uuid.UUID(int=rnd.getrandbits(128)), course.id, day, cost=cost))
        day += dt.timedelta(weeks=rnd.randint(4, 6))
    span = (sessions[-1].date - sessions[0].date).days + 120
    records = []
    for _ in range(checkins):
        when = sessions[0].date + dt.timedelta(days=rnd.randint(-7, span))
        symptoms = {k: rnd.randint(0, 8) for k in rnd.sample(SYMPTOM_KEYS, rnd.randint(0, 4))}
        rated = rnd.random() < 0.3
        records.append(
            CheckIn(
                uuid.UUID(int=rnd.getrandbits(128)),
                course.id,
                when,
                symptoms=symptoms,
                downtime=rnd.choice((None, True, False)),
                concerns={k: rnd.randint(1, 9) for k in concerns} if rated else {},
                gais=rnd.choice(tuple(GAIS_POINTS)) if rated and rnd.random() < 0.5 else None,
                verdict=rnd.choice(VERDICTS) if rated and rnd.random() < 0.5 else None,
                red_flags=("blistering",) if rnd.random() < 0.01 else (),
            )
        )
    reviews = tuple(
        Review(uuid.UUID(int=rnd.getrandbits(128)), course.id, t.date, gais="much-improved")
        for t in sessions[::3]
    )
    return CourseRecord(patient, course, tuple(sessions), tuple(records), reviews)


def timed(fn: Callable[[], object], runs: int) -> float:
    """Median wall time of `runs` calls, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def fmt(seconds: float) -> str:
    return f"{seconds * 1e3:.2f} ms" if seconds < 1 else f"{seconds:.2f} s"


def main() -> None:
    rnd = random.Random(20240101)
    heavy = synthetic_course(rnd, session_count=10, checkins=200)
    clinic = [
        synthetic_course(rnd, session_count=rnd.randint(1, 6), checkins=rnd.randint(0, 25))
        for _ in range(1000 * 5)
    ]
    today = START + dt.timedelta(days=400)
    cases = [
        ("score 1 course (10 sessions, 200 check-ins)", lambda: score_course(heavy), 200, 0.005),
        (
            "plan 1 course (10 sessions, 200 check-ins)",
            lambda: plan_course(heavy, today=today),
            200,
            0.005,
        ),
        (
            "score 1,000 patients x 5 courses",
            lambda: [score_course(course) for course in clinic],
            5,
            5.0,
        ),
    ]
    rows = [("case", "runs", "median", "target", "ok")]
    for name, fn, runs, target in cases:
        fn()  # warm up imports and caches
        median = timed(fn, runs)
        rows.append(
            (name, str(runs), fmt(median), f"< {fmt(target)}", "yes" if median < target else "NO")
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for index, row in enumerate(rows):
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
        if index == 0:
            print("  ".join("-" * width for width in widths))


if __name__ == "__main__":
    main()

"""The provider list's rows, and a read of them that needs neither SQLAlchemy nor the ORM.

A provider opening a clinic of 1,000 patients waits for the first complete
paint of the list. Importing SQLAlchemy and building the mapped models costs
about 340 ms before a row is read, and psycopg's ORM dialect more on
PostgreSQL, so `fast_overview` reads the very same rows (patient LEFT JOIN
course LEFT JOIN course_result, one query) through the plain readers the
`history` fast path uses (`journal.store.sqlite_reader`,
`journal.store.pg_reader`). The TUI paints the list from them and opens the
ORM journal in a worker afterwards.

It answers a journal at the current schema, not encrypted (an encrypted,
linked or unsettled journal returns None and the caller takes
`journal.services.results.overview`, which opens, explains and recomputes).
A course whose stored result is not exact for the day asked (none stored,
an older formula, a future-dated record's day has come) does not send the
whole list there: `plain_overview` marks its patient's row `pending`, the
TUI paints the list with that row's figures pending, and recomputes only
those patients through the ORM path once it is open (which stores the fresh
results, so the next launch reads them plainly). `fast_overview` keeps the
strict answer: None unless every result is exact. A test holds both paths
equal on SQLite and PostgreSQL.

This module imports no SQLAlchemy: `PatientOverview` lives here so that the
TUI's fast start can build it.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from journal.core import records
from journal.core.lookup import match_course
from journal.store.rows import OVERVIEW_RESULT, Row

if TYPE_CHECKING:  # not imported for the launch's rows: the flag rules behind it cost ~15 ms
    from journal.core.results import CourseResult

_RESULT_KEYS = tuple((name, f"r_{name}") for name in OVERVIEW_RESULT)


@dataclass(frozen=True)
class PatientOverview:
    """One row of the provider's patient list (and of `journal patient list`)."""

    patient: records.Patient
    sessions: int  # sessions done (on or before `as_of`), every course
    last_visit: dt.date | None
    score: int | None = None  # the current course's (the latest active, else the latest)
    verdict: str | None = None
    confidence: str | None = None
    open_flags: int = 0  # red flags nobody has acknowledged yet, across all courses
    seen_flags: int = 0  # acknowledged but not resolved
    as_of: dt.date | None = None
    # A course's stored result is not exact for `as_of`: sessions, visits, score and
    # flags are not known until the ORM path recomputes it (`plain_overview`).
    pending: bool = False

    @property
    def provisional(self) -> bool:
        return self.confidence == "low"


@dataclass(frozen=True)
class CourseRef:
    """What choosing a patient's current course needs (`match_course`)."""

    id: uuid.UUID
    title: str
    status: str
    created_at: dt.datetime


@dataclass
class OverviewRows:
    """The one query's rows grouped: patients in list order, their courses, stored results."""

    people: dict[uuid.UUID, records.Patient]
    courses: dict[uuid.UUID, list[CourseRef]]
    stored: dict[uuid.UUID, CourseResult | None]

    @classmethod
    def empty(cls) -> OverviewRows:
        return cls({}, {}, {})

    def add(self, m: Any) -> None:
        """One row of the query (a mapping): a patient, maybe a course and its stored result."""
        from journal.services import convert

        pid = m["id"]
        if pid not in self.people:
            self.people[pid] = convert.patient(dict(m))
            self.courses[pid] = []
        if m["c_id"] is None:
            return
        self.courses[pid].append(
            CourseRef(m["c_id"], m["c_title"], m["c_status"], m["c_created_at"])
        )
        self.stored[m["c_id"]] = (
            _result({n: m[r] for n, r in _RESULT_KEYS}) if m["r_course_id"] is not None else None
        )

    def stale(self, today: dt.date) -> list[uuid.UUID]:
        """Courses whose stored result is missing or not exact for `today`."""
        return [cid for cid, r in self.stored.items() if r is None or not r.valid_on(today)]

    def overviews(
        self, today: dt.date, pending: frozenset[uuid.UUID] = frozenset()
    ) -> list[PatientOverview]:
        """Every patient's row; a patient with a course in `pending` gets a pending row."""
        return [
            PatientOverview(self.people[pid], 0, None, as_of=today, pending=True)
            if pending and any(c.id in pending for c in self.courses[pid])
            else overview_of(self.people[pid], self.courses[pid], self.stored, today)
            for pid in self.people
        ]


def _result(values: dict[str, Any]) -> CourseResult:
    from journal.store.result_sql import from_row

    return from_row(values)


def overview_of(
    patient: records.Patient,
    courses: list[CourseRef],
    results: dict[uuid.UUID, CourseResult | None],
    today: dt.date,
) -> PatientOverview:
    """A patient's list row: the current course's result, flags and visits over every course."""
    courses.sort(key=lambda c: (c.created_at, c.id))  # the order a history lists them in
    known = [r for c in courses if (r := results.get(c.id)) is not None]
    current = match_course(None, courses, patient.display_name)
    now = results.get(current.id) if current is not None else None
    return PatientOverview(
        patient=patient,
        sessions=sum(r.sessions for r in known),
        last_visit=max((r.last_visit for r in known if r.last_visit), default=None),
        score=now.score if now else None,
        verdict=now.verdict if now else None,
        confidence=now.confidence if now else None,
        open_flags=sum(r.open_flags for r in known),
        seen_flags=sum(r.seen_flags for r in known),
        as_of=today,
    )


def fast_overview(
    home: str | os.PathLike[str] | None, db_url: str | None, today: dt.date
) -> list[PatientOverview] | None:
    """Every patient's list row read without SQLAlchemy, or None when the ORM path must read.

    None, never an exception, for anything this read does not handle (see
    the module's docstring), including a single stored result that is not
    exact for `today`: the ORM path then opens the journal, says what is
    wrong in its usual words, or recomputes.
    """
    found = plain_overview(home, db_url, today)
    if found is None or any(item.pending for item in found):
        return None
    return found


def plain_overview(
    home: str | os.PathLike[str] | None, db_url: str | None, today: dt.date
) -> list[PatientOverview] | None:
    """`fast_overview`, except that a stale course makes its patient's row pending.

    A clinic whose day has brought a future-dated record (or whose results
    are of an older formula) still has nearly every row exact; they are shown
    at once and only the pending patients are read again, through the ORM
    path, once the journal is open (`journal.services.scoring.clinic_overview`
    with their ids). None, never an exception, when the ORM path must read.
    """
    try:
        return _read(home, db_url, today)
    except Exception:  # a damaged, locked or unreachable journal: the ORM path explains
        return None


def _read(
    home: str | os.PathLike[str] | None, db_url: str | None, today: dt.date
) -> list[PatientOverview] | None:
    from journal.services.reading import any_link, open_pg_reader, settled_home
    from journal.store.location import resolve_location
    from journal.store.pg_reader import PGReader
    from journal.store.sqlite_reader import SQLiteReader

    location = resolve_location(home, db_url)
    if location.header_path.exists():
        return None  # encrypted: the ORM path asks for the passphrase (or the keyring's)
    db_file = location.sqlite_path
    if location.is_sqlite:
        if db_file is None or any_link(location.home, location.photos_dir, db_file):
            return None
        sqlite = SQLiteReader.open(db_file)
        if sqlite is None:
            return None
        with sqlite:
            names, stored = sqlite.overview_raw()
        return _from_stored(names, stored, today)
    if not (PGReader.handles(location.db_url) and settled_home(location)):
        return None
    reader = open_pg_reader(location, unlock=False)
    if reader is None:
        return None
    with reader:
        if reader.key_header is not None:
            return None  # encrypted on PostgreSQL: the ORM path asks (the passphrase screen)
        rows: list[Row] = reader.overview_rows()
    grouped = OverviewRows.empty()
    for m in rows:
        grouped.add(m)
    return grouped.overviews(today, frozenset(grouped.stale(today)))


def _from_stored(
    names: list[str], stored: list[tuple[Any, ...]], today: dt.date
) -> list[PatientOverview]:
    """The list's rows from the overview query's values as SQLite stores them.

    The same rows as `OverviewRows` builds (a test holds them equal), with a
    fraction of its work, since this runs before a clinic's first paint: only
    a patient's own columns are typed (once per patient), a course is its raw
    values (no id, result or date objects for 5,000 courses), whether its
    result is exact for `today` is decided on the stored ISO dates (which
    order as the days do), and a patient's latest visit is typed once.
    """
    from journal.core.results import RESULT_FORMULA
    from journal.services import convert
    from journal.store.sqlite_reader import overview_patient, parse_stamp

    at = {name: i for i, name in enumerate(names)}
    c_id, c_status, c_created = at["c_id"], at["c_status"], at["c_created_at"]
    r_id, r_formula = at["r_course_id"], at["r_formula"]
    r_from, r_until, r_last = at["r_valid_from"], at["r_valid_until"], at["r_last_visit"]
    r_sessions, r_open, r_seen = at["r_sessions"], at["r_open_flags"], at["r_seen_flags"]
    r_score, r_verdict, r_confidence = at["r_score"], at["r_verdict"], at["r_confidence"]
    day = today.isoformat()
    people: dict[Any, tuple[records.Patient, list[tuple[Any, ...]]]] = {}
    for raw in stored:
        entry = people.get(raw[0])
        if entry is None:
            entry = people[raw[0]] = (convert.patient(overview_patient(names, raw)), [])
        if raw[c_id] is not None:
            entry[1].append(raw)
    found: list[PatientOverview] = []
    for patient, courses in people.values():
        exact = all(
            c[r_id] is not None
            and c[r_formula] == RESULT_FORMULA
            and (c[r_from] is None or c[r_from] <= day)
            and (c[r_until] is None or day < c[r_until])
            for c in courses
        )
        if not exact:
            found.append(PatientOverview(patient, 0, None, as_of=today, pending=True))
            continue
        courses.sort(key=lambda c: (parse_stamp(c[c_created]), int(c[c_id], 16)))  # as a history
        active = [c for c in courses if c[c_status] == "active"]  # `match_course`'s choice
        current = (active or courses)[-1] if courses else None
        visits = [c[r_last] for c in courses if c[r_last] is not None]
        found.append(
            PatientOverview(
                patient=patient,
                sessions=sum(c[r_sessions] for c in courses),
                last_visit=dt.date.fromisoformat(max(visits)) if visits else None,
                score=current[r_score] if current else None,
                verdict=current[r_verdict] if current else None,
                confidence=current[r_confidence] if current else None,
                open_flags=sum(c[r_open] for c in courses),
                seen_flags=sum(c[r_seen] for c in courses),
                as_of=today,
            )
        )
    return found

"""A few courses' complete records from rows, whoever reads the rows.

The stored course results are recomputed inside every write from the
records of the courses it touched. `journal.services.results` reads those
rows through SQLAlchemy, the plain-sqlite write path
(`journal.services.fast_amend`) through `sqlite3`; both hand their reader's
`rows(table, column, ids)` here, so the records (and so the results) are
built one way. Nothing here imports SQLAlchemy.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from journal.core import records
from journal.services import convert
from journal.store.rows import COURSE_TABLES, Row

RowsOf = Callable[[str, str, Sequence[uuid.UUID]], list[Row]]
"""`rows(table, column, ids)`: the rows of `table` whose `column` is one of `ids`."""


def assemble(rows: RowsOf, course_ids: Sequence[uuid.UUID]) -> list[records.CourseRecord]:
    """The complete records of these courses (those that exist), in a handful of queries."""
    if not course_ids:
        return []
    course_rows = rows("course", "id", course_ids)
    if not course_rows:
        return []
    patients = {m["id"]: convert.patient(m) for m in rows("patient", "id", _owners(course_rows))}
    children: dict[uuid.UUID, dict[str, list[Any]]] = {m["id"]: {} for m in course_rows}
    makers = {
        "session": convert.session,
        "checkin": convert.checkin,
        "photo": convert.photo,
        "review": convert.review,
        "flag": convert.flag_review,
    }
    ids = [m["id"] for m in course_rows]
    for table in COURSE_TABLES:
        for m in rows(table, "course_id", ids):
            children[m["course_id"]].setdefault(table, []).append(makers[table](m))
    from journal.services.photo_pairs import with_photo_pairs  # stored comparisons, no OpenCV

    found = []
    for m in course_rows:
        lists = children[m["id"]]
        found.append(
            with_photo_pairs(
                records.CourseRecord(
                    patient=patients[m["patient_id"]],
                    course=convert.course(m),
                    sessions=tuple(lists.get("session", ())),
                    checkins=tuple(lists.get("checkin", ())),
                    reviews=tuple(lists.get("review", ())),
                    photos=tuple(lists.get("photo", ())),
                    flag_reviews=tuple(lists.get("flag", ())),
                )
            )
        )
    return found


def _owners(course_rows: list[Row]) -> list[uuid.UUID]:
    return sorted({m["patient_id"] for m in course_rows})

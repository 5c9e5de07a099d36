"""Sessions, check-ins, photos and reviews as CSV files for a spreadsheet.

Decisions, all in favour of "double-click opens it right":

* UTF-8 with a byte-order mark: Excel otherwise reads UTF-8 as the local
  code page and mangles "Zoë"; LibreOffice, Numbers, pandas and R all accept
  the BOM.
* Comma-separated, CRLF line ends, every header in the first row, dates as
  ISO `YYYY-MM-DD`, numbers with a dot, lists joined with "; ".
* One column per symptom and per rated concern, so a column can be charted.
* Text the user wrote that begins with `= + - @` (or a tab/CR) gets a leading
  apostrophe: a spreadsheet would otherwise run it as a formula (CSV
  injection). Only free text is touched; numbers and dates never are.

`-o` ending in `.zip` gives one zip with the four files; anything else is a
folder that receives them.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from journal.core.records import (
    CheckIn,
    PatientHistory,
    Photo,
    Review,
    Session,
    day_offset,
)
from journal.core.vocab import GAIS_NUMBERS, SYMPTOM_KEYS
from journal.export import files

ENCODING = "utf-8-sig"
LIST_SEPARATOR = "; "
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TABLES = ("sessions", "checkins", "photos", "reviews")


def csv_tables(history: PatientHistory) -> dict[str, bytes]:
    """File name -> CSV bytes for the history (already filtered to the wanted courses)."""
    titles = {c.id: c.title for c in history.courses}
    return {
        "sessions.csv": _encode(*_sessions(history.sessions, titles)),
        "checkins.csv": _encode(*_checkins(history.checkins, history.sessions, titles)),
        "photos.csv": _encode(*_photos(history.photos, titles)),
        "reviews.csv": _encode(*_reviews(history.reviews, titles)),
    }


def write_csv(history: PatientHistory, out: Path) -> Path:
    """Write the CSV files into a zip (`out` ends in .zip) or a folder; returns `out`."""
    tables = csv_tables(history)
    out = Path(out).expanduser()
    if out.suffix.lower() == ".zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in tables.items():
                zf.writestr(name, data)
        return files.write_bytes(out, buffer.getvalue())
    if out.exists() and not out.is_dir():
        from journal.core.errors import JournalError

        raise JournalError(f"output {out} is a file; CSV goes into a folder or a .zip")
    out.mkdir(mode=files.PRIVATE_DIR, parents=True, exist_ok=True)
    for name, data in tables.items():
        files.write_bytes(out / name, data)
    return out


def safe_text(value: str | None) -> str:
    """User text, defused for spreadsheets (see the module docstring)."""
    if not value:
        return ""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _encode(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue().encode(ENCODING)


def _joined(values: Iterable[str]) -> str:
    return LIST_SEPARATOR.join(safe_text(v) for v in values)


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _depth(t: Session) -> str:
    """One depth, or `per area` when the areas differ (then `depth_by_area` has them).

    The stored single depth of a per-area session is the deepest, which a
    spreadsheet would read as the depth used everywhere.
    """
    depths = set(t.depth_by_area.values())
    if len(depths) > 1:
        return "per area"
    return _number(depths.pop() if depths else t.depth_mm)


def _sessions(
    items: Sequence[Session], titles: dict[Any, str]
) -> tuple[list[str], list[list[Any]]]:
    header = [
        "id",
        "course",
        "date",
        "provider",
        "setting",
        "device_kind",
        "device_name",
        "depth_mm",
        "depth_by_area",
        "passes",
        "areas",
        "serums",
        "anesthetic",
        "pain",
        "cost",
        "currency",
        "notes",
    ]
    rows = [
        [
            str(t.id),
            safe_text(titles.get(t.course_id, "")),
            t.date.isoformat(),
            safe_text(t.provider),
            t.setting,
            t.device_kind,
            safe_text(t.device_name),
            _depth(t),
            _joined(f"{a}={d:g}" for a, d in t.depth_by_area.items()),
            t.passes,
            _joined(t.areas),
            _joined(t.serums),
            safe_text(t.anesthetic),
            t.pain,
            f"{t.cost:.2f}" if t.cost is not None else "",
            t.currency,
            safe_text(t.notes),
        ]
        for t in items
    ]
    return header, rows


def _checkins(
    items: Sequence[CheckIn], sessions: Sequence[Session], titles: dict[Any, str]
) -> tuple[list[str], list[list[Any]]]:
    concerns = sorted({k for c in items for k in c.concerns})
    header = [
        "id",
        "course",
        "date",
        "day_after_session",
        *SYMPTOM_KEYS,
        "downtime",
        *(f"concern_{k}" for k in concerns),
        "gais",
        "gais_number",
        "verdict",
        "red_flags",
        "notes",
    ]
    by_course: dict[Any, list[Session]] = {}
    for t in sessions:
        by_course.setdefault(t.course_id, []).append(t)
    rows = []
    for c in items:
        downtime = "" if c.downtime is None else ("yes" if c.downtime else "no")
        rows.append(
            [
                str(c.id),
                safe_text(titles.get(c.course_id, "")),
                c.date.isoformat(),
                day_offset(c.date, by_course.get(c.course_id, [])),
                *(c.symptoms.get(k) for k in SYMPTOM_KEYS),
                downtime,
                *(c.concerns.get(k) for k in concerns),
                c.gais,
                GAIS_NUMBERS.get(c.gais or ""),
                c.verdict,
                _joined(c.red_flags),
                safe_text(c.notes),
            ]
        )
    return header, rows


def _photos(items: Sequence[Photo], titles: dict[Any, str]) -> tuple[list[str], list[list[Any]]]:
    header = [
        "id",
        "course",
        "taken_at",
        "taken_at_source",
        "kind",
        "area",
        "angle",
        "session_id",
        "width",
        "height",
        "sha256",
        "display_file",
        "original_name",
    ]
    rows = [
        [
            str(p.id),
            safe_text(titles.get(p.course_id, "")),
            p.taken_at.isoformat(),
            p.taken_at_source,
            p.kind,
            safe_text(p.area),
            safe_text(p.angle),
            str(p.session_id) if p.session_id else "",
            p.width,
            p.height,
            p.sha256,
            p.display_path,
            safe_text(p.original_name),
        ]
        for p in items
    ]
    return header, rows


def _reviews(items: Sequence[Review], titles: dict[Any, str]) -> tuple[list[str], list[list[Any]]]:
    header = ["id", "course", "date", "provider", "gais", "gais_number", "goodman_baron", "notes"]
    rows = [
        [
            str(r.id),
            safe_text(titles.get(r.course_id, "")),
            r.date.isoformat(),
            safe_text(r.provider),
            r.gais,
            GAIS_NUMBERS.get(r.gais or ""),
            r.goodman_baron,
            safe_text(r.notes),
        ]
        for r in items
    ]
    return header, rows

"""What each record's editable fields are called and how a typed value is checked.

An edit must be refused exactly as an add would refuse the same value, so
each field here parses with the same `journal.core.values` parsers and
vocabularies the add services use. A parser returns the column values it
sets: one option can set several columns (a depth sets the single depth and
the per-area map; an interval sets its low and high week).

An empty value clears an optional field: `--notes ""`, `--pain ""`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from journal.core.errors import InvalidValue
from journal.core.values import (
    check_count,
    parse_birth_year,
    parse_cost,
    parse_currency,
    parse_depths,
    parse_int,
    parse_name,
    parse_past_date,
    parse_rating,
    parse_skin_type,
    parse_text,
)
from journal.core.vocab import (
    AREAS,
    CONCERNS,
    COURSE_STATUSES,
    DEVICE_KINDS,
    DEVICE_NAMES,
    GAIS,
    PHOTO_KINDS,
    RED_FLAGS,
    SCREENING,
    SERUMS,
    SETTINGS,
    SYMPTOM_KEYS,
    VERDICTS,
    Vocabulary,
)

Parser = Callable[[Any], dict[str, Any]]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _optional(column: str, parse: Callable[[Any], Any]) -> Parser:
    """A field that an empty value clears."""
    return lambda value: {column: None if _blank(value) else parse(value)}


def _required(column: str, parse: Callable[[Any], Any]) -> Parser:
    def set_value(value: Any) -> dict[str, Any]:
        if _blank(value):
            raise InvalidValue(column.replace("_", " "), "", "cannot be cleared")
        return {column: parse(value)}

    return set_value


def _terms(column: str, vocab: Vocabulary) -> Parser:
    """A whole list, replaced: `--area a --area b`; `--area ""` empties it."""

    def set_list(values: Sequence[str] | str) -> dict[str, Any]:
        items = [values] if isinstance(values, str) else list(values)
        items = [v for v in items if not _blank(v)]
        check_count(column, items)
        return {column: vocab.normalize_all(items)}

    return set_list


def _term(column: str, vocab: Vocabulary) -> Parser:
    return _optional(column, vocab.normalize)


def _depth(value: Any) -> dict[str, Any]:
    if _blank(value):
        return {"depth_mm": None, "depth_by_area": {}}
    single, by_area = parse_depths("depth", str(value))
    return {
        "depth_mm": single,
        "depth_by_area": {AREAS.normalize(k): v for k, v in by_area.items()},
    }


def _interval(value: Any) -> dict[str, Any]:
    from journal.services.courses import parse_interval

    low, high = parse_interval(value)
    return {"interval_weeks_min": low, "interval_weeks_max": high}


def _concern_ratings(values: Sequence[str] | Mapping[str, Any]) -> dict[str, Any]:
    from journal.services.checkins import parse_concern_ratings

    if isinstance(values, str):
        values = [values]
    if not isinstance(values, Mapping):
        values = [v for v in values if not _blank(v)]
    return {"concerns": parse_concern_ratings(values)}


def _symptoms(values: Mapping[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, value in values.items():
        if name not in SYMPTOM_KEYS:
            raise InvalidValue("symptom", name, "choose one of " + ", ".join(SYMPTOM_KEYS))
        found[name] = None if _blank(value) else parse_rating(name, value)
    return found


def _downtime(value: Any) -> dict[str, Any]:
    if value is None or isinstance(value, bool):
        return {"downtime": value}
    raise InvalidValue("downtime", str(value), "answer yes or no")


def _date(field: str) -> Callable[[Any], dt.date]:
    """A day something happened on: never in the future, as when it was added."""
    return lambda value: parse_past_date(field, value)


@dataclass(frozen=True)
class EditableKind:
    """A kind of record people can correct: its table and its fields' parsers."""

    name: str  # the user's word: session, check-in, ...
    table: str
    fields: Mapping[str, Parser]


KINDS: dict[str, EditableKind] = {
    kind.name: kind
    for kind in (
        EditableKind(
            "patient",
            "patient",
            {
                "name": _required("display_name", lambda v: parse_name("name", v)),
                "birth_year": _optional("birth_year", lambda v: parse_birth_year("birth year", v)),
                "skin_type": _optional("skin_type", lambda v: parse_skin_type("skin type", v)),
                "concerns": _terms("concerns", CONCERNS),
                "screening": _terms("screening", SCREENING),
            },
        ),
        EditableKind(
            "course",
            "course",
            {
                "title": _required("title", lambda v: parse_name("title", v)),
                "areas": _terms("areas", AREAS),
                "concerns": _terms("concerns", CONCERNS),
                "planned": _required("planned_sessions", lambda v: parse_int("planned", v, 1, 20)),
                "interval_weeks": _interval,
                "status": _required("status", COURSE_STATUSES.normalize),
            },
        ),
        EditableKind(
            "session",
            "session",
            {
                "date": _required("date", _date("date")),
                "setting": _required("setting", SETTINGS.normalize),
                "device": _term("device_kind", DEVICE_KINDS),
                "device_name": _term("device_name", DEVICE_NAMES),
                "depth": _depth,
                "passes": _optional("passes", lambda v: parse_int("passes", v, 1, 20)),
                "areas": _terms("areas", AREAS),
                "serums": _terms("serums", SERUMS),
                "anesthetic": _optional(
                    "anesthetic", lambda v: parse_text("anesthetic", v, limit=120, one_line=True)
                ),
                "pain": _optional("pain", lambda v: parse_rating("pain", v)),
                "cost": _optional("cost", lambda v: parse_cost("cost", v)),
                "currency": _optional("currency", lambda v: parse_currency("currency", v)),
                "notes": _optional("notes", lambda v: parse_text("notes", v)),
            },
        ),
        EditableKind(
            "check-in",
            "checkin",
            {
                "date": _required("date", _date("date")),
                "symptoms": _symptoms,
                "downtime": _downtime,
                "concerns": _concern_ratings,
                "gais": _term("gais", GAIS),
                "verdict": _term("verdict", VERDICTS),
                "flags": _terms("red_flags", RED_FLAGS),
                "notes": _optional("notes", lambda v: parse_text("notes", v)),
            },
        ),
        EditableKind(
            "review",
            "review",
            {
                "date": _required("date", _date("date")),
                "gais": _term("gais", GAIS),
                "goodman_baron": _optional(
                    "goodman_baron", lambda v: parse_int("goodman-baron", v, 1, 4)
                ),
                "notes": _optional("notes", lambda v: parse_text("notes", v)),
            },
        ),
        EditableKind(
            "photo",
            "photo",
            {
                "kind": _required("kind", PHOTO_KINDS.normalize),
                "date": _required("taken_date", _date("date")),  # the day; the time is kept
                "area": _term("area", AREAS),
                "angle": _optional(
                    "angle", lambda v: parse_text("angle", v, limit=40, one_line=True)
                ),
            },
        ),
    )
}

# Fields that need the database to resolve (a provider's name, another course), and
# the flag that keeps a near miss of a known word as the user's own word.
RELATIONAL = frozenset({"provider", "course", "patient", "custom"})

# Free words checked for near misses ("forhead") as an add checks them.
TYPO_CHECKED: dict[str, tuple[str, Vocabulary]] = {
    "areas": ("areas", AREAS),
    "area": ("area", AREAS),
    "serums": ("serums", SERUMS),
    "concerns": ("concerns", CONCERNS),
}


def parse_changes(kind: EditableKind, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Column values for every field given, checked before anything is opened."""
    columns: dict[str, Any] = {}
    for field, value in changes.items():
        if field in RELATIONAL:
            continue
        parse = kind.fields.get(field)
        if parse is None:
            raise InvalidValue("field", field, f"a {kind.name} has no such field")
        columns.update(parse(value))
    return columns

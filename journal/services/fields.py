"""Every record's fields and how a typed value is read: one parser per field, add and edit.

A value must mean the same and be refused with the same line whether it
comes in on a new record (`journal session add`, a TUI add form) or on a
correction (`journal session edit`, an edit form), so both doors read it
here: the add services through `parse_new`, `journal.services.amend.edit`
through `parse_changes`, and the forms' checks (`journal.services.checks`)
through the same parsers. A parser returns the column values it sets: one
option can set several columns (a depth sets the single depth and the
per-area map; an interval sets its low and high week). Rules across fields
(a currency needs a cost) are in `complete`, and the words to check for
near misses of known ones in `typo_words`, for both doors too.

An empty value leaves an optional field empty: an add stores nothing, an
edit clears it (`--notes ""`, `--pain ""`, `--area ""`).
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
    parse_concern_rating,
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

Today = dt.date | None
Parser = Callable[[Any, Today], dict[str, Any]]
"""Reads one typed value (against the user's `today`) into the column values it sets."""


def blank(value: Any) -> bool:
    """Not given, or given empty: an add leaves the field out, an edit clears it."""
    return value is None or (isinstance(value, str) and not value.strip())


def _optional(column: str, parse: Callable[[Any, Today], Any]) -> Parser:
    """A field that an empty value leaves empty (an add) or clears (an edit)."""
    return lambda value, today: {column: None if blank(value) else parse(value, today)}


def _required(column: str, parse: Callable[[Any, Today], Any]) -> Parser:
    """A field every record has: an empty value gets the parser's own refusal.

    The parser sees "" rather than None, so `--date ""` on an edit is refused
    with the very words an add uses for an empty date.
    """
    return lambda value, today: {column: parse("" if value is None else value, today)}


def _any_day(parse: Callable[[Any], Any]) -> Callable[[Any, Today], Any]:
    """A parser whose answer does not depend on the day."""
    return lambda value, _today: parse(value)


def _terms(column: str, vocab: Vocabulary) -> Parser:
    """A whole list, replaced: `--area a --area b`; `--area ""` empties it."""

    def set_list(values: Sequence[str] | str | None, _today: Today) -> dict[str, Any]:
        items = [values] if isinstance(values, str) else list(values or ())
        return {column: vocab.normalize_all([v for v in items if not blank(v)])}

    return set_list


def _term(column: str, vocab: Vocabulary) -> Parser:
    return _optional(column, _any_day(vocab.normalize))


def _depth(value: Any, _today: Today) -> dict[str, Any]:
    if blank(value):
        return {"depth_mm": None, "depth_by_area": {}}
    single, by_area = parse_depths("depth", str(value))
    return {
        "depth_mm": single,
        "depth_by_area": {AREAS.normalize(k): v for k, v in by_area.items()},
    }


def parse_interval(text: str | int) -> tuple[int, int]:
    """`5` or `4-6` weeks between sessions; 1-52 weeks."""
    raw = str(text).strip()
    low_text, sep, high_text = raw.partition("-")
    low = parse_int("interval weeks", low_text, 1, 52)
    high = parse_int("interval weeks", high_text, 1, 52) if sep else low
    if high < low:
        raise InvalidValue("interval weeks", raw, "the range must go from low to high, e.g. 4-6")
    return low, high


def _interval(value: Any, _today: Today) -> dict[str, Any]:
    low, high = parse_interval("" if value is None else value)
    return {"interval_weeks_min": low, "interval_weeks_max": high}


def parse_concern_ratings(values: Sequence[str] | Mapping[str, str | int]) -> dict[str, int]:
    """`["acne-scars=6"]` or `{"acne scars": 6}` to canonical concern keys."""
    check_count("concern", values)
    pairs = (
        [(k, parse_rating(f"concern {k}", v)) for k, v in values.items()]
        if isinstance(values, Mapping)
        else [parse_concern_rating("concern", v) for v in values]
    )
    ratings: dict[str, int] = {}
    for name, rating in pairs:
        key = CONCERNS.normalize(name)
        if key in ratings and ratings[key] != rating:
            raise InvalidValue("concern", name, "rated twice with different values")
        ratings[key] = rating
    return ratings


def _concern_ratings(
    values: Sequence[str] | Mapping[str, Any] | str | None, _today: Today
) -> dict[str, Any]:
    if values is None or isinstance(values, str):
        values = [] if values is None else [values]
    if not isinstance(values, Mapping):
        values = [v for v in values if not blank(v)]
    return {"concerns": parse_concern_ratings(values)}


def _symptoms(values: Mapping[str, Any] | None, _today: Today) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, value in (values or {}).items():
        if name not in SYMPTOM_KEYS:
            raise InvalidValue("symptom", name, "choose one of " + ", ".join(SYMPTOM_KEYS))
        found[name] = None if blank(value) else parse_rating(name, value)
    return found


def _downtime(value: Any, _today: Today) -> dict[str, Any]:
    if value is None or isinstance(value, bool):
        return {"downtime": value}
    raise InvalidValue("downtime", str(value), "answer yes or no")


def _date(field: str) -> Callable[[Any, Today], dt.date]:
    """A day something happened on: never after the user's `today`."""
    return lambda value, today: parse_past_date(field, value, today=today)


def provider_name(value: str | None) -> str | None:
    """The provider a record names, None when none is given (an edit: cleared)."""
    return None if blank(value) else value


@dataclass(frozen=True)
class EditableKind:
    """A kind of record people can correct: its table and its fields' parsers."""

    name: str  # the user's word: session, check-in, ...
    table: str
    fields: Mapping[str, Parser]


def _one_line(field: str, limit: int) -> Callable[[Any, Today], Any]:
    return _any_day(lambda v: parse_text(field, v, limit=limit, one_line=True))


def _notes() -> Parser:
    return _optional("notes", _any_day(lambda v: parse_text("notes", v)))


def _whole(field: str, low: int, high: int) -> Callable[[Any, Today], int]:
    return _any_day(lambda v: parse_int(field, v, low, high))


def _name(field: str) -> Callable[[Any, Today], str]:
    return _any_day(lambda v: parse_name(field, v))


KINDS: dict[str, EditableKind] = {
    kind.name: kind
    for kind in (
        EditableKind(
            "patient",
            "patient",
            {
                "name": _required("display_name", _name("name")),
                "birth_year": _optional(
                    "birth_year", lambda v, today: parse_birth_year("birth year", v, today=today)
                ),
                "skin_type": _optional(
                    "skin_type", _any_day(lambda v: parse_skin_type("skin type", v))
                ),
                "concerns": _terms("concerns", CONCERNS),
                "screening": _terms("screening", SCREENING),
            },
        ),
        EditableKind(
            "course",
            "course",
            {
                "title": _required("title", _name("title")),
                "areas": _terms("areas", AREAS),
                "concerns": _terms("concerns", CONCERNS),
                "planned": _required("planned_sessions", _whole("planned", 1, 20)),
                "interval_weeks": _interval,
                "status": _required("status", _any_day(COURSE_STATUSES.normalize)),
            },
        ),
        EditableKind(
            "session",
            "session",
            {
                "date": _required("date", _date("date")),
                "setting": _required("setting", _any_day(SETTINGS.normalize)),
                "device": _term("device_kind", DEVICE_KINDS),
                "device_name": _term("device_name", DEVICE_NAMES),
                "depth": _depth,
                "passes": _optional("passes", _whole("passes", 1, 20)),
                "areas": _terms("areas", AREAS),
                "serums": _terms("serums", SERUMS),
                "anesthetic": _optional("anesthetic", _one_line("anesthetic", 120)),
                "pain": _optional("pain", _any_day(lambda v: parse_rating("pain", v))),
                "cost": _optional("cost", _any_day(lambda v: parse_cost("cost", v))),
                "currency": _optional(
                    "currency", _any_day(lambda v: parse_currency("currency", v))
                ),
                "notes": _notes(),
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
                "notes": _notes(),
            },
        ),
        EditableKind(
            "review",
            "review",
            {
                "date": _required("date", _date("date")),
                "gais": _term("gais", GAIS),
                "goodman_baron": _optional("goodman_baron", _whole("goodman-baron", 1, 4)),
                "notes": _notes(),
            },
        ),
        EditableKind(
            "photo",
            "photo",
            {
                "kind": _required("kind", _any_day(PHOTO_KINDS.normalize)),
                "date": _required("taken_date", _date("date")),  # the day; the time is kept
                "area": _term("area", AREAS),
                "angle": _optional("angle", _one_line("angle", 40)),
            },
        ),
    )
}

# Fields that need the database to resolve (a provider's name, another course), and
# the flag that keeps a near miss of a known word as the user's own word.
RELATIONAL = frozenset({"provider", "course", "patient", "custom"})


def _depth_areas(value: Any) -> list[str]:
    """The area words of a per-area depth (`cheeks=1.5,forhead=0.5`), as typed."""
    text = "" if blank(value) else str(value)
    return [part.partition("=")[0].strip() for part in text.split(",") if "=" in part]


def _concern_words(values: Any) -> list[str]:
    """The concern words of `["acne-scars=6"]` or `{"acne scars": 6}`, as typed."""
    if isinstance(values, Mapping):
        return [str(k) for k in values]
    items = [values] if isinstance(values, str) else list(values or ())
    return [str(v).partition("=")[0] for v in items]


def _words(values: Any) -> list[str]:
    return [values] if isinstance(values, str) else list(values or ())


# Free words checked for near misses ("forhead"), by kind and field: the vocabulary
# and how to find the words in the typed value. An add and an edit check the same.
TYPO_CHECKED: dict[str, dict[str, tuple[Vocabulary, Callable[[Any], list[str]]]]] = {
    "patient": {"concerns": (CONCERNS, _words)},
    "course": {"areas": (AREAS, _words), "concerns": (CONCERNS, _words)},
    "session": {
        "areas": (AREAS, _words),
        "depth": (AREAS, _depth_areas),
        "serums": (SERUMS, _words),
    },
    "check-in": {"concerns": (CONCERNS, _concern_words)},
    "review": {},
    "photo": {"area": (AREAS, _words)},
}


def typo_words(kind_name: str, values: Mapping[str, Any]) -> list[tuple[Vocabulary, list[str]]]:
    """The free words of `values` to check for near misses, with their vocabulary."""
    found: list[tuple[Vocabulary, list[str]]] = []
    for field, (vocab, words_of) in TYPO_CHECKED[kind_name].items():
        words = [w for w in words_of(values.get(field)) if not blank(w)]
        if words:
            found.append((vocab, words))
    return found


def parse_changes(
    kind: EditableKind, changes: Mapping[str, Any], *, today: Today = None
) -> dict[str, Any]:
    """Column values for every field given, checked before anything is opened.

    An edit's None or "" clears an optional field; see `parse_new` for an add.
    """
    columns: dict[str, Any] = {}
    for field, value in changes.items():
        if field in RELATIONAL:
            continue
        parse = kind.fields.get(field)
        if parse is None:
            raise InvalidValue("field", field, f"a {kind.name} has no such field")
        columns.update(parse(value, today))
    return columns


def parse_new(kind_name: str, values: Mapping[str, Any], *, today: Today = None) -> dict[str, Any]:
    """Column values of a new record: the fields given (not None), by the edit's parsers.

    One parser per field for both doors, so a value an add takes an edit
    takes too, stored the same, and one an add refuses an edit refuses with
    the same line. The add services fill in their defaults afterwards.
    """
    given = {k: v for k, v in values.items() if v is not None}
    return complete(kind_name, parse_changes(KINDS[kind_name], given, today=today), {})


def complete(kind_name: str, columns: dict[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """Rules across fields of one record, given its `current` column values (none when new).

    A currency needs a cost (USD when a cost comes without one); a per-area
    depth adds its areas to the session's areas.
    """
    if kind_name != "session":
        return columns
    cost = columns.get("cost", current.get("cost"))
    currency = columns.get("currency")
    if currency is not None and cost is None:
        raise InvalidValue("currency", currency, "given without a cost")
    if "cost" in columns and cost is None:
        columns["currency"] = None
    elif "cost" in columns and columns.get("currency", current.get("currency")) is None:
        columns["currency"] = "USD"
    by_area = columns.get("depth_by_area")
    if by_area:
        areas = list(columns.get("areas", current.get("areas") or []))
        columns["areas"] = areas + [a for a in by_area if a not in areas]
    return columns

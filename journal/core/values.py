"""Parsers for the values users type, shared by the CLI, the TUI forms and imports.

Each returns the clean value or raises `InvalidValue` naming the field, so a
bad value is refused in one place with one message, before anything is written.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal, InvalidOperation

from journal.core.errors import InvalidValue

EARLIEST_DATE = dt.date(1990, 1, 1)  # before microneedling was a treatment
MAX_NOTE_CHARS = 10_000
MAX_NAME_CHARS = 120
DEPTH_MIN_MM = 0.1
DEPTH_MAX_MM = 3.5


def parse_date(field: str, text: str | dt.date, *, today: dt.date | None = None) -> dt.date:
    """ISO date, not before 1990 and not more than a year ahead (planned visits)."""
    if isinstance(text, dt.date):
        value = text
    else:
        try:
            value = dt.date.fromisoformat(text.strip())
        except (ValueError, AttributeError):
            raise InvalidValue(field, text, "expected a date as YYYY-MM-DD") from None
    today = today or dt.date.today()
    if value < EARLIEST_DATE:
        raise InvalidValue(field, value.isoformat(), f"before {EARLIEST_DATE.isoformat()}")
    if value > today + dt.timedelta(days=366):
        raise InvalidValue(field, value.isoformat(), "more than a year in the future")
    return value


def parse_int(field: str, value: str | int, low: int, high: int) -> int:
    """Whole number within [low, high]; booleans and floats are refused."""
    if isinstance(value, bool):
        raise InvalidValue(field, value, f"expected a whole number {low}-{high}")
    if isinstance(value, str):
        try:
            number = int(value.strip())
        except ValueError:
            raise InvalidValue(field, value, f"expected a whole number {low}-{high}") from None
    elif isinstance(value, int):
        number = value
    else:
        raise InvalidValue(field, value, f"expected a whole number {low}-{high}")
    if not low <= number <= high:
        raise InvalidValue(field, number, f"must be between {low} and {high}")
    return number


def parse_rating(field: str, value: str | int) -> int:
    """A 0-10 severity or pain rating."""
    return parse_int(field, value, 0, 10)


def parse_depth(field: str, value: str | float) -> float:
    """Needle depth in millimetres within what devices offer (0.1-3.5 mm)."""
    try:
        depth = float(value)
    except (TypeError, ValueError):
        raise InvalidValue(field, value, "expected millimetres, e.g. 1.5") from None
    if not math.isfinite(depth) or not DEPTH_MIN_MM <= depth <= DEPTH_MAX_MM:
        raise InvalidValue(field, value, f"must be between {DEPTH_MIN_MM} and {DEPTH_MAX_MM} mm")
    return round(depth, 2)


def parse_depths(field: str, value: str) -> tuple[float | None, dict[str, float]]:
    """`1.5` for one depth, or `cheeks=1.5,forehead=0.5` when it differs by area.

    Returns (single depth or the deepest, per-area map).
    """
    text = value.strip()
    if "=" not in text:
        return parse_depth(field, text), {}
    per_area: dict[str, float] = {}
    for part in text.split(","):
        area, sep, depth = part.partition("=")
        if not sep or not area.strip():
            raise InvalidValue(field, value, "expected AREA=MM pairs, e.g. cheeks=1.5")
        per_area[area.strip()] = parse_depth(field, depth)
    return max(per_area.values()), per_area


def parse_cost(field: str, value: str | float | Decimal) -> Decimal:
    """A non-negative amount with at most two decimals."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InvalidValue(field, value, "expected an amount, e.g. 350 or 349.99") from None
    if not amount.is_finite() or amount < 0 or amount > Decimal("1000000"):
        raise InvalidValue(field, value, "must be between 0 and 1,000,000")
    return amount.quantize(Decimal("0.01"))


def parse_currency(field: str, value: str) -> str:
    """ISO 4217-shaped code: three letters."""
    code = value.strip().upper()
    if len(code) != 3 or not code.isalpha() or not code.isascii():
        raise InvalidValue(field, value, "expected a three-letter currency code, e.g. USD")
    return code


def parse_text(field: str, value: str | None, *, limit: int = MAX_NOTE_CHARS) -> str | None:
    """Free text: trimmed, None when empty, refused when absurdly long or not text."""
    if value is None:
        return None
    if "\x00" in value:
        raise InvalidValue(field, value[:20], "contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidValue(field, value[:20], "is not valid UTF-8 text") from None
    text = value.strip()
    if len(text) > limit:
        raise InvalidValue(field, text[:20] + "...", f"longer than {limit} characters")
    return text or None


def parse_name(field: str, value: str) -> str:
    """A display name: required, one line, reasonably short."""
    text = parse_text(field, value, limit=MAX_NAME_CHARS)
    if not text:
        raise InvalidValue(field, value, "must not be empty")
    if "\n" in text or "\r" in text:
        raise InvalidValue(field, value, "must be a single line")
    return text


def parse_birth_year(field: str, value: str | int, *, today: dt.date | None = None) -> int:
    this_year = (today or dt.date.today()).year
    return parse_int(field, value, 1900, this_year)


def parse_skin_type(field: str, value: str | int) -> int:
    """Fitzpatrick type as 1-6; roman numerals I-VI accepted too."""
    roman = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6}
    if isinstance(value, str) and value.strip().upper() in roman:
        return roman[value.strip().upper()]
    return parse_int(field, value, 1, 6)


def parse_concern_rating(field: str, value: str) -> tuple[str, int]:
    """`NAME=0-10` as typed on the command line (`--concern acne-scars=6`)."""
    name, sep, rating = value.partition("=")
    if not sep or not name.strip():
        raise InvalidValue(field, value, "expected NAME=0-10, e.g. acne-scars=6")
    return name.strip(), parse_rating(f"{field} {name.strip()}", rating)

"""Parsers for the values users type, shared by the CLI, the TUI forms and imports.

Each returns the clean value or raises `InvalidValue` naming the field, so a
bad value is refused in one place with one message, before anything is written.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sized
from decimal import Decimal, InvalidOperation

from journal.core.errors import InvalidValue

EARLIEST_DATE = dt.date(1990, 1, 1)  # before microneedling was a treatment
MAX_NOTE_CHARS = 10_000
MAX_NAME_CHARS = 120
MAX_LIST_ITEMS = 32  # areas, concerns, serums, flags, screening, per-area depths of one record
MAX_COST = Decimal("1000000")
DEPTH_MIN_MM = 0.1
DEPTH_MAX_MM = 3.5

# Characters that change how a terminal (or a bidi-aware viewer) shows the text
# around them: explicit embeddings, overrides and isolates, and the Arabic letter
# mark. Refused in every text field; the invisible left-to-right and
# right-to-left marks are refused in names only (notes in Arabic or Hebrew may
# need them, and names must read the same in every list).
BIDI_CONTROLS = frozenset("\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
BIDI_MARKS = frozenset("\u200e\u200f")
LINE_SEPARATORS = frozenset("\u2028\u2029")

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_WHOLE = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?|\.[0-9]+")
_AMOUNT = re.compile(r"([0-9]+)(?:\.([0-9]*))?")
_UNSAFE_OUTPUT = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def check_characters(field: str, text: str, *, one_line: bool) -> str:
    """Refuse text that could act on a terminal or hide what it says; returns `text`.

    The one rule for every text door (CLI arguments, TUI forms, archive
    records): no C0 control character (newline and tab allowed in free text
    only), no DEL, no C1 control, no bidi embedding/override/isolate, and in
    one-line fields no line separator nor left-to-right/right-to-left mark.
    The value in the message is shown with `repr`, so the refusal itself
    cannot carry an escape sequence to the terminal.
    """
    for char in text:
        code = ord(char)
        if char in "\n\t" and not one_line:
            continue
        if code < 0x20 or 0x7F <= code <= 0x9F:
            name = "a NUL character" if code == 0 else f"a control character (U+{code:04X})"
            raise InvalidValue(field, _excerpt(text), f"contains {name}")
        if char in BIDI_CONTROLS or (one_line and char in BIDI_MARKS | LINE_SEPARATORS):
            raise InvalidValue(
                field,
                _excerpt(text),
                f"contains an invisible direction or line mark (U+{code:04X})",
            )
    return text


def terminal_safe(text: str) -> str:
    """`text` with every character that could act on a terminal shown as an escape.

    Output from any source (an older database, one edited by hand) goes
    through this before it reaches a terminal: control characters other than
    newline, DEL, C1 controls, bidi controls and line separators become
    visible `\\x1b` / `\\u202e` escapes instead of being interpreted.
    """
    return _UNSAFE_OUTPUT.sub(_escape, text)


def json_safe(text: str) -> str:
    """Serialised JSON with DEL, C1 and bidi controls written as `\\u` escapes.

    `json.dump(..., ensure_ascii=False)` escapes C0 but keeps these raw; they
    can only occur inside JSON strings, so escaping them keeps the document
    valid and equal while making it safe to print.
    """
    return _UNSAFE_OUTPUT.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def _excerpt(text: str) -> str:
    return text if len(text) <= 20 else text[:20] + "..."


def check_count(field: str, items: Sized, limit: int = MAX_LIST_ITEMS) -> None:
    """Refuse a list longer than `limit`: no record needs more, and exports would balloon."""
    if len(items) > limit:
        raise InvalidValue(field, f"{len(items)} values", f"more than {limit}")


def parse_date(field: str, text: str | dt.date, *, today: dt.date | None = None) -> dt.date:
    """ISO date, not before 1990 and not more than a year ahead (planned visits)."""
    if isinstance(text, dt.date):
        value = text
    else:
        # date.fromisoformat also takes 20261001 and 2026-W40-1: only the one form.
        try:
            if not _DATE.fullmatch(text.strip()):
                raise ValueError(text)
            value = dt.date.fromisoformat(text.strip())
        except (ValueError, AttributeError):
            raise InvalidValue(field, text, "expected a date as YYYY-MM-DD") from None
    today = today or dt.date.today()
    if value < EARLIEST_DATE:
        raise InvalidValue(field, value.isoformat(), f"before {EARLIEST_DATE.isoformat()}")
    if value > today + dt.timedelta(days=366):
        raise InvalidValue(field, value.isoformat(), "more than a year in the future")
    return value


def parse_past_date(
    field: str, text: str | dt.date, *, today: dt.date | None = None, grace_days: int = 0
) -> dt.date:
    """A date something happened on: a session, check-in, review or photo day.

    Refused when after `today` (the user's local day): a record dated ahead is
    a typo (2027 for 2026), and it would sit at the end of every timeline and
    skew the score and plan. Only the planner looks ahead (`parse_date`).
    `grace_days` lets an archive written in a time zone already on tomorrow in.
    """
    today = today or dt.date.today()
    value = parse_date(field, text, today=today)
    if value > today + dt.timedelta(days=grace_days):
        raise InvalidValue(field, value.isoformat(), "is in the future")
    return value


def parse_int(field: str, value: str | int, low: int, high: int) -> int:
    """Whole number within [low, high]; booleans and floats are refused.

    Only ASCII digits: int() would also read `1_0` as 10 and other scripts' digits.
    """
    if isinstance(value, bool):
        raise InvalidValue(field, value, f"expected a whole number {low}-{high}")
    if isinstance(value, str):
        try:
            if not _WHOLE.fullmatch(value.strip()):
                raise ValueError(value)
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
    """Needle depth in millimetres within what devices offer (0.1-3.5 mm).

    Text must be plain decimal digits: float() would read `1_0`, `1e0` or `inf`.
    """
    try:
        if isinstance(value, bool):
            raise TypeError(value)
        if isinstance(value, str) and not _DECIMAL.fullmatch(value.strip()):
            raise ValueError(value)
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
    check_count(field, per_area)
    return max(per_area.values()), per_area


def parse_cost(field: str, value: str | float | Decimal) -> Decimal:
    """A non-negative amount with at most two decimals, written with plain digits.

    More decimals are refused, not rounded (12.345 is a typo, not 12.35), and
    Decimal's other spellings (`1_0`, `1e3`, `-0`, other scripts' digits) too.
    """
    text = str(value).strip()
    match = _AMOUNT.fullmatch(text)
    if match is None:
        raise InvalidValue(field, value, "expected an amount, e.g. 350 or 349.99")
    if len((match.group(2) or "").rstrip("0")) > 2:
        raise InvalidValue(field, value, "more than two decimal places")
    try:
        amount = Decimal(text)
    except (InvalidOperation, ValueError):
        raise InvalidValue(field, value, "expected an amount, e.g. 350 or 349.99") from None
    if amount > MAX_COST:
        raise InvalidValue(field, value, "must be between 0 and 1,000,000")
    return amount.quantize(Decimal("0.01"))


def parse_cost_currency(
    cost: str | float | Decimal | None, currency: str | None, *, default: str = "USD"
) -> tuple[Decimal | None, str | None]:
    """A cost and its currency; a currency without a cost is a mistake, not ignored."""
    if cost is None:
        if currency is not None:
            raise InvalidValue("currency", currency, "given without a cost")
        return None, None
    return parse_cost("cost", cost), parse_currency("currency", currency or default)


def parse_currency(field: str, value: str) -> str:
    """ISO 4217-shaped code: three letters."""
    code = value.strip().upper()
    if len(code) != 3 or not code.isalpha() or not code.isascii():
        raise InvalidValue(field, value, "expected a three-letter currency code, e.g. USD")
    return code


def parse_text(
    field: str, value: str | None, *, limit: int = MAX_NOTE_CHARS, one_line: bool = False
) -> str | None:
    """Free text: trimmed, None when empty, refused when absurdly long or not text.

    Notes may hold newlines and tabs; `one_line` fields (labels such as an
    anesthetic) may not. Control and bidi characters are refused either way
    (`check_characters`).
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidValue(field, value, "expected text")
    if "\x00" in value:
        raise InvalidValue(field, value[:20], "contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidValue(field, value[:20], "is not valid UTF-8 text") from None
    text = value.strip()
    if len(text) > limit:
        raise InvalidValue(field, text[:20] + "...", f"longer than {limit} characters")
    if one_line and ("\n" in text or "\r" in text):
        raise InvalidValue(field, _excerpt(text), "must be a single line")
    check_characters(field, text, one_line=one_line)
    return text or None


def parse_name(field: str, value: str, *, limit: int = MAX_NAME_CHARS) -> str:
    """A display name: required, one line, reasonably short, nothing invisible."""
    text = parse_text(field, value, limit=limit, one_line=True)
    if not text:
        raise InvalidValue(field, value, "must not be empty")
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

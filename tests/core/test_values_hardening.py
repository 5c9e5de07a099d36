"""The value rules every text door shares (issue 9, items 4 and 7).

CLI arguments, TUI forms and archive records all reach the database through
journal.core.values (and the vocabularies, which use it), so these tests pin
the rules once: which characters are refused, which spellings of numbers and
dates are refused, and how long lists may be.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from journal.core import values
from journal.core.errors import InvalidValue
from journal.core.vocab import AREAS, CONCERNS, RED_FLAGS, SERUMS

TODAY = dt.date(2026, 6, 1)

HOSTILE_IN_ANY_TEXT = [
    "Eve\x1b]0;PWNED\x07\x1b[2J",  # OSC title + clear screen
    "a\x07b",  # BEL
    "a\rb",  # CR: overwrites what was shown
    "a\x08b",  # backspace
    "a\x7fb",  # DEL
    "a\x9bb",  # C1 CSI
    "a\x85b",  # C1 NEL
    "abc\u202egpj.exe",  # right-to-left override
    "a\u2066b\u2069",  # isolates
    "a\u202ab\u202c",  # embedding
]
HOSTILE_IN_NAMES_ONLY = ["a\tb", "a\nb", "Eve\u200f", "\u200eEve", "a\u2028b"]


@pytest.mark.parametrize("text", HOSTILE_IN_ANY_TEXT)
def test_control_and_bidi_characters_are_refused_in_notes_naming_the_field(text):
    with pytest.raises(InvalidValue) as caught:
        values.parse_text("notes", text)
    message = str(caught.value)
    assert message.startswith("invalid notes ") and "\n" not in message
    assert values.terminal_safe(message) == message  # the refusal itself is safe to print


@pytest.mark.parametrize("text", HOSTILE_IN_ANY_TEXT + HOSTILE_IN_NAMES_ONLY)
def test_names_refuse_every_invisible_or_control_character(text):
    with pytest.raises(InvalidValue, match=r"^invalid name "):
        values.parse_name("name", text)


@pytest.mark.parametrize("vocabulary", [AREAS, CONCERNS, SERUMS, RED_FLAGS])
@pytest.mark.parametrize("text", [*HOSTILE_IN_ANY_TEXT, "x\u200f"])
def test_custom_vocabulary_values_refuse_them_too(vocabulary, text):
    with pytest.raises(InvalidValue):
        vocabulary.normalize(text)


def test_notes_keep_newlines_tabs_and_right_to_left_marks():
    note = "day 1:\tred\nday 2: calmer \u200fשלום\u200f"
    assert values.parse_text("notes", note) == note


def test_ordinary_international_names_are_kept():
    for name in ("Zoë 🌸 Tanaka-Ñúñez", "محمد", "李小龍", "👨\u200d👩\u200d👧 family"):
        assert values.parse_name("name", name) == name


def test_one_line_text_refuses_newlines_and_tabs():
    with pytest.raises(InvalidValue, match="single line"):
        values.parse_text("anesthetic", "lidocaine\nprilocaine", limit=120, one_line=True)
    with pytest.raises(InvalidValue, match="U\\+0009"):
        values.parse_text("anesthetic", "lido\tcaine", limit=120, one_line=True)


# -- terminal and JSON output ---------------------------------------------------------


def test_terminal_safe_shows_every_dangerous_character_as_an_escape():
    shown = values.terminal_safe("Eve\x1b]0;PWNED\x07\x1b[2J\x9b\x7f\u202e\t!\nnext")
    assert shown == "Eve\\x1b]0;PWNED\\x07\\x1b[2J\\x9b\\x7f\\u202e\\x09!\nnext"
    assert values.terminal_safe("Zoë 🌸 محمد") == "Zoë 🌸 محمد"


def test_json_safe_escapes_c1_and_bidi_and_keeps_the_document_equal():
    document = {"name": "a\x9b\u202eb\x7f", "ok": "Zoë"}
    text = values.json_safe(json.dumps(document, ensure_ascii=False))
    assert "\x9b" not in text and "\u202e" not in text and "\x7f" not in text
    assert "Zoë" in text
    assert json.loads(text) == document


# -- numbers, costs and dates (item 7) --------------------------------------------------


@pytest.mark.parametrize("text", ["1_0", "٣", "1e1", "0x10", "+1_0"])
def test_whole_numbers_accept_plain_ascii_digits_only(text):
    with pytest.raises(InvalidValue, match="expected a whole number"):
        values.parse_int("passes", text, 0, 20)


@pytest.mark.parametrize("text", ["1_0", "1e0", "inf", "nan", "١.٥", "0x1"])
def test_depths_accept_plain_decimals_only(text):
    with pytest.raises(InvalidValue):
        values.parse_depth("depth", text)


@pytest.mark.parametrize("text", ["1.5", "0.5", ".5", "3.5", "2"])
def test_plain_depths_are_fine(text):
    assert values.parse_depth("depth", text) == float(text)


def test_costs_with_more_than_two_decimals_are_refused_not_rounded():
    with pytest.raises(InvalidValue, match="more than two decimal places"):
        values.parse_cost("cost", "12.345")
    with pytest.raises(InvalidValue, match="more than two decimal places"):
        values.parse_cost("cost", 12.345)  # an archive's JSON number
    assert values.parse_cost("cost", "12.34") == Decimal("12.34")
    assert values.parse_cost("cost", "12.340") == Decimal("12.34")
    assert values.parse_cost("cost", "350") == Decimal("350.00")


@pytest.mark.parametrize("text", ["1_0", "1e3", "-1", "+5", "٣٠", "1,000", "", "NaN"])
def test_costs_accept_plain_amounts_only(text):
    with pytest.raises(InvalidValue, match="invalid cost"):
        values.parse_cost("cost", text)


def test_a_currency_without_a_cost_is_an_error():
    with pytest.raises(InvalidValue, match="invalid currency 'EUR': given without a cost"):
        values.parse_cost_currency(None, "EUR")
    assert values.parse_cost_currency(None, None) == (None, None)
    assert values.parse_cost_currency("10", None) == (Decimal("10.00"), "USD")
    assert values.parse_cost_currency("10", "eur") == (Decimal("10.00"), "EUR")


@pytest.mark.parametrize(
    "text", ["20261001", "2026-W40-1", "2026-274", "2026-10-1", "２０２６-10-01"]
)
def test_dates_accept_only_year_month_day(text):
    with pytest.raises(InvalidValue, match="expected a date as YYYY-MM-DD"):
        values.parse_date("date", text, today=dt.date(2026, 10, 5))


# -- list limits ------------------------------------------------------------------------


def test_lists_are_limited_at_every_vocabulary():
    limit = values.MAX_LIST_ITEMS
    many = [f"custom area {n}" for n in range(limit + 1)]
    with pytest.raises(InvalidValue, match=f"more than {limit}"):
        AREAS.normalize_all(many)
    assert len(AREAS.normalize_all(many[:limit])) == limit


def test_per_area_depths_are_limited():
    limit = values.MAX_LIST_ITEMS
    text = ",".join(f"area{n}=1.0" for n in range(limit + 1))
    with pytest.raises(InvalidValue, match=f"more than {limit}"):
        values.parse_depths("depth", text)

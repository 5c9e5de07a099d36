"""Issue 9 items 4 and 7 at the command line: hostile text in, safe text out.

Input: every free-text option refuses control and bidi characters in one
line naming the field. Output: whatever a database holds (written by an older
version, or by hand) reaches the terminal only as visible escapes, in text and
in --json.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

ESCAPE = "Eve\x1b]0;PWNED\x07\x1b[2J"
# What must never reach a terminal: C0 but newline, DEL, C1, bidi controls and marks.
UNSAFE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def _one_line_error(result, field: str) -> None:
    assert result.code == 2, result
    assert result.err.startswith(f"journal: error: invalid {field} "), result.err
    assert result.err.count("\n") == 1 and not UNSAFE.search(result.err)
    assert not result.out


def test_patient_name_with_terminal_escapes_is_refused(cli):
    result = cli("patient", "add", ESCAPE)
    _one_line_error(result, "name")
    assert "No patients yet" in cli("patient", "list").out


@pytest.mark.parametrize(
    ("option", "field", "value"),
    [
        ("--notes", "notes", "fine\x1b[2J"),
        ("--notes", "notes", "reads \u202eright to left"),
        ("--anesthetic", "anesthetic", "lido\x9bcaine"),
        ("--anesthetic", "anesthetic", "lido\ncaine"),
        ("--provider", "provider", "Dr\u200f Who"),
        ("--device-name", "device name", "Derma\x1bpen"),
        ("--area", "area", "cheeks\u2066"),
        ("--serum", "serum", "PRP\x07"),
    ],
)
def test_session_text_options_refuse_control_and_bidi_characters(cli, option, field, value):
    assert cli("patient", "add", "Ana").code == 0
    result = cli("session", "add", "-p", "Ana", "-d", "2024-05-01", option, value)
    _one_line_error(result, field)
    assert cli("history", "-p", "Ana", "--json").json()["sessions"] == []


@pytest.mark.parametrize(
    ("option", "field", "value"),
    [
        ("--notes", "notes", "a\x7fb"),
        ("--flag", "red flag", "blister\x1b[0m"),
        ("--concern", "concern", "ac\x85ne=3"),
    ],
)
def test_checkin_text_options_refuse_control_characters(cli, option, field, value):
    assert cli("patient", "add", "Ana").code == 0
    result = cli("checkin", "add", "-p", "Ana", "-d", "2024-05-01", option, value)
    _one_line_error(result, field)


def test_notes_keep_newlines_and_tabs(cli):
    assert cli("patient", "add", "Ana").code == 0
    note = "day 1:\tred\nday 2: calm"
    assert cli("checkin", "add", "-p", "Ana", "-d", "2024-05-01", "--notes", note).code == 0
    assert cli("history", "-p", "Ana", "--json").json()["checkins"][0]["notes"] == note


def _plant_hostile_records(journal) -> None:
    """Rows written straight to the database, as an older version or a hand edit would."""
    from journal.store.models import CheckInRow, CourseRow, PatientRow, ProviderRow, SessionRow

    with journal.write() as db:
        patient = PatientRow(display_name=ESCAPE + "\u202e", concerns=["acne\x1b[31m"])
        course = CourseRow(patient=patient, title="Cheeks\x9b2J", areas=["cheeks\x07"])
        provider = ProviderRow(name="Dr \x1b]8;;http://x\x07Who")
        db.add_all([patient, course, provider])
        db.flush()
        day = dt.date.today() - dt.timedelta(days=30)
        db.add(
            SessionRow(
                course_id=course.id,
                date=day,
                device_name="pen\x1b[5m",
                areas=["cheeks\x07"],
                serums=["prp\u2066"],
                provider=provider,
                notes="n\x1b[2J",
            )
        )
        db.add(
            CheckInRow(
                course_id=course.id,
                date=day + dt.timedelta(days=1),
                redness=3,
                concerns={"acne\x1b[31m": 6},
                red_flags=["blister\x1b[0m"],
                verdict="worth-it",
            )
        )


def test_text_output_escapes_whatever_the_database_holds(cli, journal):
    _plant_hostile_records(journal)
    for args in (
        ("patient", "list"),
        ("history", "-p", "Eve"),
        ("score", "-p", "Eve"),
        ("plan", "-p", "Eve"),
    ):
        result = cli(*args)
        assert result.code == 0, (args, result.err)
        assert not UNSAFE.search(result.out), (args, result.out)
        assert not UNSAFE.search(result.err), (args, result.err)
    listed = cli("patient", "list").out
    assert "Eve\\x1b]0;PWNED\\x07\\x1b[2J" in listed  # shown, not obeyed


def test_json_output_escapes_c1_and_bidi_and_stays_equal(cli, journal):
    _plant_hostile_records(journal)
    result = cli("history", "-p", "Eve", "--json")
    assert result.code == 0, result.err
    assert not UNSAFE.search(result.out)
    assert json.loads(result.out)["patient"]["display_name"] == ESCAPE + "\u202e"


def test_errors_quoting_hostile_text_are_escaped(cli):
    result = cli("history", "-p", "nobody\x1b[2J\u202e")
    assert result.code == 2
    assert result.err.count("\n") == 1 and not UNSAFE.search(result.err)


# -- item 7: numbers, costs, currencies, dates --------------------------------------------


def test_currency_without_cost_is_an_error(cli):
    assert cli("patient", "add", "Ana").code == 0
    result = cli("session", "add", "-p", "Ana", "-d", "2024-05-01", "--currency", "EUR")
    assert result.code == 2
    assert result.err == "journal: error: invalid currency 'EUR': given without a cost\n"
    ok = cli(
        "session",
        "add",
        "-p",
        "Ana",
        "-d",
        "2024-05-01",
        "--cost",
        "10",
        "--currency",
        "EUR",
        "--json",
    )
    assert ok.code == 0 and ok.json()["currency"] == "EUR"


def test_cost_with_three_decimals_is_refused_not_rounded(cli):
    assert cli("patient", "add", "Ana").code == 0
    result = cli("session", "add", "-p", "Ana", "-d", "2024-05-01", "--cost", "12.345")
    assert result.code == 2
    assert result.err == "journal: error: invalid cost '12.345': more than two decimal places\n"


@pytest.mark.parametrize(
    ("option", "value"),
    [("--passes", "1_0"), ("--cost", "1_0"), ("--pain", "1_0"), ("--depth", "1_0")],
)
def test_underscored_numbers_are_refused(cli, option, value):
    assert cli("patient", "add", "Ana").code == 0
    result = cli("session", "add", "-p", "Ana", "-d", "2024-05-01", option, value)
    assert result.code == 2 and result.err.count("\n") == 1, result
    assert "'1_0'" in result.err


@pytest.mark.parametrize("date", ["20240501", "2024-W18-3", "2024-122"])
def test_dates_in_other_iso_forms_are_refused(cli, date):
    assert cli("patient", "add", "Ana").code == 0
    for command in ("session", "checkin", "review"):
        result = cli(command, "add", "-p", "Ana", "-d", date)
        assert (
            result.err == f"journal: error: invalid date {date!r}: expected a date as YYYY-MM-DD\n"
        )
        assert result.code == 2


def test_more_than_32_areas_are_refused_at_the_cli(cli):
    assert cli("patient", "add", "Ana").code == 0
    args = ["session", "add", "-p", "Ana", "-d", "2024-05-01"]
    for n in range(33):
        args += ["--area", f"spot {n}"]
    result = cli(*args)
    assert result.code == 2
    assert result.err == "journal: error: invalid area '33 values': more than 32\n"
    assert cli(*args[:-2]).code == 0  # 32 is fine

"""The command-line contract for records: flags, --json, exit codes, one-line errors."""

from __future__ import annotations

import pytest


def test_patient_session_checkin_review_history_roundtrip(cli, home):
    r = cli(
        "patient",
        "add",
        "Robin Vale",
        "--birth-year",
        "1985",
        "--skin-type",
        "III",
        "--concern",
        "acne scars",
        "--json",
    )
    assert r.code == 0, r.err
    patient = r.json()
    assert patient["skin_type"] == 3 and patient["concerns"] == ["acne-scars"]
    assert (
        cli(
            "course",
            "add",
            "--patient",
            "Robin Vale",
            "--title",
            "Cheeks",
            "--planned",
            "4",
            "--area",
            "cheeks",
        ).code
        == 0
    )
    s = cli(
        "session",
        "add",
        "-p",
        "robin vale",
        "-d",
        "2026-03-01",
        "--device",
        "pen",
        "--device-name",
        "Dermapen",
        "--depth",
        "1.5",
        "--serum",
        "PRP",
        "--pain",
        "4",
        "--cost",
        "450",
        "--json",
    )
    assert s.code == 0, s.err
    assert s.json()["depth_mm"] == 1.5
    c = cli(
        "checkin",
        "add",
        "-p",
        "Robin Vale",
        "-d",
        "2026-03-02",
        "--redness",
        "6",
        "--downtime",
        "--concern",
        "acne-scars=6",
        "--gais",
        "improved",
        "--json",
    )
    assert c.code == 0, c.err
    assert c.json()["downtime"] is True
    assert (
        cli(
            "review",
            "add",
            "-p",
            "Robin Vale",
            "-d",
            "2026-03-20",
            "--gais",
            "much-improved",
            "--goodman-baron",
            "3",
        ).code
        == 0
    )
    h = cli("history", "-p", "Robin Vale", "--json")
    doc = h.json()
    assert len(doc["sessions"]) == 1 and doc["checkins"][0]["day"] == 1
    assert doc["courses"][0]["title"] == "Cheeks"
    text = cli("history", "-p", "Robin Vale")
    assert "Session 1" in text.out and "Check-in" in text.out and "Review" in text.out


def test_json_output_is_one_document(cli):
    r = cli("patient", "add", "Q", "--json")
    assert r.code == 0
    r.json()
    listing = cli("patient", "list", "--json")
    assert [p["patient"]["display_name"] for p in listing.json()] == ["Q"]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["session", "add", "-p", "nobody", "-d", "2026-01-01"], "nobody"),
        (["checkin", "add", "-p", "Pat", "-d", "2026-01-01", "--pain", "11"], "pain"),
        (["session", "add", "-p", "Pat", "-d", "2026-01-01", "--depth", "9"], "depth"),
        (["session", "add", "-p", "Pat", "-d", "2026-1-1x"], "date"),
        (["session", "add", "-p", "Pat", "-d", "2026-01-01", "--device", "laser"], "device"),
        (["checkin", "add", "-p", "Pat", "-d", "2026-01-01", "--gais", "great"], "GAIS"),
        (["checkin", "add", "-p", "Pat", "-d", "2026-01-01", "--concern", "x"], "concern"),
        (["review", "add", "-p", "Pat", "-d", "2026-01-01", "--goodman-baron", "7"], "goodman"),
        (["patient", "add", "X", "--skin-type", "7"], "skin type"),
        (["session", "add", "-d", "2026-01-01"], "--patient"),
        (["session", "add", "-p", "Pat", "-d", "2026-01-01", "--bogus"], "--bogus"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(cli, args, needle):
    assert cli("patient", "add", "Pat").code == 0
    before = cli("history", "-p", "Pat", "--json").json()
    r = cli(*args)
    assert r.code == 2
    assert r.err.count("\n") == 1 and r.err.startswith("journal: error:")
    assert needle.lower() in r.err.lower()
    assert "Traceback" not in r.err and r.out == ""
    assert cli("history", "-p", "Pat", "--json").json() == before


def test_ambiguous_name_is_refused(cli):
    cli("patient", "add", "Twin")
    assert cli("patient", "add", "twin").code == 2  # the same name: refused
    assert cli("patient", "add", "twin", "--allow-duplicate").code == 0
    r = cli("session", "add", "-p", "twin", "-d", "2026-01-01")
    assert r.code == 2 and "ambiguous" in r.err

"""Issue 11 item 7 on the command line: fewer mistakes to correct.

Each refusal is one line on stderr naming the field, exit status 2 and
nothing written; the ones a user can overrule name the flag that does it.
"""

from __future__ import annotations

import datetime as dt

import pytest

TOMORROW = (dt.date.today() + dt.timedelta(days=1)).isoformat()
TODAY = dt.date.today().isoformat()


def _refused(result, text: str) -> str:
    assert result.code == 2, result
    assert not result.out
    assert result.err.count("\n") == 1 and result.err.startswith("journal: error: "), result.err
    assert text in result.err, result.err
    return result.err


def _history(cli, patient: str) -> dict:
    r = cli("history", "-p", patient, "--json")
    assert r.code == 0, r.err
    return r.json()


@pytest.mark.parametrize(
    "command",
    [
        ("session", "add"),
        ("checkin", "add", "--redness", "3"),
        ("review", "add", "--gais", "improved"),
    ],
)
def test_records_dated_in_the_future_are_refused(cli, command):
    assert cli("patient", "add", "Ada").code == 0
    r = cli(*command, "-p", "Ada", "--date", TOMORROW)
    _refused(r, f"invalid date '{TOMORROW}': is in the future")
    doc = _history(cli, "Ada")
    assert doc["sessions"] == doc["checkins"] == doc["reviews"] == []
    assert cli(*command, "-p", "Ada", "--date", TODAY).code == 0


def test_photo_date_in_the_future_is_refused(cli, tmp_path):
    from journal.imaging.synthetic import write_skin_photo

    shot = tmp_path / "face.jpg"
    write_skin_photo(shot, seed=3, severity=4, taken_at=dt.datetime(2026, 5, 1, 9, 0))
    assert cli("patient", "add", "Bo").code == 0
    r = cli("photo", "add", str(shot), "-p", "Bo", "--date", TOMORROW)
    _refused(r, f"invalid date '{TOMORROW}': is in the future")
    assert cli("photo", "list", "-p", "Bo", "--json").json() == []


def test_plan_event_in_the_future_is_still_fine(cli):
    assert cli("patient", "add", "Cy").code == 0
    assert cli("session", "add", "-p", "Cy", "-d", TODAY).code == 0
    event = (dt.date.today() + dt.timedelta(days=90)).isoformat()
    r = cli("plan", "-p", "Cy", "--event", event)
    assert r.code == 0, r.err


def test_duplicate_patient_needs_allow_duplicate(cli):
    first = cli("patient", "add", "Alex Rivera", "--birth-year", "1991", "--json").json()
    short = first["id"].replace("-", "")[:8]
    err = _refused(cli("patient", "add", "ALEX  rivera"), "already exists")
    assert f"Alex Rivera ({short}, born 1991)" in err and "--allow-duplicate" in err
    assert len(cli("patient", "list", "--json").json()) == 1
    r = cli("patient", "add", "alex rivera", "--allow-duplicate", "--birth-year", "1985")
    assert r.code == 0, r.err
    assert len(cli("patient", "list", "--json").json()) == 2


def test_ambiguous_patient_lists_candidates_with_ids_and_birth_years(cli):
    rivera = cli("patient", "add", "Alex Rivera", "--birth-year", "1991", "--json").json()
    stone = cli("patient", "add", "Alex Stone", "--birth-year", "1985", "--json").json()
    ids = [p["id"].replace("-", "")[:8] for p in (rivera, stone)]
    for command in (("history",), ("session", "add", "-d", TODAY)):
        err = _refused(cli(*command, "-p", "alex"), "patient 'alex' is ambiguous: ")
        assert f"Alex Rivera ({ids[0]}, born 1991), Alex Stone ({ids[1]}, born 1985)" in err


def test_second_session_on_a_day_needs_again(cli):
    assert cli("patient", "add", "Dee").code == 0
    assert cli("session", "add", "-p", "Dee", "-d", TODAY, "--depth", "1").code == 0
    err = _refused(
        cli("session", "add", "-p", "Dee", "-d", TODAY, "--depth", "1"),
        f"invalid date '{TODAY}': a session on that day already exists",
    )
    assert "--again logs another" in err
    assert len(_history(cli, "Dee")["sessions"]) == 1
    r = cli("session", "add", "-p", "Dee", "-d", TODAY, "--again")
    assert r.code == 0, r.err
    assert len(_history(cli, "Dee")["sessions"]) == 2


@pytest.mark.parametrize(
    ("command", "needle"),
    [
        (("patient", "add", "Eve", "--concern", "texure"), "invalid concern 'texure'"),
        (("course", "add", "-p", "Fox", "--area", "forhead"), "invalid area 'forhead'"),
        (("session", "add", "-p", "Fox", "-d", TODAY, "--area", "forhead"), "invalid area"),
        (("session", "add", "-p", "Fox", "-d", TODAY, "--serum", "peptids"), "invalid serum"),
        (("checkin", "add", "-p", "Fox", "-d", TODAY, "--concern", "wrinkels=3"), "concern"),
    ],
)
def test_near_miss_words_need_custom(cli, command, needle):
    assert cli("patient", "add", "Fox").code == 0
    err = _refused(cli(*command), needle)
    assert "did you mean '" in err and "--custom keeps your word" in err
    doc = _history(cli, "Fox")
    assert doc["courses"] == doc["sessions"] == doc["checkins"] == []
    assert len(cli("patient", "list", "--json").json()) == 1
    r = cli(*command, "--custom")
    assert r.code == 0, r.err


def test_a_kept_custom_word_is_accepted_next_time(cli):
    assert cli("patient", "add", "Gus").code == 0
    day = (dt.date.today() - dt.timedelta(days=30)).isoformat()
    assert cli("session", "add", "-p", "Gus", "-d", day, "--area", "shin", "--custom").code == 0
    r = cli("session", "add", "-p", "Gus", "-d", TODAY, "--area", "Shin", "--json")
    assert r.code == 0, r.err
    assert r.json()["areas"] == ["shin"]
    _refused(cli("session", "add", "-p", "Gus", "-d", TODAY, "--area", "chinn"), "'chin'")

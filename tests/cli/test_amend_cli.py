"""Correcting records from the command line: edit, delete, undo and the change log."""

from __future__ import annotations

import datetime as dt

import pytest

from journal.imaging.synthetic import write_skin_photo


@pytest.fixture
def photo_file(tmp_path):
    path = tmp_path / "cheek.jpg"
    taken = dt.datetime(2026, 3, 1, 10, 30)
    write_skin_photo(path, seed=3, severity=5, taken_at=taken, size=(640, 480))
    return path


def _seed(cli) -> dict[str, str]:
    """A patient with a session, two check-ins, a review and a second patient."""
    assert cli("patient", "add", "Robin Vale", "--concern", "acne scars").code == 0
    assert cli("patient", "add", "Sam Lee").code == 0
    ids = {}
    s = cli("session", "add", "-p", "Robin", "--date", "2026-03-01", "--pain", "3", "--json")
    ids["session"] = s.json()["id"]
    c = cli("checkin", "add", "-p", "Robin", "--date", "2026-03-02", "--redness", "6", "--json")
    ids["checkin"] = c.json()["id"]
    c2 = cli("checkin", "add", "-p", "Robin", "--date", "2026-03-20", "--concern", "acne-scars=5")
    assert c2.code == 0
    r = cli("review", "add", "-p", "Robin", "--date", "2026-03-21", "--gais", "improved", "--json")
    ids["review"] = r.json()["id"]
    return ids


def _history(cli, who: str = "Robin") -> dict:
    return cli("history", "-p", who, "--json").json()


def test_edit_changes_only_the_fields_given_and_logs_old_and_new(cli):
    ids = _seed(cli)
    out = cli("session", "edit", ids["session"][:8], "--pain", "4", "--depth", "1.25", "--json")
    assert out.code == 0, out.err
    session = _history(cli)["sessions"][0]
    assert (session["pain"], session["depth_mm"], session["date"]) == (4, 1.25, "2026-03-01")
    log = cli("log", "--json").json()
    fields = {(c["field"], c["old"], c["new"]) for c in log}
    assert ("pain", 3, 4) in fields and ("depth_mm", None, 1.25) in fields
    assert {c["action"] for c in log} == {"edit"}


def test_edit_refuses_what_add_refuses_and_writes_nothing(cli):
    ids = _seed(cli)
    for args, named in (
        (("--pain", "11"), "pain"),
        (("--date", "20260301"), "date"),
        (("--serum", "pr\x1b[2Jp"), "serum"),
    ):
        out = cli("session", "edit", ids["session"], *args)
        assert out.code == 2 and named in out.err.lower() and "\n" not in out.err.strip()
    assert cli("log", "--json").json() == []
    assert _history(cli)["sessions"][0]["pain"] == 3


def test_an_edit_that_changes_nothing_is_refused(cli):
    ids = _seed(cli)
    out = cli("session", "edit", ids["session"][:8], "--pain", "3")
    assert out.code == 2 and "nothing to change" in out.err
    assert cli("session", "edit", ids["session"][:8]).code == 2  # no option at all


def test_unknown_and_ambiguous_ids_are_one_line_errors(cli):
    _seed(cli)
    out = cli("checkin", "edit", "ffffffff", "--redness", "2")
    assert out.code == 2 and "no check-in with id" in out.err
    out = cli("checkin", "edit", "zz", "--redness", "2")
    assert out.code == 2 and "id" in out.err


def test_an_empty_value_clears_an_optional_field(cli):
    ids = _seed(cli)
    assert cli("session", "edit", ids["session"], "--notes", "too deep").code == 0
    assert cli("session", "edit", ids["session"], "--notes", "").code == 0
    assert _history(cli)["sessions"][0]["notes"] is None


def test_a_check_in_filed_under_the_wrong_patient_moves(cli):
    ids = _seed(cli)
    out = cli("checkin", "edit", ids["checkin"][:8], "--patient", "Sam")
    assert out.code == 0, out.err
    assert [c["id"] for c in _history(cli, "Sam")["checkins"]] == [ids["checkin"]]
    assert ids["checkin"] not in {c["id"] for c in _history(cli)["checkins"]}


def test_delete_needs_yes_without_a_terminal_and_then_undo_restores_it(cli):
    ids = _seed(cli)
    refused = cli("checkin", "delete", ids["checkin"][:8])
    assert refused.code == 2 and "--yes" in refused.err
    assert len(_history(cli)["checkins"]) == 2
    before = _history(cli)
    assert cli("checkin", "delete", ids["checkin"][:8], "--yes").code == 0
    assert len(_history(cli)["checkins"]) == 1
    undone = cli("undo")
    assert undone.code == 0 and "delete of check-in" in undone.out
    assert _history(cli)["checkins"] == before["checkins"]


def test_deleting_a_course_takes_its_records_and_undo_brings_all_back(cli):
    _seed(cli)
    course_id = _history(cli)["courses"][0]["id"]
    before = _history(cli)
    out = cli("course", "delete", course_id[:8], "--yes")
    assert out.code == 0 and "1 session" in out.out and "2 check-ins" in out.out
    after = _history(cli)
    assert after["courses"] == after["sessions"] == after["checkins"] == after["reviews"] == []
    assert cli("undo").code == 0
    assert _history(cli) == before


def test_undo_reverts_edits_newest_first_then_says_nothing_is_left(cli):
    ids = _seed(cli)
    assert cli("review", "edit", ids["review"], "--gais", "much-improved").code == 0
    assert cli("review", "edit", ids["review"], "--notes", "smoother").code == 0
    assert cli("undo").code == 0
    review = _history(cli)["reviews"][0]
    assert (review["gais"], review["notes"]) == ("much-improved", None)
    assert cli("undo").code == 0
    assert _history(cli)["reviews"][0]["gais"] == "improved"
    nothing = cli("undo")
    assert nothing.code == 2 and "nothing to undo" in nothing.err


def test_undo_refuses_to_overwrite_a_later_change_made_another_way(cli, journal):
    from sqlalchemy import update

    from journal.store.models import ReviewRow

    ids = _seed(cli)
    assert cli("review", "edit", ids["review"], "--notes", "one").code == 0
    with journal.write() as db:  # a change that bypassed the log (an older program)
        db.execute(update(ReviewRow).values(notes="two"))
    out = cli("undo")
    assert out.code == 2 and "changed again" in out.err


def test_log_is_per_patient_and_names_who(cli):
    ids = _seed(cli)
    assert cli("session", "edit", ids["session"], "--pain", "5", "--by", "Dr Chen").code == 0
    assert cli("patient", "edit", "Sam", "--birth-year", "1990").code == 0
    robin = cli("log", "-p", "Robin", "--json").json()
    assert [(c["actor"], c["field"]) for c in robin] == [("Dr Chen", "pain")]
    text = cli("log").out
    assert "Dr Chen" in text and "pain: 3 -> 5" in text and "birth_year" in text


def test_photos_are_refiled_and_deleted_photo_files_wait_for_undo(cli, photo_file, home):
    assert cli("patient", "add", "Robin Vale").code == 0
    added = cli(
        "photo",
        "add",
        "-p",
        "Robin",
        "--date",
        "2026-03-01",
        "--area",
        "left-cheek",
        str(photo_file),
        "--json",
    )
    assert added.code == 0, added.err
    photo = _history(cli)["photos"][0]
    assert cli("photo", "edit", photo["id"][:8], "--area", "right-cheek").code == 0
    assert _history(cli)["photos"][0]["area"] == "right-cheek"
    display = home / "photos" / photo["display_path"]
    assert display.is_file()
    assert cli("photo", "delete", photo["id"][:8], "--yes").code == 0
    assert not display.exists() and _history(cli)["photos"] == []
    assert list((home / "photos" / ".trash").rglob("*.jpg"))
    assert cli("undo").code == 0
    assert display.is_file() and _history(cli)["photos"][0]["area"] == "right-cheek"


def test_deleting_a_session_keeps_its_photos_and_undo_links_them_again(cli, photo_file):
    assert cli("patient", "add", "Robin Vale").code == 0
    s = cli("session", "add", "-p", "Robin", "--date", "2026-03-01", "--json").json()
    out = cli("photo", "add", "-p", "Robin", "--session", s["id"], str(photo_file))
    assert out.code == 0, out.err
    assert _history(cli)["photos"][0]["session_id"] == s["id"]
    assert cli("session", "delete", s["id"], "--yes").code == 0
    assert _history(cli)["photos"][0]["session_id"] is None
    assert cli("undo").code == 0
    assert _history(cli)["photos"][0]["session_id"] == s["id"]


@pytest.mark.parametrize("kind", ["session", "checkin", "review", "course", "photo", "patient"])
def test_every_kind_has_edit_with_help(cli, kind):
    out = cli(kind, "edit", "--help")
    assert out.code == 0 and "--by" in out.out and "--json" in out.out


def _every_byte_under(folder) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def test_erasing_a_patient_leaves_nothing_of_theirs_in_any_file(cli, home, photo_file, journal_url):
    """Name, notes, photos, change log, deleted photos waiting for undo: all gone, for good."""
    assert cli("patient", "add", "Quilla Zephyrine").code == 0
    assert cli("patient", "add", "Sam Lee").code == 0
    checkin = cli(
        "checkin", "add", "-p", "Quilla", "-d", "2026-03-02", "--notes", "XYZZY-NOTE", "--json"
    ).json()
    assert cli("checkin", "edit", checkin["id"], "--notes", "PLUGH-NOTE").code == 0
    for area in ("left-cheek", "forehead"):
        out = cli(
            "photo", "add", "-p", "Quilla", "-d", "2026-03-01", "--area", area, str(photo_file)
        )
        if out.code == 0:
            break
    photo = _history(cli, "Quilla")["photos"][0]
    assert cli("photo", "delete", photo["id"], "--yes").code == 0  # its files wait in the trash
    assert cli("checkin", "add", "-p", "Sam", "-d", "2026-03-02", "--redness", "2").code == 0
    assert cli("checkin", "add", "-p", "Quilla", "-d", "2026-03-03", "--flag", "blisters").code == 0
    (flag,) = cli("flag", "list", "-p", "Quilla", "--json").json()
    seen = cli("flag", "seen", flag["id"], "--by", "Dr Chen", "--note", "FROBOZZ-NOTE")
    assert seen.code == 0, seen.err  # a flag row and change-log lines with a provider's note

    refused = cli("patient", "delete", "Quilla")
    assert refused.code == 2 and "cannot be undone" in refused.err
    out = cli("patient", "delete", "Quilla", "--yes", "--by", "Dr Chen")
    assert out.code == 0, out.err

    names = [p["patient"]["display_name"] for p in cli("patient", "list", "--json").json()]
    assert names == ["Sam Lee"]
    log = cli("log", "--json").json()
    assert [(c["action"], c["actor"]) for c in log if c["kind"] == "patient"] == [
        ("erase", "Dr Chen")
    ]
    assert all(c["patient_id"] is None or c["action"] != "edit" for c in log)
    text = cli("log").out
    assert "XYZZY" not in text and "PLUGH" not in text and "Quilla" not in text
    assert "FROBOZZ" not in text
    assert cli("undo").code == 2  # nothing of theirs can come back
    assert len(_history(cli, "Sam")["checkins"]) == 1
    assert not [p for p in (home / "photos").rglob("*") if p.is_file()]
    if journal_url is None:  # SQLite: the database, its WAL and every other file in the home
        everything = _every_byte_under(home)
        for secret in (b"Quilla", b"Zephyrine", b"XYZZY", b"PLUGH", b"FROBOZZ"):
            assert secret not in everything, secret


def test_an_edit_refuses_future_dates_and_typos_as_an_add_does(cli):
    ids = _seed(cli)
    ahead = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    out = cli("session", "edit", ids["session"], "--date", ahead)
    assert out.code == 2 and "in the future" in out.err
    typo = cli("session", "edit", ids["session"], "--area", "forhead")
    assert typo.code == 2 and "did you mean 'forehead'" in typo.err
    kept = cli("session", "edit", ids["session"], "--area", "forhead", "--custom")
    assert kept.code == 0, kept.err
    assert _history(cli)["sessions"][0]["areas"] == ["forhead"]

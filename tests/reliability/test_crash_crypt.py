"""Crash safety of `journal encrypt`, `journal decrypt` and `journal passphrase change`.

A real `journal` process is SIGKILLed at a random moment of each conversion;
afterwards the journal must open in the old state or the new one (never
neither), with every record and every photo readable (sealed or in clear,
deleted ones kept for undo too), and the next conversion must work; running
the interrupted command again leaves no copy in the other layout. On
PostgreSQL (photos sealed, records the server's, the header a row) too.
"""

from __future__ import annotations

import random
import time

from journal.services.journal import open_journal
from journal.services.patients import list_patients
from journal.services.sessions import add_session
from journal.services.unlock import Secret

from ._support import journal_cli, kill_group, seed_for, spawn

PASS = "correct horse battery"
NEW = "a different passphrase"
KILLS = 8


PHOTOS = 6


def _seed(home, tmp_path, url) -> None:
    import datetime as dt

    from journal.imaging.synthetic import write_skin_photo
    from journal.services.amend import delete
    from journal.services.patients import add_patient
    from journal.services.photos import import_photos

    with open_journal(home, url) as journal:
        add_patient(journal, "Crash Test")
        for day in range(1, 29):
            add_session(journal, "Crash Test", date=f"2026-02-{day:02d}", notes="x" * 2000)
        files = []
        for i in range(PHOTOS + 1):
            path = tmp_path / f"p{i}.jpg"
            write_skin_photo(
                path, seed=i, severity=4, taken_at=dt.datetime(2026, 2, i + 1), size=(640, 480)
            )
            files.append(path)
        photos = import_photos(journal, "Crash Test", files).imported
        delete(journal, "photo", str(photos[-1].id))  # one kept for undo, converted too


def _photos_readable(journal) -> int:
    """Every photo's display copy and thumbnail read back (unsealed when sealed)."""
    from journal.services.photos import list_photos, read_photo

    photos = list_photos(journal, "Crash Test")
    for photo in photos:
        for which in ("display", "thumb"):
            data = read_photo(journal, photo, which)
            assert data is not None and data.startswith(b"\xff\xd8\xff"), (photo.id, which)
    return len(photos)


def _state(home, url) -> tuple[str, int]:
    """('plain' | 'encrypted' | 'rekeyed', sessions) of a journal that must open."""
    from journal.services.history import patient_history
    from journal.services.unlock import is_encrypted

    if not is_encrypted(home, url):
        with open_journal(home, url) as journal:
            assert _photos_readable(journal) == PHOTOS
            return "plain", len(patient_history(journal, "Crash Test").sessions)
    for state, passphrase in (("encrypted", PASS), ("rekeyed", NEW)):
        try:
            journal = open_journal(home, url, secret=Secret("passphrase", passphrase))
        except Exception as exc:
            if "wrong passphrase" not in str(exc):
                raise
            continue
        with journal:
            assert list_patients(journal)
            assert _photos_readable(journal) == PHOTOS
            return state, len(patient_history(journal, "Crash Test").sessions)
    raise AssertionError("the journal opens with neither the old nor the new passphrase")


def _finish(home, url, state: str) -> None:
    """Run the interrupted command again: no copy of the other layout stays behind."""
    from journal.services import crypt
    from journal.store.photostore import stored_names

    if state == "plain":
        if stored_names(home / "photos")[1]:
            crypt.decrypt(home, url)
        assert stored_names(home / "photos")[1] == []
    else:
        passphrase = PASS if state == "encrypted" else NEW
        crypt.finish_encrypt(home, url, secret=Secret("passphrase", passphrase))
        assert stored_names(home / "photos")[0] == []
        assert not list((home / "photos").rglob("*.jpg"))
    assert _state(home, url)[0] == state


def _kill_at_random(command, log, rng, monkeypatch, passphrase, **env):
    monkeypatch.setenv("JOURNAL_PASSPHRASE", passphrase)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    proc = spawn(command, log)
    time.sleep(rng.uniform(0.2, 2.5))
    kill_group(proc)
    monkeypatch.delenv("JOURNAL_PASSPHRASE")
    for name in env:
        monkeypatch.delenv(name)


def test_killed_conversions_leave_the_old_or_the_new_journal(tmp_path, monkeypatch, journal_url):
    url = journal_url
    rng = random.Random(seed_for("crypt kills"))
    home, log = tmp_path / "home", tmp_path / "child.log"
    _seed(home, tmp_path, url)
    seen: dict[str, int] = {}
    state, sessions = _state(home, url)
    assert (state, sessions) == ("plain", 28)
    for _ in range(KILLS):
        before = state
        if before == "plain":
            command = journal_cli(home, url, "encrypt")
            _kill_at_random(command, log, rng, monkeypatch, PASS)
            allowed = {"plain", "encrypted"}
        elif before == "encrypted":
            command = journal_cli(home, url, "passphrase", "change")
            _kill_at_random(command, log, rng, monkeypatch, PASS, JOURNAL_NEW_PASSPHRASE=NEW)
            allowed = {"encrypted", "rekeyed"}
        else:
            command = journal_cli(home, url, "decrypt", "--yes")
            _kill_at_random(command, log, rng, monkeypatch, NEW)
            allowed = {"rekeyed", "plain"}
        state, sessions = _state(home, url)
        assert state in allowed, (before, state)
        assert sessions == 28
        seen[f"{before}->{state}"] = seen.get(f"{before}->{state}", 0) + 1
        assert not list(home.glob(".journal.db.convert-*"))  # settled on open
        _finish(home, url, state)
    print(f"crypt kills: {KILLS}; transitions seen: {seen}")
    assert any(a != b for a, b in (k.split("->") for k in seen))  # some conversions landed

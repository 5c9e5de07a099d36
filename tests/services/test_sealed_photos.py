"""Photos of an encrypted journal: sealed files, sealed names, both stores, conversions.

Every test runs on SQLite and on PostgreSQL (where the records stay the
server's and the journal seals only the photo files, its header a row).

The representative photo paths (import, the gallery's thumbnails, the compare
view's display copies, delete and undo) run on plain and encrypted journals
and on both photo stores; a tampered file is named by its photo's short id
while the others still open; `journal encrypt` and `decrypt` carry every
photo (deleted ones kept for undo included) across, and leave no copy of the
other layout behind.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import jpeg_inside
from PIL import Image

from journal.imaging.synthetic import write_skin_photo
from journal.services import crypt
from journal.services.amend import delete, undo
from journal.services.journal import open_journal
from journal.services.patients import add_patient
from journal.services.photos import import_photos, read_photo
from journal.services.unlock import Secret
from journal.store.photostore import stored_names
from journal.store.sealed import SealedFileDamaged
from journal.tui.data import load_patient

PASS = "correct horse battery"
SECRET = Secret("passphrase", PASS)
SMALL = (480, 360)
JPEG = b"\xff\xd8\xff"


def _skin(tmp_path: Path, name: str, seed: int) -> Path:
    path = tmp_path / name
    write_skin_photo(path, seed=seed, severity=4, taken_at=dt.datetime(2024, 3, seed), size=SMALL)
    return path


def _open(home: Path, encrypted: bool, url: str | None = None) -> Any:
    return open_journal(home, url, secret=SECRET if encrypted else None)


@pytest.fixture(params=[False, True], ids=["plain", "encrypted"])
def encrypted(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


@pytest.fixture
def journal(
    home: Path, encrypted: bool, photo_store: str, journal_url: str | None
) -> Iterator[Any]:
    """A journal (SQLite or PostgreSQL), plain or encrypted, with its photos in the
    folder or the database."""
    if encrypted:
        crypt.init_encrypted(PASS, home, journal_url)
    with _open(home, encrypted, journal_url) as j:
        add_patient(j, "Ana Lima")
        yield j


def _every_stored_byte(home: Path, url: str | None = None) -> dict[Path, bytes]:
    """Every file of the home and, for a PostgreSQL journal, every stored photo blob
    (named `photo_blob/<sha>-<which>`): all the bytes the journal wrote."""
    found = {p: p.read_bytes() for p in sorted(home.rglob("*")) if p.is_file()}
    if url is not None:
        import psycopg

        with psycopg.connect(url) as conn, conn.cursor(binary=True) as cursor:
            cursor.execute("SELECT sha256, which, data FROM photo_blob")
            for sha, which, data in cursor.fetchall():
                found[Path("photo_blob", f"{sha}-{which}")] = bytes(data)
    return found


def test_import_gallery_and_compare_read_the_same_pixels(
    journal, home, tmp_path, encrypted, journal_url
):
    report = import_photos(journal, "Ana Lima", [_skin(tmp_path, f"c{i}.jpg", i) for i in (1, 2)])
    assert len(report.imported) == 2 and not report.failed
    photo = report.imported[0]
    display = read_photo(journal, photo)
    assert display is not None and display.startswith(JPEG)
    assert Image.open(io.BytesIO(display)).size == SMALL
    data = load_patient(journal, "Ana Lima", dt.date(2024, 4, 1))
    assert set(data.thumbs) == {p.id for p in report.imported}  # the gallery
    assert all(t.startswith(JPEG) for t in data.thumbs.values())
    assert data.displays[photo.id].read() == display  # the compare view
    stored = _every_stored_byte(home, journal_url)
    leaked = [p for p, b in stored.items() if jpeg_inside(b) or photo.sha256.encode() in b]
    names = [p for p in stored if photo.sha256 in p.name and p.parts[0] != "photo_blob"]
    if encrypted:
        assert leaked == [] and names == []
    elif journal.photos.kind == "folder":
        assert leaked and names  # the plain layout, as before
    elif journal_url is not None:
        assert leaked  # plain blobs in the server's table


def test_delete_and_undo_keep_a_photo_readable(journal, tmp_path):
    (photo,) = import_photos(journal, "Ana Lima", [_skin(tmp_path, "a.jpg", 3)]).imported
    before = read_photo(journal, photo)
    delete(journal, "photo", str(photo.id))
    assert journal.photos.read_bytes(photo.display_path) is None
    undo(journal)
    assert read_photo(journal, photo) == before


def test_a_tampered_photo_is_named_in_one_line_and_the_others_still_open(
    journal, home, tmp_path, encrypted
):
    report = import_photos(journal, "Ana Lima", [_skin(tmp_path, f"t{i}.jpg", i) for i in (4, 5)])
    bad, good = report.imported
    original = read_photo(journal, bad, "thumb")
    _flip_a_byte(journal, bad.thumb_path)
    if not encrypted:
        # Only a sealed file can tell it was altered: a plain one reads back changed
        # (doctor's decode check is what catches damage there).
        assert read_photo(journal, bad, "thumb") != original
        return
    with pytest.raises(SealedFileDamaged) as caught:
        read_photo(journal, bad, "thumb")
    message = caught.value.message
    assert "\n" not in message and str(bad.id).replace("-", "")[:8] in message
    assert "authentication" in message and bad.sha256 not in message
    assert read_photo(journal, good, "thumb") is not None
    assert read_photo(journal, bad) is not None  # its display copy is intact
    data = load_patient(journal, "Ana Lima", dt.date(2024, 4, 1))
    assert set(data.thumbs) == {good.id}  # the gallery shows the rest


def _flip_a_byte(journal: Any, name: str) -> None:
    """Alter one stored byte of a photo file, wherever its store keeps it."""
    store = journal.photos
    if store.kind == "folder":
        path = store.path(name)
        blob = bytearray(path.read_bytes())
        blob[-20] ^= 0x01
        path.write_bytes(bytes(blob))
        return
    from sqlalchemy import select, update

    from journal.store.models import PhotoBlobRow as B
    from journal.store.photostore import parse_name

    sha, which, _ext = parse_name(name)
    with journal.engine.begin() as conn:
        where = (B.sha256 == sha, B.which == which)
        blob = bytearray(conn.execute(select(B.data).where(*where)).scalar())
        blob[-20] ^= 0x01
        conn.execute(update(B).where(B.sha256 == sha, B.which == which).values(data=bytes(blob)))


def test_encrypt_and_decrypt_carry_every_photo_and_leave_no_other_layout(
    home, tmp_path, photo_store, journal_url
):
    url = journal_url
    with open_journal(home, url) as j:
        add_patient(j, "Ana Lima")
        kept, gone = import_photos(
            j, "Ana Lima", [_skin(tmp_path, f"e{i}.jpg", i) for i in (6, 7)]
        ).imported
        originals = {p.id: read_photo(j, p) for p in (kept, gone)}
        delete(j, "photo", str(gone.id))  # a deleted photo's files, kept for undo
    result = crypt.encrypt(PASS, home, url)
    # SQLite's database store seals its blobs inside the converted database file
    sealed_here = 4 if photo_store == "folder" or url is not None else 0
    assert result.photo_files == sealed_here and result.postgres == (url is not None)
    plain, sealed = stored_names(home / "photos")
    assert plain == [] and not list((home / "photos").rglob("*-display.jpg"))
    assert not any(jpeg_inside(b) for b in _every_stored_byte(home, url).values())
    folders = [p for p in (home / "photos").rglob("*") if p.is_dir()]  # `.trash/<batch>/` too
    assert all(p.stat().st_mode & 0o077 == 0 for p in folders), folders
    with _open(home, True, url) as j:
        assert read_photo(j, kept) == originals[kept.id]
        undo(j)
        assert read_photo(j, gone) == originals[gone.id]
        delete(j, "photo", str(gone.id))
    crypt.decrypt(home, url, secret=SECRET)
    plain, sealed = stored_names(home / "photos")
    assert sealed == []
    with _open(home, False, url) as j:
        assert read_photo(j, kept) == originals[kept.id]
        undo(j)
        assert read_photo(j, gone) == originals[gone.id]


def test_encrypt_again_finishes_a_run_killed_after_its_swap(home, tmp_path, journal_url):
    """The state a kill after the swap leaves: encrypted, with clear copies beside."""
    url = journal_url
    with open_journal(home, url) as j:
        add_patient(j, "Ana Lima")
        (photo,) = import_photos(j, "Ana Lima", [_skin(tmp_path, "k.jpg", 8)]).imported
    clear = {p: p.read_bytes() for p in (home / "photos").rglob("*.jpg")}
    crypt.encrypt(PASS, home, url)
    for path, data in clear.items():  # put the clear copies back, as a kill would leave them
        path.parent.mkdir(mode=0o700, exist_ok=True)
        path.write_bytes(data)
    assert crypt.finish_encrypt(home, url, secret=SECRET) == 2
    assert stored_names(home / "photos")[0] == []
    assert crypt.finish_encrypt(home, url, secret=SECRET) == 0
    with _open(home, True, url) as j:
        assert read_photo(j, photo) is not None


def test_sealed_leftovers_in_a_plain_journal_are_removed_by_the_next_conversion(
    home, tmp_path, journal_url
):
    """A kill before the swap leaves sealed copies under a key nobody kept."""
    from journal.store.photostore import FolderStore
    from journal.store.sealed import Sealing

    url = journal_url
    with open_journal(home, url) as j:
        add_patient(j, "Ana Lima")
        (photo,) = import_photos(j, "Ana Lima", [_skin(tmp_path, "l.jpg", 9)]).imported
    stray = FolderStore(home / "photos", Sealing(os.urandom(32), os.urandom(32)))
    stray.write_bytes(photo.display_path, b"leftover")
    assert len(stored_names(home / "photos")[1]) == 1
    crypt.decrypt(home, url)  # a plain journal: only the leftovers go
    assert stored_names(home / "photos")[1] == []
    with open_journal(home, url) as j:
        assert read_photo(j, photo) is not None


def _fail_the_commit(session: Any, _context: Any, _instances: Any) -> None:
    """A second row with a new photo's sha256: a real UNIQUE violation at the flush."""
    from journal.store.models import PhotoRow

    for obj in list(session.new):
        if isinstance(obj, PhotoRow) and not session.info.get("twin"):
            session.info["twin"] = True
            columns = ("course_id", "kind", "taken_at", "taken_at_source", "sha256", "width")
            twin = PhotoRow(**{c: getattr(obj, c) for c in columns})
            twin.height, twin.display_path, twin.thumb_path = obj.height, "x", "y"
            session.add(twin)


def test_a_failed_commit_leaves_no_file_of_its_own_behind(journal, home, tmp_path):
    """The files an import sealed for a row that never committed go again (the
    doctor would otherwise list them as orphans), on plain and encrypted journals."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session as DbSession

    from journal.core.errors import JournalUnavailable

    (kept,) = import_photos(journal, "Ana Lima", [_skin(tmp_path, "kept.jpg", 10)]).imported
    before = _every_stored_byte(home / "photos") if (home / "photos").exists() else {}
    names = sorted(journal.photos.stored())
    event.listen(DbSession, "before_flush", _fail_the_commit)
    try:
        with pytest.raises(JournalUnavailable, match="cannot save the photos"):
            import_photos(journal, "Ana Lima", [_skin(tmp_path, "gone.jpg", 11)])
    finally:
        event.remove(DbSession, "before_flush", _fail_the_commit)
    after = _every_stored_byte(home / "photos") if (home / "photos").exists() else {}
    assert sorted(after) == sorted(before)  # no orphan for `journal doctor` to list
    assert sorted(journal.photos.stored()) == names
    assert read_photo(journal, kept) is not None


def test_an_interrupted_erasure_names_no_photo_by_its_hash(
    journal, home, tmp_path, encrypted, photo_store, monkeypatch
):
    """The pending note of an erasure killed between its commit and the file
    removal holds the sealed names on an encrypted journal: no photo's sha256
    anywhere in the home, during and after; `finish_pending` still removes all."""
    from journal.services import erasure

    kept, gone = import_photos(
        journal, "Ana Lima", [_skin(tmp_path, f"x{i}.jpg", i) for i in (12, 13)]
    ).imported
    delete(journal, "photo", str(gone.id))  # a deleted photo's files, kept for undo
    hashes = [p.sha256.encode() for p in (kept, gone)]

    def revealing() -> list[Path]:
        stored = _every_stored_byte(home)
        return [
            p
            for p, data in stored.items()
            if any(h in data or h.decode() in os.fspath(p) for h in hashes)
        ]

    def killed(*_args: Any, **_kwargs: Any) -> int:
        raise KeyboardInterrupt  # the process dies between the commit and the file removal

    monkeypatch.setattr(erasure, "_remove_files", killed)
    if photo_store == "database":
        # The bytes go in the erasure's own commit: no file to remove after it, so
        # nothing to interrupt, no pending note, and no hash left anywhere.
        erasure.erase_patient(journal, "Ana Lima")
        assert not list((home / "photos").rglob("*.json"))
        assert revealing() == []
        return
    with pytest.raises(KeyboardInterrupt):
        erasure.erase_patient(journal, "Ana Lima")
    monkeypatch.undo()
    notes = list((home / "photos" / erasure.PENDING_DIRNAME).glob("*.json"))
    assert len(notes) == 1

    if encrypted:
        assert revealing() == []
    else:
        assert notes[0] in revealing()  # the plain layout names files by hash anyway
    removed = erasure.finish_pending(journal.photos_dir, lambda _id: False, journal.photos)
    assert removed == 4
    assert stored_names(home / "photos") == ([], [])
    assert not list((home / "photos").rglob("*.json"))
    if encrypted:
        assert revealing() == []

"""The exchange archive: round trip, idempotent merge, newer-wins, and every refusal."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest
from conftest import photo_files

from journal.core.errors import JournalError
from journal.export.archive import FORMAT, VERSION, Limits
from journal.services.archive_import import import_archive
from journal.services.exporting import export_patient
from journal.services.history import patient_history
from journal.services.journal import open_journal
from journal.services.reading import history_document

from .helpers import DEMO, TODAY, row_counts

# Read from the pixels, not archived: an imported photo gets them again at its first
# compare (journal/services/evidence.py), so a round trip leaves them unknown.
DERIVED = ("quality", "measures", "comparison")


def _doc(journal) -> dict:
    doc = history_document(patient_history(journal, DEMO))
    for photo in doc.get("photos", []):
        for name in DERIVED:
            photo.pop(name, None)
    return doc


def _files(home) -> dict:
    return {p.relative_to(home): p.read_bytes() for p in photo_files(home)}


# -- round trip and merge ------------------------------------------------------------------


def test_round_trip_into_an_empty_journal(journal, demo, home, other, other_home, tmp_path):
    archive = export_patient(journal, DEMO, fmt="json", out=tmp_path / "a.zip", today=TODAY)
    with zipfile.ZipFile(archive) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        names = set(zf.namelist())
    assert manifest["format"] == FORMAT and manifest["version"] == VERSION
    assert manifest["counts"] == {
        "patients": 1,
        "providers": 1,
        "courses": 1,
        "sessions": 4,
        "checkins": 17,
        "photos": 10,
        "reviews": 2,
        "flags": 0,
        "photo_files": 20,
    }
    assert names == {"manifest.json", *manifest["members"]}

    summary = import_archive(other, archive)
    assert summary.added == {
        "providers": 1,
        "patient": 1,
        "courses": 1,
        "sessions": 4,
        "checkins": 17,
        "photos": 10,
        "reviews": 2,
        "flags": 0,
    }
    assert summary.photo_files_written == 20
    assert _doc(other) == _doc(journal)  # same ids, timestamps, values and photo paths
    assert _files(other_home) == _files(home)  # the very same display and thumb bytes


def test_importing_twice_changes_nothing(journal, demo, other, other_home, tmp_path):
    archive = export_patient(journal, DEMO, fmt="json", out=tmp_path / "a.zip", today=TODAY)
    import_archive(other, archive)
    before_doc = _doc(other)
    before_rows = _stamps(other)
    before_files = {p: p.stat().st_mtime_ns for p in photo_files(other_home)}
    again = import_archive(other, archive)
    assert not again.changed and again.photo_files_written == 0
    assert sum(again.unchanged.values()) == 1 + 1 + 1 + 4 + 17 + 10 + 2
    assert _doc(other) == before_doc
    assert _stamps(other) == before_rows
    assert {p: p.stat().st_mtime_ns for p in photo_files(other_home)} == before_files


def _stamps(journal) -> dict:
    from sqlalchemy import select

    from journal.store.models import CheckInRow, PatientRow, SessionRow

    with journal.read() as db:
        return {
            row.id: (row.created_at, row.updated_at)
            for model in (PatientRow, SessionRow, CheckInRow)
            for row in db.scalars(select(model))
        }


def _edit_notes(journal, model, row_id, notes) -> None:
    with journal.write() as db:
        db.get(model, row_id).notes = notes  # `onupdate` bumps updated_at


def test_newer_record_wins_both_ways(journal, demo, other, tmp_path):
    from journal.store.models import CheckInRow, SessionRow

    first = export_patient(journal, DEMO, fmt="json", out=tmp_path / "1.zip", today=TODAY)
    import_archive(other, first)
    history = patient_history(journal, DEMO)
    session, checkin = history.sessions[0], history.checkins[-1]

    _edit_notes(journal, SessionRow, session.id, "Edited at home")  # newer in the source
    _edit_notes(other, CheckInRow, checkin.id, "Edited at the clinic")  # newer in the target
    second = export_patient(journal, DEMO, fmt="json", out=tmp_path / "2.zip", today=TODAY)
    summary = import_archive(other, second)

    assert summary.updated["sessions"] == 1 and summary.added == dict.fromkeys(summary.added, 0)
    merged = patient_history(other, DEMO)
    assert next(t for t in merged.sessions if t.id == session.id).notes == "Edited at home"
    assert next(c for c in merged.checkins if c.id == checkin.id).notes == "Edited at the clinic"
    assert not import_archive(other, first).changed  # the older archive changes nothing now


def test_same_provider_name_is_linked_not_duplicated(journal, demo, other, tmp_path):
    from journal.services.patients import add_patient
    from journal.services.sessions import add_session

    local = add_patient(other, "Someone Else")
    add_session(other, str(local.id), date="2026-01-05", provider="dr. maya chen")
    archive = export_patient(journal, DEMO, fmt="json", out=tmp_path / "a.zip", today=TODAY)
    summary = import_archive(other, archive)
    assert summary.added["providers"] == 0 and summary.unchanged["providers"] == 1
    assert row_counts(other)["provider"] == 1
    assert {t.provider for t in patient_history(other, DEMO).sessions} == {"dr. maya chen"}


def test_cli_export_and_import(cli, journal, demo, tmp_path):
    out = tmp_path / "cli.zip"
    r = cli("export", "-p", DEMO, "-f", "json", "-o", str(out), "--json")
    assert r.code == 0, r.err
    assert r.json()["path"] == str(out) and out.is_file()
    again = cli("import", str(out), "--json")
    assert again.code == 0, again.err
    assert again.json()["changed"] is False
    assert again.json()["unchanged"]["checkins"] == 17
    plain = cli("import", str(out))
    assert plain.code == 0 and "already up to date" in plain.out


def test_a_failed_commit_removes_the_new_photo_files(journal, home, demo_archive, monkeypatch):
    from journal.services import archive_import

    real = archive_import._merge_rows

    def failing(s, key, rows, summary, apply, patient_id):
        if apply and key == "reviews":
            raise RuntimeError("disk on fire")
        return real(s, key, rows, summary, apply, patient_id)

    monkeypatch.setattr(archive_import, "_merge_rows", failing)
    with pytest.raises(RuntimeError):
        import_archive(journal, demo_archive)
    assert photo_files(home) == []
    assert set(row_counts(journal).values()) == {0}


# -- refusals: one line, exit 2, no rows, no files -------------------------------------------


def _refused(cli, journal, home, archive, *needles: str) -> str:
    r = cli("import", str(archive))
    assert r.code == 2, (r.out, r.err)
    assert r.out == ""
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("journal: error: "), r.err
    for needle in needles:
        assert needle in lines[0], lines[0]
    assert set(row_counts(journal).values()) == {0}
    assert photo_files(home) == []
    return lines[0]


def test_refuses_a_corrupt_zip(cli, journal, home, demo_archive, tmp_path):
    data = demo_archive.read_bytes()
    cut = tmp_path / "truncated.zip"
    cut.write_bytes(data[: len(data) // 2])
    _refused(cli, journal, home, cut, "not a valid zip file", "nothing was imported")
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 40)
    _refused(cli, journal, home, junk, "not a valid zip file")


def test_refuses_a_damaged_member(cli, journal, home, demo_archive, tmp_path):
    """Flip bytes inside a stored photo: the zip's CRC or the manifest hash catches it."""
    data = bytearray(demo_archive.read_bytes())
    with zipfile.ZipFile(demo_archive) as zf:
        info = next(i for i in zf.infolist() if i.filename.endswith("-display.jpg"))
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 500
    data[start : start + 8] = b"\x00" * 8
    bad = tmp_path / "damaged.zip"
    bad.write_bytes(bytes(data))
    _refused(cli, journal, home, bad, info.filename)


def test_refuses_an_unknown_version(cli, journal, home, parts, tmp_path):
    p = parts()
    p.manifest["version"] = VERSION + 1
    out = p.write(tmp_path / "v-next.zip")
    _refused(cli, journal, home, out, f"unsupported archive version {VERSION + 1}")


# rename-codemod: off  (version-1 archives spell these the old way)
def _as_version_1(p):
    """The archive as version 1 wrote it: treatments, adjuncts, treatment_id."""
    p.manifest["version"] = 1
    del p.manifest["counts"]["flags"], p.records["flags"]  # version 4 added them
    counts = p.manifest["counts"]
    p.manifest["counts"] = {("treatments" if k == "sessions" else k): v for k, v in counts.items()}
    p.records["treatments"] = p.records.pop("sessions")
    for item in p.records["treatments"]:
        item["adjuncts"] = item.pop("serums")
    for item in p.records["photos"]:
        item["treatment_id"] = item.pop("session_id")
    return p


def test_a_version_1_archive_imports_with_the_same_meaning(parts, tmp_path):
    """Old archives (treatments, adjuncts, treatment_id) import: same sessions, serums, links."""
    current = parts().write(tmp_path / "v2.zip")
    old = _as_version_1(parts()).write(tmp_path / "v1.zip")
    assert b'"treatments"' in zipfile.ZipFile(old).read("records.json")
    docs = []
    for archive in (current, old):
        with open_journal(tmp_path / archive.stem) as fresh:
            assert import_archive(fresh, archive).added["sessions"] == 4
            docs.append(history_document(patient_history(fresh, DEMO)))
    assert any(s["serums"] for s in docs[0]["sessions"])
    assert any(p["session_id"] for p in docs[0]["photos"])
    assert docs[1] == docs[0]


def test_an_archive_with_old_and_new_names_together_is_refused(cli, journal, home, parts, tmp_path):
    p = _as_version_1(parts())
    p.records["sessions"] = p.records["treatments"]
    out = p.write(tmp_path / "both.zip")
    _refused(cli, journal, home, out, "records.json has both 'treatments' and 'sessions'")


# rename-codemod: on


def test_refuses_a_zip_that_is_not_an_archive(cli, journal, home, tmp_path):
    out = tmp_path / "other.zip"
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("manifest.json", json.dumps({"format": "something-else", "version": 1}))
    _refused(cli, journal, home, out, "does not describe a journal archive")


@pytest.mark.parametrize(
    "name", ["../evil.txt", "photos/../../evil.jpg", "/etc/cron.d/evil", "C:/evil", "a\\..\\b"]
)
def test_refuses_paths_that_escape(cli, journal, home, parts, tmp_path, name):
    p = parts()
    p.members[name] = b"gotcha"
    out = p.write(tmp_path / "escape.zip")
    _refused(cli, journal, home, out, "points outside the archive folder")
    assert not (tmp_path.parent / "evil.txt").exists() and not (home / "evil.txt").exists()


def test_refuses_a_photo_whose_hash_does_not_match(cli, journal, home, parts, tmp_path):
    p = parts()
    name = next(n for n in p.members if n.endswith("-thumb.jpg"))
    p.members[name] = p.members[name][:-10] + b"\x00" * 10  # changed, manifest not updated
    out = p.write(tmp_path / "tampered.zip", rehash=False)
    _refused(cli, journal, home, out, name, "does not match its sha256")


def test_refuses_an_original_that_is_not_the_photo(cli, journal, home, parts, tmp_path):
    """A consistent forgery (manifest rehashed) still fails: sha256(original) is the photo's id."""
    p = parts()
    photo = p.records["photos"][0]
    sha = photo["sha256"]
    photo["original_path"] = f"{sha[:2]}/{sha}-original.jpg"
    p.members[f"photos/{photo['original_path']}"] = b"\xff\xd8\xff not the original bytes"
    p.manifest["counts"]["photo_files"] += 1
    out = p.write(tmp_path / "forged.zip")
    _refused(cli, journal, home, out, f"photo {sha[:12]}", "does not match the record")


def test_refuses_an_oversized_member_zip_bomb(cli, journal, home, parts, tmp_path):
    """200 MB of zeros deflate to a few hundred KB: refused from the header, before reading."""
    p = parts()
    sha = p.records["photos"][0]["sha256"]
    name = f"photos/{sha[:2]}/{sha}-original.jpg"
    out = tmp_path / "bomb.zip"
    base = p.write(out).stat().st_size
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as zf, zf.open(name, "w") as fh:
        chunk = bytes(1 << 20)
        for _ in range(200):
            fh.write(chunk)
    assert out.stat().st_size - base < 1024 * 1024
    _refused(cli, journal, home, out, name, "too large")


def test_limits_apply_to_each_member_and_to_the_total(journal, home, demo_archive):
    with pytest.raises(JournalError, match=r"-display\.jpg is too large"):
        import_archive(journal, demo_archive, limits=Limits(member_bytes=50_000))
    with pytest.raises(JournalError, match="too large when unpacked"):
        import_archive(journal, demo_archive, limits=Limits(total_bytes=1_000_000))
    with pytest.raises(JournalError, match="too many members"):
        import_archive(journal, demo_archive, limits=Limits(members=5))
    assert set(row_counts(journal).values()) == {0} and photo_files(home) == []


def test_refuses_bad_json(cli, journal, home, parts, tmp_path):
    p = parts()
    p.members["records.json"] = b'{"patient": {"id": '
    out = p.write(tmp_path / "badjson.zip", records=False)
    _refused(cli, journal, home, out, "records.json is not valid JSON")


def _set(table, index, field, value):
    def change(records):
        target = records[table] if table == "patient" else records[table][index]
        target[field] = value

    return change


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        (_set("sessions", 0, "pain", 11), "invalid pain 11: must be between 0 and 10"),
        (_set("checkins", 3, "gais", "amazing"), "invalid GAIS 'amazing'"),
        (_set("sessions", 1, "depth_mm", 9.5), "must be between 0.1 and 3.5 mm"),
        (_set("sessions", 1, "date", "22-10-2025"), "expected a date as YYYY-MM-DD"),
        (_set("patient", 0, "skin_type", 7), "invalid skin type 7"),
        (_set("patient", 0, "display_name", ""), "must not be empty"),
        (_set("reviews", 0, "goodman_baron", "2"), "expected a whole number 1-4"),
        (_set("photos", 0, "sha256", "0" * 64), "not named after its sha256"),
        (_set("checkins", 0, "course_id", "8c0b3f5e-4d57-4f34-9a53-5d7c2f1e7a10"), "not in"),
        (_set("sessions", 0, "id", "not-a-uuid"), "expected a UUID"),
        (_set("sessions", 0, "surprise", 1), "unknown field 'surprise'"),
        (_set("checkins", 0, "notes", "x" * 10_001), "longer than 10000 characters"),
    ],
)
def test_refuses_malformed_records(cli, journal, home, parts, tmp_path, change, needle):
    p = parts()
    change(p.records)
    out = p.write(tmp_path / "bad-record.zip")
    _refused(cli, journal, home, out, needle)


def test_refuses_a_member_missing_from_the_manifest(cli, journal, home, parts, tmp_path):
    p = parts()
    out = p.write(tmp_path / "extra.zip")
    with zipfile.ZipFile(out, "a") as zf:
        zf.writestr("notes.txt", b"hello")
    _refused(cli, journal, home, out, "notes.txt is not in the manifest")


def test_refuses_another_patients_photo_and_writes_nothing(journal, home, parts, tmp_path):
    """Same photo bytes under a different patient: refused, this journal left as it was."""
    first = parts()
    import_archive(journal, first.write(tmp_path / "a.zip"))
    before, files = row_counts(journal), _files(home)
    p = parts()
    new_ids = {}
    for key in ("patient", "providers", "courses", "sessions", "checkins", "photos", "reviews"):
        items = [p.records[key]] if key == "patient" else p.records[key]
        for item in items:
            new_ids[item["id"]] = _other_id(item["id"])
    text = json.dumps(p.records)
    for old, new in new_ids.items():
        text = text.replace(old, new)
    p.records = json.loads(text)
    with pytest.raises(JournalError, match="already stored in this journal") as refused:
        import_archive(journal, p.write(tmp_path / "b.zip"))
    assert "patient" not in str(refused.value)  # whose photo it is stays private
    assert row_counts(journal) == before and _files(home) == files


def _other_id(value: str) -> str:
    import uuid

    return str(uuid.UUID(hashlib.sha256(value.encode()).hexdigest()[:32]))


def test_missing_archive_is_one_line(cli, tmp_path):
    r = cli("import", str(tmp_path / "nope.zip"))
    assert r.code == 2 and r.err.count("\n") == 1 and "no archive at" in r.err


def test_archive_members_are_stored_with_private_permissions(journal, demo, tmp_path):
    out = export_patient(journal, DEMO, fmt="json", out=tmp_path / "p.zip", today=TODAY)
    assert out.stat().st_mode & 0o777 == 0o600
    with zipfile.ZipFile(out) as zf:
        assert all((i.external_attr >> 16) & 0o777 == 0o600 for i in zf.infolist())
        photo = next(i for i in zf.infolist() if i.filename.endswith(".jpg"))
        assert photo.compress_type == zipfile.ZIP_STORED
        assert io.BytesIO(zf.read(photo)).read(3) == b"\xff\xd8\xff"

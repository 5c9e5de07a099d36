"""Deletions travel: archives carry tombstones; an import deletes what the source deleted."""

from __future__ import annotations

import json
import zipfile

from journal.services.amend import change_log, delete, edit, undo
from journal.services.archive_import import import_archive
from journal.services.checkins import add_checkin
from journal.services.exporting import export_patient
from journal.services.history import patient_history
from journal.services.patients import add_patient


def _source(journal) -> list[str]:
    add_patient(journal, "Ana Lima")
    return [
        str(add_checkin(journal, "Ana Lima", date=f"2026-03-0{d}", symptoms={"redness": d}).id)
        for d in (1, 2, 3)
    ]


def _archive(journal, tmp_path, name: str):
    return export_patient(journal, "Ana Lima", fmt="json", out=tmp_path / name)


def _checkins(journal) -> list[str]:
    return [str(c.id) for c in patient_history(journal, "Ana Lima").checkins]


def test_a_deletion_at_the_source_deletes_here_and_a_second_import_changes_nothing(
    journal, other, tmp_path
):
    ids = _source(journal)
    import_archive(other, _archive(journal, tmp_path, "first.zip"))
    assert _checkins(other) == ids

    delete(journal, "check-in", ids[1])
    second = _archive(journal, tmp_path, "second.zip")
    with zipfile.ZipFile(second) as zf:
        stones = json.loads(zf.read("records.json"))["tombstones"]
    assert [(s["kind"], s["id"]) for s in stones] == [("checkin", ids[1])]
    assert set(stones[0]) == {"kind", "id", "at"}  # nothing personal travels with a tombstone

    summary = import_archive(other, second)
    assert summary.deleted["checkins"] == 1
    assert _checkins(other) == [ids[0], ids[2]]
    assert [c.actor for c in change_log(other)] == ["archive import"]
    again = import_archive(other, second)
    assert not again.changed and _checkins(other) == [ids[0], ids[2]]

    undo(other)  # the local deletion is an ordinary, undoable one
    assert _checkins(other) == ids


def test_a_local_copy_edited_after_the_deletion_is_kept(journal, other, tmp_path):
    ids = _source(journal)
    import_archive(other, _archive(journal, tmp_path, "first.zip"))
    delete(journal, "check-in", ids[0])
    second = _archive(journal, tmp_path, "second.zip")
    edit(other, "check-in", ids[0], {"notes": "still itchy"})  # newer than the deletion
    summary = import_archive(other, second)
    assert summary.deleted["checkins"] == 0 and ids[0] in _checkins(other)


def test_a_record_deleted_here_is_not_brought_back_by_an_older_archive(journal, other, tmp_path):
    ids = _source(journal)
    old = _archive(journal, tmp_path, "old.zip")
    import_archive(other, old)
    delete(other, "check-in", ids[2])
    summary = import_archive(other, old)
    assert ids[2] not in _checkins(other)
    assert summary.added["checkins"] == 0


def test_an_undone_deletion_is_not_a_tombstone(journal, tmp_path):
    ids = _source(journal)
    delete(journal, "check-in", ids[0])
    undo(journal)
    with zipfile.ZipFile(_archive(journal, tmp_path, "a.zip")) as zf:
        assert json.loads(zf.read("records.json"))["tombstones"] == []

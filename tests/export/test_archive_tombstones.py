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


def test_the_follow_up_summary_marks_corrected_entries(journal, tmp_path):
    """A provider reading the PDF or HTML knows which rows were changed after the fact."""
    from pypdf import PdfReader

    from journal.services.reviews import add_review
    from journal.services.sessions import add_session

    add_patient(journal, "Ana Lima")
    first = add_session(journal, "Ana Lima", date="2026-03-01", pain="3")
    add_session(journal, "Ana Lima", date="2026-04-01", pain="3")
    add_review(journal, "Ana Lima", date="2026-04-02", gais="improved")
    html = export_patient(journal, "Ana Lima", fmt="html", out=tmp_path / "before.html")
    assert "corrected after it was first recorded" not in html.read_text()

    edit(journal, "session", str(first.id), {"pain": "4"})
    html = export_patient(journal, "Ana Lima", fmt="html", out=tmp_path / "after.html").read_text()
    assert "corrected after it was first recorded" in html
    assert ">1 *<" in html and ">2 *<" not in html
    pdf = export_patient(journal, "Ana Lima", fmt="pdf", out=tmp_path / "after.pdf")
    text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "corrected after it was first recorded" in text

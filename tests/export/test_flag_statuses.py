"""Red-flag statuses travel: archive version 4 carries the `flags` section, FHIR says them.

A provider's "seen" and "resolved" are clinical records; moving a patient's
journal to another machine must not reopen a resolved flag. Every scenario runs
on SQLite and, when configured, PostgreSQL (the `journal` and `other` fixtures).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest
from conftest import photo_files

from journal.core.flags import flag_id
from journal.export.archive import VERSION
from journal.services.amend import change_log
from journal.services.archive_import import import_archive
from journal.services.exporting import export_patient
from journal.services.flags import patient_flags, resolve
from journal.services.patients import add_patient

from .helpers import ANA, Parts, flag_of, flagged_patient, row_counts


def _archive(journal: Any, out: Path) -> Path:
    return export_patient(journal, ANA, fmt="json", out=out)


def _statuses(journal: Any) -> list[dict[str, Any]]:
    return sorted((p.to_dict() for p in patient_flags(journal, ANA)), key=lambda d: d["id"])


def _flag_rows(journal: Any) -> dict[uuid.UUID, tuple[Any, ...]]:
    from sqlalchemy import select

    from journal.store.models import FlagRow

    columns = [c.name for c in FlagRow.__table__.columns]
    with journal.read() as db:
        return {
            row.id: tuple(getattr(row, c) for c in columns) for row in db.scalars(select(FlagRow))
        }


# -- round trip and merge ------------------------------------------------------------------


def test_seen_and_resolved_flags_survive_a_round_trip(journal, other, tmp_path):
    ids = flagged_patient(journal)
    archive = _archive(journal, tmp_path / "ana.zip")
    with zipfile.ZipFile(archive) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        flags = json.loads(zf.read("records.json"))["flags"]
    assert manifest["version"] == VERSION == 4
    assert manifest["counts"]["flags"] == 2  # the open flag has no row: nothing to carry
    assert {(f["id"], f["status"]) for f in flags} == {
        (ids["blistering"], "seen"),
        (ids["infection"], "resolved"),
    }

    summary = import_archive(other, archive)
    assert summary.added["flags"] == 2
    assert _statuses(other) == _statuses(journal)
    by_key = {d["key"]: d for d in _statuses(other)}
    assert by_key["blistering"]["status"] == "seen"
    assert by_key["blistering"]["seen_note"] == "Seen at the clinic"
    assert by_key["infection"]["status"] == "resolved"
    assert by_key["infection"]["resolved_on"] == "2026-02-10"
    assert by_key["scarring"]["status"] == "open"
    assert _flag_rows(other) == _flag_rows(journal)  # ids, patient, stamps: column for column
    assert change_log(other) == []  # merged records write no change-log lines

    again = import_archive(other, archive)
    assert not again.changed and again.unchanged["flags"] == 2
    assert _flag_rows(other) == _flag_rows(journal)


def test_a_newer_flag_row_wins_and_an_older_one_changes_nothing(journal, other, tmp_path):
    from journal.store.models import FlagRow

    ids = flagged_patient(journal)
    first = _archive(journal, tmp_path / "first.zip")
    import_archive(other, first)

    resolve(journal, ids["blistering"], on="2026-02-12", by="Dr Chen", lasting=True)
    with other.write() as db:  # edited at the clinic after the first import
        db.get(FlagRow, uuid.UUID(ids["infection"])).resolved_note = "Checked again"
    second = _archive(journal, tmp_path / "second.zip")
    summary = import_archive(other, second)

    assert summary.updated["flags"] == 1 and summary.unchanged["flags"] == 1
    by_key = {d["key"]: d for d in _statuses(other)}
    assert by_key["blistering"]["status"] == "resolved" and by_key["blistering"]["lasting"]
    assert by_key["infection"]["resolved_note"] == "Checked again"  # ours was newer
    rows = _flag_rows(other)
    older = import_archive(other, first)
    assert not older.changed and _flag_rows(other) == rows


def test_a_version_3_archive_still_imports_without_flags(journal, other, tmp_path):
    flagged_patient(other)
    p = Parts(_archive(other, tmp_path / "v4.zip"))
    p.manifest["version"] = 3
    del p.manifest["counts"]["flags"]
    del p.records["flags"]
    summary = import_archive(journal, p.write(tmp_path / "v3.zip"))
    assert summary.added["checkins"] == 3 and summary.added["flags"] == 0
    assert {d["status"] for d in _statuses(journal)} == {"open"}


def test_a_one_course_archive_carries_only_that_courses_flags(journal, other, tmp_path):
    from journal.services.courses import add_course

    flagged_patient(journal)
    add_course(journal, ANA, title="Neck")
    out = export_patient(journal, ANA, fmt="json", out=tmp_path / "neck.zip", course_ref="Neck")
    summary = import_archive(other, out)
    assert summary.added["courses"] == 1 and summary.added["flags"] == 0


# -- crafted archives: one line, exit 2, nothing written -------------------------------------


def _set_flag(key: str, field: str, value: Any):
    def change(records: dict[str, Any]) -> None:
        next(f for f in records["flags"] if f["key"] == key)[field] = value

    return change


def _foreign_course(records: dict[str, Any]) -> None:
    """A consistent forgery: the id recomputed for a course the archive does not hold."""
    flag = records["flags"][0]
    course = uuid.uuid4()
    flag["course_id"] = str(course)
    flag["id"] = str(flag_id(course, flag["key"], dt.date.fromisoformat(flag["first_date"])))


def _flags_in_version_3(records: dict[str, Any], manifest: dict[str, Any]) -> None:
    manifest["version"] = 3
    del manifest["counts"]["flags"]


def _uncounted(records: dict[str, Any], manifest: dict[str, Any]) -> None:
    del manifest["counts"]["flags"]


AHEAD = (dt.date.today() + dt.timedelta(days=30)).isoformat()


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        (_set_flag("blistering", "status", "closed"), "choose one of open, seen, resolved"),
        (_set_flag("infection", "resolved_on", None), "resolved without a resolution date"),
        (_foreign_course, "refers to a course not in the archive"),
        (_set_flag("infection", "resolved_on", AHEAD), "in the future"),
        (_set_flag("infection", "resolved_on", "2026-01-01"), "resolved before the flag began"),
        (_set_flag("blistering", "id", str(uuid.uuid4())), "not the id of a flag"),
        (_set_flag("blistering", "key", "pox"), "not the id of a flag"),
        (_set_flag("blistering", "seen_at", "2099-01-01T00:00:00+00:00"), "seen at"),
        (_set_flag("blistering", "seen_note", "x" * 10_001), "longer than 10000 characters"),
        (_set_flag("blistering", "lasting", "no"), "expected true or false"),
        (_set_flag("blistering", "seen_by", "Dr\u202eChen"), "invisible direction"),
        (_set_flag("blistering", "patient_id", str(uuid.uuid4())), "unknown field 'patient_id'"),
        (_flags_in_version_3, "unknown section 'flags'"),
        (_uncounted, "counts do not match"),
    ],
)
def test_crafted_flag_rows_are_refused(cli, journal, home, other, tmp_path, change, needle):
    flagged_patient(other)
    p = Parts(_archive(other, tmp_path / "ana.zip"))
    if change in (_flags_in_version_3, _uncounted):
        change(p.records, p.manifest)
    else:
        change(p.records)
    r = cli("import", str(p.write(tmp_path / "crafted.zip")))
    assert r.code == 2, (r.out, r.err)
    assert r.out == ""
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("journal: error: "), r.err
    assert needle in lines[0] and "nothing was imported" in lines[0], lines[0]
    assert "Seen at the clinic" not in lines[0] and "x" * 50 not in lines[0]
    assert set(row_counts(journal).values()) == {0}
    assert photo_files(home) == []


def test_a_flag_row_of_another_patient_is_refused(journal, other, tmp_path):
    """Same flag id already here under another patient: refused, nothing written."""
    from journal.core.errors import JournalError
    from journal.store.models import FlagRow

    flagged_patient(other)
    archive = _archive(other, tmp_path / "ana.zip")
    import_archive(journal, archive)
    intruder = add_patient(journal, "Sam Lee")
    with journal.write() as db:
        for row in db.query(FlagRow):
            row.patient_id = intruder.id
    before = row_counts(journal)
    with pytest.raises(JournalError, match=r"red flag .* already exists for another patient"):
        import_archive(journal, archive)
    assert row_counts(journal) == before


# -- FHIR: each AdverseEvent says where its flag stands ---------------------------------------


def _fhir(journal: Any, out: Path, name: str = ANA) -> dict[str, Any]:
    from .helpers import TODAY

    path = export_patient(journal, name, fmt="fhir", out=out, today=TODAY)
    return json.loads(path.read_text(encoding="utf-8"))


def _events(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        e["resource"]["event"]["coding"][-1]["code"]: e["resource"]
        for e in document["entry"]
        if e["resource"]["resourceType"] == "AdverseEvent"
    }


def test_fhir_adverse_event_outcomes_follow_the_flag_status(journal, tmp_path):
    from journal.services.checkins import add_checkin

    ids = flagged_patient(journal)
    resolve(journal, ids["scarring"], on="2026-02-20", by="Dr Ito", lasting=True)
    add_checkin(journal, ANA, date="2026-02-21", flags=["cold-sore"])
    document = _fhir(journal, tmp_path / "ana.fhir.json")
    events = _events(document)
    outcome = {key: e["outcome"]["coding"][0] for key, e in events.items()}
    assert {k: c["code"] for k, c in outcome.items()} == {
        "blistering": "ongoing",  # seen, not resolved
        "infection": "resolved",
        "scarring": "resolvedWithSequelae",  # resolved with lasting harm
        "cold-sore": "ongoing",  # open
    }
    assert {c["system"] for c in outcome.values()} == {
        "http://terminology.hl7.org/CodeSystem/adverse-event-outcome"
    }
    practitioner = next(
        e["resource"] for e in document["entry"] if e["resource"]["resourceType"] == "Practitioner"
    )
    assert events["blistering"]["contributor"] == [
        {"reference": f"urn:uuid:{practitioner['id']}", "display": "Dr Chen"}
    ]
    assert events["scarring"]["contributor"] == [{"display": "Dr Ito"}]  # not in this bundle
    assert "contributor" not in events["cold-sore"]
    note = events["infection"]["extension"][0]["valueString"]
    assert "Status: resolved on 2026-02-10 without lasting harm" in note
    assert "Resolution note: Cleared" in note
    assert "Seen note: Seen at the clinic" in events["blistering"]["extension"][0]["valueString"]


def test_fhir_flag_before_any_session_notes_its_status(journal, tmp_path):
    from journal.services.checkins import add_checkin
    from journal.services.flags import mark_seen

    add_patient(journal, ANA)
    add_checkin(journal, ANA, date="2026-02-03", flags=["blistering"])
    mark_seen(journal, flag_of(journal, "blistering"), by="Dr Chen", note="Call booked")
    document = _fhir(journal, tmp_path / "ana.fhir.json")
    (observation,) = [
        e["resource"]
        for e in document["entry"]
        if e["resource"]["resourceType"] == "Observation"
        and e["resource"]["code"]["coding"][-1]["code"] == "red-flag"
    ]
    notes = [n["text"] for n in observation["note"]]
    assert any(n.startswith("Status: seen by Dr Chen on ") for n in notes)
    assert "Seen note: Call booked" in notes

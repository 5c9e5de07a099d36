"""Smaller export fixes from issue 13: per-area depth in CSV, a fixed interval in FHIR."""

from __future__ import annotations

import csv
import io
import json
import zipfile

from journal.services.courses import add_course
from journal.services.exporting import export_patient
from journal.services.patients import add_patient
from journal.services.sessions import add_session


def _sessions_csv(out) -> list[dict[str, str]]:
    with zipfile.ZipFile(out) as zf:
        data = zf.read("sessions.csv").decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(data, newline="")))


def test_csv_depth_says_per_area_when_areas_differ(journal, tmp_path):
    add_patient(journal, "Ana Lima")
    add_course(journal, "Ana Lima", title="Face", interval_weeks="4")
    add_session(journal, "Ana Lima", date="2026-01-05", depth="cheeks=1.5,forehead=0.5")
    add_session(journal, "Ana Lima", date="2026-02-02", depth="cheeks=1.0,forehead=1.0")
    add_session(journal, "Ana Lima", date="2026-03-02", depth="0.75")
    out = export_patient(journal, "Ana Lima", fmt="csv", out=tmp_path / "t.zip")
    rows = _sessions_csv(out)
    assert [(r["depth_mm"], r["depth_by_area"]) for r in rows] == [
        ("per area", "cheeks=1.5; forehead=0.5"),
        ("1", "cheeks=1; forehead=1"),
        ("0.75", ""),
    ]


def test_fhir_careplan_reads_a_fixed_interval_as_one_number(journal, tmp_path):
    add_patient(journal, "Ana Lima")
    add_course(journal, "Ana Lima", title="Face", interval_weeks="4")
    out = export_patient(journal, "Ana Lima", fmt="fhir", out=tmp_path / "b.json")
    plans = [
        e["resource"]
        for e in json.loads(out.read_text(encoding="utf-8"))["entry"]
        if e["resource"]["resourceType"] == "CarePlan"
    ]
    assert plans[0]["description"].endswith("sessions every 4 weeks")

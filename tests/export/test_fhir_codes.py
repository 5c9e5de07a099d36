"""FHIR a clinic's system can file: standard codes beside ours, links, AdverseEvents."""

from __future__ import annotations

import json

from journal.services.checkins import add_checkin
from journal.services.exporting import export_patient
from journal.services.patients import add_patient
from journal.services.sessions import add_session

from .helpers import DEMO, TODAY

SNOMED = "http://snomed.info/sct"


def _bundle(journal, tmp_path, name=DEMO, **kw) -> dict[str, dict]:
    out = export_patient(journal, name, fmt="fhir", out=tmp_path / "b.json", today=TODAY, **kw)
    document = json.loads(out.read_text(encoding="utf-8"))
    return {e["resource"]["id"]: e["resource"] for e in document["entry"]}


def _of(resources: dict[str, dict], kind: str) -> list[dict]:
    return [r for r in resources.values() if r["resourceType"] == kind]


def test_standard_codes_sit_beside_the_journals_own(journal, demo, tmp_path):
    resources = _bundle(journal, tmp_path)
    procedure = _of(resources, "Procedure")[0]
    cheek = procedure["bodySite"][0]
    assert cheek["text"] == "Left cheek"
    assert cheek["coding"][0] == {"system": SNOMED, "code": "36141000", "display": "Skin of cheek"}
    assert cheek["coding"][1]["code"] == "left-cheek"  # the journal's own code kept
    symptoms = [o for o in _of(resources, "Observation") if "Post-procedure" in o["code"]["text"]]
    redness = next(
        c["code"] for o in symptoms for c in o["component"] if c["code"]["text"] == "Redness"
    )
    assert redness["coding"][0] == {"system": SNOMED, "code": "247441003", "display": "Erythema"}
    assert redness["coding"][1]["system"] == "urn:microneedling-journal:symptom"


def test_links_identifiers_and_the_gais_questionnaire(journal, demo, tmp_path):
    resources = _bundle(journal, tmp_path)
    patient = _of(resources, "Patient")[0]
    assert patient["identifier"] == [
        {"use": "secondary", "system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{patient['id']}"}
    ]
    assert _of(resources, "Practitioner")[0]["identifier"][0]["system"] == "urn:ietf:rfc:3986"
    procedures = {r["id"] for r in _of(resources, "Procedure")}
    symptoms = [o for o in _of(resources, "Observation") if "Post-procedure" in o["code"]["text"]]
    assert symptoms and all(
        o["partOf"][0]["reference"].removeprefix("urn:uuid:") in procedures for o in symptoms
    )
    (questionnaire,) = _of(resources, "Questionnaire")
    responses = _of(resources, "QuestionnaireResponse")
    assert responses and {r["questionnaire"] for r in responses} == {questionnaire["url"]}
    options = questionnaire["item"][0]["answerOption"]
    numbers = {
        o["valueCoding"]["code"]: o["valueCoding"]["extension"][0]["valueDecimal"] for o in options
    }
    assert numbers == {
        "very-much-improved": 1,
        "much-improved": 2,
        "improved": 3,
        "no-change": 4,
        "worse": 5,
    }
    for device in _of(resources, "Device"):
        assert "patient" not in device


def test_pain_uses_the_loinc_numeric_rating_scale(journal, tmp_path):
    add_patient(journal, "Ana Lima")
    add_session(journal, "Ana Lima", date="2026-01-05", pain="4", device="pen")
    add_checkin(journal, "Ana Lima", date="2026-01-06", symptoms={"pain": 3})
    resources = _bundle(journal, tmp_path, "Ana Lima")
    coded = json.dumps(list(resources.values()))
    assert coded.count('"72514-3"') == 2  # the session's pain and the day-1 pain
    pain = next(
        o
        for o in _of(resources, "Observation")
        if o["id"] and "valueInteger" in o and o["code"]["coding"][0]["code"] == "72514-3"
    )
    assert pain["valueInteger"] == 4 and pain["partOf"][0]["reference"].startswith("urn:uuid:")


def test_red_flags_after_a_session_are_adverse_events(journal, tmp_path):
    add_patient(journal, "Ana Lima")
    add_session(journal, "Ana Lima", date="2026-01-05", device="pen")
    add_checkin(journal, "Ana Lima", date="2026-01-08", flags=["pus"], symptoms={"bleeding": 2})
    resources = _bundle(journal, tmp_path, "Ana Lima")
    events = {e["event"]["text"]: e for e in _of(resources, "AdverseEvent")}
    assert set(events) == {"Signs of infection", "Bleeding over 24 hours"}
    infection = events["Signs of infection"]
    assert infection["actuality"] == "actual"
    assert infection["seriousness"]["coding"][0]["code"] == "serious"
    assert infection["outcome"]["coding"][0]["code"] == "ongoing"  # open: nobody has seen it
    procedure = _of(resources, "Procedure")[0]
    assert infection["suspectEntity"][0]["instance"]["reference"] == f"urn:uuid:{procedure['id']}"
    bleeding = events["Bleeding over 24 hours"]
    assert bleeding["seriousness"]["coding"][0]["code"] == "non-serious"
    assert bleeding["event"]["coding"][0]["code"] == "297968009"


def test_a_custom_device_name_is_kept_as_typed(journal, tmp_path):
    add_patient(journal, "Ana Lima")
    add_session(journal, "Ana Lima", date="2026-01-05", device="pen", device_name="Dermapen™ 4")
    resources = _bundle(journal, tmp_path, "Ana Lima")
    (device,) = _of(resources, "Device")
    assert device["deviceName"] == [{"name": "Dermapen™ 4", "type": "user-friendly-name"}]
    out = export_patient(journal, "Ana Lima", fmt="csv", out=tmp_path / "t.zip", today=TODAY)
    import zipfile

    assert "Dermapen™ 4" in zipfile.ZipFile(out).read("sessions.csv").decode("utf-8-sig")

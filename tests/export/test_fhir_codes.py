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


# -- every standard code, pinned (docs/exports.md "Codes and their sources" says where
# -- each one was read; a change here must change that table too) ----------------------

SYMPTOM_SNOMED = {
    "redness": ("247441003", "Erythema"),
    "itching": ("418363000", "Itching"),
    "flaking": ("271767006", "Peeling"),
    "bleeding": ("297968009", "Bleeding skin"),
    "pain": ("403598008", "Painful skin"),
    "swelling": ("428786006", "Localized superficial swelling of skin"),
    "bruising": ("302227002", "Ecchymosis"),
}
FLAG_SNOMED = {
    "bleeding-over-24h": ("297968009", "Bleeding skin"),
    "swelling-over-week": ("428786006", "Localized superficial swelling of skin"),
    "blistering": ("417237009", "Blister"),
    "infection": ("108365000", "Infection of skin"),
    "hyperpigmentation": ("238699007", "Post-inflammatory hyperpigmentation"),
    "scarring": ("70582006", "Scar of skin"),
    "cold-sore": ("1475003", "Herpes labialis"),
    "allergic-reaction": ("421961002", "Hypersensitivity reaction"),
    "granulomas": ("3310005", "Foreign body granuloma of skin"),
}
CONCERN_SNOMED = {
    "acne-scars": ("70582006", "Scar of skin"),
    "surgical-scars": ("70582006", "Scar of skin"),
    "fine-lines": ("247434009", "Wrinkled skin"),
    "wrinkles": ("247434009", "Wrinkled skin"),
    "hyperpigmentation": ("49765009", "Hyperpigmentation of skin"),
    "stretch-marks": ("201067006", "Physiological striae"),
    "hair-loss": ("56317004", "Alopecia"),
    "sun-damage": (
        "402166000",
        "Chronic effect of ultraviolet radiation on normal skin (photo-aging)",
    ),
}
# No code in any published list read: the journal's own code and text only.
TEXT_ONLY_SYMPTOMS = ("tightness", "sensitivity")
TEXT_ONLY_CONCERNS = ("large-pores", "texture", "laxity")


def _snomed_of(concept: dict) -> tuple[str, str] | None:
    first = concept["coding"][0]
    return (first["code"], first["display"]) if first["system"] == SNOMED else None


def _coded_journal(journal) -> None:
    """A patient with every concern, every symptom, and every red flag after a session."""
    from journal.core.vocab import CONCERNS, RED_FLAGS, SYMPTOM_KEYS

    add_patient(journal, "Ana Lima", concerns=CONCERNS.keys)
    add_checkin(journal, "Ana Lima", date="2026-01-02", flags=["granulomas"])  # no session yet
    add_session(journal, "Ana Lima", date="2026-01-05", device="pen")
    add_checkin(
        journal,
        "Ana Lima",
        date="2026-01-06",
        symptoms={k: 3 for k in SYMPTOM_KEYS},
        downtime=True,
        concerns={k: 5 for k in CONCERNS.keys},
    )
    add_checkin(journal, "Ana Lima", date="2026-01-20", flags=RED_FLAGS.keys)


def test_every_symptom_with_a_published_code_carries_it(journal, tmp_path):
    _coded_journal(journal)
    resources = _bundle(journal, tmp_path, "Ana Lima")
    (symptoms,) = [
        o for o in _of(resources, "Observation") if "Post-procedure" in o["code"]["text"]
    ]
    by_code = {
        next(c["code"] for c in comp["code"]["coding"] if c["system"].startswith("urn:")): comp
        for comp in symptoms["component"]
    }
    for key, expected in SYMPTOM_SNOMED.items():
        coding = by_code[key]["code"]["coding"]
        assert (SNOMED, *expected) in {(c["system"], c["code"], c["display"]) for c in coding}
        assert coding[-1]["system"] == "urn:microneedling-journal:symptom"  # ours kept
    for key in (*TEXT_ONLY_SYMPTOMS, "downtime"):
        assert [c["system"] for c in by_code[key]["code"]["coding"]] == [
            "urn:microneedling-journal:symptom"
        ]


def test_every_red_flag_is_coded_as_an_adverse_event_and_before_a_session(journal, tmp_path):
    _coded_journal(journal)
    resources = _bundle(journal, tmp_path, "Ana Lima")
    events = {e["event"]["coding"][-1]["code"]: e["event"] for e in _of(resources, "AdverseEvent")}
    assert set(events) == set(FLAG_SNOMED)
    for key, expected in FLAG_SNOMED.items():
        assert _snomed_of(events[key]) == expected, key
        assert events[key]["coding"][-1]["system"] == "urn:microneedling-journal:red-flag"
    (before,) = [o for o in _of(resources, "Observation") if "valueCodeableConcept" in o]
    assert before["valueCodeableConcept"]["text"] == "Granulomas"
    assert _snomed_of(before["valueCodeableConcept"]) == FLAG_SNOMED["granulomas"]


def test_every_concern_with_a_published_code_carries_it(journal, tmp_path):
    _coded_journal(journal)
    resources = _bundle(journal, tmp_path, "Ana Lima")
    (patient,) = _of(resources, "Patient")
    targets = {
        e["valueCodeableConcept"]["coding"][-1]["code"]: e["valueCodeableConcept"]
        for e in patient["extension"]
        if e["url"].endswith("target-concern")
    }
    (rated,) = [o for o in _of(resources, "Observation") if "Concern severity" in o["code"]["text"]]
    ratings = {c["code"]["coding"][-1]["code"]: c["code"] for c in rated["component"]}
    for found in (targets, ratings):
        for key, expected in CONCERN_SNOMED.items():
            assert _snomed_of(found[key]) == expected, key
        for key in TEXT_ONLY_CONCERNS:
            assert _snomed_of(found[key]) is None
    assert targets["acne-scars"]["text"] == "Acne scars"  # the broader code keeps our word


def test_the_procedure_keeps_its_text_and_journal_code_only(journal, demo, tmp_path):
    """No published list we read names microneedling: no standard code is made up."""
    procedure = _of(_bundle(journal, tmp_path), "Procedure")[0]
    assert procedure["code"] == {
        "coding": [
            {
                "system": "urn:microneedling-journal:procedure",
                "code": "microneedling",
                "display": "Microneedling (collagen induction therapy)",
            }
        ],
        "text": "Microneedling (collagen induction therapy)",
    }


def test_the_exporter_tables_match_the_pinned_codes_and_the_docs():
    from pathlib import Path

    from journal.export import fhir

    assert fhir.FINDING_CODES == SYMPTOM_SNOMED
    assert fhir.CONCERN_CODES == CONCERN_SNOMED
    flags = {k: fhir.FINDING_CODES[v] for k, v in fhir.FLAG_FINDINGS.items()} | fhir.FLAG_CODES
    assert flags == FLAG_SNOMED
    docs = (Path(__file__).parents[2] / "docs" / "exports.md").read_text(encoding="utf-8")
    table = docs.split("### Codes and their sources", 1)[1]
    for code, display in {
        *SYMPTOM_SNOMED.values(),
        *FLAG_SNOMED.values(),
        *CONCERN_SNOMED.values(),
    }:
        assert f"| {code} | {display} |" in table, code

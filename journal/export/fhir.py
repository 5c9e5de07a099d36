"""A patient's journal as a FHIR R4 Bundle (type `collection`).

What maps to what:

* Patient -> Patient (birth year as a partial `birthDate`), each provider -> Practitioner
* Course -> CarePlan; each session -> Procedure (`basedOn` the CarePlan, `bodySite`
  per area, the device as a Device in `usedReference`, adjuncts as `usedCode`,
  depth/passes/pain/cost/anesthetic in `note` and as extensions)
* Check-in -> Observation "post-procedure symptoms" (one component per rated
  symptom and downtime) and Observation "concern severity" (one component per
  concern); reported or derived red flags -> one Observation each
* The worth-it score -> Observation (value = score, components = verdict,
  confidence and each component)
* Photo -> Media (the display copy re-encoded, metadata-free, as inline data)
* Patient GAIS and verdict, provider GAIS and Goodman & Baron grade ->
  QuestionnaireResponse

Every fullUrl is `urn:uuid:<our UUID>`; resources that have no row of their own
(Device, Observation, QuestionnaireResponse) get a UUID5 derived from the row
they come from, so exporting twice yields the same identifiers and a receiver
can de-duplicate. Our own codes live under the `urn:microneedling-journal:`
namespace (URNs, not URLs: nothing to resolve, nothing to phone home to).
Labels are always in `text` so any FHIR viewer can show them.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from journal.core.planner import interval_words
from journal.core.records import (
    CheckIn,
    Course,
    PatientHistory,
    Photo,
    Provider,
    Review,
    Session,
)
from journal.core.vocab import (
    AREAS,
    CONCERNS,
    DEVICE_KINDS,
    PHOTO_KINDS,
    RED_FLAGS,
    SERUMS,
    SYMPTOM_KEYS,
    SYMPTOMS,
    VERDICTS,
    gais_text,
)
from journal.export import files

if TYPE_CHECKING:
    from journal.core.rules import RedFlag
    from journal.core.score import ScoreResult

NS = "urn:microneedling-journal"
UUID_NAMESPACE = uuid.UUID("8c0b3f5e-4d57-4f34-9a53-5d7c2f1e7a10")
OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
MEDIA_TYPE = "http://terminology.hl7.org/CodeSystem/media-type"
PROCEDURE_TEXT = "Microneedling (collagen induction therapy)"
CAREPLAN_STATUS = {
    "active": "active",
    "completed": "completed",
    "paused": "on-hold",
    "stopped": "revoked",
}

JpegOf = Callable[[Photo], bytes | None]


def bundle_document(
    history: PatientHistory,
    providers: Sequence[Provider],
    *,
    score: ScoreResult | None,
    flags: Sequence[RedFlag],
    jpeg_of: JpegOf,
    generated: dt.datetime,
) -> dict[str, Any]:
    """The Bundle as plain JSON-ready dicts (validated by `validate_bundle`)."""
    patient_ref = _ref(history.patient.id)
    by_name = {p.name: p for p in providers}
    entries: list[dict[str, Any]] = [_patient(history)]
    entries += [_practitioner(p) for p in providers]
    entries += [_careplan(c, patient_ref) for c in history.courses]
    devices: dict[uuid.UUID, dict[str, Any]] = {}
    for t in history.sessions:
        device = _device(t, history.patient.id, patient_ref)
        if device is not None:
            devices.setdefault(uuid.UUID(device["id"]), device)
        entries.append(_procedure(t, patient_ref, by_name, device))
    entries += list(devices.values())
    for c in history.checkins:
        entries += _checkin_observations(c, patient_ref)
        qr = _patient_questionnaire(c, patient_ref)
        if qr is not None:
            entries.append(qr)
    for r in history.reviews:
        qr = _review_questionnaire(r, patient_ref, by_name)
        if qr is not None:
            entries.append(qr)
    entries += [_flag_observation(f, history.patient.id, patient_ref) for f in flags]
    if score is not None and history.courses:
        entries.append(_score_observation(score, history, patient_ref))
    entries += [_media(p, patient_ref, jpeg_of(p)) for p in history.photos]
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid5(UUID_NAMESPACE, f"bundle:{history.patient.id}:{generated}")),
        "meta": {"lastUpdated": _instant(generated)},
        "type": "collection",
        "timestamp": _instant(generated),
        "entry": [{"fullUrl": f"urn:uuid:{e['id']}", "resource": e} for e in entries],
    }


def validate_bundle(document: dict[str, Any]) -> None:
    """Parse the document with fhir.resources' R4B models; raises on anything invalid."""
    from fhir.resources.R4B.bundle import Bundle

    Bundle.model_validate(document)


def write_bundle(document: dict[str, Any], out: Path) -> Path:
    data = json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
    return files.write_bytes(out, data)


# -- helpers ---------------------------------------------------------------------------


def _ref(ident: uuid.UUID | str, display: str | None = None) -> dict[str, Any]:
    ref: dict[str, Any] = {"reference": f"urn:uuid:{ident}"}
    if display:
        ref["display"] = display
    return ref


def _derived(*parts: object) -> str:
    return str(uuid.uuid5(UUID_NAMESPACE, ":".join(str(p) for p in parts)))


def _concept(system: str, code: str, display: str) -> dict[str, Any]:
    return {
        "coding": [{"system": f"{NS}:{system}", "code": code, "display": display}],
        "text": display,
    }


def _instant(moment: dt.datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(dt.UTC).isoformat(timespec="seconds")


def _category(code: str) -> list[dict[str, Any]]:
    display = {"survey": "Survey", "exam": "Exam", "procedure": "Procedure"}[code]
    return [{"coding": [{"system": OBS_CATEGORY, "code": code, "display": display}]}]


def _note(*lines: str | None) -> list[dict[str, str]]:
    return [{"text": line} for line in lines if line]


# -- resources --------------------------------------------------------------------------


def _patient(history: PatientHistory) -> dict[str, Any]:
    p = history.patient
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": str(p.id),
        "name": [{"text": p.display_name}],
    }
    if p.birth_year:
        resource["birthDate"] = f"{p.birth_year:04d}"
    extension = []
    if p.skin_type:
        extension.append({"url": f"{NS}:fhir:fitzpatrick-skin-type", "valueInteger": p.skin_type})
    extension += [
        {
            "url": f"{NS}:fhir:target-concern",
            "valueCodeableConcept": _concept("concern", c, CONCERNS.label(c)),
        }
        for c in p.concerns
    ]
    if extension:
        resource["extension"] = extension
    return resource


def _practitioner(p: Provider) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Practitioner",
        "id": str(p.id),
        "name": [{"text": p.name}],
    }
    if p.credentials:
        resource["qualification"] = [{"code": {"text": p.credentials}}]
    if p.clinic:
        resource["address"] = [{"text": p.clinic}]
    return resource


def _careplan(c: Course, patient_ref: dict[str, Any]) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "CarePlan",
        "id": str(c.id),
        "status": CAREPLAN_STATUS.get(c.status, "unknown"),
        "intent": "plan",
        "title": c.title,
        "subject": patient_ref,
        "description": (
            f"{c.planned_sessions} microneedling sessions every "
            f"{interval_words(c.interval_weeks_min, c.interval_weeks_max)}"
        ),
    }
    if c.created_at:
        resource["created"] = _instant(c.created_at)
    if c.concerns:
        resource["note"] = _note("Concerns: " + ", ".join(CONCERNS.label(k) for k in c.concerns))
    return resource


def _device(
    t: Session, patient_id: uuid.UUID, patient_ref: dict[str, Any]
) -> dict[str, Any] | None:
    if not t.device_kind and not t.device_name:
        return None
    kind_label = DEVICE_KINDS.label(t.device_kind) if t.device_kind else "Microneedling device"
    resource: dict[str, Any] = {
        "resourceType": "Device",
        "id": _derived("device", patient_id, t.device_kind or "", t.device_name or ""),
        "type": _concept("device-kind", t.device_kind or "device", kind_label),
        "patient": patient_ref,
    }
    if t.device_name:
        resource["deviceName"] = [{"name": t.device_name, "type": "user-friendly-name"}]
    return resource


def _procedure(
    t: Session,
    patient_ref: dict[str, Any],
    providers: dict[str, Provider],
    device: dict[str, Any] | None,
) -> dict[str, Any]:
    details = []
    if t.depth_by_area:
        details.append(
            "Needle depth "
            + ", ".join(f"{AREAS.label(a)} {d:g} mm" for a, d in t.depth_by_area.items())
        )
    elif t.depth_mm is not None:
        details.append(f"Needle depth {t.depth_mm:g} mm")
    if t.passes is not None:
        details.append(f"{t.passes} passes")
    if t.anesthetic:
        details.append(f"anesthetic: {t.anesthetic}")
    if t.pain is not None:
        details.append(f"procedure pain {t.pain}/10")
    if t.cost is not None:
        details.append(f"cost {t.cost:.2f} {t.currency or ''}".strip())
    details.append("at home" if t.setting == "at-home" else "in office")
    resource: dict[str, Any] = {
        "resourceType": "Procedure",
        "id": str(t.id),
        "basedOn": [_ref(t.course_id)],
        "status": "completed",
        "category": {"text": "Aesthetic skin procedure"},
        "code": _concept("procedure", "microneedling", PROCEDURE_TEXT),
        "subject": patient_ref,
        "performedDateTime": t.date.isoformat(),
        "note": _note("; ".join(details), t.notes),
    }
    provider = providers.get(t.provider) if t.provider else None
    if provider is not None:
        resource["performer"] = [{"actor": _ref(provider.id, provider.name)}]
    if t.areas:
        resource["bodySite"] = [_concept("area", a, AREAS.label(a)) for a in t.areas]
    if device is not None:
        resource["usedReference"] = [_ref(device["id"])]
    if t.serums:
        resource["usedCode"] = [_concept("adjunct", a, SERUMS.label(a)) for a in t.serums]
    extension: list[dict[str, Any]] = []
    if t.depth_mm is not None:
        extension.append(
            {
                "url": f"{NS}:fhir:needle-depth",
                "valueQuantity": {
                    "value": t.depth_mm,
                    "unit": "mm",
                    "system": "http://unitsofmeasure.org",
                    "code": "mm",
                },
            }
        )
    if t.passes is not None:
        extension.append({"url": f"{NS}:fhir:passes", "valueInteger": t.passes})
    if t.pain is not None:
        extension.append({"url": f"{NS}:fhir:procedure-pain", "valueInteger": t.pain})
    if t.cost is not None and t.currency:
        extension.append(
            {
                "url": f"{NS}:fhir:cost",
                "valueMoney": {"value": float(t.cost), "currency": t.currency},
            }
        )
    if extension:
        resource["extension"] = extension
    return resource


def _observation(
    ident: str,
    patient_ref: dict[str, Any],
    day: dt.date,
    code: dict[str, Any],
    category: str,
    **fields: Any,
) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": ident,
        "status": "final",
        "category": _category(category),
        "code": code,
        "subject": patient_ref,
        "effectiveDateTime": day.isoformat(),
        **fields,
    }


def _checkin_observations(c: CheckIn, patient_ref: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    components = [
        {"code": _concept("symptom", k, SYMPTOMS.label(k)), "valueInteger": c.symptoms[k]}
        for k in SYMPTOM_KEYS
        if k in c.symptoms
    ]
    if c.downtime is not None:
        components.append(
            {"code": _concept("symptom", "downtime", "Downtime"), "valueBoolean": c.downtime}
        )
    if components:
        found.append(
            _observation(
                _derived("symptoms", c.id),
                patient_ref,
                c.date,
                _concept(
                    "observation", "post-procedure-symptoms", "Post-procedure symptoms (0-10)"
                ),
                "survey",
                component=components,
                note=_note(c.notes),
            )
        )
    if c.concerns:
        found.append(
            _observation(
                _derived("concerns", c.id),
                patient_ref,
                c.date,
                _concept("observation", "concern-severity", "Concern severity (0-10, 10 = worst)"),
                "survey",
                component=[
                    {"code": _concept("concern", k, CONCERNS.label(k)), "valueInteger": v}
                    for k, v in sorted(c.concerns.items())
                ],
            )
        )
    for obs in found:
        if not obs.get("note"):
            obs.pop("note", None)
    return found


def _flag_observation(
    flag: RedFlag, patient_id: uuid.UUID, patient_ref: dict[str, Any]
) -> dict[str, Any]:
    how = "reported by the patient" if flag.source == "reported" else f"derived from {flag.detail}"
    return _observation(
        _derived("flag", patient_id, flag.key, flag.date),
        patient_ref,
        flag.date,
        _concept("observation", "red-flag", "Red flag after microneedling"),
        "exam",
        valueCodeableConcept=_concept("red-flag", flag.key, RED_FLAGS.label(flag.key)),
        note=_note(flag.sentence(), f"Source: {how}."),
    )


def _score_observation(
    score: ScoreResult, history: PatientHistory, patient_ref: dict[str, Any]
) -> dict[str, Any]:
    as_of = score.as_of or dt.date.today()
    components: list[dict[str, Any]] = [
        {
            "code": _concept("score", "verdict", "Verdict"),
            "valueCodeableConcept": _concept(
                "verdict", score.verdict, VERDICTS.label(score.verdict)
            ),
        },
        {"code": _concept("score", "confidence", "Confidence"), "valueString": score.confidence},
        {
            "code": _concept("score", "provisional", "Provisional"),
            "valueBoolean": score.provisional,
        },
    ]
    components += [
        {"code": _concept("score-component", c.name, c.name.capitalize()), "valueInteger": c.score}
        for c in score.components
    ]
    return _observation(
        _derived("score", history.patient.id, as_of),
        patient_ref,
        as_of,
        _concept("observation", "worth-it-score", "Personal microneedling worth-it score (0-100)"),
        "survey",
        valueInteger=score.score,
        component=components,
        note=_note(*score.explanation, score.benchmark.sentence, "Not medical advice."),
    )


def _patient_questionnaire(c: CheckIn, patient_ref: dict[str, Any]) -> dict[str, Any] | None:
    items = []
    if c.gais:
        items.append(_gais_item(c.gais, "Patient global aesthetic improvement (GAIS)"))
    if c.verdict:
        items.append(
            {
                "linkId": "verdict",
                "text": "Was it worth it?",
                "answer": [
                    {"valueCoding": _coding("verdict", c.verdict, VERDICTS.label(c.verdict))}
                ],
            }
        )
    if not items:
        return None
    return {
        "resourceType": "QuestionnaireResponse",
        "id": _derived("patient-rating", c.id),
        "status": "completed",
        "subject": patient_ref,
        "authored": c.date.isoformat(),
        "author": patient_ref,
        "source": patient_ref,
        "item": items,
    }


def _review_questionnaire(
    r: Review, patient_ref: dict[str, Any], providers: dict[str, Provider]
) -> dict[str, Any] | None:
    items = []
    if r.gais:
        items.append(_gais_item(r.gais, "Observer global aesthetic improvement (GAIS)"))
    if r.goodman_baron is not None:
        items.append(
            {
                "linkId": "goodman-baron",
                "text": "Goodman & Baron qualitative scar grade (1-4)",
                "answer": [{"valueInteger": r.goodman_baron}],
            }
        )
    if r.notes:
        items.append({"linkId": "notes", "text": "Notes", "answer": [{"valueString": r.notes}]})
    if not items:
        return None
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": str(r.id),
        "status": "completed",
        "subject": patient_ref,
        "authored": r.date.isoformat(),
        "item": items,
    }
    provider = providers.get(r.provider) if r.provider else None
    if provider is not None:
        resource["author"] = _ref(provider.id, provider.name)
    return resource


def _coding(system: str, code: str, display: str) -> dict[str, str]:
    return {"system": f"{NS}:{system}", "code": code, "display": display}


def _gais_item(gais: str, text: str) -> dict[str, Any]:
    label = gais_text(gais)
    return {
        "linkId": "gais",
        "text": text,
        "answer": [{"valueCoding": _coding("gais", gais, label)}],
    }


def _media(p: Photo, patient_ref: dict[str, Any], jpeg: bytes | None) -> dict[str, Any]:
    content: dict[str, Any] = {
        "contentType": "image/jpeg",
        "title": f"{PHOTO_KINDS.label(p.kind)} photo",
        "creation": _instant(p.taken_at),
    }
    if jpeg is not None:
        content["data"] = base64.b64encode(jpeg).decode("ascii")
        content["size"] = len(jpeg)
        # FHIR R4 defines Attachment.hash as the base64 SHA-1 of the data.
        content["hash"] = base64.b64encode(hashlib.sha1(jpeg).digest()).decode("ascii")
    resource: dict[str, Any] = {
        "resourceType": "Media",
        "id": str(p.id),
        "identifier": [{"system": f"{NS}:photo-sha256", "value": p.sha256}],
        "status": "completed",
        "type": {"coding": [{"system": MEDIA_TYPE, "code": "image", "display": "Image"}]},
        "subject": patient_ref,
        "createdDateTime": _instant(p.taken_at),
        "content": content,
        "note": _note(f"{PHOTO_KINDS.label(p.kind)} photo"),
    }
    size = _jpeg_size(jpeg) if jpeg is not None else None
    if size is not None:  # the embedded copy's pixels, not the original's
        resource["width"], resource["height"] = size
    if p.session_id:
        resource["partOf"] = [_ref(p.session_id)]
    if p.area:
        resource["bodySite"] = _concept("area", p.area, AREAS.label(p.area))
    if p.angle:
        resource["view"] = {"text": p.angle}
    return resource


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    import io

    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except OSError:
        return None

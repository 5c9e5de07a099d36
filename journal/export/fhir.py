"""A patient's journal as a FHIR R4 Bundle (type `collection`).

What maps to what (docs/exports.md has the table and the source of every code):

* Patient -> Patient, each provider -> Practitioner, both identified by our UUID
* Course -> CarePlan; each session -> Procedure (`basedOn` the CarePlan, `bodySite`
  per area in SNOMED CT, the pen as a Device and PRP/serums as Substances in
  `usedReference`), its pain -> an Observation coded LOINC 72514-3
* Check-in -> Observations "post-procedure symptoms" and "concern severity",
  `partOf` the session's Procedure; a red flag after a session -> AdverseEvent
  (suspected: that Procedure; `outcome` from the flag's status: open or seen ->
  ongoing, resolved -> resolved or resolvedWithSequelae; the providers who saw
  or resolved it as `contributor`), one before any session -> Observation (its
  status in the note)
* The worth-it score -> Observation (value = score, components = verdict,
  confidence, provisional and each component)
* Photo -> Media (the display copy re-encoded, metadata-free, as inline data)
* Patient GAIS and verdict, provider GAIS and Goodman & Baron grade ->
  QuestionnaireResponse answering the included GAIS Questionnaire

Every fullUrl is `urn:uuid:<our UUID>`; resources that have no row of their own
get a UUID5 derived from their source, so exporting twice yields the same
identifiers and a receiver can de-duplicate. A coded value carries the standard
code first (when a published list gives one), then our own code under the
`urn:microneedling-journal:` namespace (URNs: nothing to resolve, nothing to
phone home to), and our label in `text` so any FHIR viewer can show it.
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
    GAIS,
    GAIS_NUMBERS,
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
    from journal.core.flags import FlagEpisode
    from journal.core.rules import RedFlag
    from journal.core.score import ScoreResult

NS = "urn:microneedling-journal"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
URI_SYSTEM = "urn:ietf:rfc:3986"  # identifiers that are URIs: our UUIDs as urn:uuid:
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
AE_SERIOUSNESS = "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness"
AE_OUTCOME = "http://terminology.hl7.org/CodeSystem/adverse-event-outcome"
GAIS_QUESTIONNAIRE = f"{NS}:questionnaire:gais"
PAIN_NRS = (LOINC, "72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported")

# SNOMED CT codes, each from a published value set: docs/exports.md lists the source of
# every one (repository, path and line). Body sites are DICOM CID 4029 "Dermatology
# Anatomic Site" ('skin of' concepts); skin findings are DICOM CID 4406 "Patient Reported
# Lesion Characteristic" or the SNOMED CT IPS Free Set (HL7 IPS ValueSet
# problems-snomed-ct-ips-free-set, SNOMED CT International 2022-07-31); one red flag is
# from the R4 adverse-event-type ValueSet. A word without a code here keeps the
# journal's own code and its text only: no published list we read names it.
AREA_CODES: dict[str, tuple[str, str]] = {
    "full-face": ("73897004", "Skin of face"),
    "forehead": ("68698007", "Skin of forehead"),
    "cheeks": ("36141000", "Skin of cheek"),
    "left-cheek": ("36141000", "Skin of cheek"),
    "right-cheek": ("36141000", "Skin of cheek"),
    "nose": ("113179006", "Skin of nose"),
    "chin": ("23747009", "Skin of chin"),
    "jawline": ("244097004", "Skin of jawline"),
    "periorbital": ("362916000", "Skin of eye region"),
    "perioral": ("110488009", "Skin of perioral region of face"),
    "neck": ("43081002", "Skin of neck"),
    "decolletage": ("244106003", "Skin of anterior surface of thorax"),
    "scalp": ("43067004", "Skin of scalp"),
    "abdomen": ("75093004", "Skin of abdomen"),
    "thighs": ("371304004", "Skin of lower extremity"),
    "arms": ("371311000", "Skin of upper extremity"),
    "back": ("66643007", "Skin of back"),
    "hands": ("33712006", "Skin of hand"),
}
# Symptoms (check-in components). Tightness, sensitivity and downtime: no code found.
FINDING_CODES: dict[str, tuple[str, str]] = {
    "redness": ("247441003", "Erythema"),
    "itching": ("418363000", "Itching"),
    "flaking": ("271767006", "Peeling"),
    "bleeding": ("297968009", "Bleeding skin"),
    "pain": ("403598008", "Painful skin"),
    "swelling": ("428786006", "Localized superficial swelling of skin"),
    "bruising": ("302227002", "Ecchymosis"),
}
# Red flags: their own finding, or (FLAG_FINDINGS) a symptom's finding lasting too long.
FLAG_CODES: dict[str, tuple[str, str]] = {
    "blistering": ("417237009", "Blister"),
    "infection": ("108365000", "Infection of skin"),
    "hyperpigmentation": ("238699007", "Post-inflammatory hyperpigmentation"),
    "scarring": ("70582006", "Scar of skin"),
    "cold-sore": ("1475003", "Herpes labialis"),
    "allergic-reaction": ("421961002", "Hypersensitivity reaction"),
    "granulomas": ("3310005", "Foreign body granuloma of skin"),
}
FLAG_FINDINGS: dict[str, str] = {"bleeding-over-24h": "bleeding", "swelling-over-week": "swelling"}
# Concerns. Scars and fine lines take the broader finding (the kind stays in the
# journal code and text); large pores, texture and laxity: no code found.
CONCERN_CODES: dict[str, tuple[str, str]] = {
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
# Flags where urgent care may be needed are sent as serious, so a receiver looks first.
SERIOUS_FLAGS = frozenset({"infection", "allergic-reaction"})
UUID_NAMESPACE = uuid.UUID("8c0b3f5e-4d57-4f34-9a53-5d7c2f1e7a10")
OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
MEDIA_TYPE = "http://terminology.hl7.org/CodeSystem/media-type"
# No published value set we read names microneedling: the procedure keeps its text
# and the journal's code only (docs/exports.md), never a made-up SNOMED CT code.
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
    episodes: Sequence[FlagEpisode] = (),
) -> dict[str, Any]:
    """The Bundle as plain JSON-ready dicts (validated by `validate_bundle`).

    `episodes` are the same flags with their status (`core.flags`); a flag
    found in none of them is open.
    """
    patient_ref = _ref(history.patient.id)
    by_name = {p.name: p for p in providers}
    entries: list[dict[str, Any]] = [_patient(history)]
    entries += [_practitioner(p) for p in providers]
    entries += [_careplan(c, patient_ref) for c in history.courses]
    devices: dict[uuid.UUID, dict[str, Any]] = {}
    substances: dict[str, dict[str, Any]] = {}
    pid = history.patient.id
    for t in history.sessions:
        device = _device(t, pid)
        if device is not None:
            devices.setdefault(uuid.UUID(device["id"]), device)
        entries.append(_procedure(t, patient_ref, by_name, device, pid))
        entries += _procedure_pain(t, patient_ref)
        for serum in t.serums:
            substances.setdefault(serum, _substance(pid, serum))
    entries += list(devices.values())
    entries += list(substances.values())
    after = _SessionFinder(history.sessions)
    rated = bool(history.reviews) or any(c.gais or c.verdict for c in history.checkins)
    if rated:
        entries.append(_gais_questionnaire())
    for c in history.checkins:
        entries += _checkin_observations(c, patient_ref, after(c.course_id, c.date))
        qr = _patient_questionnaire(c, patient_ref)
        if qr is not None:
            entries.append(qr)
    for r in history.reviews:
        qr = _review_questionnaire(r, patient_ref, by_name)
        if qr is not None:
            entries.append(qr)
    for f in flags:
        session = after.by_date(f.session_date) if f.session_date else None
        episode = _episode_of(f, episodes)
        if session is not None:
            entries.append(_adverse_event(f, pid, patient_ref, session, episode, by_name))
        else:  # reported before any session: nothing to be a reaction to
            entries.append(_flag_observation(f, pid, patient_ref, episode))
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


def _concept(
    system: str,
    code: str,
    display: str,
    standard: tuple[str, str, str] | None = None,
) -> dict[str, Any]:
    """A CodeableConcept: the standard code first (when there is one), then ours, and
    the journal's label as `text` so any viewer shows the patient's own word."""
    coding = [{"system": f"{NS}:{system}", "code": code, "display": display}]
    if standard is not None:
        coding.insert(0, {"system": standard[0], "code": standard[1], "display": standard[2]})
    return {"coding": coding, "text": display}


def _snomed(table: dict[str, tuple[str, str]], key: str) -> tuple[str, str, str] | None:
    found = table.get(key)
    return (SNOMED, *found) if found else None


def _area(key: str) -> dict[str, Any]:
    return _concept("area", key, AREAS.label(key), _snomed(AREA_CODES, key))


def _concern(key: str) -> dict[str, Any]:
    return _concept("concern", key, CONCERNS.label(key), _snomed(CONCERN_CODES, key))


def _red_flag(key: str) -> dict[str, Any]:
    """A red flag's own finding, or the symptom's it is a lasting form of (if any)."""
    finding = FLAG_FINDINGS.get(key)
    standard = _snomed(FINDING_CODES, finding) if finding else _snomed(FLAG_CODES, key)
    return _concept("red-flag", key, RED_FLAGS.label(key), standard)


def _identifier(ident: uuid.UUID) -> list[dict[str, str]]:
    """The journal's UUID as an identifier a receiving system can match on."""
    return [{"use": "secondary", "system": URI_SYSTEM, "value": f"urn:uuid:{ident}"}]


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
        "identifier": _identifier(p.id),
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
            "valueCodeableConcept": _concern(c),
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
        "identifier": _identifier(p.id),
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


def _device(t: Session, patient_id: uuid.UUID) -> dict[str, Any] | None:
    """The pen used on the patient, not a device affixed to them: no `Device.patient`."""
    if not t.device_kind and not t.device_name:
        return None
    kind_label = DEVICE_KINDS.label(t.device_kind) if t.device_kind else "Microneedling device"
    resource: dict[str, Any] = {
        "resourceType": "Device",
        "id": _derived("device", patient_id, t.device_kind or "", t.device_name or ""),
        "type": _concept("device-kind", t.device_kind or "device", kind_label),
    }
    if t.device_name:
        resource["deviceName"] = [{"name": t.device_name, "type": "user-friendly-name"}]
    return resource


def _substance_id(patient_id: uuid.UUID, serum: str) -> str:
    return _derived("substance", patient_id, serum)


def _substance(patient_id: uuid.UUID, serum: str) -> dict[str, Any]:
    return {
        "resourceType": "Substance",
        "id": _substance_id(patient_id, serum),
        "code": _concept("serum", serum, SERUMS.label(serum)),
    }


def _procedure(
    t: Session,
    patient_ref: dict[str, Any],
    providers: dict[str, Provider],
    device: dict[str, Any] | None,
    patient_id: uuid.UUID,
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
        resource["bodySite"] = [_area(a) for a in t.areas]
    used = [_ref(device["id"])] if device is not None else []
    # R4 puts a substance used in a procedure in usedReference (Device | Medication |
    # Substance): PRP and serums are Substance resources of their own.
    used += [_ref(_substance_id(patient_id, a), SERUMS.label(a)) for a in t.serums]
    if used:
        resource["usedReference"] = used
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


def _symptom_code(key: str) -> dict[str, Any]:
    concept = _concept("symptom", key, SYMPTOMS.label(key), _snomed(FINDING_CODES, key))
    if key == "pain":  # rated 0-10: the LOINC numeric rating scale says how
        concept["coding"].insert(0, dict(zip(("system", "code", "display"), PAIN_NRS, strict=True)))
    return concept


def _checkin_observations(
    c: CheckIn, patient_ref: dict[str, Any], session: Session | None
) -> list[dict[str, Any]]:
    """Symptoms and concern ratings; `partOf` the session they follow (if any)."""
    found = []
    components = [
        {"code": _symptom_code(k), "valueInteger": c.symptoms[k]}
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
                    {"code": _concern(k), "valueInteger": v} for k, v in sorted(c.concerns.items())
                ],
            )
        )
    for obs in found:
        if not obs.get("note"):
            obs.pop("note", None)
        if session is not None:
            obs["partOf"] = [_ref(session.id)]
    return found


class _SessionFinder:
    """The session a check-in or flag follows: the course's latest on or before it."""

    def __init__(self, sessions: Sequence[Session]) -> None:
        self._sessions = sorted(sessions, key=lambda t: (t.date, str(t.id)))

    def __call__(self, course_id: uuid.UUID, day: dt.date) -> Session | None:
        found = [t for t in self._sessions if t.course_id == course_id and t.date <= day]
        return found[-1] if found else None

    def by_date(self, day: dt.date) -> Session | None:
        return next((t for t in self._sessions if t.date == day), None)


def _procedure_pain(t: Session, patient_ref: dict[str, Any]) -> list[dict[str, Any]]:
    """Pain during the session on the 0-10 numeric rating scale (LOINC), partOf it."""
    if t.pain is None:
        return []
    code = _concept("observation", "procedure-pain", "Pain during the session (0-10)")
    code["coding"].insert(0, dict(zip(("system", "code", "display"), PAIN_NRS, strict=True)))
    return [
        _observation(
            _derived("procedure-pain", t.id),
            patient_ref,
            t.date,
            code,
            "survey",
            partOf=[_ref(t.id)],
            valueInteger=t.pain,
        )
    ]


def _episode_of(flag: RedFlag, episodes: Sequence[FlagEpisode]) -> FlagEpisode | None:
    """The flag (with its status) a dated report belongs to.

    Episodes of one key never overlap in time (a report after a resolution
    starts a new one), so key and date find the one.
    """
    return next((e for e in episodes if e.key == flag.key and e.first <= flag.date <= e.last), None)


def _outcome(episode: FlagEpisode | None) -> tuple[str, str]:
    """R4 adverse-event-outcome code and display for a flag's current status."""
    if episode is None or episode.status != "resolved":
        return "ongoing", "Ongoing"
    if episode.review is not None and episode.review.lasting:
        return "resolvedWithSequelae", "Resolved with Sequelae"
    return "resolved", "Resolved"


def _status_lines(episode: FlagEpisode | None) -> list[str]:
    """The flag's status and the providers' notes, in words, for a note."""
    if episode is None:
        return ["Status: open."]
    lines = [f"Status: {episode.sentence()}."]
    review = episode.review
    if review is not None and episode.status != "open":
        if review.seen_note:
            lines.append(f"Seen note: {review.seen_note}")
        if episode.status == "resolved" and review.resolved_note:
            lines.append(f"Resolution note: {review.resolved_note}")
    return lines


def _contributors(
    episode: FlagEpisode | None, by_name: dict[str, Provider]
) -> list[dict[str, Any]]:
    """Who saw and who resolved the flag: a Practitioner of the bundle when named so."""
    review = episode.review if episode is not None else None
    if review is None or episode is None or episode.status == "open":
        return []
    names = [review.seen_by]
    if episode.status == "resolved":
        names.append(review.resolved_by)
    found: list[dict[str, Any]] = []
    for name in dict.fromkeys(n for n in names if n):
        provider = by_name.get(name)
        found.append(_ref(provider.id, name) if provider is not None else {"display": name})
    return found


def _adverse_event(
    flag: RedFlag,
    patient_id: uuid.UUID,
    patient_ref: dict[str, Any],
    session: Session,
    episode: FlagEpisode | None = None,
    by_name: dict[str, Provider] | None = None,
) -> dict[str, Any]:
    """A red flag after a session as an R4 AdverseEvent suspected of that session.

    Seriousness: serious for signs of infection and allergic reaction (urgent care
    may be needed), non-serious otherwise. Outcome: the flag's status (`_outcome`);
    R4 has no resolution date or note on AdverseEvent, so those go in the note
    extension with the seen and resolution notes.
    """
    how = "reported by the patient" if flag.source == "reported" else f"derived from {flag.detail}"
    serious = flag.key in SERIOUS_FLAGS
    code, display = _outcome(episode)
    resource: dict[str, Any] = {
        "resourceType": "AdverseEvent",
        "id": _derived("flag", patient_id, flag.key, flag.date),
        "actuality": "actual",
        "event": _red_flag(flag.key),
        "subject": patient_ref,
        "date": flag.date.isoformat(),
        "seriousness": {
            "coding": [
                {
                    "system": AE_SERIOUSNESS,
                    "code": "serious" if serious else "non-serious",
                    "display": "Serious" if serious else "Non-serious",
                }
            ]
        },
        "outcome": {"coding": [{"system": AE_OUTCOME, "code": code, "display": display}]},
        "suspectEntity": [{"instance": _ref(session.id)}],
    }
    if flag.source == "reported":
        resource["recorder"] = patient_ref
    contributors = _contributors(episode, by_name or {})
    if contributors:
        resource["contributor"] = contributors
    text = " ".join([f"{flag.sentence()} Source: {how}.", *_status_lines(episode)])
    resource["extension"] = [{"url": f"{NS}:fhir:note", "valueString": text}]
    return resource


def _flag_observation(
    flag: RedFlag,
    patient_id: uuid.UUID,
    patient_ref: dict[str, Any],
    episode: FlagEpisode | None = None,
) -> dict[str, Any]:
    how = "reported by the patient" if flag.source == "reported" else f"derived from {flag.detail}"
    return _observation(
        _derived("flag", patient_id, flag.key, flag.date),
        patient_ref,
        flag.date,
        _concept("observation", "red-flag", "Red flag after microneedling"),
        "exam",
        valueCodeableConcept=_red_flag(flag.key),
        note=_note(flag.sentence(), f"Source: {how}.", *_status_lines(episode)),
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
        "questionnaire": GAIS_QUESTIONNAIRE,
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
        "questionnaire": GAIS_QUESTIONNAIRE,
        "status": "completed",
        "subject": patient_ref,
        "authored": r.date.isoformat(),
        "item": items,
    }
    provider = providers.get(r.provider) if r.provider else None
    if provider is not None:
        resource["author"] = _ref(provider.id, provider.name)
    return resource


def _gais_questionnaire() -> dict[str, Any]:
    """The questions the QuestionnaireResponses answer; GAIS with its published numbers."""
    gais_options = [
        {
            "valueCoding": {
                **_coding("gais", key, GAIS.label(key)),
                "extension": [{"url": ORDINAL_VALUE, "valueDecimal": number}],
            }
        }
        for key, number in GAIS_NUMBERS.items()
    ]
    return {
        "resourceType": "Questionnaire",
        "id": _derived("questionnaire", "gais"),
        "url": GAIS_QUESTIONNAIRE,
        "name": "GlobalAestheticImprovement",
        "title": "Global Aesthetic Improvement Scale (GAIS) and verdict",
        "status": "active",
        "description": (
            "GAIS as published (Narins et al. 2003): 1 very much improved, 2 much improved, "
            "3 improved, 4 no change, 5 worse."
        ),
        "item": [
            {
                "linkId": "gais",
                "text": "Global aesthetic improvement (GAIS)",
                "type": "choice",
                "answerOption": gais_options,
            },
            {
                "linkId": "verdict",
                "text": "Was it worth it?",
                "type": "choice",
                "answerOption": [
                    {"valueCoding": _coding("verdict", k, VERDICTS.label(k))} for k in VERDICTS.keys
                ],
            },
            {
                "linkId": "goodman-baron",
                "text": "Goodman & Baron qualitative scar grade (1-4)",
                "type": "integer",
            },
            {"linkId": "notes", "text": "Notes", "type": "text"},
        ],
    }


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
        resource["bodySite"] = _area(p.area)
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

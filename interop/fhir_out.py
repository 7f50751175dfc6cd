"""One patient's record out as a FHIR R4 Bundle (`Patient/<id>/$everything`).

* `Patient`: the site-local reference code only, unless identifiers were asked
  for and the caller's role is allowed them (interop.access); then MRN, name,
  birth date and sex as well.
* `MedicationRequest`: one per entry of the signed dose ledger, chained by
  `priorPrescription`; the newest carries the course's status (active, on-hold,
  stopped, completed), earlier ones are `stopped` (replaced by the next). The
  dose is the total daily dose; `statusReason` is the ledger's reason.
* `AdverseEvent`: one per grade episode (interop.episodes), coded with the MedDRA
  code of the CTCAE v5.0 term (toxicity.ctcae.terms), the worst grade in the
  `ae-grade` extension, the course's MedicationRequest at onset as
  `suspectEntity`, and each ledger change made for the term as a
  `mitigating-action` (HL7 AE Clinical Research R4 Backport IG, STU1 1.0.1:
  http://hl7.org/fhir/uv/ae-research-backport-ig/StructureDefinition/ae-grade
  and .../mitigating-action).
* `Observation`: every stored measurement, LOINC-coded in the contract's units
  (the reverse of interop.loinc), blood pressure as one panel per reading.

The tracker has no patient-reported outcomes yet, so no QuestionnaireResponse is
written. Every resource is validated with fhir.resources (R4B) before it leaves.
"""

from __future__ import annotations

from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from interop import loinc
from interop.episodes import Episode
from interop.loinc import Kind
from interop.models import ExchangeAction, ExchangeLog
from interop.records import CourseRecord, ObservationRow, PatientRecord, patient_records
from patients.models import Patient
from toxicity.ctcae.terms import CTCAE_VERSION, TERMS

REFERENCE_CODE_SYSTEM = "urn:mki-tracker:reference-code"
TERM_SYSTEM = "urn:mki-tracker:ctcae-v5.0-term"
MEDDRA_SYSTEM = "http://terminology.hl7.org/CodeSystem/mdr"
AE_GRADE = "http://hl7.org/fhir/uv/ae-research-backport-ig/StructureDefinition/ae-grade"
MITIGATING_ACTION = (
    "http://hl7.org/fhir/uv/ae-research-backport-ig/StructureDefinition/mitigating-action"
)
# The IG binds ae-grade (preferred) to this value set; its code system URL is UNCONFIRMED.
GRADE_SYSTEM = "http://terminology.hl7.org/CodeSystem/adverse-event-clinical-research-grades"
OUTCOME_SYSTEM = "http://terminology.hl7.org/CodeSystem/adverse-event-outcome"
CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/observation-category"
UCUM = loinc.UCUM_SYSTEM
# fullUrl base when no request gives the server's own address.
BASE = "urn:mki-tracker:fhir:"

LAST_STATUS = {
    "start": "active",
    "resume": "active",
    "reduce": "active",
    "re_escalate": "active",
    "hold": "on-hold",
    "discontinue": "stopped",
    "complete": "completed",
}
VITAL_TERMS = ("hypertension", "weight_loss")


def _ref(kind: str, id: str) -> dict:
    return {"reference": f"{kind}/{id}"}


def patient_resource(patient: Patient, *, identifiers: bool) -> dict:
    resource = {
        "resourceType": "Patient",
        "id": str(patient.pk),
        "identifier": [{"system": REFERENCE_CODE_SYSTEM, "value": patient.reference_code}],
    }
    if identifiers:
        resource["identifier"].append(
            {
                "type": {"text": "MRN"},
                "system": f"urn:mki-tracker:site:{patient.site.code}:mrn",
                "value": patient.mrn,
            }
        )
        resource["name"] = [{"family": patient.family_name, "given": [patient.given_name]}]
        resource["birthDate"] = patient.date_of_birth.isoformat()
        resource["gender"] = patient.sex
    return resource


def _dose(dose_mg: float | None) -> list[dict]:
    if not dose_mg:
        return []
    return [
        {
            "text": f"{dose_mg:g} mg per day (total daily dose)",
            "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}},
            "doseAndRate": [
                {"doseQuantity": {"value": dose_mg, "unit": "mg", "system": UCUM, "code": "mg"}}
            ],
        }
    ]


def medication_requests(record: CourseRecord, patient_id: str) -> list[dict]:
    resources: list[dict] = []
    course = record.course
    for index, change in enumerate(record.ledger):
        last = index == len(record.ledger) - 1
        dose = change.dose_before_mg if change.kind == "hold" else change.dose_after_mg
        resource = {
            "resourceType": "MedicationRequest",
            "id": f"mr-{change.id}",
            "status": LAST_STATUS[change.kind] if last else "stopped",
            "intent": "order",
            "medicationCodeableConcept": {"text": course.drug},
            "subject": _ref("Patient", patient_id),
            "authoredOn": change.effective_at.isoformat(),
            "groupIdentifier": {"system": "urn:mki-tracker:course", "value": str(course.pk)},
            "statusReason": {"text": f"{change.kind}: {change.reason}"},
            "dosageInstruction": _dose(dose),
        }
        if index:
            resource["priorPrescription"] = _ref(
                "MedicationRequest", f"mr-{record.ledger[index - 1].id}"
            )
        resources.append(resource)
    return resources


def _request_at(record: CourseRecord, when) -> str | None:
    current = None
    for change in record.ledger:
        if change.effective_at <= when:
            current = change.id
    first = record.ledger[0].id if record.ledger else None
    return f"mr-{current or first}" if (current or first) else None


def _term_coding(term: str) -> dict:
    entry = TERMS.get(term)
    name = entry.name if entry else term.replace("_", " ").capitalize()
    codings = [{"system": TERM_SYSTEM, "code": term, "display": name}]
    if entry and entry.meddra_code:
        codings.insert(0, {"system": MEDDRA_SYSTEM, "code": entry.meddra_code, "display": name})
    return {"coding": codings, "text": name}


def adverse_event(record: CourseRecord, episode: Episode, patient_id: str) -> dict:
    worst = episode.worst_grade
    resource = {
        "resourceType": "AdverseEvent",
        "id": f"ae-{record.course.pk}-{episode.term.replace('_', '-')}-{episode.number}"[:64],
        "extension": [
            {
                "url": AE_GRADE,
                "valueCodeableConcept": {
                    "coding": [{"system": GRADE_SYSTEM, "code": str(worst)}],
                    "text": f"CTCAE v{CTCAE_VERSION} grade {worst}",
                },
            }
        ],
        "actuality": "actual",
        "event": _term_coding(episode.term),
        "subject": _ref("Patient", patient_id),
        "date": episode.start.isoformat(),
        "detected": episode.start.isoformat(),
        "outcome": {
            "coding": [{"system": OUTCOME_SYSTEM, "code": "resolved" if episode.end else "ongoing"}]
        },
    }
    for grade_record in episode.records:
        for change_id in grade_record.ledger_change_ids:
            resource["extension"].append(
                {
                    "url": MITIGATING_ACTION,
                    "extension": [
                        {
                            "url": "item",
                            "valueReference": {
                                "reference": f"MedicationRequest/mr-{change_id}",
                                "display": grade_record.action,
                            },
                        }
                    ],
                }
            )
    suspect = _request_at(record, episode.start)
    if suspect:
        resource["suspectEntity"] = [{"instance": _ref("MedicationRequest", suspect)}]
    return resource


# The contract's own unit per (term, field): the LOINC code whose first unit has factor 1.
def _reverse_codes() -> dict[tuple[str, str], loinc.LabCode]:
    table = {}
    for code in loinc.CODES.values():
        if (
            code.term
            and code.kind != Kind.BP_PANEL
            and code.units[:1]
            and code.units[0].factor == 1
        ):
            table.setdefault((code.term, code.field), code)
        elif code.kind == Kind.DIPSTICK:
            table[(code.term, code.field)] = code
    return table


REVERSE = _reverse_codes()
BP_PANEL = "85354-9"


def _quantity(value, unit: str) -> dict:
    return {"value": value, "unit": unit, "system": UCUM, "code": unit}


def _base(row: ObservationRow, id: str, loinc_code: str, patient_id: str) -> dict:
    category = "vital-signs" if row.term in VITAL_TERMS else "laboratory"
    return {
        "resourceType": "Observation",
        "id": id,
        "status": "final",
        "category": [{"coding": [{"system": CATEGORY_SYSTEM, "code": category}]}],
        "code": {"coding": [{"system": loinc.LOINC_SYSTEM, "code": loinc_code}]},
        "subject": _ref("Patient", patient_id),
        "effectiveDateTime": row.at.isoformat(),
    }


def observations(row: ObservationRow, patient_id: str) -> list[dict]:
    out = []
    measured = row.measurements
    for index, reading in enumerate(measured.get("readings") or []):
        resource = _base(row, f"obs-{row.id}-bp-{index}", BP_PANEL, patient_id)
        resource["component"] = [
            {
                "code": {"coding": [{"system": loinc.LOINC_SYSTEM, "code": part}]},
                "valueQuantity": _quantity(value, "mm[Hg]"),
            }
            for part, value in zip((loinc.SYSTOLIC, loinc.DIASTOLIC), reading, strict=True)
        ]
        out.append(resource)
    for field, value in measured.items():
        code = REVERSE.get((row.term, field))
        if code is None or value is None:
            continue
        resource = _base(
            row, f"obs-{row.id}-{field.replace('_', '-')}"[:64], code.loinc, patient_id
        )
        if code.kind == Kind.DIPSTICK:
            resource["valueCodeableConcept"] = {"text": value}
        else:
            unit = code.units[0].unit
            resource["valueQuantity"] = _quantity(value, unit)
            bound = measured.get(code.range_field) if code.range_field else None
            if bound is not None:
                side = "high" if code.range_field == "uln" else "low"
                resource["referenceRange"] = [{side: _quantity(bound, unit)}]
        out.append(resource)
    return out


def patient_bundle(record: PatientRecord, *, identifiers: bool, base_url: str = BASE) -> dict:
    patient = record.patient
    pid = str(patient.pk)
    resources = [patient_resource(patient, identifiers=identifiers)]
    for course in record.courses:
        resources += medication_requests(course, pid)
        resources += [adverse_event(course, e, pid) for e in course.episodes()]
        for row in course.observations:
            resources += observations(row, pid)
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources),
        "entry": [
            {
                "fullUrl": f"{base_url}{r['resourceType']}/{r['id']}",
                "resource": r,
                "search": {"mode": "match"},
            }
            for r in resources
        ],
    }
    Bundle.model_validate(bundle)  # every entry is validated against its R4B model
    return bundle


def export_patient(*, actor, patient: Patient, identifiers: bool, base_url: str = BASE) -> dict:
    (record,) = patient_records([patient])
    bundle = patient_bundle(record, identifiers=identifiers, base_url=base_url)
    ExchangeLog.objects.create(
        actor=actor,
        at=timezone.now(),
        action=ExchangeAction.EXPORT_FHIR,
        site=patient.site,
        patient=patient,
        with_identifiers=identifiers,
        detail={"resources": bundle["total"]},
    )
    return bundle

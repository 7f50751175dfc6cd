"""Lab results in: a FHIR R4 Bundle of Observations becomes lab-only visits.

The Bundle (type `transaction` or `collection`) is read whole before anything is
stored. Each entry is validated with fhir.resources (R4B models, which read R4
Observations unchanged); each Observation must carry an `id` (so a re-send is
recognised), a LOINC code from interop.loinc, a subject identified by MRN, an
`effectiveDateTime` with its time zone, and a value in an accepted unit.

Observations of one patient taken at the same instant form one visit. Each
visit goes through toxicity.services.visits.log_visit, exactly like a nurse's entry:
the engine validates it, grades it, stores it audited with the importer as the
actor, and queues its evaluation after commit. All visits of a Bundle are
written in one transaction: one refusal anywhere and nothing of the Bundle is
stored. Every problem is answered in one OperationOutcome naming the resource
and the element.

Idempotency: a Bundle is known by its identifier (else its id, else the
SHA-256 of its JSON); an Observation by its id. Both are unique per site in the
database (interop.models), so the same Bundle twice, or the same Observation in
two Bundles, stores once. The same id sent again with different content is
refused: a corrected result is entered as a visit edit, where the reason is
written down.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError as PydanticError
from rest_framework.exceptions import ParseError

from config.parsers import loads as json_loads
from interop import loinc
from interop import outcome as oo
from interop.loinc import Kind
from interop.models import BundleImport, ExchangeAction, ExchangeLog, ImportedObservation
from interop.outcome import Issue, Severity
from interop.units import convert, unit_names
from patients.models import Patient, Site, TreatmentCourse
from toxicity.ctcae.grading import DIPSTICK_VALUES
from toxicity.services import visits

BUNDLE_TYPES = ("transaction", "collection")
# Only results a laboratory has released are graded.
ACCEPTED_STATUS = ("final", "amended", "corrected")
IMPORT_REASON = "Lab results imported over FHIR"
MAX_OBSERVATION_ID = 64


@dataclass
class Source:
    """One FHIR resource's part in a contract observation: which fields it gave."""

    entry: int
    resource: str  # "Observation/<id>"
    resource_id: str
    sha256: str
    elements: dict[str, str]  # contract field -> FHIR element


@dataclass
class VisitDraft:
    patient: Patient
    course: TreatmentCourse
    occurred_at: datetime
    observations: dict[str, dict] = field(default_factory=dict)  # term -> contract observation
    sources: dict[str, list[Source]] = field(default_factory=lambda: defaultdict(list))


@dataclass
class ImportResult:
    status: int  # 201 stored, 200 nothing new, 400 refused
    issues: list[Issue]
    visit_ids: list[int] = field(default_factory=list)
    bundle_import: BundleImport | None = None

    def outcome(self) -> dict:
        return oo.operation_outcome(self.issues)


@dataclass
class _Parsed:
    """An Observation read from its entry, before the patient is looked up."""

    source: Source
    mrn: str
    occurred_at: datetime
    code: loinc.LabCode
    values: dict[str, Any]  # contract field -> value


def _sha256(data: Any) -> str:
    return hashlib.sha256(
        json.dumps(data, sort_keys=True, separators=(",", ":"), default=str).encode()
    ).hexdigest()


def _where(entry: int, element: str = "") -> str:
    return f"Bundle.entry[{entry}].resource" + (f".{element}" if element else "")


def bundle_key(raw: dict) -> str:
    identifier = raw.get("identifier") or {}
    if isinstance(identifier, dict) and identifier.get("value"):
        return f"{identifier.get('system', '')}|{identifier['value']}"[:300]
    if raw.get("id"):
        return f"id|{raw['id']}"[:300]
    return f"sha256|{_sha256(raw)}"


# --- reading one Observation -----------------------------------------------------------


def _pydantic_issues(error: PydanticError, root: str, resource: str) -> list[Issue]:
    return [
        Issue(
            oo.STRUCTURE if e["type"] in ("missing", "extra_forbidden") else oo.VALUE,
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}",
            [oo.fhirpath(e["loc"], root)],
            resource=resource,
        )
        for e in error.errors()
    ]


def _mrn_of(resource, contained_patients: dict[str, str]) -> str | None:
    subject = resource.subject
    if subject is None:
        return None
    if subject.identifier is not None and subject.identifier.value:
        return subject.identifier.value
    if subject.reference:
        return contained_patients.get(subject.reference)
    return None


def _loinc_code(resource) -> tuple[str | None, int | None]:
    for index, coding in enumerate(resource.code.coding or []):
        if coding.system == loinc.LOINC_SYSTEM and coding.code:
            return coding.code, index
    return None, None


def _unit_of(quantity) -> str | None:
    return quantity.code or quantity.unit


def _quantity(
    quantity, code: loinc.LabCode, element: str, resource: str, issues: list[Issue]
) -> float | None:
    if quantity is None or quantity.value is None:
        issues.append(
            Issue(oo.REQUIRED, f"{code.name}: the value is missing.", [element], resource=resource)
        )
        return None
    unit = _unit_of(quantity)
    converted = convert(quantity.value, unit or "", code.units)
    if converted is None:
        issues.append(
            Issue(
                oo.VALUE,
                f"{code.name} (LOINC {code.loinc}): unit {unit!r} is not accepted; "
                f"send one of {unit_names(code.units)} (UCUM).",
                [f"{element}.code"],
                resource=resource,
            )
        )
    return converted


def _range_value(resource, code: loinc.LabCode, value_unit: str, entry: int, issues, name):
    ranges = resource.referenceRange or []
    bound = "high" if code.range_field == "uln" else "low"
    quantity = getattr(ranges[0], bound) if ranges else None
    element = _where(entry, f"referenceRange[0].{bound}")
    if quantity is None or quantity.value is None:
        return None  # the engine says whether the grade needs it
    if not _unit_of(quantity):
        quantity = quantity.model_copy(update={"code": value_unit})
    return _quantity(quantity, code, element, name, issues)


def _dipstick(resource, entry: int, name: str, issues: list[Issue]) -> str | None:
    text = resource.valueString
    concept = resource.valueCodeableConcept
    if concept is not None:
        text = concept.text or next(
            (c.display or c.code for c in concept.coding or [] if c.display or c.code), None
        )
    reading = (text or "").strip().lower()
    if reading not in DIPSTICK_VALUES:
        issues.append(
            Issue(
                oo.VALUE,
                f"Urine dipstick protein {text!r} is not a reading the tracker grades; "
                f"send one of {', '.join(DIPSTICK_VALUES)}.",
                [_where(entry, "valueCodeableConcept")],
                resource=name,
            )
        )
        return None
    return reading


def _blood_pressure(resource, code, entry: int, name: str, issues: list[Issue]):
    found: dict[str, float | None] = {}
    for index, component in enumerate(resource.component or []):
        codes = {c.code for c in component.code.coding or [] if c.system == loinc.LOINC_SYSTEM}
        for part in codes & set(loinc.BP_COMPONENTS):
            element = _where(entry, f"component[{index}].valueQuantity")
            found[part] = _quantity(component.valueQuantity, code, element, name, issues)
    missing = [loinc.BP_COMPONENTS[p] for p in loinc.BP_COMPONENTS if p not in found]
    if missing:
        issues.append(
            Issue(
                oo.REQUIRED,
                f"The blood pressure panel has no {' and no '.join(missing)} component "
                f"(LOINC {loinc.SYSTOLIC} / {loinc.DIASTOLIC}).",
                [_where(entry, "component")],
                resource=name,
            )
        )
        return None
    sbp, dbp = found[loinc.SYSTOLIC], found[loinc.DIASTOLIC]
    if sbp is None or dbp is None:
        return None
    return [sbp, dbp]


def _read_observation(
    raw: dict, entry: int, contained_patients: dict[str, str], issues: list[Issue]
) -> _Parsed | None:
    resource_id = raw.get("id")
    name = f"Observation/{resource_id}" if resource_id else f"Observation at entry {entry}"
    model = get_fhir_model_class("Observation")
    try:
        resource = model.model_validate(raw)
    except PydanticError as error:
        issues.extend(_pydantic_issues(error, _where(entry), name))
        return None
    before = len(issues)
    if not resource_id:
        issues.append(
            Issue(
                oo.REQUIRED,
                "Every Observation needs an id: it is how a re-sent result is recognised.",
                [_where(entry, "id")],
                resource=name,
            )
        )
    elif len(resource_id) > MAX_OBSERVATION_ID:
        issues.append(Issue(oo.VALUE, "The id is too long.", [_where(entry, "id")], resource=name))
    if resource.status not in ACCEPTED_STATUS:
        issues.append(
            Issue(
                oo.VALUE,
                f"Status {resource.status!r}: only released results "
                f"({', '.join(ACCEPTED_STATUS)}) are imported.",
                [_where(entry, "status")],
                resource=name,
            )
        )
    loinc_code, coding_index = _loinc_code(resource)
    code = loinc.CODES.get(loinc_code or "")
    if code is None:
        where = _where(entry, f"code.coding[{coding_index}].code" if loinc_code else "code")
        text = (
            f"Unknown LOINC code {loinc_code!r}: the tracker takes {', '.join(loinc.CODES)}."
            if loinc_code
            else "No LOINC coding (system http://loinc.org)."
        )
        issues.append(Issue(oo.CODE_INVALID, text, [where], resource=name))
        return None
    if code.kind == Kind.NOT_GRADED:
        issues.append(
            Issue(
                oo.NOT_SUPPORTED,
                f"{code.name} (LOINC {code.loinc}) is not imported: {code.why_not_graded}",
                [_where(entry, "code")],
                severity=Severity.WARNING,
                resource=name,
            )
        )
        return None
    mrn = _mrn_of(resource, contained_patients)
    if not mrn:
        issues.append(
            Issue(
                oo.REQUIRED,
                "The subject must identify the patient by MRN (subject.identifier.value, "
                "or a reference to a Patient entry of this Bundle with an identifier).",
                [_where(entry, "subject")],
                resource=name,
            )
        )
    occurred_at = resource.effectiveDateTime
    if not isinstance(occurred_at, datetime) or timezone.is_naive(occurred_at):
        issues.append(
            Issue(
                oo.REQUIRED,
                "effectiveDateTime must give the time of the sample with its time zone."
                if not isinstance(occurred_at, date)
                else "effectiveDateTime gives a date only: send the time with its zone.",
                [_where(entry, "effectiveDateTime")],
                resource=name,
            )
        )
    values: dict[str, Any] = {}
    elements: dict[str, str] = {}
    if code.kind == Kind.BP_PANEL:
        reading = _blood_pressure(resource, code, entry, name, issues)
        values["readings"] = reading
        elements["readings"] = _where(entry, "component")
    elif code.kind == Kind.DIPSTICK:
        values[code.field] = _dipstick(resource, entry, name, issues)
        elements[code.field] = _where(entry, "valueCodeableConcept")
    else:
        element = _where(entry, "valueQuantity")
        values[code.field] = _quantity(resource.valueQuantity, code, element, name, issues)
        elements[code.field] = f"{element}.value"
        if code.range_field and resource.valueQuantity is not None:
            value_unit = _unit_of(resource.valueQuantity) or ""
            bound = _range_value(resource, code, value_unit, entry, issues, name)
            if bound is not None:
                values[code.range_field] = bound
                elements[code.range_field] = _where(
                    entry, f"referenceRange[0].{'high' if code.range_field == 'uln' else 'low'}"
                )
    if len(issues) > before:
        return None
    source = Source(entry, name, resource_id, _sha256(raw), elements)
    return _Parsed(source, mrn, occurred_at, code, values)


# --- the Bundle ----------------------------------------------------------------------


def _read_bundle(payload: bytes | str | dict) -> tuple[dict | None, list[Issue]]:
    if isinstance(payload, bytes | str):
        try:
            text = payload.decode("utf-8") if isinstance(payload, bytes) else payload
            # The API's own decoder: bounded nesting and number lengths, never a 500.
            payload = json_loads(text)
        except UnicodeDecodeError as error:
            return None, [Issue(oo.STRUCTURE, f"The body is not valid JSON: {error}.")]
        except ParseError as error:
            return None, [Issue(oo.STRUCTURE, f"The body is not valid JSON: {error.detail}")]
    if not isinstance(payload, dict) or payload.get("resourceType") != "Bundle":
        return None, [
            Issue(oo.STRUCTURE, "Send a FHIR Bundle (resourceType 'Bundle').", ["Bundle"])
        ]
    shell = {k: v for k, v in payload.items() if k != "entry"}
    try:
        Bundle.model_validate(shell)
    except PydanticError as error:
        return None, _pydantic_issues(error, "Bundle", "")
    if payload.get("type") not in BUNDLE_TYPES:
        return None, [
            Issue(
                oo.VALUE,
                f"Bundle type {payload.get('type')!r}: send a transaction or a collection.",
                ["Bundle.type"],
            )
        ]
    if not isinstance(payload.get("entry", []), list):
        return None, [Issue(oo.STRUCTURE, "entry must be a list.", ["Bundle.entry"])]
    return payload, []


def _entries(bundle: dict, issues: list[Issue]) -> tuple[list[tuple[int, dict]], dict[str, str]]:
    """(index, Observation JSON) pairs, and Patient references -> MRN."""
    observations: list[tuple[int, dict]] = []
    patients: dict[str, str] = {}
    for index, entry in enumerate(bundle.get("entry") or []):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            issues.append(
                Issue(oo.STRUCTURE, "The entry has no resource.", [f"Bundle.entry[{index}]"])
            )
            continue
        kind = resource.get("resourceType")
        if kind == "Observation":
            observations.append((index, resource))
        elif kind == "Patient":
            try:
                patient = get_fhir_model_class("Patient").model_validate(resource)
            except PydanticError as error:
                issues.extend(
                    _pydantic_issues(error, _where(index), f"Patient/{resource.get('id')}")
                )
                continue
            mrn = next((i.value for i in patient.identifier or [] if i.value), None)
            for ref in (f"Patient/{patient.id}", entry.get("fullUrl")):
                if ref and mrn:
                    patients[ref] = mrn
        else:
            issues.append(
                Issue(
                    oo.NOT_SUPPORTED,
                    f"A {kind or 'resource without resourceType'} is not taken in: "
                    "send Observations (and the Patient they refer to).",
                    [_where(index, "resourceType")],
                )
            )
    return observations, patients


def _course_at(courses: list[TreatmentCourse], when: datetime) -> TreatmentCourse | None:
    day = timezone.localdate(when)
    started = [c for c in courses if c.start_date <= day]
    return max(started, key=lambda c: (c.start_date, c.pk)) if started else None


def _drafts(site: Site, parsed: list[_Parsed], issues: list[Issue]) -> list[VisitDraft]:
    mrns = {p.mrn for p in parsed}
    patients = {p.mrn: p for p in Patient.objects.filter(site=site, mrn__in=mrns)}
    courses: dict[int, list[TreatmentCourse]] = defaultdict(list)
    for course in TreatmentCourse.objects.filter(patient__in=patients.values()).select_related(
        "patient"
    ):
        courses[course.patient_id].append(course)
    drafts: dict[tuple[int, datetime], VisitDraft] = {}
    for item in parsed:
        name, entry = item.source.resource, item.source.entry
        patient = patients.get(item.mrn)
        if patient is None:  # the same words whether the MRN is unknown or another site's
            issues.append(
                Issue(
                    oo.NOT_FOUND,
                    f"No patient with MRN {item.mrn!r} at site {site.code}.",
                    [_where(entry, "subject")],
                    resource=name,
                )
            )
            continue
        course = _course_at(courses[patient.pk], item.occurred_at)
        if course is None:
            issues.append(
                Issue(
                    oo.NOT_FOUND,
                    f"Patient {patient.reference_code} had no treatment course on "
                    f"{timezone.localdate(item.occurred_at)}.",
                    [_where(entry, "effectiveDateTime")],
                    resource=name,
                )
            )
            continue
        draft = drafts.setdefault(
            (patient.pk, item.occurred_at), VisitDraft(patient, course, item.occurred_at)
        )
        term = item.code.term
        observation = draft.observations.setdefault(term, {"term": term})
        for key, value in item.values.items():
            if key == "readings":
                observation.setdefault("readings", []).append(value)
            elif key in observation:
                earlier = next(s for s in draft.sources[term] if key in s.elements)
                issues.append(
                    Issue(
                        oo.DUPLICATE,
                        f"A second {item.code.name} for the same patient and time "
                        f"(the first is {earlier.resource}).",
                        [_where(entry)],
                        resource=name,
                    )
                )
            else:
                observation[key] = value
        draft.sources[term].append(item.source)
    return sorted(drafts.values(), key=lambda d: (d.patient.pk, d.occurred_at))


_FIELD = re.compile(r"^observations\[(\d+)\](?:\.([a-z_]+))?(?:\[(\d+)\])?")


def _service_issues(draft: VisitDraft, errors: dict[str, list[str]]) -> list[Issue]:
    """log_visit's field errors as issues on the resources that gave the field."""
    terms = list(draft.observations)
    issues = []
    for key, messages in errors.items():
        text = " ".join(messages)
        match = _FIELD.match(key)
        if not match:  # a visit-level field (occurred_at) concerns every resource
            sources = [s for t in terms for s in draft.sources[t]]
            for source in sources:
                issues.append(
                    Issue(
                        oo.INVALID,
                        f"{key}: {text}",
                        [_where(source.entry, "effectiveDateTime")],
                        resource=source.resource,
                    )
                )
            continue
        term = terms[int(match.group(1))]
        contract_field, item = match.group(2), match.group(3)
        sources = draft.sources[term]
        if contract_field == "readings" and item is not None and int(item) < len(sources):
            sources = [sources[int(item)]]
        elif contract_field:
            sources = [s for s in sources if contract_field in s.elements] or sources
        for source in sources:
            element = source.elements.get(contract_field or "", "")
            issues.append(
                Issue(
                    oo.INVALID,
                    f"{term} ({contract_field or 'observation'}): {text}",
                    [element or _where(source.entry)],
                    resource=source.resource,
                )
            )
    return issues


class _Refused(Exception):
    pass


def import_bundle(*, actor, site: Site, payload: bytes | str | dict) -> ImportResult:
    """Takes a Bundle in whole, or nothing of it; see the module docstring."""
    bundle, issues = _read_bundle(payload)
    if bundle is None:
        return ImportResult(400, issues)
    key, content = bundle_key(bundle), _sha256(bundle)
    earlier = BundleImport.objects.filter(site=site, bundle_key=key).first()
    if earlier is not None:
        return _already(earlier, content)

    entries, contained = _entries(bundle, issues)
    parsed = [p for i, raw in entries if (p := _read_observation(raw, i, contained, issues))]
    ids = [p.source.resource_id for p in parsed]
    repeated = {i for i in ids if ids.count(i) > 1} if len(set(ids)) < len(ids) else set()
    for item in parsed:
        if item.source.resource_id in repeated:
            issues.append(
                Issue(
                    oo.DUPLICATE,
                    "The same Observation id appears twice in this Bundle.",
                    [_where(item.source.entry, "id")],
                    resource=item.source.resource,
                )
            )
    known = dict(
        ImportedObservation.objects.filter(site=site, resource_id__in=set(ids)).values_list(
            "resource_id", "content_sha256"
        )
    )
    fresh = []
    for item in parsed:
        stored = known.get(item.source.resource_id)
        if stored is None:
            fresh.append(item)
        elif stored == item.source.sha256:
            issues.append(
                Issue(
                    oo.DUPLICATE,
                    "Already imported; stored once.",
                    [_where(item.source.entry)],
                    severity=Severity.INFORMATION,
                    resource=item.source.resource,
                )
            )
        else:
            issues.append(
                Issue(
                    oo.CONFLICT,
                    "This Observation id was imported before with other content. A "
                    "corrected result is entered as an edit of the visit, with its reason.",
                    [_where(item.source.entry)],
                    resource=item.source.resource,
                )
            )
    drafts = _drafts(site, fresh, issues)
    if oo.has_errors(issues):
        return ImportResult(400, issues)
    try:
        return _store(actor, site, key, content, drafts, issues)
    except _Refused as refused:
        return ImportResult(400, refused.args[0])
    except IntegrityError:  # the same Bundle or Observation, committed meanwhile
        earlier = BundleImport.objects.filter(site=site, bundle_key=key).first()
        if earlier is not None:
            return _already(earlier, content)
        return ImportResult(
            400,
            issues
            + [
                Issue(
                    oo.CONFLICT,
                    "Some of these Observations were imported meanwhile; "
                    "send the Bundle again to take in the rest.",
                )
            ],
        )


def _already(earlier: BundleImport, content: str) -> ImportResult:
    if earlier.content_sha256 != content:
        return ImportResult(
            400,
            [
                Issue(
                    oo.CONFLICT,
                    f"A Bundle with the key {earlier.bundle_key!r} was imported before with "
                    "other content; give a changed Bundle a new identifier.",
                    ["Bundle.identifier"],
                )
            ],
        )
    return ImportResult(
        200,
        [
            Issue(
                oo.DUPLICATE,
                f"This Bundle was imported on {earlier.imported_at.isoformat()}; stored once.",
                severity=Severity.INFORMATION,
            )
        ],
        list(earlier.visit_ids),
        earlier,
    )


@transaction.atomic
def _store(actor, site, key, content, drafts: list[VisitDraft], issues: list[Issue]):
    now = timezone.now()
    record = BundleImport.objects.create(
        site=site, bundle_key=key, content_sha256=content, imported_by=actor, imported_at=now
    )
    refused: list[Issue] = []
    imported: list[ImportedObservation] = []
    visit_ids: list[int] = []
    for draft in drafts:
        try:
            with transaction.atomic():
                visit = visits.log_visit(
                    actor=actor,
                    course=draft.course,
                    occurred_at=draft.occurred_at,
                    observations=list(draft.observations.values()),
                    reason=IMPORT_REASON,
                )
        except ValidationError as error:
            refused.extend(_service_issues(draft, error.message_dict))
            continue
        visit_ids.append(visit.pk)
        for term, sources in draft.sources.items():
            imported.extend(
                ImportedObservation(
                    site=site,
                    resource_id=s.resource_id,
                    content_sha256=s.sha256,
                    bundle_import=record,
                    visit=visit,
                    term=term,
                )
                for s in sources
            )
    if refused:
        raise _Refused(issues + refused)
    ImportedObservation.objects.bulk_create(imported)
    record.visit_ids = visit_ids
    record.save(update_fields=["visit_ids"])
    ExchangeLog.objects.create(
        actor=actor,
        at=now,
        action=ExchangeAction.IMPORT_FHIR,
        site=site,
        detail={"bundle": key, "visits": visit_ids, "observations": len(imported)},
    )
    summary = Issue(
        oo.INFORMATIONAL,
        f"Imported {len(imported)} Observations as {len(visit_ids)} visits "
        f"({', '.join(f'Visit/{v}' for v in visit_ids) or 'none new'}).",
        severity=Severity.INFORMATION,
    )
    return ImportResult(201 if visit_ids else 200, [summary, *issues], visit_ids, record)

"""Building FHIR R4 Bundles of lab results as a hospital's interface engine sends them."""

from __future__ import annotations

from datetime import datetime
from itertools import count

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
_ids = count(1)


def quantity(value, unit: str) -> dict:
    return {"value": value, "unit": unit, "system": UCUM, "code": unit}


def lab(
    loinc: str,
    value,
    unit: str,
    *,
    mrn: str,
    at: datetime,
    high=None,
    low=None,
    id: str | None = None,
    **extra,
) -> dict:
    resource = {
        "resourceType": "Observation",
        "id": id or f"lab-{next(_ids)}",
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "laboratory",
                    }
                ]
            }
        ],
        "code": {"coding": [{"system": LOINC, "code": loinc}]},
        "subject": {"identifier": {"system": "urn:example:mrn", "value": mrn}},
        "effectiveDateTime": at.isoformat(),
    }
    if value is not None:
        resource["valueQuantity"] = quantity(value, unit)
    if high is not None or low is not None:
        bounds = {}
        if high is not None:
            bounds["high"] = quantity(high, unit)
        if low is not None:
            bounds["low"] = quantity(low, unit)
        resource["referenceRange"] = [bounds]
    resource.update(extra)
    return resource


def blood_pressure(sbp, dbp, *, mrn: str, at: datetime, id: str | None = None) -> dict:
    resource = lab("85354-9", None, "mm[Hg]", mrn=mrn, at=at, id=id)
    resource["component"] = [
        {
            "code": {"coding": [{"system": LOINC, "code": "8480-6"}]},
            "valueQuantity": quantity(sbp, "mm[Hg]"),
        },
        {
            "code": {"coding": [{"system": LOINC, "code": "8462-4"}]},
            "valueQuantity": quantity(dbp, "mm[Hg]"),
        },
    ]
    return resource


def dipstick(reading: str, *, mrn: str, at: datetime, id: str | None = None) -> dict:
    resource = lab("20454-5", None, "", mrn=mrn, at=at, id=id)
    resource["valueCodeableConcept"] = {"text": reading}
    return resource


def bundle(*resources, type: str = "collection", identifier: str | None = None) -> dict:
    body = {
        "resourceType": "Bundle",
        "type": type,
        "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources],
    }
    if type == "transaction":
        for entry in body["entry"]:
            entry["request"] = {"method": "POST", "url": "Observation"}
    if identifier:
        body["identifier"] = {"system": "urn:example:lab-feed", "value": identifier}
    return body

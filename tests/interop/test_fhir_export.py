"""One patient's record out as FHIR R4: valid resources, the ledger as a MedicationRequest
chain, grade episodes as AdverseEvents, identifiers only when asked and allowed."""

from __future__ import annotations

import random

import pytest
from django.core.exceptions import PermissionDenied
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from interop import fhir_out
from interop.models import ExchangeLog
from interop.records import patient_records
from patients import demo
from patients import services as patient_services
from patients.models import Patient
from tests.interop.conftest import at
from toxicity import demo as toxicity_demo
from toxicity.services import visits


def everything(api, user, patient, **query):
    return api(user).get(f"/api/v1/fhir/Patient/{patient.pk}/$everything", query)


def resources(bundle, kind):
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


@pytest.fixture
def held_course(oncologist, course, django_capture_on_commit_callbacks, time_machine):
    """Grade 3 ALT on 20 January, held on 21 January, grade 1 on 27th, grade 0 on 3 Feb."""

    def log(day, value):
        with django_capture_on_commit_callbacks(execute=True):
            return visits.log_visit(
                actor=oncologist,
                course=course,
                occurred_at=at(day),
                observations=[
                    {"term": "alanine_aminotransferase_increased", "value": value, "uln": 40}
                ],
            )

    log(20, 260)
    time_machine.move_to(at(21), tick=False)
    patient_services.apply_dose_change(
        actor=oncologist,
        course=course,
        kind="hold",
        dose_after_mg=0,
        reason="Grade 3 ALT increased",
        reason_terms=["alanine_aminotransferase_increased"],
        effective_at=at(21),
    )
    time_machine.move_to(at(40), tick=False)
    log(27, 50)
    log(34, 35)
    return course


def test_the_record_goes_out_as_a_valid_bundle(api, oncologist, held_course):
    response = everything(api, oncologist, held_course.patient)

    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/fhir+json"
    bundle = response.json()
    Bundle.model_validate(bundle)
    for entry in bundle["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)


def test_the_ledger_is_a_chain_of_medication_requests(api, oncologist, held_course):
    bundle = everything(api, oncologist, held_course.patient).json()
    start, hold = resources(bundle, "MedicationRequest")
    assert (start["status"], hold["status"]) == ("stopped", "on-hold")
    assert hold["priorPrescription"] == {"reference": f"MedicationRequest/{start['id']}"}
    assert start["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"] == 24
    assert hold["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"] == 24
    assert "Grade 3 ALT increased" in hold["statusReason"]["text"]


def test_a_grade_episode_is_an_adverse_event_with_grade_suspect_and_action(
    api, oncologist, held_course
):
    bundle = everything(api, oncologist, held_course.patient).json()
    (event,) = resources(bundle, "AdverseEvent")
    hold = resources(bundle, "MedicationRequest")[1]
    codings = {c["system"]: c["code"] for c in event["event"]["coding"]}
    assert codings[fhir_out.MEDDRA_SYSTEM] == "10001551"  # ALT increased, reference.md 1.2
    grade = next(x for x in event["extension"] if x["url"] == fhir_out.AE_GRADE)
    assert grade["valueCodeableConcept"]["coding"][0]["code"] == "3"
    action = next(x for x in event["extension"] if x["url"] == fhir_out.MITIGATING_ACTION)
    assert action["extension"][0]["valueReference"] == {
        "reference": f"MedicationRequest/{hold['id']}",
        "display": "DRUG INTERRUPTED",
    }
    start = resources(bundle, "MedicationRequest")[0]
    assert event["suspectEntity"][0]["instance"]["reference"] == f"MedicationRequest/{start['id']}"
    assert event["outcome"]["coding"][0]["code"] == "resolved"


def test_labs_go_out_loinc_coded_with_their_reference_range(api, oncologist, held_course):
    bundle = everything(api, oncologist, held_course.patient).json()
    labs = resources(bundle, "Observation")
    assert len(labs) == 3
    first = labs[0]
    assert first["code"]["coding"][0]["code"] == "1742-6"
    assert first["valueQuantity"]["value"] == 260
    assert first["referenceRange"][0]["high"]["value"] == 40


def test_the_patient_goes_out_by_reference_code_only(api, oncologist, held_course):
    patient = held_course.patient
    response = everything(api, oncologist, patient)
    (resource,) = resources(response.json(), "Patient")
    assert resource["identifier"] == [
        {"system": fhir_out.REFERENCE_CODE_SYSTEM, "value": patient.reference_code}
    ]
    assert patient.mrn not in response.content.decode()
    assert patient.family_name not in response.content.decode()


def test_identifiers_leave_only_when_asked_and_allowed(api, oncologist, held_course, settings):
    patient = held_course.patient
    refused = everything(api, oncologist, patient, identifiers="true")
    assert refused.status_code == 403
    assert refused.json()["resourceType"] == "OperationOutcome"
    settings.INTEROP_IDENTIFIER_ROLES = ["oncologist"]
    allowed = everything(api, oncologist, patient, identifiers="true")
    assert allowed.status_code == 200
    assert patient.mrn in allowed.content.decode()


def test_nurses_site_administrators_and_outsiders_are_refused(
    api, nurse, site_admin, outsider, held_course
):
    patient = held_course.patient
    assert everything(api, nurse, patient).status_code == 403
    assert everything(api, site_admin, patient).status_code == 403
    missing = everything(api, outsider, Patient(pk=999999))
    other = everything(api, outsider, patient)
    assert (other.status_code, missing.status_code) == (404, 404)
    assert other.json() == missing.json()


def test_each_export_is_in_the_audit_trail(api, oncologist, held_course, settings):
    everything(api, oncologist, held_course.patient)
    settings.INTEROP_IDENTIFIER_ROLES = ["oncologist"]
    everything(api, oncologist, held_course.patient, identifiers="true")
    logs = list(
        ExchangeLog.objects.order_by("id").values_list(
            "actor", "action", "patient", "with_identifiers"
        )
    )
    assert logs == [
        (oncologist.pk, "export_fhir", held_course.patient.pk, False),
        (oncologist.pk, "export_fhir", held_course.patient.pk, True),
    ]


def test_the_demo_cohorts_export_validates(db, django_capture_on_commit_callbacks):
    demo.seed(patients_per_site=3, password_source=random.Random(3))
    with django_capture_on_commit_callbacks(execute=True):
        toxicity_demo.seed_visits()
    patients = list(Patient.objects.select_related("site").order_by("id"))
    kinds = set()
    for record in patient_records(patients):
        bundle = fhir_out.patient_bundle(record, identifiers=False)
        Bundle.model_validate(bundle)
        kinds |= {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert kinds == {"Patient", "MedicationRequest", "AdverseEvent", "Observation"}


def test_oncologists_are_not_allowed_identifiers_by_default(oncologist, held_course):
    from interop.access import access_patient_export

    with pytest.raises(PermissionDenied):
        access_patient_export(oncologist, held_course.patient.pk, identifiers=True)


def test_a_bad_identifiers_flag_is_a_400_operation_outcome(api, oncologist, held_course):
    response = everything(api, oncologist, held_course.patient, identifiers="perhaps")
    assert response.status_code == 400
    assert (
        response.json()["issue"][0]["diagnostics"] == "identifiers='perhaps': give true or false."
    )
    assert not ExchangeLog.objects.exists()


def test_an_id_that_is_no_number_is_not_found(api, oncologist, held_course):
    response = api(oncologist).get("/api/v1/fhir/Patient/-12/$everything")
    assert response.status_code == 404
    assert response.json()["resourceType"] == "OperationOutcome"

"""Lab results in over FHIR: the same visits, grades and recommendations as a nurse's
entry; refusals name the resource and element and store nothing; re-sends store once."""

from __future__ import annotations

import json

import pytest

from interop.models import BundleImport, ExchangeLog, ImportedObservation
from tests.factories import PatientFactory
from tests.interop import fhir
from tests.interop.conftest import at
from toxicity.models import Observation, Recommendation, Visit
from toxicity.services import visits


def stored_counts() -> dict:
    return {
        "visits": Visit.objects.count(),
        "observations": Observation.objects.count(),
        "visit history": Visit.history.count(),
        "observation history": Observation.history.count(),
        "recommendations": Recommendation.objects.count(),
        "bundles": BundleImport.objects.count(),
        "imported": ImportedObservation.objects.count(),
        "log": ExchangeLog.objects.count(),
    }


# A month of labs: one visit a week; ALT climbs to grade 3 (>5-20 x ULN) in week 3.
WEEKS = [
    # day, ALT U/L, creatinine mg/dL, SBP, DBP, weight kg, UPCR g/g
    (13, 35, 0.9, 128, 82, 70.0, 0.3),
    (20, 90, 1.0, 134, 84, 69.5, 0.6),
    (27, 260, 1.1, 138, 86, 69.0, 1.2),
    (34, 150, 1.0, 130, 80, 68.0, 0.8),
]
ALT_ULN = 40
CREATININE_ULN = 1.2
CALCIUM = (9.1, 3.9, 8.6)  # mg/dL, albumin g/dL, LLN mg/dL


def nurse_observations(alt, creatinine, sbp, dbp, weight, upcr) -> list[dict]:
    calcium, albumin, lln = CALCIUM
    return [
        {"term": "alanine_aminotransferase_increased", "value": alt, "uln": ALT_ULN},
        {"term": "creatinine_increased", "value": creatinine, "uln": CREATININE_ULN},
        {"term": "hypertension", "readings": [[sbp, dbp]]},
        {"term": "weight_loss", "weight_kg": weight},
        {"term": "proteinuria", "upcr_g_per_g": upcr},
        {"term": "hypocalcemia", "calcium_mg_dl": calcium, "albumin_g_dl": albumin, "lln": lln},
    ]


def lab_results(mrn, day, alt, creatinine, sbp, dbp, weight, upcr) -> list[dict]:
    when = at(day, 8, 15)
    calcium, albumin, lln = CALCIUM
    return [
        fhir.lab("1742-6", alt, "U/L", mrn=mrn, at=when, high=ALT_ULN),
        fhir.lab("2160-0", creatinine, "mg/dL", mrn=mrn, at=when, high=CREATININE_ULN),
        fhir.blood_pressure(sbp, dbp, mrn=mrn, at=when),
        fhir.lab("29463-7", weight, "kg", mrn=mrn, at=when),
        fhir.lab("2890-2", upcr, "g/g", mrn=mrn, at=when),
        fhir.lab("17861-6", calcium, "mg/dL", mrn=mrn, at=when, low=lln),
        fhir.lab("1751-7", albumin, "g/dL", mrn=mrn, at=when),
    ]


def as_numbers(value):
    """35 and 35.0 are the same measurement; JSON keeps whichever was given."""
    if isinstance(value, dict):
        return {k: as_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_numbers(v) for v in value]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


def what_was_stored(course) -> list[tuple]:
    visits = []
    for visit in Visit.objects.filter(course=course).order_by("occurred_at"):
        observations = sorted(
            (
                o.term,
                o.computed_grade,
                o.final_grade,
                o.provisional,
                json.dumps(as_numbers(o.measurements), sort_keys=True),
            )
            for o in visit.observations.all()
        )
        recommendations = sorted(
            (r.action, r.rule_key, str(r.dose_mg_per_day), r.status)
            for r in visit.recommendations.all()
        )
        visits.append(
            (visit.occurred_at, observations, recommendations, visit.evaluated_at is not None)
        )
    return visits


def test_a_month_of_labs_stores_what_a_nurses_entry_would(
    oncologist, course, twin, post_bundle, django_capture_on_commit_callbacks
):
    for day, *values in WEEKS:
        with django_capture_on_commit_callbacks(execute=True):
            visits.log_visit(
                actor=oncologist,
                course=course,
                occurred_at=at(day, 8, 15),
                observations=nurse_observations(*values),
            )
    resources = [r for day, *values in WEEKS for r in lab_results(twin.patient.mrn, day, *values)]

    response = post_bundle(oncologist, fhir.bundle(*resources, type="transaction"))

    assert response.status_code == 201, response.json()
    assert response["Content-Type"] == "application/fhir+json"
    by_nurse, imported = what_was_stored(course), what_was_stored(twin)
    assert len(imported) == 4
    assert imported == by_nurse
    grades = {
        o.term: o.final_grade
        for o in Visit.objects.filter(course=twin).order_by("occurred_at")[2].observations.all()
    }
    assert grades["alanine_aminotransferase_increased"] == 3  # 260 U/L = 6.5 x ULN
    assert any(recs for _, _, recs, _ in imported), "the grade 3 ALT visit has a recommendation"


def test_imported_visits_are_audited_with_the_importer_as_actor(oncologist, course, post_bundle):
    post_bundle(oncologist, fhir.bundle(*lab_results(course.patient.mrn, 13, *WEEKS[0][1:])))

    visit = Visit.objects.get(course=course)
    created = visit.history.get(history_type="+")
    assert (created.history_user, created.history_change_reason) == (
        oncologist,
        "Lab results imported over FHIR",
    )
    assert visit.recorded_by == oncologist
    assert {o.history.get(history_type="+").history_user for o in visit.observations.all()} == {
        oncologist
    }
    log = ExchangeLog.objects.get()
    assert (log.actor, log.action, log.detail["visits"]) == (oncologist, "import_fhir", [visit.pk])


def test_si_units_are_converted_and_reference_ranges_become_uln_and_lln(
    oncologist, course, post_bundle
):
    mrn, when = course.patient.mrn, at(20, 7)
    response = post_bundle(
        oncologist,
        fhir.bundle(
            fhir.lab("14682-9", 176.8, "umol/L", mrn=mrn, at=when, high=106.1),  # creatinine
            fhir.lab("14631-6", 34.2, "umol/L", mrn=mrn, at=when, high=20.52),  # bilirubin
            fhir.lab("2000-8", 1.9, "mmol/L", mrn=mrn, at=when, low=2.15),  # calcium
            fhir.lab("1751-7", 40, "g/L", mrn=mrn, at=when),  # albumin
        ),
    )

    assert response.status_code == 201, response.json()
    stored = {o.term: o.measurements for o in Observation.objects.filter(visit__course=course)}
    assert stored["creatinine_increased"]["value"] == pytest.approx(2.0, abs=0.001)
    assert stored["creatinine_increased"]["uln"] == pytest.approx(1.2, abs=0.001)
    assert stored["blood_bilirubin_increased"]["value"] == pytest.approx(2.0, abs=0.001)
    assert stored["blood_bilirubin_increased"]["uln"] == pytest.approx(1.2, abs=0.001)
    assert stored["hypocalcemia"]["calcium_mg_dl"] == pytest.approx(7.615, abs=0.001)
    assert stored["hypocalcemia"]["lln"] == pytest.approx(8.617, abs=0.001)
    assert stored["hypocalcemia"]["albumin_g_dl"] == pytest.approx(4.0)


def test_readings_of_one_time_form_one_visit_and_other_times_another(
    oncologist, course, post_bundle
):
    mrn = course.patient.mrn
    post_bundle(
        oncologist,
        fhir.bundle(
            fhir.blood_pressure(150, 92, mrn=mrn, at=at(20, 9)),
            fhir.blood_pressure(146, 90, mrn=mrn, at=at(20, 9)),
            fhir.dipstick("2+", mrn=mrn, at=at(20, 9)),
            fhir.lab("1920-8", 45, "U/L", mrn=mrn, at=at(21, 9), high=40),
        ),
    )

    first, second = Visit.objects.filter(course=course).order_by("occurred_at")
    bp = first.observations.get(term="hypertension")
    assert bp.measurements["readings"] == [[150.0, 92.0], [146.0, 90.0]]
    assert first.observations.get(term="proteinuria").measurements["dipstick"] == "2+"
    assert [o.term for o in second.observations.all()] == ["aspartate_aminotransferase_increased"]


# --- refusals: 400, an OperationOutcome naming resource and element, nothing stored -----


def _bad_bundles(mrn, other_mrn):
    when = at(20)
    return {
        "bad JSON": (b'{"resourceType": "Bundle", "type": ', None, None),
        "unknown LOINC": (
            fhir.bundle(
                fhir.lab("1742-6", 30, "U/L", mrn=mrn, at=when, high=40, id="ok-1"),
                fhir.lab("99999-9", 5, "U/L", mrn=mrn, at=when, id="odd-1"),
            ),
            "Observation/odd-1",
            "Bundle.entry[1].resource.code.coding[0].code",
        ),
        "wrong unit": (
            fhir.bundle(fhir.lab("2160-0", 90, "umol/L", mrn=mrn, at=when, high=1.2, id="cr-1")),
            "Observation/cr-1",
            "Bundle.entry[0].resource.valueQuantity.code",
        ),
        "patient of another site": (
            fhir.bundle(fhir.lab("1742-6", 30, "U/L", mrn=other_mrn, at=when, high=40, id="x-1")),
            "Observation/x-1",
            "Bundle.entry[0].resource.subject",
        ),
        "missing value": (
            fhir.bundle(fhir.lab("1742-6", None, "U/L", mrn=mrn, at=when, high=40, id="alt-1")),
            "Observation/alt-1",
            "Bundle.entry[0].resource.valueQuantity",
        ),
        "no reference range where the grade needs the ULN": (
            fhir.bundle(
                fhir.lab("29463-7", 70, "kg", mrn=mrn, at=at(19), id="w-1"),
                fhir.lab("1742-6", 90, "U/L", mrn=mrn, at=when, id="alt-2"),
            ),
            "Observation/alt-2",
            "Bundle.entry[1].resource",
        ),
        "not a number": (
            fhir.bundle(fhir.lab("1742-6", "lots", "U/L", mrn=mrn, at=when, high=40, id="alt-3")),
            "Observation/alt-3",
            "Bundle.entry[0].resource.valueQuantity.value",
        ),
        "a date without a time": (
            fhir.bundle(
                fhir.lab("1742-6", 30, "U/L", mrn=mrn, at=when, high=40, id="alt-4")
                | {"effectiveDateTime": "2025-01-20"}
            ),
            "Observation/alt-4",
            "Bundle.entry[0].resource.effectiveDateTime",
        ),
    }


CASES = list(_bad_bundles("m", "o"))


@pytest.mark.parametrize("case", CASES)
def test_a_malformed_bundle_is_refused_whole_and_stores_nothing(
    case, oncologist, course, other_site, post_bundle
):
    other = PatientFactory(site=other_site)
    body, resource, element = _bad_bundles(course.patient.mrn, other.mrn)[case]
    before = stored_counts()

    response = post_bundle(oncologist, body)

    assert response.status_code == 400
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    errors = [i for i in outcome["issue"] if i["severity"] == "error"]
    assert errors
    if resource:
        named = [i for i in errors if i["diagnostics"].startswith(resource)]
        assert named, outcome
        assert any(element in e for i in named for e in i.get("expression", [])), outcome
    assert stored_counts() == before


def test_another_sites_patient_reads_like_an_unknown_mrn(
    oncologist, course, other_site, post_bundle
):
    other = PatientFactory(site=other_site)
    answers = []
    for mrn in (other.mrn, "NO-SUCH-MRN"):
        body = fhir.bundle(fhir.lab("1742-6", 30, "U/L", mrn=mrn, at=at(20), high=40, id="same"))
        issue = post_bundle(oncologist, body).json()["issue"][0]
        answers.append(issue["diagnostics"].replace(repr(mrn), "<mrn>"))
    assert answers[0] == answers[1]


def test_one_bad_visit_refuses_the_good_ones_of_the_same_bundle(oncologist, course, post_bundle):
    mrn = course.patient.mrn
    before = stored_counts()
    body = fhir.bundle(
        *lab_results(mrn, 13, *WEEKS[0][1:]),
        fhir.blood_pressure(120, 190, mrn=mrn, at=at(20), id="bp-upside-down"),
    )

    response = post_bundle(oncologist, body)

    assert response.status_code == 400
    issues = [i for i in response.json()["issue"] if i["severity"] == "error"]
    assert [i["diagnostics"].split(":")[0] for i in issues] == ["Observation/bp-upside-down"]
    assert "Bundle.entry[7].resource.component" in issues[0]["expression"]
    assert stored_counts() == before


def test_tsh_is_reported_not_graded(oncologist, course, post_bundle):
    mrn = course.patient.mrn
    response = post_bundle(
        oncologist,
        fhir.bundle(
            fhir.lab("3016-3", 8.2, "m[IU]/L", mrn=mrn, at=at(20), id="tsh-1"),
            fhir.lab("1742-6", 30, "U/L", mrn=mrn, at=at(20), high=40),
        ),
    )

    assert response.status_code == 201
    warning = next(i for i in response.json()["issue"] if i["severity"] == "warning")
    assert warning["diagnostics"].startswith("Observation/tsh-1")
    assert "intervention" in warning["diagnostics"]
    assert [o.term for o in Observation.objects.all()] == ["alanine_aminotransferase_increased"]


# --- idempotency ----------------------------------------------------------------------


def test_the_same_bundle_twice_stores_once(oncologist, course, post_bundle):
    body = fhir.bundle(*lab_results(course.patient.mrn, 13, *WEEKS[0][1:]))
    first = post_bundle(oncologist, body)
    after_first = stored_counts()

    again = post_bundle(oncologist, body)

    assert (first.status_code, again.status_code) == (201, 200)
    assert "stored once" in again.json()["issue"][0]["diagnostics"]
    assert stored_counts() == after_first


def test_the_same_observation_in_two_bundles_stores_once(oncologist, course, post_bundle):
    mrn = course.patient.mrn
    alt = fhir.lab("1742-6", 30, "U/L", mrn=mrn, at=at(20), high=40, id="alt-20")
    post_bundle(oncologist, fhir.bundle(alt, identifier="feed-1"))

    response = post_bundle(
        oncologist,
        fhir.bundle(
            alt, fhir.lab("1920-8", 31, "U/L", mrn=mrn, at=at(21), high=40), identifier="feed-2"
        ),
    )

    assert response.status_code == 201
    assert Observation.objects.filter(term="alanine_aminotransferase_increased").count() == 1
    assert Visit.objects.count() == 2
    assert ImportedObservation.objects.filter(resource_id="alt-20").count() == 1


def test_an_observation_id_sent_again_with_other_content_is_refused(
    oncologist, course, post_bundle
):
    mrn = course.patient.mrn
    post_bundle(
        oncologist, fhir.bundle(fhir.lab("1742-6", 30, "U/L", mrn=mrn, at=at(20), high=40, id="a"))
    )
    before = stored_counts()

    response = post_bundle(
        oncologist, fhir.bundle(fhir.lab("1742-6", 300, "U/L", mrn=mrn, at=at(20), high=40, id="a"))
    )

    assert response.status_code == 400
    assert response.json()["issue"][0]["code"] == "conflict"
    assert stored_counts() == before


def test_the_database_holds_one_import_per_observation_id(oncologist, course, site, post_bundle):
    from django.db import IntegrityError, transaction

    post_bundle(
        oncologist,
        fhir.bundle(
            fhir.lab("1742-6", 30, "U/L", mrn=course.patient.mrn, at=at(20), high=40, id="u")
        ),
    )
    first = ImportedObservation.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        ImportedObservation.objects.create(
            site=site,
            resource_id="u",
            content_sha256="x",
            bundle_import=first.bundle_import,
            visit=first.visit,
            term="t",
        )


# --- who may --------------------------------------------------------------------------


def test_nurses_are_refused_by_default_and_nothing_is_stored(nurse, course, post_bundle):
    before = stored_counts()
    response = post_bundle(nurse, fhir.bundle(*lab_results(course.patient.mrn, 13, *WEEKS[0][1:])))
    assert response.status_code == 403
    assert response.json()["resourceType"] == "OperationOutcome"
    assert stored_counts() == before


def test_nurses_may_import_where_the_role_setting_allows(nurse, course, post_bundle, settings):
    settings.INTEROP_ROLES = ["nurse", "oncologist"]
    response = post_bundle(nurse, fhir.bundle(*lab_results(course.patient.mrn, 13, *WEEKS[0][1:])))
    assert response.status_code == 201


def test_another_site_is_not_found_like_a_missing_one(outsider, course, post_bundle):
    body = fhir.bundle(*lab_results(course.patient.mrn, 13, *WEEKS[0][1:]))
    before = stored_counts()
    answers = [post_bundle(outsider, body, site=code) for code in ("ngt", "no-such-site")]
    assert [a.status_code for a in answers] == [404, 404]
    assert answers[0].json() == answers[1].json()
    assert stored_counts() == before


def test_not_signed_in_is_401_as_an_operation_outcome(course, api):
    response = api().post(
        "/api/v1/fhir/Bundle?site=ngt", data="{}", content_type="application/fhir+json"
    )
    assert response.status_code == 401
    assert response.json()["resourceType"] == "OperationOutcome"

"""The visits and recommendations API: the services behind one error shape, site-scoped."""

from __future__ import annotations

import pytest

from patients.models import DoseChange
from tests.factories import PASSWORD
from tests.toxicity.conftest import HIGH_BP, NORMAL_BP, at, hypertension
from toxicity.models import Observation, Recommendation, Visit

pytestmark = pytest.mark.django_db


def visit_body(course, **changes):
    return {
        "course": course.pk,
        "occurred_at": at(20).isoformat(),
        "antihypertensive_therapy": "optimal",
        "observations": [{"term": "hypertension", "readings": HIGH_BP}],
        **changes,
    }


@pytest.fixture
def recommendation(course, nurse, log):
    visit = log(nurse, course, at(20), [hypertension()], antihypertensive_therapy="optimal")
    return Recommendation.objects.get(visit=visit)


def test_a_nurse_posts_a_visit_and_it_is_evaluated(
    api, nurse, course, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(nurse).post("/api/v1/visits/", visit_body(course), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["observations"][0]["final_grade"] == 3
    visit = Visit.objects.get(pk=body["id"])
    assert visit.recommendations.get().action == "withhold"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            {"observations": [{"term": "hypertension", "readings": [[120, 190]]}]},
            "observations[0].readings[0]",
        ),
        ({"observations": [{"term": "fatigue", "grade": 9}]}, "observations[0].grade"),
        ({"observations": "lots"}, "observations"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"antihypertensive_therapy": "max"}, "antihypertensive_therapy"),
        ({"occurred_at": at(29).isoformat()}, "occurred_at"),
    ],
)
def test_bad_visit_input_is_a_400_naming_the_field_and_nothing_is_saved(
    api, nurse, course, change, field
):
    response = api(nurse).post("/api/v1/visits/", visit_body(course, **change), format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()
    assert not Visit.objects.exists()
    assert not Observation.objects.exists()


def test_the_visit_list_shows_the_users_site_only(api, nurse, outsider, course, log):
    log(nurse, course, at(20), [hypertension(NORMAL_BP)])
    assert api(nurse).get("/api/v1/visits/").json()["count"] == 1
    assert api(outsider).get("/api/v1/visits/").json()["count"] == 0


def test_patching_a_visit_needs_a_reason(api, nurse, course, log):
    visit = log(nurse, course, at(20), [hypertension(NORMAL_BP)])
    response = api(nurse).patch(f"/api/v1/visits/{visit.pk}/", {"note": "x"}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]


def test_patching_a_visit_with_a_reason_corrects_it(api, nurse, course, log):
    visit = log(nurse, course, at(20), [hypertension(NORMAL_BP)])
    response = api(nurse).patch(
        f"/api/v1/visits/{visit.pk}/",
        {"reason": "Note added after the call", "note": "Headache since Monday", "revision": 1},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["revision"] == 2


def test_the_inbox_lists_pending_recommendations_with_reasons_and_trend(
    api, oncologist, recommendation
):
    body = api(oncologist).get("/api/v1/recommendations/").json()
    assert body["count"] == 1
    item = body["results"][0]
    assert item["recommendation"]["action"] == "withhold"
    assert item["recommendation"]["reasons"][0]["source"]
    assert item["observations"][0]["measurements"]["readings"] == HIGH_BP
    assert item["trend"]["hypertension"][-1]["grade"] == 3


def test_the_inbox_puts_the_most_severe_first(api, oncologist, nurse, site, log, time_machine):
    from patients import services as patient_services
    from tests.factories import PatientFactory

    courses = []
    for _ in range(2):
        time_machine.move_to(at(6), tick=False)
        courses.append(
            patient_services.start_course(
                actor=oncologist,
                patient=PatientFactory(site=site),
                drug="lenvatinib",
                start_date=at(6).date(),
                starting_dose_mg=24,
            )
        )
    time_machine.move_to(at(28), tick=False)
    log(nurse, courses[0], at(20), [hypertension()], antihypertensive_therapy="started")  # review
    log(nurse, courses[1], at(21), [hypertension()], antihypertensive_therapy="optimal")  # hold

    actions = [
        item["recommendation"]["action"]
        for item in api(oncologist).get("/api/v1/recommendations/").json()["results"]
    ]
    assert actions == ["withhold", "continue"]


def test_an_oncologist_approves_through_the_api(api, oncologist, recommendation):
    response = api(oncologist).post(
        f"/api/v1/recommendations/{recommendation.pk}/decision/",
        {"decision": "approve", "password": PASSWORD},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "approved"
    assert DoseChange.objects.filter(kind="hold", recommendation=recommendation).exists()


def test_a_nurse_gets_403_on_a_decision(api, nurse, recommendation):
    response = api(nurse).post(
        f"/api/v1/recommendations/{recommendation.pk}/decision/",
        {"decision": "approve", "password": PASSWORD},
        format="json",
    )
    assert response.status_code == 403


def test_a_wrong_password_is_a_400_on_password(api, oncologist, recommendation):
    response = api(oncologist).post(
        f"/api/v1/recommendations/{recommendation.pk}/decision/",
        {"decision": "approve", "password": "guess"},
        format="json",
    )
    assert response.status_code == 400
    assert "password" in response.json()["errors"]


def test_a_decision_on_a_decided_recommendation_is_a_409(api, oncologist, recommendation):
    url = f"/api/v1/recommendations/{recommendation.pk}/decision/"
    body = {"decision": "approve", "password": PASSWORD}
    assert api(oncologist).post(url, body, format="json").status_code == 200
    second = api(oncologist).post(url, body, format="json")
    assert second.status_code == 409
    assert "already approved" in second.json()["errors"]["detail"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/v1/visits/{visit}/", None),
        ("patch", "/api/v1/visits/{visit}/", {"reason": "x", "note": "y"}),
        ("get", "/api/v1/visits/?course={course}", None),
        ("post", "/api/v1/visits/", "visit"),
        ("get", "/api/v1/recommendations/{recommendation}/", None),
        ("post", "/api/v1/recommendations/{recommendation}/decision/", "decision"),
    ],
)
def test_an_outsider_gets_404_everywhere(api, outsider, course, recommendation, method, path, body):
    url = path.format(
        visit=recommendation.visit_id, course=course.pk, recommendation=recommendation.pk
    )
    if body == "visit":
        body = visit_body(course)
    elif body == "decision":
        body = {"decision": "approve", "password": PASSWORD}
    response = getattr(api(outsider), method)(url, body, format="json")
    assert response.status_code == 404
    assert Visit.objects.count() == 1
    recommendation.refresh_from_db()
    assert recommendation.status == "pending"


def test_an_outsiders_inbox_is_empty(api, outsider, recommendation):
    assert api(outsider).get("/api/v1/recommendations/").json()["count"] == 0


def test_missing_ids_get_the_same_404(api, oncologist):
    assert api(oncologist).get("/api/v1/visits/999999/").status_code == 404
    assert api(oncologist).get("/api/v1/recommendations/999999/").status_code == 404

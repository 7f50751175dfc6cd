"""The worklist: who needs a clinician at the user's sites, most urgent first."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import Alert
from patients.models import Role
from patients.services import apply_dose_change
from tests.factories import PatientFactory, member
from tests.tracker import data
from tracker.views import WORKLIST_PER_PAGE

URL = reverse("tracker:home")


def names(response) -> list[str]:
    return [row.course.given_name for row in response.context["rows"]]


def test_it_sends_anonymous_users_to_the_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_a_pending_recommendation_puts_the_patient_on_it(logged_in, oncologist, recommendation):
    response = logged_in(oncologist).get(URL)
    (row,) = response.context["rows"]
    assert row.pending == 1 and row.worst_action == "withhold"
    assert reverse("tracker:patient", args=[row.course.patient_id]) in response.content.decode()


def test_a_patient_who_needs_nothing_is_not_on_it(logged_in, oncologist, patient, nurse):
    course = data.start_course(oncologist, patient, days_ago=2)
    data.log_visit(nurse, course, days_ago=0.1, observations=[data.hypertension(data.NORMAL_BP)])
    assert logged_in(oncologist).get(URL).context["rows"] == []


def test_a_grade_3_older_than_14_days_no_longer_counts(logged_in, oncologist, course, nurse):
    data.log_visit(nurse, course, days_ago=20, observations=[data.hypertension()])
    rows = logged_in(oncologist).get(URL).context["rows"]
    assert all(not r.grade3 for r in rows)


def test_a_recent_grade_3_counts(logged_in, oncologist, course, nurse):
    data.log_visit(nurse, course, days_ago=3, observations=[data.hypertension()])
    (row,) = logged_in(oncologist).get(URL).context["rows"]
    assert [(term, grade) for term, grade, _ in row.grade3] == [("Hypertension", 3)]


def test_a_held_drug_counts(logged_in, oncologist, course):
    apply_dose_change(actor=oncologist, course=course, kind="hold", dose_after_mg=0, reason="G3")
    (row,) = logged_in(oncologist).get(URL).context["rows"]
    assert "on_hold" in row.reasons


def test_an_unacknowledged_alert_counts(logged_in, oncologist, course, recommendation):
    from django.contrib.contenttypes.models import ContentType

    Alert.objects.create(
        kind=Alert._meta.get_field("kind").choices[0][0],
        severity="urgent",
        course=course,
        about_type=ContentType.objects.get_for_model(recommendation),
        about_id=recommendation.pk,
        dedupe_key="test-alert",
        summary="Grade 3 hypertension",
        last_seen_at=timezone.now(),
        created_at=timezone.now(),
    )
    (row,) = logged_in(oncologist).get(URL).context["rows"]
    assert row.alerts == 1


def test_overdue_monitoring_counts(logged_in, oncologist, course):
    from toxicity.models import DueCheck

    DueCheck.objects.create(
        course=course,
        kind="blood_pressure",
        due_at=timezone.now() - timedelta(days=9),
        overdue_after=timezone.now() - timedelta(days=2),
        source="test",
        confirmed=True,
    )
    (row,) = logged_in(oncologist).get(URL).context["rows"]
    assert row.overdue == 1


def test_another_sites_patients_never_show(logged_in, outsider, recommendation):
    response = logged_in(outsider).get(URL)
    assert response.context["rows"] == []
    assert recommendation.course.patient.family_name not in response.content.decode()


@pytest.fixture
def two_drugs(site, oncologist):
    held = []
    for drug, dose, name in (("lenvatinib", 24, "Len"), ("sorafenib", 800, "Sor")):
        patient = PatientFactory(site=site, given_name=name, family_name=f"Z{name}")
        course = data.start_course(oncologist, patient, days_ago=30, drug=drug, dose=dose)
        apply_dose_change(actor=oncologist, course=course, kind="hold", dose_after_mg=0, reason="x")
        held.append(course)
    return held


def test_it_filters_by_drug(logged_in, oncologist, two_drugs):
    response = logged_in(oncologist).get(URL, {"drug": "sorafenib"})
    assert names(response) == ["Sor"]


@pytest.mark.parametrize("written", ["仑伐替尼", "乐伐替尼", "Lenvima"])
def test_the_drug_filter_reads_either_chinese_rendering_and_the_brand(
    logged_in, oncologist, two_drugs, written
):
    response = logged_in(oncologist).get(URL, {"drug": written})
    assert names(response) == ["Len"]
    assert response.context["filters"]["drug"] == "lenvatinib"


def test_it_filters_by_course_status(logged_in, oncologist, two_drugs):
    assert names(logged_in(oncologist).get(URL, {"status": "active"})) == []
    assert len(names(logged_in(oncologist).get(URL, {"status": "on_hold"}))) == 2


def test_it_sorts_by_patient_either_way(logged_in, oncologist, two_drugs):
    client = logged_in(oncologist)
    assert names(client.get(URL, {"sort": "patient"})) == ["Len", "Sor"]
    assert names(client.get(URL, {"sort": "-patient"})) == ["Sor", "Len"]


def test_the_most_severe_recommendation_comes_first(
    logged_in, oncologist, recommendation, two_drugs
):
    assert names(logged_in(oncologist).get(URL))[0] == recommendation.course.patient.given_name


def test_a_nurse_sees_the_worklist_too(logged_in, nurse, recommendation):
    assert len(logged_in(nurse).get(URL).context["rows"]) == 1


def test_a_clinician_of_two_sites_sees_both(logged_in, site, other_site, oncologist, two_drugs):
    from patients.models import SiteMembership

    SiteMembership.objects.create(user=oncologist, site=other_site, role=Role.ONCOLOGIST)
    colleague = member(other_site, Role.ONCOLOGIST)
    patient = PatientFactory(site=other_site, given_name="Far", family_name="Away")
    course = data.start_course(colleague, patient, days_ago=10)
    apply_dose_change(actor=colleague, course=course, kind="hold", dose_after_mg=0, reason="x")
    assert sorted(names(logged_in(oncologist).get(URL))) == ["Far", "Len", "Sor"]


def _alert(course, about, *, key="test-alert", **fields):
    from django.contrib.contenttypes.models import ContentType

    return Alert.objects.create(
        kind="high_grade",
        severity="urgent",
        course=course,
        about_type=ContentType.objects.get_for_model(about),
        about_id=about.pk,
        dedupe_key=key,
        summary="Grade 3 hypertension",
        last_seen_at=timezone.now(),
        created_at=timezone.now(),
        **fields,
    )


def _overdue(course, kind, *, days: int):
    from toxicity.models import DueCheck

    return DueCheck.objects.create(
        course=course,
        kind=kind,
        due_at=timezone.now() - timedelta(days=days),
        overdue_after=timezone.now() - timedelta(days=days - 2),
        source="test",
        confirmed=True,
    )


def test_overdue_monitoring_names_the_test_and_since_when(logged_in, oncologist, course):
    check = _overdue(course, "ecg", days=9)
    response = logged_in(oncologist).get(URL)
    (row,) = response.context["rows"]
    since = timezone.localtime(check.due_at)
    assert f"ECG (QTc) overdue since {since:%-d %b %Y}" in row.why
    html = response.content.decode()
    assert "ECG (QTc) overdue" in html
    assert "1 overdue" not in html


def test_each_row_says_why_the_patient_is_on_it(logged_in, oncologist, recommendation):
    html = logged_in(oncologist).get(URL).content.decode()
    assert '<ul class="why small"><li>Withhold recommendation to sign</li>' in html


def test_the_alert_count_leads_to_that_patients_alerts_that_need_action(
    logged_in, oncologist, course
):
    _alert(course, course)
    html = logged_in(oncologist).get(URL).content.decode()
    alerts_url = reverse("notifications:alerts")
    assert f'href="{alerts_url}?patient={course.patient_id}&amp;needs_action=1"' in html


def test_an_alert_whose_episode_ended_leaves_it(logged_in, oncologist, course):
    _alert(course, course, episode_term="hypertension", episode_ended_at=timezone.now())
    assert logged_in(oncologist).get(URL).context["rows"] == []


def test_an_alert_of_a_discontinued_course_leaves_it(logged_in, oncologist, course):
    _alert(course, course)
    _overdue(course, "blood_pressure", days=9)
    apply_dose_change(
        actor=oncologist, course=course, kind="discontinue", dose_after_mg=0, reason="Progression"
    )
    assert logged_in(oncologist).get(URL).context["rows"] == []


def test_a_grade_3_answered_by_a_signed_decision_no_longer_counts(
    logged_in, oncologist, recommendation
):
    from tests.factories import PASSWORD
    from toxicity.services import decisions

    decisions.decide_recommendation(
        actor=oncologist,
        recommendation=recommendation,
        decision="reject",
        password=PASSWORD,
        reason="White-coat effect; home readings normal",
    )
    # Rejected, so not held; the grade was decided on and its alerts acknowledged.
    rows = logged_in(oncologist).get(URL).context["rows"]
    assert all({"pending", "grade3", "alerts"}.isdisjoint(row.reasons) for row in rows)


def test_a_signed_hold_shows_its_plan(logged_in, oncologist, recommendation):
    from tests.factories import PASSWORD
    from toxicity.services import decisions

    decisions.decide_recommendation(
        actor=oncologist,
        recommendation=recommendation,
        decision="approve_modified",
        password=PASSWORD,
        reason="Frail",
        dose_mg=14,
    )
    (row,) = logged_in(oncologist).get(URL).context["rows"]
    assert "on_hold" in row.reasons
    assert {"pending", "grade3", "alerts"}.isdisjoint(row.reasons)
    (why,) = [reason for reason in row.why if reason.startswith("On hold")]
    assert why.startswith("On hold since ")
    assert why.endswith("for Hypertension: resume at 14 mg/day when hypertension <= grade 2"), why


def test_the_worklist_shows_a_page_of_the_most_urgent_and_counts_the_rest(
    logged_in, oncologist, site
):
    data.bulk_cohort(site, oncologist, patients=WORKLIST_PER_PAGE * 3)  # held or grade 3: 1 in 2
    response = logged_in(oncologist).get(URL)
    total = response.context["page"].paginator.count
    assert total > WORKLIST_PER_PAGE
    assert len(response.context["rows"]) == WORKLIST_PER_PAGE
    page = response.content.decode()
    assert f"1–{WORKLIST_PER_PAGE} of {total} patients" in page
    assert f"{total - WORKLIST_PER_PAGE} more after this page" in page
    assert 'rel="next"' in page


def test_the_next_page_continues_in_the_same_order(logged_in, oncologist, site):
    data.bulk_cohort(site, oncologist, patients=WORKLIST_PER_PAGE * 3)
    client = logged_in(oncologist)
    first = client.get(URL).context["rows"]
    second = client.get(URL, {"page": 2}).context["rows"]
    assert first[-1].urgency >= second[0].urgency
    assert not {r.course.pk for r in first} & {r.course.pk for r in second}


def test_a_page_link_keeps_the_filters_and_the_sort(logged_in, oncologist, site):
    data.bulk_cohort(site, oncologist, patients=WORKLIST_PER_PAGE * 4)
    page = logged_in(oncologist).get(URL, {"drug": "lenvatinib", "sort": "patient"})
    assert "?drug=lenvatinib&amp;sort=patient&amp;page=2" in page.content.decode()

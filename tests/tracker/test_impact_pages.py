"""The impact report's pages: ask, follow, read, export, cancel; and the sign-off page's link."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from patients.models import Role
from tests.factories import PatientFactory, SiteFactory, member
from tests.tracker import data
from toxicity.models import ImpactReport, ImpactStatus
from toxicity.signoff import current_fingerprint

pytestmark = pytest.mark.django_db

CHANGED_ROW = "lenvatinib.us_pi.hypertension.grade3_without_optimal_therapy"


@pytest.fixture
def clinic():
    site = SiteFactory()
    nurse = member(site, Role.NURSE)
    oncologist = member(site, Role.ONCOLOGIST)
    pharmacist = member(site, Role.PHARMACIST)
    course = data.start_course(oncologist, PatientFactory(site=site), days_ago=60)
    visit = data.log_visit(nurse, course, days_ago=30, observations=[data.hypertension()])
    return {"site": site, "nurse": nurse, "pharmacist": pharmacist, "visit": visit}


def _form(site, **changes):
    form = {
        "reason": "Hold grade 3 before optimal therapy?",
        "sites": [site.pk],
        "drug": "",
        "label": "",
        "rule_id": CHANGED_ROW,
        "field": "action",
        "value": "withhold",
        "policy_default_rule_set": "us_pi",
        "policy_reduction_levels_per_hold": "1",
        "policy_lowest_dose": "discontinue_with_review",
        "policy_lowest_dose_discontinuation_needs_review": "true",
        "policy_single_bp_reading_provisional": "true",
        "policy_proteinuria_resume_below_g_24h": "2.0",
        "policy_review_dose_change_on_provisional_grade": "true",
        "policy_missing_baseline": "provisional_with_review",
    }
    return form | changes


def _post(client, clinic, capture, **changes):
    client.force_login(clinic["pharmacist"])
    with capture(execute=True):
        return client.post(reverse("tracker:impact-new"), _form(clinic["site"], **changes))


def test_a_pharmacist_runs_a_report_and_reads_the_visit_it_changes(
    client, clinic, django_capture_on_commit_callbacks
):
    response = _post(client, clinic, django_capture_on_commit_callbacks)
    report = ImpactReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("tracker:impact-report", args=[report.pk])
    page = client.get(response["Location"]).content.decode()
    assert f'data-visit="{clinic["visit"].pk}"' in page
    assert "continue -&gt; withhold" in page
    assert CHANGED_ROW in page
    assert 'http-equiv="refresh"' not in page  # done: nothing to follow


def test_the_csv_lists_both_decisions_of_each_changed_visit(
    client, clinic, django_capture_on_commit_callbacks
):
    _post(client, clinic, django_capture_on_commit_callbacks)
    report = ImpactReport.objects.get()
    response = client.get(reverse("tracker:impact-csv", args=[report.pk]))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [int(r["visit_id"]) for r in rows] == [clinic["visit"].pk]
    assert (rows[0]["current_action"], rows[0]["candidate_action"]) == ("continue", "withhold")
    assert CHANGED_ROW in rows[0]["candidate_rules"]


def test_a_value_the_field_cannot_take_is_refused_on_the_field_and_nothing_is_stored(
    client, clinic, django_capture_on_commit_callbacks
):
    response = _post(client, clinic, django_capture_on_commit_callbacks, value="pause")
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["value"]
    assert response.context["summary"][0][0] == "id_value"
    assert not ImpactReport.objects.exists()


def test_a_nurse_cannot_open_the_new_report_page(client, clinic):
    client.force_login(clinic["nurse"])
    assert client.get(reverse("tracker:impact-new")).status_code == 403


def test_a_report_over_another_site_is_not_found(
    client, clinic, django_capture_on_commit_callbacks
):
    _post(client, clinic, django_capture_on_commit_callbacks)
    report = ImpactReport.objects.get()
    other = member(SiteFactory(), Role.PHARMACIST)
    client.force_login(other)
    assert client.get(reverse("tracker:impact-report", args=[report.pk])).status_code == 404
    assert client.get(reverse("tracker:impact-csv", args=[report.pk])).status_code == 404


def _running(clinic) -> ImpactReport:
    return ImpactReport.objects.create(
        requested_by=clinic["pharmacist"],
        requested_at=timezone.now(),
        reason="Running",
        site_ids=[clinic["site"].pk],
        candidate={"row_changes": [], "policy": {}, "label": None},
        engine_version="1.1.0",
        current_policy={},
        candidate_policy={},
        status=ImpactStatus.RUNNING,
        started_at=timezone.now(),
        chunk_count=3,
        visits_in_scope=9,
    )


def test_a_running_report_refreshes_itself_and_offers_to_cancel(client, clinic):
    report = _running(clinic)
    client.force_login(clinic["pharmacist"])
    page = client.get(reverse("tracker:impact-report", args=[report.pk])).content.decode()
    assert 'http-equiv="refresh"' in page
    assert reverse("tracker:impact-cancel", args=[report.pk]) in page
    assert "0 of 3 chunks done" in page


def test_cancelling_stops_the_report(client, clinic):
    report = _running(clinic)
    client.force_login(clinic["pharmacist"])
    client.post(reverse("tracker:impact-cancel", args=[report.pk]))
    report.refresh_from_db()
    assert report.status == ImpactStatus.CANCELLED
    assert report.cancelled_by == clinic["pharmacist"]


def test_the_sign_off_page_shows_the_report_of_the_version_under_review(client, clinic):
    report = _running(clinic)
    report.fingerprints = {
        "lenvatinib:us_pi": {
            "current": "0" * 64,
            "candidate": current_fingerprint("lenvatinib", "us_pi"),
        }
    }
    report.save()
    client.force_login(clinic["pharmacist"])
    url = reverse("tracker:rule-set", args=[clinic["site"].pk, "lenvatinib", "us_pi"])
    page = client.get(url).content.decode()
    assert reverse("tracker:impact-report", args=[report.pk]) in page
    other = reverse("tracker:rule-set", args=[clinic["site"].pk, "sorafenib", "us_pi"])
    assert (
        reverse("tracker:impact-report", args=[report.pk]) not in client.get(other).content.decode()
    )

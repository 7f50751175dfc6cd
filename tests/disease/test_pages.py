"""The clinician's disease-course pages: what the course page shows, each form's
success and its refusals (nothing stored), and who may open them. Every role on
every URL is in tests/security/test_permission_matrix.py."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from disease.models import DiseaseStatus, ImagingStudy, ThyroglobulinLab
from disease.services.status import record_disease_status
from patients.models import MolecularFinding
from tests.disease.conftest import record_study, record_tg, target
from tests.factories import PatientFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_time")]

STATUS_FORM = {
    "prior_rai_dose_on": "2024-03-01",
    "rai_refractory_on": "2025-02-01",
    "rai_refractory_criterion": "No uptake on the post-therapy scan",
    "on_active_surveillance": "on",
    "surveillance_since": "2025-02-01",
    "imaging_interval_months": "6",
    "reason": "Clinic review",
}
BASELINE_FORM = {
    "performed_on": "2025-06-02",
    "kind": "baseline",
    "modality": "ct",
    "non_target": "absent",
    "new_lesions": "0",
    "t1_label": "T1",
    "t1_organ": "lung",
    "t1_kind": "lesion",
    "t1_diameter_mm": "30.0",
    "t2_label": "T2",
    "t2_organ": "neck",
    "t2_kind": "node",
    "t2_diameter_mm": "20.0",
}
TG_FORM = {
    "drawn_on": "2026-05-01",
    "tg_ng_ml": "2.8",
    "anti_tg_antibody": "negative",
    "tsh_miu_l": "0.05",
    "assay": "assay A",
}


def course_url(patient) -> str:
    return reverse("disease:course", args=[patient.pk])


def form_url(name: str, patient) -> str:
    return reverse(f"disease:{name}", args=[patient.pk])


@pytest.fixture
def signed_in(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def surveillance(actor, patient, *, since=date(2025, 2, 1), months=6, symptomatic=False):
    return record_disease_status(
        actor=actor,
        patient=patient,
        reason="Clinic review",
        prior_rai_dose_on=date(2024, 3, 1),
        rai_refractory_on=date(2025, 2, 1),
        rai_refractory_criterion="No uptake on the post-therapy scan",
        on_active_surveillance=True,
        surveillance_since=since,
        imaging_interval_months=months,
        symptomatic=symptomatic,
        symptoms="Bone pain" if symptomatic else "",
    )


def all_tested_negative(patient):
    for marker in ("braf_v600e", "ret_fusion", "ntrk_fusion", "alk_fusion"):
        MolecularFinding.objects.create(patient=patient, marker=marker, result="negative")


def progressing(nurse, patient):
    """Baseline 30 mm, then 24 mm (nadir), then 30 mm: +25 % and +6 mm, PD."""
    record_study(nurse, patient, date(2025, 6, 2), target("T1", "30"), baseline=True)
    record_study(nurse, patient, date(2025, 12, 1), target("T1", "24"))
    return record_study(nurse, patient, date(2026, 5, 4), target("T1", "30"))


# --- the course page ----------------------------------------------------------------


def test_the_page_shows_the_status_with_its_criterion_interval_and_sources(
    signed_in, nurse, patient
):
    surveillance(nurse, patient)
    html = signed_in(nurse).get(course_url(patient)).content.decode()
    assert "No uptake on the post-therapy scan" in html
    assert "imaging every 6 months" in html
    assert "ATA 2025 Rec 59" in html and "ATA 2025 Rec 60A" in html


def test_a_surveillance_patient_with_no_study_is_due_from_the_start_of_surveillance(
    signed_in, nurse, patient
):
    surveillance(nurse, patient, since=date(2026, 3, 1), months=6)
    response = signed_in(nurse).get(course_url(patient))
    assert response.context["summary"].imaging_due.due_on == date(2026, 9, 1)
    assert "overdue" not in response.content.decode().split('id="imaging-due"')[1][:200]


def test_imaging_past_its_interval_shows_as_overdue(signed_in, nurse, patient):
    surveillance(nurse, patient, since=date(2025, 2, 1), months=3)
    record_study(nurse, patient, date(2025, 6, 2), baseline=True)
    html = signed_in(nurse).get(course_url(patient)).content.decode()
    due = html.split('id="imaging-due"')[1][:300]
    assert "overdue since" in due


def test_every_timing_flag_shows_its_rule_and_source(signed_in, nurse, patient):
    surveillance(nurse, patient, symptomatic=True)
    progressing(nurse, patient)
    html = signed_in(nurse).get(course_url(patient)).content.decode()
    for code in (
        "progressed_12_14_months",
        "symptomatic",
        "no_actionable_alteration_tested",
    ):
        assert f'data-flag="{code}"' in html
    assert "first PD on 2026-05-04" in html
    assert "docs/sources/reference.md 3.1, ATA 2025 Rec 63" in html


def test_a_patient_with_every_driver_tested_and_no_progression_has_no_timing_flag(
    signed_in, nurse, patient
):
    all_tested_negative(patient)
    html = signed_in(nurse).get(course_url(patient)).content.decode()
    assert 'id="no-flag"' in html and "data-flag=" not in html


def test_the_page_says_no_flag_starts_or_chooses_a_therapy(signed_in, nurse, patient):
    html = signed_in(nurse).get(course_url(patient)).content.decode()
    assert "no flag starts, stops or chooses a therapy" in html


def test_a_ret_fusion_shows_the_targeted_option_with_its_source_and_unconfirmed_tag(
    signed_in, nurse, patient
):
    MolecularFinding.objects.create(patient=patient, marker="ret_fusion", result="positive")
    html = signed_in(nurse).get(course_url(patient)).content.decode()
    option = html.split('data-option="ret_fusion_targeted"')[1].split("</li>\n")[0]
    assert "selpercatinib" in option and "pralsetinib" in option
    assert "ATA 2025 Recs 67–69" in option
    assert "[U]" in option and "unconfirmed [U]" in option


def test_an_untested_patient_is_told_rec_61_recommends_testing(signed_in, nurse, patient):
    html = signed_in(nurse).get(course_url(patient)).content.decode()
    assert 'data-option="test_first"' in html
    assert "Test tissue biomarkers for actionable drivers before starting systemic therapy." in html


def test_the_studies_show_sums_changes_and_the_response_in_date_order(signed_in, nurse, patient):
    pd = progressing(nurse, patient)
    response = signed_in(nurse).get(course_url(patient))
    rows = response.context["studies"]
    assert [r["study"].performed_on for r in rows] == [
        date(2025, 6, 2),
        date(2025, 12, 1),
        date(2026, 5, 4),
    ]
    html = response.content.decode()
    row = html.split(f'id="study-{pd.pk}"')[1].split("</tr>")[0]
    assert ">30.0<" in row  # the sum
    assert "+0.0 %" in row  # from baseline
    assert "+25.0 %" in row and "+6.0 mm" in row and "nadir 24.0 mm" in row
    assert ">PD<" in row and "progressive disease" in row


def test_the_tg_series_shows_the_doubling_time_and_its_category(signed_in, nurse, patient):
    # reference.md 3.3's worked example: 0.999 years, "<1 y".
    for on, value in (
        (date(2024, 1, 1), "2.0"),
        (date(2024, 7, 1), "2.8"),
        (date(2024, 12, 31), "4.1"),
        (date(2025, 7, 2), "5.6"),
    ):
        record_tg(nurse, patient, on, value)
    html = signed_in(nurse).get(course_url(patient)).content.decode()
    figure = html.split('id="tg-doubling-time"')[1].split("</p>")[0]
    assert "years" in figure and "&lt;1 y" in figure
    assert 'data-flag="tg_dt_under_1_year"' in html


def test_too_few_tg_values_give_the_reason_and_no_figure(signed_in, nurse, patient):
    record_tg(nurse, patient, date(2026, 1, 5), "2.0")
    record_tg(nurse, patient, date(2026, 2, 5), "2.5", antibody="positive")
    response = signed_in(nurse).get(course_url(patient))
    figure = response.content.decode().split('id="tg-doubling-time"')[1].split("</p>")[0]
    assert "not computed" in figure and "1 qualifying Tg value(s)" in figure
    left_out = [r for r in response.context["lab_rows"] if r["excluded_because"]]
    assert len(left_out) == 1 and "anti-Tg antibody positive" in left_out[0]["excluded_because"]


def test_a_pharmacist_reads_the_page_without_the_record_buttons(signed_in, pharmacist, patient):
    response = signed_in(pharmacist).get(course_url(patient))
    assert response.status_code == 200
    assert form_url("imaging-new", patient) not in response.content.decode()


def test_another_sites_clinician_gets_the_same_404_as_for_no_patient(signed_in, outsider, patient):
    client = signed_in(outsider)
    assert client.get(course_url(patient)).status_code == 404
    assert client.get(reverse("disease:course", args=[999999])).status_code == 404


def test_a_site_administrator_is_refused_the_page(signed_in, site_admin, patient):
    assert signed_in(site_admin).get(course_url(patient)).status_code == 403


# --- the status form --------------------------------------------------------------


def test_a_nurse_records_the_status_and_is_sent_to_the_course_page(signed_in, nurse, patient):
    response = signed_in(nurse).post(form_url("status", patient), STATUS_FORM)
    assert response.status_code == 302 and response.url == course_url(patient)
    status = DiseaseStatus.objects.get(patient=patient)
    assert (status.imaging_interval_months, status.updated_by) == (6, nurse)
    assert status.history.first().history_change_reason == "Clinic review"


def test_an_interval_outside_rec_60a_is_refused_on_its_field_and_nothing_is_stored(
    signed_in, nurse, patient
):
    response = signed_in(nurse).post(
        form_url("status", patient), STATUS_FORM | {"imaging_interval_months": "13"}
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "not every 13" in form.errors["imaging_interval_months"][0]
    assert 'id="error-summary"' in response.content.decode()
    assert not DiseaseStatus.objects.filter(patient=patient).exists()


def test_a_status_without_a_reason_is_refused(signed_in, nurse, patient):
    response = signed_in(nurse).post(form_url("status", patient), STATUS_FORM | {"reason": ""})
    assert "reason" in response.context["form"].errors
    assert not DiseaseStatus.objects.filter(patient=patient).exists()


def test_a_change_reads_the_current_status_and_needs_its_own_reason(signed_in, nurse, patient):
    surveillance(nurse, patient)
    client = signed_in(nurse)
    form = client.get(form_url("status", patient)).context["form"]
    assert form.initial["version"] == 1 and form.initial["imaging_interval_months"] == 6
    refused = client.post(
        form_url("status", patient),
        STATUS_FORM | {"imaging_interval_months": "3", "version": "1", "reason": " "},
    )
    assert "reason" in refused.context["form"].errors
    assert DiseaseStatus.objects.get(patient=patient).imaging_interval_months == 6
    client.post(
        form_url("status", patient),
        STATUS_FORM | {"imaging_interval_months": "3", "version": "1", "reason": "Growing"},
    )
    assert DiseaseStatus.objects.get(patient=patient).imaging_interval_months == 3


def test_a_change_made_on_an_older_version_is_refused_naming_who_changed_it(
    signed_in, nurse, oncologist, patient
):
    surveillance(nurse, patient)
    record_disease_status(
        actor=oncologist,
        patient=patient,
        reason="Symptoms now",
        version=1,
        prior_rai_dose_on=date(2024, 3, 1),
        rai_refractory_on=date(2025, 2, 1),
        rai_refractory_criterion="No uptake on the post-therapy scan",
        symptomatic=True,
        symptoms="Bone pain",
    )
    response = signed_in(nurse).post(
        form_url("status", patient), STATUS_FORM | {"version": "1", "reason": "Review"}
    )
    assert response.status_code == 400
    assert "Changed since you opened it" in response.context["form"].non_field_errors()[0]
    assert DiseaseStatus.objects.get(patient=patient).version == 2


def test_a_pharmacist_may_not_record_the_status(signed_in, pharmacist, patient):
    client = signed_in(pharmacist)
    assert client.get(form_url("status", patient)).status_code == 403
    assert client.post(form_url("status", patient), STATUS_FORM).status_code == 403
    assert not DiseaseStatus.objects.filter(patient=patient).exists()


def test_another_sites_clinician_cannot_record_the_status(signed_in, outsider, patient):
    assert signed_in(outsider).post(form_url("status", patient), STATUS_FORM).status_code == 404
    assert not DiseaseStatus.objects.filter(patient=patient).exists()


# --- the imaging form -------------------------------------------------------------


def test_a_baseline_with_a_lesion_and_a_node_is_recorded(signed_in, nurse, patient):
    response = signed_in(nurse).post(form_url("imaging-new", patient), BASELINE_FORM)
    assert response.status_code == 302
    study = ImagingStudy.objects.get(patient=patient)
    assert study.is_baseline and study.sum_mm == 50
    assert [(t.label, t.is_lymph_node) for t in study.targets.all()] == [
        ("T1", False),
        ("T2", True),
    ]


def test_a_follow_up_form_lists_the_baselines_targets_to_measure(signed_in, nurse, patient):
    record_study(nurse, patient, date(2025, 6, 2), target("T1", "30"), baseline=True)
    form = signed_in(nurse).get(form_url("imaging-new", patient)).context["form"]
    assert (form.initial["kind"], form.initial["t1_label"], form.initial["t1_organ"]) == (
        "follow_up",
        "T1",
        "lung",
    )
    assert "t1_diameter_mm" not in form.initial


def test_a_follow_up_is_assessed_and_its_response_said(signed_in, nurse, patient):
    record_study(nurse, patient, date(2025, 6, 2), target("T1", "30"), baseline=True)
    response = signed_in(nurse).post(
        form_url("imaging-new", patient),
        {
            "performed_on": "2026-01-05",
            "kind": "follow_up",
            "modality": "ct",
            "non_target": "absent",
            "new_lesions": "1",
            "new_lesion_sites": "liver",
            "t1_label": "T1",
            "t1_organ": "lung",
            "t1_kind": "lesion",
            "t1_diameter_mm": "28.0",
        },
        follow=True,
    )
    study = ImagingStudy.objects.get(patient=patient, performed_on=date(2026, 1, 5))
    assert study.response == "PD"  # a new lesion
    assert "progressive disease" in response.content.decode()


def test_a_target_too_small_to_measure_is_refused_on_its_row_and_nothing_is_stored(
    signed_in, nurse, patient
):
    response = signed_in(nurse).post(
        form_url("imaging-new", patient), BASELINE_FORM | {"t1_diameter_mm": "9.9"}
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "not a measurable target" in errors["t1_diameter_mm"][0]
    assert 'href="#id_t1_diameter_mm"' in response.content.decode()
    assert not ImagingStudy.objects.exists()


def test_a_row_without_a_size_must_say_it_was_not_measured(signed_in, nurse, patient):
    response = signed_in(nurse).post(
        form_url("imaging-new", patient), BASELINE_FORM | {"t2_diameter_mm": ""}
    )
    assert "t2_diameter_mm" in response.context["form"].errors
    assert not ImagingStudy.objects.exists()


def test_three_targets_in_one_organ_are_refused(signed_in, nurse, patient):
    crowded = BASELINE_FORM | {
        "t2_organ": "lung",
        "t2_kind": "lesion",
        "t3_label": "T3",
        "t3_organ": "lung",
        "t3_kind": "lesion",
        "t3_diameter_mm": "15",
    }
    response = signed_in(nurse).post(form_url("imaging-new", patient), crowded)
    form = response.context["form"]
    assert any("per organ" in e for e in form.target_errors)
    assert not ImagingStudy.objects.exists()


def test_a_follow_up_before_any_baseline_is_refused(signed_in, nurse, patient):
    response = signed_in(nurse).post(
        form_url("imaging-new", patient), BASELINE_FORM | {"kind": "follow_up"}
    )
    assert "Record the baseline study first" in response.context["form"].errors["kind"][0]
    assert not ImagingStudy.objects.exists()


def test_a_pharmacist_may_not_record_a_study(signed_in, pharmacist, patient):
    response = signed_in(pharmacist).post(form_url("imaging-new", patient), BASELINE_FORM)
    assert response.status_code == 403
    assert not ImagingStudy.objects.exists()


def test_another_sites_clinician_cannot_record_a_study(signed_in, outsider, patient):
    response = signed_in(outsider).post(form_url("imaging-new", patient), BASELINE_FORM)
    assert response.status_code == 404
    assert not ImagingStudy.objects.exists()


# --- the thyroglobulin form -------------------------------------------------------


def test_a_tg_with_its_antibody_and_tsh_is_recorded(signed_in, nurse, patient):
    response = signed_in(nurse).post(form_url("tg-new", patient), TG_FORM)
    assert response.status_code == 302 and response.url == course_url(patient)
    lab = ThyroglobulinLab.objects.get(patient=patient)
    assert (str(lab.tg_ng_ml), lab.anti_tg_antibody, str(lab.tsh_miu_l), lab.assay) == (
        "2.80",
        "negative",
        "0.050",
        "assay A",
    )


def test_a_tg_of_zero_is_refused_on_its_field_and_nothing_is_stored(signed_in, nurse, patient):
    response = signed_in(nurse).post(form_url("tg-new", patient), TG_FORM | {"tg_ng_ml": "0"})
    assert response.status_code == 400
    assert "above 0" in response.context["form"].errors["tg_ng_ml"][0]
    assert not ThyroglobulinLab.objects.exists()


def test_a_tg_in_the_future_and_without_an_assay_is_refused_on_both_fields(
    signed_in, nurse, patient
):
    response = signed_in(nurse).post(
        form_url("tg-new", patient), TG_FORM | {"drawn_on": "2026-06-02", "assay": ""}
    )
    errors = response.context["form"].errors
    assert {"drawn_on", "assay"} <= set(errors)
    assert len(response.context["summary_errors"]) >= 2
    assert not ThyroglobulinLab.objects.exists()


def test_the_antibody_result_must_be_chosen(signed_in, nurse, patient):
    without = {k: v for k, v in TG_FORM.items() if k != "anti_tg_antibody"}
    response = signed_in(nurse).post(form_url("tg-new", patient), without)
    assert "anti_tg_antibody" in response.context["form"].errors
    assert not ThyroglobulinLab.objects.exists()


def test_a_pharmacist_may_not_record_a_tg(signed_in, pharmacist, patient):
    assert signed_in(pharmacist).post(form_url("tg-new", patient), TG_FORM).status_code == 403
    assert not ThyroglobulinLab.objects.exists()


def test_a_site_administrator_may_not_record_a_tg(signed_in, site_admin, patient):
    assert signed_in(site_admin).post(form_url("tg-new", patient), TG_FORM).status_code == 403
    assert not ThyroglobulinLab.objects.exists()


# --- the patient page's section ---------------------------------------------------


def test_the_patient_page_shows_the_flags_and_the_next_imaging(signed_in, nurse, patient):
    surveillance(nurse, patient, since=date(2026, 3, 1), months=6)
    html = signed_in(nurse).get(reverse("tracker:patient", args=[patient.pk])).content.decode()
    section = html.split('id="disease-course-summary"')[1].split("</section>")[0]
    assert 'data-flag="no_actionable_alteration_tested"' in section
    assert "next imaging" in section and "2026" in section
    assert course_url(patient) in section and form_url("imaging-new", patient) in section


def test_the_patient_page_says_no_timing_flag(signed_in, pharmacist, patient):
    all_tested_negative(patient)
    html = signed_in(pharmacist).get(reverse("tracker:patient", args=[patient.pk])).content.decode()
    section = html.split('id="disease-course-summary"')[1].split("</section>")[0]
    assert "No timing flag." in section
    assert form_url("status", patient) not in section  # a pharmacist reads


def test_the_patient_pages_section_costs_the_same_queries_for_a_long_course(
    signed_in, nurse, site, django_assert_max_num_queries
):
    short, long = PatientFactory(site=site), PatientFactory(site=site)
    for patient, follow_ups in ((short, 1), (long, 6)):
        surveillance(nurse, patient)
        record_study(nurse, patient, date(2025, 3, 3), target("T1", "30"), baseline=True)
        for month in range(follow_ups):
            record_study(nurse, patient, date(2025, 4 + month, 7), target("T1", "30"))
            record_tg(nurse, patient, date(2025, 4 + month, 7), "2.0")
    client = signed_in(nurse)
    client.get(reverse("tracker:patient", args=[short.pk]))  # the session settles
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("tracker:patient", args=[short.pk]))
    with django_assert_max_num_queries(len(few)):
        client.get(reverse("tracker:patient", args=[long.pk]))

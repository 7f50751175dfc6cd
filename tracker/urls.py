from django.urls import path

from tracker import (
    impact_views,
    record_views,
    signoff_views,
    translation_review_views,
    views,
    visit_form,
)

app_name = "tracker"

urlpatterns = [
    path("", views.home, name="home"),
    path("patients/<int:patient_id>/", views.patient_detail, name="patient"),
    path("patients/", views.patient_list, name="patients"),
    path("patients/<int:patient_id>/record/", record_views.signed_record, name="record"),
    path("cohort/", views.cohort, name="cohort"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:recommendation_id>/decide/", views.decide, name="decide"),
    path("patients/<int:patient_id>/visits/new/", visit_form.new_visit, name="visit-new"),
    path(
        "patients/<int:patient_id>/visits/preview/",
        visit_form.preview_visit,
        name="visit-preview",
    ),
    path("ctcae/<slug:term>/grades/", visit_form.term_grades, name="term-grades"),
    path("rules/", signoff_views.rule_sets, name="rules"),
    path(
        "translations/review/",
        translation_review_views.translation_review,
        name="translation-review",
    ),
    path(
        "rules/<int:site_id>/<slug:drug>/<slug:rule_set>/",
        signoff_views.rule_set,
        name="rule-set",
    ),
    path(
        "rules/<int:site_id>/<slug:drug>/<slug:rule_set>/confirm/",
        signoff_views.confirm_row,
        name="rule-confirm",
    ),
    path(
        "rules/<int:site_id>/<slug:drug>/<slug:rule_set>/sign/",
        signoff_views.sign_off,
        name="rule-signoff",
    ),
    path("impact/", impact_views.impact_reports, name="impact-reports"),
    path("impact/new/", impact_views.impact_new, name="impact-new"),
    path("impact/<int:report_id>/", impact_views.impact_report, name="impact-report"),
    path("impact/<int:report_id>/csv/", impact_views.impact_csv, name="impact-csv"),
    path("impact/<int:report_id>/cancel/", impact_views.impact_cancel, name="impact-cancel"),
]

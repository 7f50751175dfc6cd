"""The clinic's pages of the patient-reports app (clinicians only)."""

from django.urls import path

from reports import completion_views, triage_views, views

app_name = "patient-reports"

urlpatterns = [
    path("sites/", completion_views.sites, name="completion"),
    path("patients/<int:patient_id>/invite/", views.invite, name="invite"),
    path("patients/<int:patient_id>/", views.clinic_reports, name="reports"),
    path("triage/", triage_views.queue, name="triage"),
    path("triage/<int:item_id>/", triage_views.grade, name="triage-item"),
]

"""The disease course's pages (disease/views.py), beside the patient page."""

from django.urls import path

from disease import views

app_name = "disease"

urlpatterns = [
    path("patients/<int:patient_id>/disease/", views.course, name="course"),
    path("patients/<int:patient_id>/disease/status/", views.status_form, name="status"),
    path("patients/<int:patient_id>/disease/imaging/new/", views.imaging_form, name="imaging-new"),
    path("patients/<int:patient_id>/disease/thyroglobulin/new/", views.tg_form, name="tg-new"),
]

from django.urls import path

from disease import api

urlpatterns = [
    path(
        "patients/<int:patient_id>/disease-status/",
        api.DiseaseStatusApi.as_view(),
        name="api-disease-status",
    ),
    path(
        "patients/<int:patient_id>/disease-course/",
        api.DiseaseCourseApi.as_view(),
        name="api-disease-course",
    ),
    path(
        "patients/<int:patient_id>/imaging-studies/",
        api.ImagingStudyListApi.as_view(),
        name="api-imaging-studies",
    ),
    path(
        "imaging-studies/<int:study_id>/",
        api.ImagingStudyDetailApi.as_view(),
        name="api-imaging-study",
    ),
    path(
        "patients/<int:patient_id>/thyroglobulin/",
        api.TgLabListApi.as_view(),
        name="api-tg-labs",
    ),
    path("tumour-board/", api.BoardEntryListApi.as_view(), name="api-board-entries"),
    path(
        "tumour-board/<int:entry_id>/",
        api.BoardEntryDetailApi.as_view(),
        name="api-board-entry",
    ),
    path(
        "tumour-board/<int:entry_id>/decision/",
        api.BoardDecisionApi.as_view(),
        name="api-board-decision",
    ),
]

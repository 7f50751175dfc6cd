from django.urls import path

from patients import api

urlpatterns = [
    path("patients/", api.PatientListApi.as_view(), name="api-patients"),
    path("patients/<int:patient_id>/", api.PatientDetailApi.as_view(), name="api-patient"),
    path("courses/", api.CourseListApi.as_view(), name="api-courses"),
    path("courses/<int:course_id>/", api.CourseDetailApi.as_view(), name="api-course"),
]

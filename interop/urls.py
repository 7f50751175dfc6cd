from django.urls import path, re_path

from interop import api

urlpatterns = [
    path("fhir/Bundle", api.BundleImportApi.as_view(), name="api-fhir-bundle"),
    # A regex route, so the literal "$" of the FHIR operation survives into the schema;
    # any id reaches the view, which answers an unknown one with an OperationOutcome.
    re_path(
        r"^fhir/Patient/(?P<patient_id>[^/]+)/\$everything$",
        api.PatientEverythingApi.as_view(),
        name="api-fhir-patient-everything",
    ),
]

"""Bench-only URLs: the project's, the toxicity API, and the bare visit-insert view."""

from django.urls import include, path

from bench.bare_view import bare_visit_create
from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("bench/bare-visits/", bare_visit_create),
    path("api/v1/", include("toxicity.urls")),
    *project_urlpatterns,
]

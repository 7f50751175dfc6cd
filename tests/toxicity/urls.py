"""The project's URLs with the toxicity API mounted, for tests written before
config/urls.py re-enables it (its `# TEMP-EVALUATE` line)."""

from django.urls import include, path

from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [path("api/v1/", include("toxicity.urls")), *project_urlpatterns]

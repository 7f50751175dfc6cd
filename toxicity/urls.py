from django.urls import path

from toxicity import api

urlpatterns = [
    path("evaluate/", api.EvaluateApi.as_view(), name="api-evaluate"),
]

from django.urls import path

from toxicity import api, api_ledger, api_visits

urlpatterns = [
    # The ledger of a course: appended to through toxicity.services.ledger.change_dose.
    path(
        "courses/<int:course_id>/dose-changes/",
        api_ledger.DoseChangeListApi.as_view(),
        name="api-dose-changes",
    ),
    path("evaluate/", api.EvaluateApi.as_view(), name="api-evaluate"),
    path("visits/", api_visits.VisitListApi.as_view(), name="api-visits"),
    path("visits/<int:visit_id>/", api_visits.VisitDetailApi.as_view(), name="api-visit"),
    path(
        "recommendations/",
        api_visits.RecommendationListApi.as_view(),
        name="api-recommendations",
    ),
    path(
        "recommendations/<int:recommendation_id>/",
        api_visits.RecommendationDetailApi.as_view(),
        name="api-recommendation",
    ),
    path(
        "recommendations/<int:recommendation_id>/decision/",
        api_visits.RecommendationDecisionApi.as_view(),
        name="api-recommendation-decision",
    ),
]

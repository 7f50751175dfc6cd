from django.urls import path

from notifications import api

urlpatterns = [
    path("alerts/", api.AlertListApi.as_view(), name="api-alerts"),
    path(
        "alerts/<int:alert_id>/acknowledge/",
        api.AlertAcknowledgeApi.as_view(),
        name="api-alert-acknowledge",
    ),
    path(
        "notification-preference/",
        api.PreferenceApi.as_view(),
        name="api-notification-preference",
    ),
]

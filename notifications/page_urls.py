from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.alert_list, name="alerts"),
    path("<int:alert_id>/", views.alert_detail, name="alert"),
    path("<int:alert_id>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("ack/<str:token>/", views.acknowledge_link, name="acknowledge-link"),
]

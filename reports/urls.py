"""The patients' pages, under /me/ (reports.access keeps patient accounts inside)."""

from django.urls import path

from reports import reminder_views, views

app_name = "reports"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.SignInView.as_view(), name="sign-in"),
    path("start/", views.enter_code, name="enter-code"),
    path("start/<str:code>/", views.accept, name="accept"),
    path("week/", views.weekly, name="weekly"),
    path("blood-pressure/", views.blood_pressure, name="blood-pressure"),
    path("blood-pressure/import/", views.bp_import, name="bp-import"),
    path("doses/", views.doses, name="doses"),
    path("reports/<int:report_id>/", views.report_detail, name="report"),
    path("reminders/", reminder_views.reminders_page, name="reminders"),
    path("language/", views.language, name="language"),
    path("reminders/stop/<str:token>/", reminder_views.reminders_stop, name="reminders-stop"),
]

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.forms import AdminLoginForm, LoginForm
from tracker import account_views

api_v1 = [
    path("", include("patients.urls")),
    path("", include("notifications.urls")),
    path("", include("toxicity.urls")),
    path("", include("interop.urls")),
    path("", include("disease.urls")),
]

# An unmatched /api/ URL answers in the API's JSON error shape (config.api).
handler404 = "config.api.json_not_found"
admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("", include("tracker.urls")),
    path("", include("disease.page_urls")),
    path("alerts/", include("notifications.page_urls")),
    # Patients and carers report from home (reports.access keeps them under me/).
    path("me/", include("reports.urls")),
    path("patient-reports/", include("reports.clinic_urls")),
    path("tumour-board/", include("disease.board_urls")),
    path(
        "accounts/login/",
        account_views.ClinicLoginView.as_view(authentication_form=LoginForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # A clinician's own password: Django's views with the tracker's templates.
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/language/", account_views.language, name="language"),
    path("accounts/locked/", account_views.locked_users, name="locked-users"),
    path(
        "accounts/locked/<int:membership_id>/unlock/",
        account_views.unlock_user,
        name="unlock-user",
    ),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file, as the CSP requires.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

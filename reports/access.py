"""The wall between patient accounts and the clinic.

A patient account signs in like a clinician but holds no site membership. Three
guards keep it to its own pages, each where a request could slip past another:

* ``PatientAccountBoundary`` (middleware, session sign-in): a patient account gets
  404 on every URL outside the patient pages and sign-out, whatever the view does;
* ``NotPatientAccount`` (a DRF default permission): the API refuses a patient
  account however it authenticated (a session, or a token);
* ``patient_view`` (the patient pages): only a patient account passes, and it
  only ever reaches its own patient's rows (``own_*`` selectors filter by it).
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.permissions import BasePermission

from reports.models import PatientAccount

PATIENT_PREFIX = "/me/"


def account_of(user) -> PatientAccount | None:
    """The user's patient account, if it is one; cached on the user for the request."""
    if user is None or not user.is_authenticated:
        return None
    if not hasattr(user, "_patient_account"):
        user._patient_account = (
            PatientAccount.objects.select_related("patient__site").filter(user=user).first()
        )
    return user._patient_account


def is_patient_account(user) -> bool:
    return account_of(user) is not None


class PatientAccountBoundary:
    """404 for a signed-in patient account anywhere but the patient pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_patient_account(getattr(request, "user", None)):
            path = request.path_info
            allowed = path.startswith(PATIENT_PREFIX) or path == reverse("logout")
            static = path.startswith("/" + settings.STATIC_URL.lstrip("/"))
            if not (allowed or static):
                raise Http404(_("No such page."))
        return self.get_response(request)


class NotPatientAccount(BasePermission):
    """The API is the clinic's: a patient account is refused every endpoint."""

    message = "Patient accounts cannot use the clinic's API."

    def has_permission(self, request, view) -> bool:
        return not is_patient_account(request.user)


def patient_view(view):
    """A patient page: sign-in required; anyone but a patient account gets 404.

    Times are shown in the patient's clinic's zone, as the clinic sees them.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("reports:sign-in"))
        account = account_of(request.user)
        if account is None or not request.user.is_active:
            raise Http404(_("No such page."))
        timezone.activate(account.patient.site.zone)
        return view(request, account, *args, **kwargs)

    return wrapper

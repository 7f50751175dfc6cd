"""A patient's language is read once per sign-in, after the clinicians' rule.

patients.signals stores the user's own or their site's language; a patient account
has no site membership, so its clinic's language is stored here instead. The
patients app is installed before this one, so its receiver runs first.
"""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from reports import languages
from reports.access import account_of


@receiver(user_logged_in, dispatch_uid="reports.remember_patient_language")
def remember_patient_language(sender, request, user, **kwargs) -> None:
    account = account_of(user)
    if account is not None and request is not None and hasattr(request, "session"):
        languages.remember_in_session(request.session, account)

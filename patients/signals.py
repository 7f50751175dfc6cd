"""A clinician's language is read once per sign-in (patients.languages)."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from patients import languages


@receiver(user_logged_in, dispatch_uid="patients.remember_language")
def remember_language(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        languages.remember_in_session(request.session, user)

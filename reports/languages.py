"""The language of a patient's pages and of the emails sent to them.

Their own choice first (a UserPreference, as a clinician's: patients.languages),
otherwise their clinic's language (Site.language). A clinician's choice never
changes a patient's, nor the other way round.
"""

from __future__ import annotations

from django.conf import settings

from patients import languages
from reports.models import PatientAccount


def patient_language(account: PatientAccount) -> str:
    return (
        languages.chosen_language(account.user)
        or account.patient.site.language
        or settings.LANGUAGE_CODE
    )


def remember_in_session(session, account: PatientAccount) -> None:
    """What config.middleware.UserLanguageMiddleware reads for every page."""
    session[languages.SESSION_KEY] = patient_language(account)

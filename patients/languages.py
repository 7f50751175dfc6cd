"""Which language a clinician's pages and emails are in.

Their own choice (UserPreference) first; otherwise the language of their site, when
every site they work at has the same one; otherwise nobody chose, and a page follows
the browser (Accept-Language) while an email uses LANGUAGE_CODE. Two recipients of
one alert can therefore read it in different languages.

The choice is read once per sign-in into the session (SESSION_KEY), so a page costs
no query for it; changing it here writes the session too.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from patients.audit import audit
from patients.models import Site, UserPreference

SESSION_KEY = "tracker_language"


def supported(code: str | None) -> bool:
    return code in dict(settings.LANGUAGES)


def chosen_language(user) -> str | None:
    """The user's own or their site's language; None when neither says."""
    own = UserPreference.objects.filter(user=user).values_list("language", flat=True).first()
    if own:
        return own
    languages = set(Site.objects.filter(memberships__user=user).values_list("language", flat=True))
    return languages.pop() if len(languages) == 1 else None


def email_language(user) -> str:
    """The language of an email to this user."""
    return chosen_language(user) or settings.LANGUAGE_CODE


def remember_in_session(session, user) -> None:
    session[SESSION_KEY] = chosen_language(user) or ""


@transaction.atomic
def set_language(*, actor, language: str, session=None) -> UserPreference:
    """The user's own choice; blank goes back to the site's language."""
    if language and not supported(language):
        raise ValidationError({"language": _("Choose one of the languages offered.")})
    preference = UserPreference.objects.select_for_update().filter(user=actor).first()
    if preference is None:
        preference = UserPreference(user=actor)
    preference.language = language
    audit(preference, actor=actor, reason="Language chosen by the user")
    preference.save()
    if session is not None:
        remember_in_session(session, actor)
    return preference

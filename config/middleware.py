"""Request-wide protections: no caching of patient data, session lifetimes, and
constraint violations answered (and logged) without their values; the clinic's
time zone and the reader's language."""

from __future__ import annotations

import logging
import re

from django.apps import apps
from django.conf import settings
from django.contrib.auth import logout
from django.db import IntegrityError, models
from django.http import HttpResponse, JsonResponse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from patients import languages
from patients.models import Site

log = logging.getLogger(__name__)

LOGIN_AT = "tracker_login_at"
LAST_SEEN_AT = "tracker_last_seen_at"


class NoStoreMiddleware:
    """Pages and API answers carry patient data: no browser or proxy may keep them.

    Static files are answered by WhiteNoise before this runs, so they stay cacheable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response["Cache-Control"] = "no-store"
        response["Pragma"] = "no-cache"
        return response


class SessionLifetimeMiddleware:
    """Ends a session after an idle spell, and in any case a fixed time after login.

    A tablet left on a ward counter must not stay signed in for the next person.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = timezone.now().timestamp()
            login_at = request.session.get(LOGIN_AT)
            last_seen = request.session.get(LAST_SEEN_AT, login_at)
            idle = settings.SESSION_IDLE_TIMEOUT.total_seconds()
            absolute = settings.SESSION_ABSOLUTE_LIFETIME.total_seconds()
            if login_at is None:
                request.session[LOGIN_AT] = now
                request.session[LAST_SEEN_AT] = now
            elif now - last_seen > idle or now - login_at > absolute:
                logout(request)
            else:
                request.session[LAST_SEEN_AT] = now
        return self.get_response(request)


class ClinicTimeZoneMiddleware:
    """Shows every time in the clinic's own zone: the zone of the signed-in user's site.

    A user who works at sites in different zones sees the project's TIME_ZONE; pages
    about one patient (the visit form) switch to that patient's site themselves.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        zone = None
        if user is not None and user.is_authenticated:
            zones = set(
                Site.objects.filter(memberships__user=user).values_list("time_zone", flat=True)
            )
            if len(zones) == 1:
                zone = zones.pop()
        if zone:
            timezone.activate(zone)
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class UserLanguageMiddleware:
    """Pages in the signed-in user's language (patients.languages); otherwise the browser's.

    Replaces Django's LocaleMiddleware: the tracker has no language prefix in its URLs,
    and a clinician's choice follows them to every device they sign in on.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = None
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is not None and user.is_authenticated and session is not None:
            if languages.SESSION_KEY not in session:  # a session from before languages
                languages.remember_in_session(session, user)
            language = session[languages.SESSION_KEY] or None
        if not languages.supported(language):
            language = translation.get_language_from_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        try:
            response = self.get_response(request)
        finally:
            translation.deactivate()
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response


def _constraint_name(error: IntegrityError) -> str:
    """The violated constraint's name (PostgreSQL), or the columns SQLite names."""
    diag = getattr(error.__cause__, "diag", None)
    name = getattr(diag, "constraint_name", None)
    if name:
        return name
    found = re.search(r"constraint failed: ([\w., ]+)", str(error))
    return found.group(1).strip() if found else ""


def violated_fields(error: IntegrityError) -> list[str]:
    """The model fields a constraint violation is about, context (foreign keys) left out:
    the MRN, not the site, for two patients given one MRN at a site."""
    name = _constraint_name(error)
    for model in apps.get_models():
        meta = model._meta
        candidates: list[tuple[str, list[str]]] = [
            (constraint.name, list(getattr(constraint, "fields", ())))
            for constraint in meta.constraints
        ]
        candidates += [
            (f"{meta.db_table}_{field.column}_key", [field.name])
            for field in meta.concrete_fields
            if field.unique and not field.primary_key
        ]
        sqlite = {f"{meta.db_table}.{field.column}": field.name for field in meta.concrete_fields}
        columns = [column.strip() for column in name.split(",")]
        if columns and all(column in sqlite for column in columns):
            candidates.append((name, [sqlite[column] for column in columns]))
        for candidate, fields in candidates:
            if candidate == name and fields:
                context = {f.name for f in meta.concrete_fields if isinstance(f, models.ForeignKey)}
                return [field for field in fields if field not in context] or fields
    return []


class IntegrityErrorMiddleware:
    """A write the database refused (two nurses giving two patients one MRN at the same
    moment) answers 409 naming the field, never a 500; the log names the constraint,
    never the values, which are patient data ("Key (site_id, mrn)=(1, ...)")."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, IntegrityError):
            return None
        fields = violated_fields(exception)
        log.warning(
            "Write refused by constraint %s (%s %s)",
            _constraint_name(exception) or "unknown",
            request.method,
            request.path,
        )
        message = _("Someone else saved the same value at the same moment; reload and check.")
        errors = {field: message for field in fields} or {"non_field_errors": message}
        if request.path.startswith("/api/"):
            return JsonResponse({"errors": errors}, status=409)
        return HttpResponse(message, status=409, content_type="text/plain; charset=utf-8")

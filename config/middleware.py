"""Request-wide protections: no caching of patient data, and session lifetimes."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import logout
from django.utils import timezone

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
        from patients.models import Site

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

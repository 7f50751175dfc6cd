from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone

from config.middleware import LAST_SEEN_AT, LOGIN_AT


@receiver(user_logged_in)
def start_session_clock(sender, request, user, **kwargs):
    """The absolute session lifetime counts from this login, not an earlier one."""
    if request is not None and hasattr(request, "session"):
        now = timezone.now().timestamp()
        request.session[LOGIN_AT] = now
        request.session[LAST_SEEN_AT] = now

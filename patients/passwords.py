"""The password re-entered as a signature, counted like a sign-in.

A wrong signing password is a failed sign-in for django-axes (the same
(username, address) record, limit and cool-off as the login page), so a
password cannot be guessed at the signing form instead. While the pair is
locked, the right password and a wrong one get the same answer: the lock.
"""

from __future__ import annotations

import logging

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)


class SigningLocked(Exception):
    """Too many wrong passwords for this user from this address: signing (and
    sign-in) wait for the cool-off."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "Too many wrong passwords: signing is paused for this account on this "
                "device. Wait for the cool-off, or ask your site administrator to unlock it."
            )
        )


def wrong_password_error() -> ValidationError:
    return ValidationError({"password": _("The password is not correct; nothing was signed.")})


def verify_signing_password(actor, password: str, *, origin: HttpRequest | None) -> None:
    """Passes when `password` is the actor's; raises SigningLocked or ValidationError.

    `origin` is the request the password came with: its address, with the
    username, is what a failure counts against. Without one (a management
    command, not the web) nothing is counted.
    """
    credentials = {"username": actor.get_username()}
    if origin is not None and AxesProxyHandler.is_locked(origin, credentials):
        raise SigningLocked()
    if password and actor.check_password(password):
        if origin is not None:
            AxesProxyHandler.reset_attempts(
                username=credentials["username"], ip_address=origin.axes_ip_address
            )
        return
    log.info("Signature refused: wrong password for user %s.", actor.pk)
    if origin is not None:
        user_login_failed.send(sender=__name__, credentials=credentials, request=origin)
        locked = bool(getattr(origin, "axes_locked_out", False))
        # The view answers the lock itself (the API's JSON shape, the form's field
        # error); axes's middleware would swap that for its sign-in lockout page.
        origin.axes_locked_out = False
        if locked:
            raise SigningLocked()
    raise wrong_password_error()

"""API tokens: named, expiring, stored as a SHA-256 and shown once.

A token is 32 random bytes (256 bits), so a plain SHA-256 is enough to make a
stolen database useless for signing in: nothing can be guessed back from it, and
the lookup by digest costs one indexed query. The plain token exists only in the
answer to the one who made it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from patients import limits
from patients.models import ApiToken

PREFIX_CHARS = 8


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    record: ApiToken
    token: str  # the only time it is known: give it to the user, keep it nowhere


def create_token(*, user, name: str, days: int | None = None) -> NewToken:
    """Makes a token for `user`, valid `days` (API_TOKEN_DAYS when not given)."""
    name = (name or "").strip()
    days = settings.API_TOKEN_DAYS if days is None else days
    errors = limits.text_errors(name=(name, limits.NAME_CHARS))
    if not name:
        errors["name"] = _("Name the token after what uses it.")
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        errors["days"] = _("A token lasts 1 to %(max)s days.") % {
            "max": settings.API_TOKEN_MAX_DAYS
        }
    if errors:
        raise ValidationError(errors)
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    try:
        with transaction.atomic():
            record = ApiToken.objects.create(
                user=user,
                name=name,
                digest=digest_of(token),
                prefix=token[:PREFIX_CHARS],
                created_at=now,
                expires_at=now + timedelta(days=days),
            )
    except IntegrityError:
        raise ValidationError({"name": _("This user already has a token of that name.")}) from None
    return NewToken(record=record, token=token)


def revoke_token(record: ApiToken) -> None:
    ApiToken.objects.filter(pk=record.pk, revoked_at=None).update(revoked_at=timezone.now())


class ApiTokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <token>`, checked against the stored digests."""

    model = ApiToken

    def authenticate_credentials(self, key):
        found = (
            ApiToken.objects.select_related("user")
            .filter(digest=digest_of(key), revoked_at=None, expires_at__gt=timezone.now())
            .first()
        )
        # One answer for unknown, expired and revoked: a client learns nothing more.
        if found is None:
            raise exceptions.AuthenticationFailed(_("Invalid or expired token."))
        if not found.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return found.user, found

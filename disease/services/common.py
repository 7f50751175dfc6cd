"""What the disease services share: who may write, and the reason every write needs."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from patients.access import WRITE_ROLES, has_role

# Recording the disease course is clinical work: nurses and oncologists.
RECORDERS = tuple(WRITE_ROLES)


def require_recorder(actor, site_id: int, what: str) -> None:
    if not has_role(actor, site_id, *RECORDERS):
        raise PermissionDenied(_("Your role at this site cannot record %(what)s.") % {"what": what})


def required_text(errors: dict[str, str], field: str, value: object, message: str) -> str:
    """The stripped text, noting `message` on `field` when it is empty."""
    if field in errors:
        return ""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        errors[field] = message
    return text


def raise_if(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)

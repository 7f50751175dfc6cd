"""How long each free-text field may be: the one source for models, serializers, forms
and services.

Each limit fits what the field is for. A nurse's visit note is a few paragraphs; a
reason (why a dose changed, why a recommendation was rejected, why a grade was lowered,
why a record was corrected) is a few sentences; names are names. Past these the text
is not clinical content but a mistake or an attack, and storing it (a 1 MiB note, a
two-million-character reason) would fill pages, emails and the audit trail.
"""

from __future__ import annotations

from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.utils.translation import gettext as _

NOTE_CHARS = 4000  # a visit note
REASON_CHARS = 2000  # any "why": dose change, decision, correction, lowered grade, edit
NAME_CHARS = 120  # family and given name, site name, a test's method
MRN_CHARS = 40  # medical record number


def validators(limit: int) -> list:
    """The model validators of a free-text field with this limit."""
    return [MaxLengthValidator(limit), ProhibitNullCharactersValidator()]


def text_problem(value: object, limit: int) -> str | None:
    """Why this text cannot be stored, in the user's words, or None when it can.

    For the services, which pages and the API both call: a page that posts raw
    text (the inbox's signing form) meets the same limits as a serializer.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        return _("Write this as text.")
    if "\x00" in value:
        return _("Null characters are not allowed.")
    if len(value) > limit:
        return _("Keep this to %(limit)s characters (it has %(length)s).") % {
            "limit": f"{limit:,}",
            "length": f"{len(value):,}",
        }
    return None


def text_errors(**fields: tuple[object, int]) -> dict[str, str]:
    """Field name -> problem, for each (value, limit) that cannot be stored."""
    errors = {}
    for name, (value, limit) in fields.items():
        problem = text_problem(value, limit)
        if problem is not None:
            errors[name] = problem
    return errors

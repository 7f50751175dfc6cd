"""Forms every app shares: the sign-in forms of the login page and the admin, and the
form whose errors are also listed at the top of its page."""

from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator


def _bound_username(form) -> None:
    """A username longer than any account's is refused as a field error.

    Django sets the field's max_length after construction, which adds no validator:
    the over-long name reached django-axes, whose record of the failed attempt
    could not store it (a 500 on PostgreSQL).
    """
    field = form.fields["username"]
    limit = get_user_model()._meta.get_field(get_user_model().USERNAME_FIELD).max_length
    field.max_length = limit
    field.validators.append(MaxLengthValidator(limit))


class LoginForm(AuthenticationForm):
    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        _bound_username(self)


class AdminLoginForm(AdminAuthenticationForm):
    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        _bound_username(self)


class SummaryForm(forms.Form):
    """A form whose errors are listed again in a box at the top of the page, each
    linking to its field (the house's form-error rule)."""

    def error_summary(self) -> list[tuple[str, str]]:
        """(field id, "label: message") for the box at the top; ("", message) for an
        error of the whole form."""
        out = []
        for name, errors in self.errors.items():
            field = self.fields.get(name)
            for error in errors:
                if field is None:
                    out.append(("", error))
                else:
                    out.append((f"id_{name}", f"{field.label}: {error}"))
        return out

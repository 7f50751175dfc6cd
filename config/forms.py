"""Sign-in forms for the tracker's login page and the admin."""

from __future__ import annotations

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

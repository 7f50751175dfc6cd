"""One shape for every API error: {"errors": {"<field path>": "<message>"}}."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

NON_FIELD = "non_field_errors"


def flatten_errors(detail, prefix: str = "") -> dict[str, str]:
    """DRF's nested error detail as a flat map of field path -> message.

    Paths read like the evaluate contract's: `observations[0].readings[1]`.
    """
    flat: dict[str, str] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int):  # DRF keys list items' errors by index
                path = f"{prefix}[{key}]"
            elif key == NON_FIELD and prefix:
                path = prefix
            else:
                path = f"{prefix}.{key}" if prefix else key
            flat.update(flatten_errors(value, path))
    elif isinstance(detail, list):
        if detail and all(not isinstance(item, (dict, list)) for item in detail):
            flat[prefix or NON_FIELD] = " ".join(str(item) for item in detail)
        else:
            for index, value in enumerate(detail):
                if value:
                    flat.update(flatten_errors(value, f"{prefix}[{index}]"))
    else:
        flat[prefix or NON_FIELD] = str(detail)
    return flat


def error_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD: exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = flatten_errors(exc.detail)
    elif isinstance(exc, exceptions.ParseError):
        errors = {NON_FIELD: f"Malformed request body: {exc.detail}"}
    else:
        errors = {"detail": str(getattr(exc, "detail", exc))}
    response.data = {"errors": errors}
    return response


def field_errors(errors: dict[str, str]) -> Response:
    return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)

"""One shape for every API error: {"errors": {"<field path>": "<message>"}}."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler

from patients.passwords import SigningLocked
from patients.services import StaleRecord

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


class BodyTooLarge(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "body_too_large"


def error_handler(exc, context):
    if isinstance(exc, SigningLocked):
        return Response(
            {"errors": {"password": str(exc)}}, status=status.HTTP_429_TOO_MANY_REQUESTS
        )
    if isinstance(exc, StaleRecord):
        return Response({"errors": {exc.field: str(exc)}}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, (RequestDataTooBig, TooManyFieldsSent)):
        # Django would answer these with its HTML 400 page; the API keeps its shape.
        exc = BodyTooLarge(
            _("The request is larger than the %(limit)s bytes the tracker accepts.")
            % {"limit": f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,}"}
            if isinstance(exc, RequestDataTooBig)
            else _("The request has more than %(limit)s fields.")
            % {"limit": f"{settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,}"}
        )
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
    elif isinstance(exc, BodyTooLarge):
        errors = {NON_FIELD: str(exc.detail)}
    else:
        errors = {"detail": str(getattr(exc, "detail", exc))}
    response.data = {"errors": errors}
    return response


def field_errors(errors: dict[str, str]) -> Response:
    return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)


class ErrorOutput(serializers.Serializer):
    """The one error shape: a flat map of field path (or `detail`) to a message."""

    errors = serializers.DictField(
        child=serializers.CharField(),
        help_text='Field path -> message, e.g. {"observations[0].readings[1]": "..."}; '
        '"detail" for errors that concern no field (not signed in, refused, not found).',
    )


def json_not_found(request, exception=None):
    """404 for an unmatched URL: the API's JSON error shape under /api/, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"errors": {"detail": "Not found."}}, status=404)
    return page_not_found(request, exception)


class Pagination(LimitOffsetPagination):
    """?limit= and ?offset= within what the database can count.

    A limit or offset beyond a 64-bit integer made the database fail (a 500, found
    by tests/security/test_api_fuzzing.py); both are capped instead.
    """

    max_limit = 500
    max_offset = 10**9  # far beyond any table here

    def get_offset(self, request):
        return min(super().get_offset(request), self.max_offset)

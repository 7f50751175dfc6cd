"""OpenAPI generation: every operation declares the error answers it can give.

drf-spectacular documents the success answer of each view; this AutoSchema adds
the error shape of config.api (`ErrorOutput`, one component) for the statuses a
client can meet, so a generated client or a schema-driven fuzzer (schemathesis,
tests/security/test_api_fuzzing.py) treats them as part of the contract:

* 400 when the operation takes a request body or query parameters;
* 401 (not signed in) and 403 (signed in, but your role may not) everywhere the
  API asks for authentication;
* 404 where the path, the body or an integer query parameter names an object (a
  patient, a course): missing and "not at your site" look the same;
* 409 only where a view declares it (a recommendation someone else decided).
"""

from __future__ import annotations

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse
from rest_framework.permissions import AllowAny

from config.api import ErrorOutput

ERROR = OpenApiResponse(ErrorOutput, description="Refused; `errors` says why.")
DESCRIPTIONS = {
    "400": "Bad input: `errors` names each bad field.",
    "401": "Not signed in (no or bad token or session).",
    "403": "Signed in, but your role at the patient's site may not do this.",
    "404": "No such object, or not at your site: the two look the same.",
    "409": "Someone else changed it first; reload.",
    "412": "The record changed since you read it: `errors` says what; reload and redo.",
    "429": "Too many wrong passwords from this address: wait for the cool-off.",
}


class AutoSchema(openapi.AutoSchema):
    def _error_codes(self) -> list[str]:
        codes = []
        has_body = self.method in ("POST", "PUT", "PATCH")
        has_query = bool(self._get_filter_parameters() or self._get_pagination_parameters())
        has_query = has_query or any(
            getattr(p, "location", None) == "query" for p in self.get_override_parameters()
        )
        if has_body or has_query:
            codes.append("400")
        if not all(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            codes += ["401", "403"]
        refers_to_object = any(  # e.g. ?course=<id>: not yours looks like missing
            getattr(p, "location", None) == "query" and getattr(p, "type", None) is int
            for p in self.get_override_parameters()
        )
        if "{" in self.path or self.method == "POST" or refers_to_object:
            codes.append("404")
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorOutput, description=DESCRIPTIONS[code]),
                    code,
                    direction=direction,
                )
        return responses

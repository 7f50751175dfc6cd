"""FHIR endpoints under /api/v1/fhir/. Thin: access helpers, then one service call.

They speak FHIR JSON (`application/fhir+json`) whatever happens: every refusal,
including "not signed in" and "not found", is an OperationOutcome.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from interop import fhir_in, fhir_out
from interop import outcome as oo
from interop.access import access_patient_export, access_site
from interop.outcome import Issue

FHIR_JSON = "application/fhir+json"


class FhirJsonRenderer(JSONRenderer):
    media_type = FHIR_JSON
    format = "fhir"


class RawBody(BaseParser):
    """The body is read as bytes by the importer, which answers bad JSON itself."""

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream.read()


class AlwaysFhir(BaseContentNegotiation):
    """FHIR JSON whatever the Accept header says (a FHIR server may do so)."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class OperationOutcomeOutput(serializers.Serializer):
    resourceType = serializers.CharField(help_text="OperationOutcome")  # noqa: N815
    issue = serializers.ListField(
        child=serializers.DictField(),
        help_text="severity, code, diagnostics, details.text, expression (FHIRPath of the "
        "bad element, from the Bundle root).",
    )


class FhirBundleOutput(serializers.Serializer):
    resourceType = serializers.CharField(help_text="Bundle")  # noqa: N815
    type = serializers.CharField()
    entry = serializers.ListField(child=serializers.DictField())


def _outcome_response(code: str, text: str, http: int) -> Response:
    return Response(oo.operation_outcome([Issue(code, text)]), status=http)


def fhir_error_handler(exc, context):
    """Every refusal as an OperationOutcome (DRF still adds WWW-Authenticate to a 401)."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    if not isinstance(exc, exceptions.APIException):
        return None
    codes = {401: oo.LOGIN, 403: oo.FORBIDDEN, 404: oo.NOT_FOUND}
    detail = exc.detail
    if isinstance(detail, dict):
        detail = [f"{k}: {v}" for k, v in detail.items()]
    text = " ".join(str(d) for d in detail) if isinstance(detail, list) else str(detail)
    response = _outcome_response(codes.get(exc.status_code, oo.INVALID), text, exc.status_code)
    if getattr(exc, "auth_header", None):
        response["WWW-Authenticate"] = exc.auth_header
    return response


class FhirApiView(APIView):
    renderer_classes = [FhirJsonRenderer]
    content_negotiation_class = AlwaysFhir

    def get_exception_handler(self):
        return fhir_error_handler


OUTCOME = {
    code: OpenApiResponse(OperationOutcomeOutput, description=text)
    for code, text in {
        400: "Refused; nothing of the Bundle is stored. Each issue names the resource and element.",
        401: "Not signed in.",
        403: "Your role at this site may not import or export.",
        404: "No such site or patient, or not yours: the two look the same.",
    }.items()
}


class BundleImportApi(FhirApiView):
    parser_classes = [RawBody]

    @extend_schema(
        operation_id="fhir_bundle_import",
        summary="Import lab results (a FHIR R4 transaction or collection Bundle)",
        parameters=[OpenApiParameter("site", str, required=True, description="The site's code.")],
        request={FHIR_JSON: {"type": "object"}},
        responses={
            201: OpenApiResponse(OperationOutcomeOutput, description="Stored as new visits."),
            200: OpenApiResponse(
                OperationOutcomeOutput, description="Already imported: stored once, not again."
            ),
            **OUTCOME,
        },
    )
    def post(self, request):
        site = access_site(request.user, request.query_params.get("site"), importing=True)
        try:
            payload = request.body
        except RequestDataTooBig:
            issue = Issue(
                oo.STRUCTURE,
                f"The Bundle is larger than the {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes "
                "the tracker accepts; send the results in smaller Bundles.",
            )
            return Response(oo.operation_outcome([issue]), status=400)
        result = fhir_in.import_bundle(actor=request.user, site=site, payload=payload)
        return Response(result.outcome(), status=result.status)


def _flag(value: str) -> bool:
    try:
        return {"true": True, "1": True, "false": False, "0": False}[value.lower()]
    except KeyError:
        raise exceptions.ValidationError(f"identifiers={value!r}: give true or false.") from None


class PatientEverythingApi(FhirApiView):
    @extend_schema(
        operation_id="fhir_patient_everything",
        summary="One patient's record as a FHIR R4 searchset Bundle",
        parameters=[
            OpenApiParameter("patient_id", int, OpenApiParameter.PATH),
            OpenApiParameter(
                "identifiers",
                bool,
                description="Include MRN and name (only roles allowed them; default no).",
            ),
        ],
        responses={
            200: FhirBundleOutput,
            **OUTCOME,
            400: OpenApiResponse(OperationOutcomeOutput, description="A bad query parameter."),
        },
    )
    def get(self, request, patient_id: str):
        identifiers = _flag(request.query_params.get("identifiers", "false"))
        patient = access_patient_export(request.user, patient_id, identifiers=identifiers)
        bundle = fhir_out.export_patient(
            actor=request.user,
            patient=patient,
            identifiers=identifiers,
            base_url=request.build_absolute_uri("/api/v1/fhir/"),
        )
        return Response(bundle, status=status.HTTP_200_OK)

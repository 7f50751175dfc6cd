"""POST /api/v1/evaluate/: what would the tracker recommend for this scenario?

Stateless and read-only: pharmacists use it to check a rule set before go-live.
The request and response are docs/sources/evaluate-contract.md, exactly.
"""

from __future__ import annotations

from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import ErrorOutput, field_errors
from config.parsers import JSONParser
from toxicity.rules.evaluate import InvalidRequest, evaluate, evaluate_many
from toxicity.serializers import EvaluateInput, EvaluateOutput

EXAMPLE = {
    "drug": "lenvatinib",
    "rule_set": "us_pi",
    "dose_mg_per_day": 24,
    "on_hold": False,
    "observations": [
        {
            "term": "hypertension",
            "readings": [[162, 88], [158, 90]],
            "optimal_antihypertensive_therapy": True,
        }
    ],
}


# One scenario (object) or several (array); the answer has the same shape.
EVALUATE_REQUEST = PolymorphicProxySerializer(
    component_name="Evaluate",
    serializers=[EvaluateInput, EvaluateInput(many=True)],
    resource_type_field_name=None,
    many=False,
)
# An array is answered in place: each element is a decision or, for a refused
# scenario, its own {"errors": {...}}.
EVALUATE_ANSWER = PolymorphicProxySerializer(
    component_name="EvaluateAnswer",
    serializers=[EvaluateOutput, ErrorOutput],
    resource_type_field_name=None,
    many=True,
)
EVALUATE_RESPONSE = PolymorphicProxySerializer(
    component_name="EvaluateResponse",
    serializers=[EvaluateOutput, EVALUATE_ANSWER],
    resource_type_field_name=None,
    many=False,
)


class EvaluateApi(APIView):
    parser_classes = [JSONParser]  # the contract is JSON: an object or an array

    @extend_schema(
        request=EVALUATE_REQUEST,
        responses={
            200: EVALUATE_RESPONSE,
            400: OpenApiResponse(
                ErrorOutput,
                description="Refused input: each bad field by its contract path "
                "(`observations[0].readings[1]`); for an array, only when it is not an array.",
            ),
        },
        examples=[
            OpenApiExample("Grade 3 hypertension on lenvatinib", value=EXAMPLE, request_only=True)
        ],
        description="One scenario (object) or several (array, answered in the same order). "
        "The contract is docs/sources/evaluate-contract.md; the rule engine's own validation "
        "decides what is refused. An array is answered in place: a refused scenario's "
        'element is `{"errors": {path: message}}` and every other scenario is answered.',
    )
    def post(self, request):
        try:
            if isinstance(request.data, list):
                return Response(evaluate_many(request.data))
            return Response(evaluate(request.data))
        except InvalidRequest as refused:
            return field_errors(refused.errors)

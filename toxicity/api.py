"""POST /api/v1/evaluate/: what would the tracker recommend for this scenario?

Stateless and read-only: pharmacists use it to check a rule set before go-live.
The request and response are shared/clinical/evaluate-contract.md, exactly.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import field_errors
from toxicity.rules.evaluate import InvalidRequest, evaluate, evaluate_many

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


class EvaluateApi(APIView):
    @extend_schema(
        request=OpenApiTypes.OBJECT,
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
        examples=[OpenApiExample("Grade 3 hypertension on lenvatinib", value=EXAMPLE)],
        description="One scenario (object) or several (array, answered in the same order).",
    )
    def post(self, request):
        try:
            if isinstance(request.data, list):
                return Response(evaluate_many(request.data))
            return Response(evaluate(request.data))
        except InvalidRequest as refused:
            return field_errors(refused.errors)

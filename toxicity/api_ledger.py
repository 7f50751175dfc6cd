"""REST endpoint for a course's dose ledger (/api/v1/courses/<id>/dose-changes/).

Here rather than in patients because appending to the ledger is more than a
ledger row: a change that ends the course closes its pending recommendations
(toxicity.services.ledger.change_dose), and patients knows nothing of those.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from patients import selectors
from patients.access import access_course, clinical_api_permissions
from patients.serializers import DoseChangeInput, DoseChangeOutput
from toxicity.services import ledger


class DoseChangeListApi(GenericAPIView):
    """The ledger is read here and appended to only through the dose-change service."""

    permission_classes = clinical_api_permissions()

    serializer_class = DoseChangeOutput
    pagination_class = None  # the whole ledger of one course, oldest first

    @extend_schema(responses=DoseChangeOutput(many=True))
    def get(self, request, course_id: int):
        course = access_course(request.user, course_id)
        return Response(DoseChangeOutput(selectors.ledger(course), many=True).data)

    @extend_schema(request=DoseChangeInput, responses={201: DoseChangeOutput})
    def post(self, request, course_id: int):
        course = access_course(request.user, course_id, write=True)
        data = DoseChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        change = ledger.change_dose(actor=request.user, course=course, **data.validated_data)
        return Response(DoseChangeOutput(change).data, status=status.HTTP_201_CREATED)

"""REST endpoints for visits and recommendations (/api/v1/visits/, /api/v1/recommendations/).

Thin: an input serializer checks shapes, the access functions give the same
404 for "missing" and "another site's", the services decide everything else.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from config.api import ErrorOutput
from config.schema import DESCRIPTIONS
from patients.access import access_course, clinical_api_permissions, has_role
from toxicity import selectors
from toxicity.access import access_recommendation, access_visit
from toxicity.models import Visit
from toxicity.serializers import (
    DecisionInput,
    InboxItemOutput,
    InboxOutput,
    RecommendationOutput,
    VisitCreatedOutput,
    VisitInput,
    VisitOutput,
    VisitUpdateInput,
)
from toxicity.services import decisions, visits

# Patients' records: signed in, no patient account, a clinical role at some site.
CLINICAL = clinical_api_permissions()


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This was changed by someone else; reload."
    default_code = "conflict"


def _visit_out(visit_id: int) -> dict:
    visit = selectors.with_details(Visit.objects.filter(pk=visit_id)).get()
    return VisitOutput(visit).data


class VisitListApi(GenericAPIView):
    permission_classes = CLINICAL
    serializer_class = VisitOutput

    @extend_schema(
        parameters=[OpenApiParameter("course", int, description="Only this course's visits")],
        responses=VisitOutput(many=True),
    )
    def get(self, request):
        visits = selectors.visits_visible_to(request.user)
        course_id = request.query_params.get("course")
        if course_id is not None:
            visits = visits.filter(course=access_course(request.user, course_id))
        visits = selectors.with_details(visits).order_by("-occurred_at", "-id")
        page = self.paginate_queryset(visits)
        return self.get_paginated_response(VisitOutput(page, many=True).data)

    @extend_schema(request=VisitInput, responses={201: VisitOutput})
    def post(self, request):
        data = VisitInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        course = access_course(request.user, values.pop("course"), write=True)
        visit = visits.log_visit(actor=request.user, course=course, **values)
        return Response(VisitCreatedOutput(visit).data, status=status.HTTP_201_CREATED)


class VisitDetailApi(GenericAPIView):
    permission_classes = CLINICAL
    serializer_class = VisitOutput

    @extend_schema(responses=VisitOutput)
    def get(self, request, visit_id: int):
        return Response(_visit_out(access_visit(request.user, visit_id).pk))

    @extend_schema(
        request=VisitUpdateInput,
        responses={
            200: VisitOutput,
            409: OpenApiResponse(ErrorOutput, description=DESCRIPTIONS["409"]),
        },
    )
    def patch(self, request, visit_id: int):
        visit = access_visit(request.user, visit_id, write=True)
        data = VisitUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        visits.edit_visit(actor=request.user, visit=visit, **data.validated_data)
        return Response(_visit_out(visit.pk))


class RecommendationListApi(GenericAPIView):
    permission_classes = CLINICAL
    """The pending inbox of the user's sites, most severe first."""

    serializer_class = InboxItemOutput
    pagination_class = None

    @extend_schema(operation_id="v1_recommendations_list", responses=InboxOutput)
    def get(self, request):
        items = selectors.inbox(request.user)
        return Response({"count": len(items), "results": InboxItemOutput(items, many=True).data})


class RecommendationDetailApi(GenericAPIView):
    permission_classes = CLINICAL
    serializer_class = InboxItemOutput

    @extend_schema(responses=InboxItemOutput)
    def get(self, request, recommendation_id: int):
        recommendation = access_recommendation(request.user, recommendation_id)
        return Response(InboxItemOutput(selectors.inbox_item(recommendation)).data)


class RecommendationDecisionApi(GenericAPIView):
    permission_classes = CLINICAL
    """Approve, approve with another ladder dose, or reject; the password is the signature."""

    serializer_class = DecisionInput

    @extend_schema(
        request=DecisionInput,
        responses={
            200: RecommendationOutput,
            429: OpenApiResponse(ErrorOutput, description=DESCRIPTIONS["429"]),
            409: OpenApiResponse(ErrorOutput, description=DESCRIPTIONS["409"]),
        },
    )
    def post(self, request, recommendation_id: int):
        recommendation = access_recommendation(request.user, recommendation_id)
        # Who may sign is settled before what was sent: a nurse gets 403 for any body.
        if not has_role(request.user, recommendation.course.patient.site_id, *decisions.SIGNERS):
            raise PermissionDenied(_("Only an oncologist at this site can sign a recommendation."))
        data = DecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        try:
            decided = decisions.decide_recommendation(
                actor=request.user,
                recommendation=recommendation,
                decision=values["decision"],
                password=values["password"],
                reason=values.get("reason"),
                dose_mg=values.get("dose_mg"),
                origin=request._request,  # the address a wrong password counts against
            )
        except decisions.RecommendationAlreadyDecided as taken:
            raise Conflict(str(taken)) from None
        return Response(RecommendationOutput(decided).data)

"""REST endpoints of the disease course (/api/v1/): the status, imaging studies,
thyroglobulin labs, the course summary (progression, Tg-DT, options, flags) and the
tumour board.

Thin: an input serializer checks shapes, patients.access / disease.access give the
same 404 for "missing" and "another site's", the services decide everything else.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from config.api import ErrorOutput
from config.schema import DESCRIPTIONS
from disease import selectors
from disease.access import access_board_entry, access_imaging_study
from disease.models import DiseaseStatus
from disease.serializers import (
    BoardDecisionInput,
    BoardEntryInput,
    BoardEntryOutput,
    DiseaseCourseOutput,
    DiseaseStatusInput,
    DiseaseStatusOutput,
    ImagingStudyInput,
    ImagingStudyOutput,
    TgLabInput,
    TgLabOutput,
    TgLabsOutput,
)
from disease.services import board, imaging, labs
from disease.services.status import record_disease_status
from patients.access import access_patient, clinical_api_permissions, has_role

# Patients' records: signed in, no patient account, a clinical role at some site.
CLINICAL = clinical_api_permissions()


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This was changed by someone else; reload."
    default_code = "conflict"


class DiseaseStatusApi(GenericAPIView):
    """The patient's disease status: RAI-refractory (Rec 59), surveillance (Rec 60A)."""

    permission_classes = CLINICAL
    serializer_class = DiseaseStatusOutput

    @extend_schema(responses=DiseaseStatusOutput)
    def get(self, request, patient_id: int):
        patient = access_patient(request.user, patient_id)
        found = selectors.status_of(patient) or DiseaseStatus(patient=patient, version=None)
        return Response(DiseaseStatusOutput(found).data)

    @extend_schema(
        request=DiseaseStatusInput,
        responses={
            200: DiseaseStatusOutput,
            409: OpenApiResponse(ErrorOutput, description=DESCRIPTIONS["409"]),
        },
    )
    def put(self, request, patient_id: int):
        patient = access_patient(request.user, patient_id, write=True)
        data = DiseaseStatusInput(data=request.data)
        data.is_valid(raise_exception=True)
        saved = record_disease_status(actor=request.user, patient=patient, **data.validated_data)
        return Response(DiseaseStatusOutput(saved).data)


class DiseaseCourseApi(GenericAPIView):
    """What the tracker computes and flags for the team: decision support only."""

    permission_classes = CLINICAL
    serializer_class = DiseaseCourseOutput

    @extend_schema(
        parameters=[OpenApiParameter("assay", str, description="The Tg assay to follow")],
        responses=DiseaseCourseOutput,
    )
    def get(self, request, patient_id: int):
        patient = access_patient(request.user, patient_id)
        summary = selectors.course_summary(
            patient, today=timezone.localdate(), assay=request.query_params.get("assay")
        )
        return Response(DiseaseCourseOutput(summary).data)


class ImagingStudyListApi(GenericAPIView):
    permission_classes = CLINICAL
    serializer_class = ImagingStudyOutput

    @extend_schema(responses=ImagingStudyOutput(many=True))
    def get(self, request, patient_id: int):
        patient = access_patient(request.user, patient_id)
        page = self.paginate_queryset(selectors.studies_of(patient).select_related("recorded_by"))
        return self.get_paginated_response(ImagingStudyOutput(page, many=True).data)

    @extend_schema(request=ImagingStudyInput, responses={201: ImagingStudyOutput})
    def post(self, request, patient_id: int):
        patient = access_patient(request.user, patient_id, write=True)
        data = ImagingStudyInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["targets"] = [dict(t) for t in values["targets"]]
        study = imaging.record_imaging_study(actor=request.user, patient=patient, **values)
        return Response(ImagingStudyOutput(study).data, status=status.HTTP_201_CREATED)


class ImagingStudyDetailApi(GenericAPIView):
    permission_classes = CLINICAL
    serializer_class = ImagingStudyOutput

    @extend_schema(responses=ImagingStudyOutput)
    def get(self, request, study_id: int):
        return Response(ImagingStudyOutput(access_imaging_study(request.user, study_id)).data)


class TgLabListApi(GenericAPIView):
    """Thyroglobulin labs, with the doubling time from the values that qualify."""

    permission_classes = CLINICAL
    serializer_class = TgLabsOutput
    pagination_class = None

    @extend_schema(
        parameters=[OpenApiParameter("assay", str, description="The Tg assay to follow")],
        responses=TgLabsOutput,
    )
    def get(self, request, patient_id: int):
        patient = access_patient(request.user, patient_id)
        rows = list(patient.tg_labs.select_related("recorded_by").order_by("drawn_on", "id"))
        answer = selectors.tg_doubling_time(
            patient, assay=request.query_params.get("assay"), labs=rows
        )
        return Response(TgLabsOutput({"results": rows, "doubling_time": answer}).data)

    @extend_schema(request=TgLabInput, responses={201: TgLabOutput})
    def post(self, request, patient_id: int):
        patient = access_patient(request.user, patient_id, write=True)
        data = TgLabInput(data=request.data)
        data.is_valid(raise_exception=True)
        lab = labs.record_tg_lab(actor=request.user, patient=patient, **data.validated_data)
        return Response(TgLabOutput(lab).data, status=status.HTTP_201_CREATED)


class BoardEntryListApi(GenericAPIView):
    """The tumour-board lists of the user's sites: open questions first."""

    permission_classes = CLINICAL
    serializer_class = BoardEntryOutput

    @extend_schema(
        parameters=[OpenApiParameter("status", str, description="open or decided")],
        responses=BoardEntryOutput(many=True),
    )
    def get(self, request):
        entries = selectors.board_entries_visible_to(request.user)
        wanted = request.query_params.get("status")
        if wanted is not None:
            entries = entries.filter(status=wanted)
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(BoardEntryOutput(page, many=True).data)

    @extend_schema(request=BoardEntryInput, responses={201: BoardEntryOutput})
    def post(self, request):
        data = BoardEntryInput(data=request.data)
        data.is_valid(raise_exception=True)
        patient = access_patient(request.user, data.validated_data["patient"], write=True)
        entry = board.add_board_entry(
            actor=request.user, patient=patient, question=data.validated_data["question"]
        )
        return Response(BoardEntryOutput(entry).data, status=status.HTTP_201_CREATED)


class BoardEntryDetailApi(GenericAPIView):
    permission_classes = CLINICAL
    serializer_class = BoardEntryOutput

    @extend_schema(responses=BoardEntryOutput)
    def get(self, request, entry_id: int):
        return Response(BoardEntryOutput(access_board_entry(request.user, entry_id)).data)


class BoardDecisionApi(GenericAPIView):
    """The meeting's decision for a listed patient; the oncologist's password is the
    signature (a wrong one counts like a failed sign-in)."""

    permission_classes = CLINICAL
    serializer_class = BoardDecisionInput

    @extend_schema(
        request=BoardDecisionInput,
        responses={
            201: BoardEntryOutput,
            429: OpenApiResponse(ErrorOutput, description=DESCRIPTIONS["429"]),
            409: OpenApiResponse(ErrorOutput, description=DESCRIPTIONS["409"]),
        },
    )
    def post(self, request, entry_id: int):
        entry = access_board_entry(request.user, entry_id)
        # Who may sign is settled before what was sent: a nurse gets 403 for any body.
        if not has_role(request.user, entry.site_id, *board.SIGNERS):
            raise PermissionDenied(_("Only an oncologist at this site signs the board's decision."))
        data = BoardDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            board.decide_board_entry(
                actor=request.user,
                entry=entry,
                origin=request._request,  # the address a wrong password counts against
                **data.validated_data,
            )
        except board.AlreadyDecided as taken:
            raise Conflict(str(taken)) from None
        entry = access_board_entry(request.user, entry_id)
        return Response(BoardEntryOutput(entry).data, status=status.HTTP_201_CREATED)

"""REST endpoints for patients, treatment courses and the dose ledger (/api/v1/)."""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from config.api import ErrorOutput
from config.schema import DESCRIPTIONS
from patients import selectors, services
from patients.access import access_course, access_patient, access_site, clinical_api_permissions
from patients.serializers import (
    CourseInput,
    CourseOutput,
    PatientInput,
    PatientOutput,
    PatientUpdateInput,
)

# Patients' records: signed in, no patient account, a clinical role at some site.
CLINICAL = clinical_api_permissions()


class PatientListApi(GenericAPIView):
    permission_classes = CLINICAL
    serializer_class = PatientOutput

    def get_queryset(self):
        return (
            selectors.patients_visible_to(self.request.user)
            .prefetch_related("molecular_findings")
            .order_by("id")
        )

    @extend_schema(responses=PatientOutput(many=True))
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(PatientOutput(page, many=True).data)

    @extend_schema(request=PatientInput, responses={201: PatientOutput})
    def post(self, request):
        data = PatientInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        site = access_site(request.user, values.pop("site"))
        findings = values.pop("molecular_findings", [])
        with transaction.atomic():
            patient = services.create_patient(actor=request.user, site=site, **values)
            for finding in findings:
                services.record_molecular_finding(actor=request.user, patient=patient, **finding)
        return Response(PatientOutput(patient).data, status=status.HTTP_201_CREATED)


class PatientDetailApi(GenericAPIView):
    permission_classes = CLINICAL
    serializer_class = PatientOutput

    @extend_schema(responses=PatientOutput)
    def get(self, request, patient_id: int):
        patient = access_patient(request.user, patient_id)
        return Response(PatientOutput(patient).data)

    @extend_schema(
        request=PatientUpdateInput,
        responses={
            200: PatientOutput,
            409: OpenApiResponse(ErrorOutput, description=DESCRIPTIONS["409"]),
        },
    )
    def patch(self, request, patient_id: int):
        patient = access_patient(request.user, patient_id, write=True)
        data = PatientUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        reason = values.pop("reason")
        patient = services.update_patient(
            actor=request.user, patient=patient, reason=reason, **values
        )
        return Response(PatientOutput(patient).data)


class CourseListApi(GenericAPIView):
    permission_classes = CLINICAL
    serializer_class = CourseOutput

    def get_queryset(self):
        return selectors.with_ledger(selectors.courses_visible_to(self.request.user)).order_by("id")

    @extend_schema(responses=CourseOutput(many=True))
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(CourseOutput(page, many=True).data)

    @extend_schema(request=CourseInput, responses={201: CourseOutput})
    def post(self, request):
        data = CourseInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        patient = access_patient(request.user, values.pop("patient"), write=True)
        course = services.start_course(actor=request.user, patient=patient, **values)
        return Response(CourseOutput(course).data, status=status.HTTP_201_CREATED)


class CourseDetailApi(GenericAPIView):
    permission_classes = CLINICAL
    serializer_class = CourseOutput

    @extend_schema(responses=CourseOutput)
    def get(self, request, course_id: int):
        return Response(CourseOutput(access_course(request.user, course_id)).data)

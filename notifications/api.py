"""REST endpoints for alerts (/api/v1/alerts/) and the user's notification preference."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from notifications import selectors, services
from notifications.models import NotificationPreference
from notifications.serializers import AlertOutput, PreferenceSerializer
from patients.access import clinical_api_permissions

# Patients' records: signed in, no patient account, a clinical role at some site.
CLINICAL = clinical_api_permissions()


class AlertListApi(GenericAPIView):
    permission_classes = CLINICAL
    serializer_class = AlertOutput

    def get_queryset(self):
        alerts = selectors.alerts_visible_to(self.request.user).order_by("-created_at", "-id")
        if self.request.query_params.get("open") in ("1", "true"):
            alerts = alerts.filter(acknowledged_at__isnull=True, episode_ended_at__isnull=True)
        return alerts

    @extend_schema(
        parameters=[OpenApiParameter("open", bool, description="Only unacknowledged alerts.")],
        responses=AlertOutput(many=True),
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(AlertOutput(page, many=True).data)


class AlertAcknowledgeApi(GenericAPIView):
    permission_classes = CLINICAL
    serializer_class = AlertOutput

    @extend_schema(request=None, responses=AlertOutput)
    def post(self, request, alert_id: int):
        alert = selectors.access_alert(request.user, alert_id)
        alert = services.acknowledge_alert(actor=request.user, alert=alert, via="API")
        return Response(AlertOutput(alert).data)


class PreferenceApi(GenericAPIView):
    serializer_class = PreferenceSerializer

    def _preference(self):
        return NotificationPreference.objects.get_or_create(user=self.request.user)[0]

    def get_object(self):
        """The signed-in user's own preference (OPTIONS describes PUT with it).

        Unsaved when there is none yet: describing the endpoint writes nothing.
        """
        found = NotificationPreference.objects.filter(user=self.request.user).first()
        return found or NotificationPreference(user=self.request.user)

    @extend_schema(responses=PreferenceSerializer)
    def get(self, request):
        return Response(PreferenceSerializer(self._preference()).data)

    @extend_schema(request=PreferenceSerializer, responses=PreferenceSerializer)
    def put(self, request):
        data = PreferenceSerializer(self._preference(), data=request.data)
        data.is_valid(raise_exception=True)
        data.save()
        return Response(data.data)

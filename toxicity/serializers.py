"""API shapes for visits and recommendations.

Input serializers are lean: they check types and shapes only and never query
the database (no related-object lookups, no unique checks). Observations are
passed through as the evaluation contract's objects; the service validates
them with the rule engine's own validation, so the API, the pages and
POST /api/v1/evaluate/ refuse the same things with the same field paths.
"""

from __future__ import annotations

from rest_framework import serializers

from toxicity.models import AntihypertensiveTherapy, Observation, Recommendation, Visit
from toxicity.services import Decision


class VisitInput(serializers.Serializer):
    course = serializers.IntegerField(min_value=1)
    occurred_at = serializers.DateTimeField()
    antihypertensive_therapy = serializers.ChoiceField(
        choices=AntihypertensiveTherapy.choices, default=AntihypertensiveTherapy.NONE
    )
    antihypertensive_stable_since = serializers.DateTimeField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    observations = serializers.ListField(
        child=serializers.DictField(),
        max_length=100,
        help_text="Objects of the evaluation contract (term, measurements or grade), plus "
        "optional source (nurse/lab/patient) and lowering_reason.",
    )


class VisitUpdateInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
    occurred_at = serializers.DateTimeField(required=False)
    antihypertensive_therapy = serializers.ChoiceField(
        choices=AntihypertensiveTherapy.choices, required=False
    )
    antihypertensive_stable_since = serializers.DateTimeField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    observations = serializers.ListField(
        child=serializers.DictField(), required=False, max_length=100
    )

    def validate_reason(self, value):
        if not value.strip():
            raise serializers.ValidationError("Say why this visit is being corrected.")
        return value


class ObservationOutput(serializers.ModelSerializer):
    class Meta:
        model = Observation
        fields = [
            "term",
            "measurements",
            "computed_grade",
            "clinician_grade",
            "final_grade",
            "provisional",
            "basis",
            "source",
            "ctcae_version",
            "lowering_reason",
        ]


class RecommendationSummary(serializers.ModelSerializer):
    class Meta:
        model = Recommendation
        fields = ["id", "action", "dose_mg_per_day", "needs_review", "status"]


class VisitOutput(serializers.ModelSerializer):
    patient = serializers.CharField(source="course.patient.reference_code")
    recorded_by = serializers.CharField(source="recorded_by.get_username")
    observations = ObservationOutput(many=True)
    recommendations = RecommendationSummary(many=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "course",
            "patient",
            "occurred_at",
            "recorded_by",
            "recorded_at",
            "antihypertensive_therapy",
            "antihypertensive_stable_since",
            "note",
            "revision",
            "evaluated_at",
            "evaluation",
            "observations",
            "recommendations",
        ]


class VisitCreatedOutput(VisitOutput):
    """The answer to a new visit, built from what was just written (no read-back).

    The evaluation is queued: GET the visit for its recommendations.
    """

    observations = ObservationOutput(many=True, source="saved_observations")
    recommendations = None

    class Meta(VisitOutput.Meta):
        fields = [f for f in VisitOutput.Meta.fields if f != "recommendations"]


class RecommendationOutput(serializers.ModelSerializer):
    patient = serializers.CharField(source="course.patient.reference_code")
    drug = serializers.CharField(source="course.drug")
    visit_occurred_at = serializers.DateTimeField(source="visit.occurred_at")
    reasons = serializers.JSONField(source="decision.reasons")
    grades = serializers.JSONField(source="decision.grades")
    resume_when = serializers.CharField(source="decision.resume_when", allow_blank=True)
    decided_by = serializers.CharField(source="decided_by.get_username", default=None)

    class Meta:
        model = Recommendation
        fields = [
            "id",
            "visit",
            "visit_revision",
            "visit_occurred_at",
            "course",
            "patient",
            "drug",
            "action",
            "dose_mg_per_day",
            "resume_dose_mg_per_day",
            "resume_when",
            "needs_review",
            "grades",
            "reasons",
            "rule_set",
            "rule_key",
            "engine_version",
            "policy",
            "status",
            "created_at",
            "decided_by",
            "decided_at",
            "decision_reason",
            "approved_dose_mg",
            "signature_meaning",
            "signer_name",
            "signature_sha256",
        ]


class InboxItemOutput(serializers.Serializer):
    recommendation = RecommendationOutput()
    observations = ObservationOutput(many=True)
    trend = serializers.SerializerMethodField()

    def get_trend(self, item) -> dict:
        return {
            term: [{"at": when.isoformat(), "grade": grade} for when, grade in points]
            for term, points in item.trend.items()
        }


class DecisionInput(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.ALL)
    password = serializers.CharField(trim_whitespace=False, max_length=512)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    dose_mg = serializers.DecimalField(
        max_digits=6, decimal_places=1, required=False, allow_null=True
    )

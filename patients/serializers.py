"""API input and output shapes for patients, courses and the dose ledger.

Input serializers only check shapes and types; the services decide what is
allowed, so the API and the pages refuse the same things.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers

from patients import limits, selectors
from patients.models import (
    DoseChange,
    DoseChangeKind,
    Drug,
    Histology,
    Marker,
    MarkerResult,
    Patient,
    RuleSet,
    Sex,
    TreatmentCourse,
)
from patients.services import PATIENT_FIELDS


class MolecularFindingSerializer(serializers.Serializer):
    marker = serializers.ChoiceField(choices=Marker.choices)
    result = serializers.ChoiceField(choices=MarkerResult.choices)
    tested_on = serializers.DateField(required=False, allow_null=True)
    method = serializers.CharField(required=False, allow_blank=True, max_length=limits.NAME_CHARS)


class PatientInput(serializers.Serializer):
    site = serializers.IntegerField(help_text="Site id; you must work there.")
    mrn = serializers.CharField(max_length=limits.MRN_CHARS)
    family_name = serializers.CharField(max_length=limits.NAME_CHARS)
    given_name = serializers.CharField(max_length=limits.NAME_CHARS)
    date_of_birth = serializers.DateField()
    sex = serializers.ChoiceField(choices=Sex.choices)
    histology = serializers.ChoiceField(choices=Histology.choices)
    diagnosis_date = serializers.DateField(required=False, allow_null=True)
    rai_refractory_date = serializers.DateField(required=False, allow_null=True)
    baseline_weight_kg = serializers.DecimalField(
        max_digits=5, decimal_places=1, min_value=1, required=False, allow_null=True
    )
    baseline_stools_per_day = serializers.IntegerField(
        min_value=0, max_value=50, required=False, allow_null=True
    )
    baseline_alt_u_l = serializers.DecimalField(
        max_digits=7, decimal_places=1, min_value=0, required=False, allow_null=True
    )
    baseline_ast_u_l = serializers.DecimalField(
        max_digits=7, decimal_places=1, min_value=0, required=False, allow_null=True
    )
    baseline_bilirubin_mg_dl = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    baseline_creatinine_mg_dl = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    baseline_qtc_ms = serializers.IntegerField(
        min_value=200, max_value=800, required=False, allow_null=True
    )
    molecular_findings = MolecularFindingSerializer(many=True, required=False)


class PatientUpdateInput(PatientInput):
    """Any field of the record, plus the reason for the change (kept in the audit)."""

    site = None
    molecular_findings = None
    reason = serializers.CharField(max_length=limits.REASON_CHARS)
    version = serializers.IntegerField(
        min_value=1,
        help_text="The record's `version` as you read it; a newer one answers 409 with "
        "who changed what since.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name not in ("reason", "version"):
                field.required = False

    def validate(self, attrs):
        # A partial update still needs its reason: every edit of a clinical record says why.
        if not (attrs.get("reason") or "").strip():
            raise serializers.ValidationError(
                {"reason": _("Say why this record is being changed.")}
            )
        if attrs.get("version") is None:
            raise serializers.ValidationError(
                {
                    "version": _(
                        "Send the version you read, so no colleague's change is overwritten."
                    )
                }
            )
        return attrs


class PatientOutput(serializers.ModelSerializer):
    site = serializers.CharField(source="site.name")
    molecular_findings = MolecularFindingSerializer(many=True)

    class Meta:
        model = Patient
        # The record's own fields are the ones the service lets a clinician write.
        fields = ["id", "reference_code", "site", *PATIENT_FIELDS, "molecular_findings", "version"]


class CourseInput(serializers.Serializer):
    patient = serializers.IntegerField()
    drug = serializers.ChoiceField(choices=Drug.choices)
    line_of_therapy = serializers.IntegerField(min_value=1, max_value=20, default=1)
    rule_set = serializers.ChoiceField(choices=RuleSet.choices, default=RuleSet.US_PI)
    start_date = serializers.DateField()
    starting_dose_mg = serializers.DecimalField(
        max_digits=6, decimal_places=1, min_value=0, help_text="mg per day"
    )
    off_ladder_justification = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=limits.REASON_CHARS
    )
    concurrent_course_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=limits.REASON_CHARS,
        help_text="Required when the patient has another open course: why both at once.",
    )


class CourseOutput(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()
    current_dose_mg = serializers.SerializerMethodField()
    held_at_dose_mg = serializers.SerializerMethodField()

    class Meta:
        model = TreatmentCourse
        fields = [
            "id",
            "patient",
            "drug",
            "line_of_therapy",
            "rule_set",
            "start_date",
            "starting_dose_mg",
            "concurrent_course_reason",
            "status",
            "current_dose_mg",
            "held_at_dose_mg",
        ]

    def _state(self, course):
        if not hasattr(course, "_dose_state"):
            course._dose_state = selectors.dose_state(course)
        return course._dose_state

    def get_status(self, course) -> str:
        return self._state(course).status

    def get_current_dose_mg(self, course) -> float:
        return self._state(course).dose_mg_per_day

    def get_held_at_dose_mg(self, course) -> float | None:
        return self._state(course).held_at_dose_mg


class DoseChangeInput(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[c for c in DoseChangeKind.choices if c[0] != DoseChangeKind.START]
    )
    dose_after_mg = serializers.DecimalField(max_digits=6, decimal_places=1, min_value=0)
    effective_at = serializers.DateTimeField(required=False)
    reason = serializers.CharField(max_length=limits.REASON_CHARS)
    off_ladder_justification = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=limits.REASON_CHARS
    )


class DoseChangeOutput(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.get_username")

    class Meta:
        model = DoseChange
        fields = [
            "id",
            "course",
            "kind",
            "effective_at",
            "dose_before_mg",
            "dose_after_mg",
            "reason",
            "off_ladder_justification",
            "recorded_by",
            "recorded_at",
        ]

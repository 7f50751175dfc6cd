"""API input and output shapes for the disease course.

Input serializers check shapes and types; the services decide what is allowed
(RECIST's target rules, Rec 59 and 60A, the Tg checks), so the API and the pages
refuse the same things.
"""

from __future__ import annotations

from datetime import date

from rest_framework import serializers

from disease.models import (
    AntiTg,
    BoardDecision,
    BoardEntry,
    BoardOutcome,
    DecisionDrug,
    DiseaseStatus,
    ImagingStudy,
    Modality,
    NonTarget,
    TargetLesion,
    ThyroglobulinLab,
)
from patients import limits


class DiseaseStatusInput(serializers.Serializer):
    reason = serializers.CharField(max_length=limits.REASON_CHARS)
    version = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text="The status's `version` as you read it (omit for the first status, required "
        "after it); a newer one answers 409.",
    )
    prior_rai_dose_on = serializers.DateField(required=False, allow_null=True)
    rai_refractory_on = serializers.DateField(required=False, allow_null=True)
    rai_refractory_criterion = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=limits.REASON_CHARS
    )
    on_active_surveillance = serializers.BooleanField(default=False)
    surveillance_since = serializers.DateField(required=False, allow_null=True)
    imaging_interval_months = serializers.IntegerField(
        required=False, allow_null=True, help_text="3-12 (ATA 2025 Rec 60A)"
    )
    symptomatic = serializers.BooleanField(default=False)
    symptoms = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=limits.REASON_CHARS
    )


class DiseaseStatusOutput(serializers.ModelSerializer):
    """A patient with no status recorded yet reads as `recorded: false`, every field empty."""

    recorded = serializers.SerializerMethodField()
    updated_by = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField(allow_null=True)
    rai_refractory_on = serializers.SerializerMethodField()
    rai_refractory_source = serializers.CharField(read_only=True)
    surveillance_source = serializers.CharField(read_only=True)

    def get_recorded(self, status) -> bool:
        return status.pk is not None

    def get_rai_refractory_on(self, status) -> date | None:
        # The patient record's date, as the status declared it; none before a status.
        return status.rai_refractory_on if status.pk is not None else None

    def get_updated_by(self, status) -> str | None:
        return status.updated_by.get_username() if status.pk is not None else None

    class Meta:
        model = DiseaseStatus
        fields = [
            "patient",
            "recorded",
            "prior_rai_dose_on",
            "rai_refractory_on",
            "rai_refractory_criterion",
            "rai_refractory_source",
            "on_active_surveillance",
            "surveillance_since",
            "imaging_interval_months",
            "surveillance_source",
            "symptomatic",
            "symptoms",
            "updated_by",
            "updated_at",
            "version",
        ]


class TargetInput(serializers.Serializer):
    label = serializers.CharField(max_length=12, help_text="Ties the lesion across studies: T1")
    organ = serializers.CharField(max_length=limits.NAME_CHARS)
    is_lymph_node = serializers.BooleanField(default=False)
    diameter_mm = serializers.DecimalField(
        max_digits=6,
        decimal_places=1,
        allow_null=True,
        help_text="Longest diameter, or the short axis of a node; 0 gone; null not measured.",
    )
    in_treated_field = serializers.BooleanField(default=False)
    progressed_since_treatment = serializers.BooleanField(default=False)


class ImagingStudyInput(serializers.Serializer):
    performed_on = serializers.DateField()
    baseline = serializers.BooleanField(
        help_text="A baseline starts a series; a follow-up is compared with the latest baseline."
    )
    modality = serializers.ChoiceField(choices=Modality.choices)
    targets = TargetInput(many=True, allow_empty=True)
    non_target = serializers.ChoiceField(choices=NonTarget.choices)
    new_lesions = serializers.IntegerField(min_value=0, max_value=1000, default=0)
    new_lesion_sites = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=limits.NAME_CHARS
    )
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=limits.NOTE_CHARS
    )


class TargetOutput(serializers.ModelSerializer):
    class Meta:
        model = TargetLesion
        fields = [
            "label",
            "organ",
            "is_lymph_node",
            "diameter_mm",
            "in_treated_field",
            "progressed_since_treatment",
        ]


class ReasonOutput(serializers.Serializer):
    code = serializers.CharField()
    text = serializers.CharField()
    source = serializers.CharField()


class ImagingStudyOutput(serializers.ModelSerializer):
    is_baseline = serializers.BooleanField()
    targets = TargetOutput(many=True)
    reasons = ReasonOutput(many=True)
    recorded_by = serializers.CharField(source="recorded_by.get_username")

    class Meta:
        model = ImagingStudy
        fields = [
            "id",
            "patient",
            "is_baseline",
            "baseline",
            "performed_on",
            "modality",
            "targets",
            "non_target",
            "new_lesions",
            "new_lesion_sites",
            "note",
            "sum_mm",
            "baseline_sum_mm",
            "nadir_mm",
            "change_from_baseline_pct",
            "change_from_nadir_pct",
            "change_from_nadir_mm",
            "target_response",
            "response",
            "reasons",
            "recorded_by",
            "recorded_at",
        ]


class TgLabInput(serializers.Serializer):
    drawn_on = serializers.DateField()
    tg_ng_ml = serializers.DecimalField(max_digits=10, decimal_places=2, help_text="ng/mL")
    anti_tg_antibody = serializers.ChoiceField(choices=AntiTg.choices)
    tsh_miu_l = serializers.DecimalField(
        max_digits=8, decimal_places=3, allow_null=True, help_text="mIU/L; null not measured"
    )
    assay = serializers.CharField(max_length=limits.NAME_CHARS)


class TgLabOutput(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.get_username")

    class Meta:
        model = ThyroglobulinLab
        fields = [
            "id",
            "patient",
            "drawn_on",
            "tg_ng_ml",
            "anti_tg_antibody",
            "tsh_miu_l",
            "assay",
            "recorded_by",
            "recorded_at",
        ]


class ExclusionOutput(serializers.Serializer):
    drawn_on = serializers.DateField(source="measurement.date")
    assay = serializers.CharField(source="measurement.assay")
    reason = serializers.CharField()


class TgDoublingTimeOutput(serializers.Serializer):
    status = serializers.CharField()
    doubling_time_years = serializers.FloatField(allow_null=True)
    slope_per_year = serializers.FloatField(allow_null=True)
    category = serializers.CharField(allow_null=True)
    assay = serializers.CharField(allow_null=True)
    values_used = serializers.SerializerMethodField()
    excluded = ExclusionOutput(many=True)
    reason = serializers.CharField(help_text="Why nothing was computed, when it was not.")
    source = serializers.CharField()

    def get_values_used(self, answer) -> int:
        return len(answer.used)


class TgLabsOutput(serializers.Serializer):
    results = TgLabOutput(many=True)
    doubling_time = TgDoublingTimeOutput()


class RecOutput(serializers.Serializer):
    number = serializers.CharField()
    text = serializers.CharField()
    source = serializers.CharField()
    tag = serializers.CharField()


class DrugOutput(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    indication = serializers.CharField()
    source = serializers.CharField()


class OptionOutput(serializers.Serializer):
    code = serializers.CharField()
    finding = serializers.CharField()
    recommendation = RecOutput(source="rec")
    drugs = DrugOutput(many=True)
    note = serializers.CharField()
    unconfirmed = serializers.BooleanField()


class FlagOutput(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    rule = serializers.CharField()
    source = serializers.CharField()


class ProgressionOutput(serializers.Serializer):
    baseline_on = serializers.DateField(allow_null=True)
    progression_on = serializers.DateField(allow_null=True)
    window = serializers.CharField()


class ImagingDueOutput(serializers.Serializer):
    interval_months = serializers.IntegerField()
    last_imaging_on = serializers.DateField(allow_null=True)
    due_on = serializers.DateField()
    overdue = serializers.BooleanField()
    source = serializers.CharField()


class DiseaseCourseOutput(serializers.Serializer):
    """Decision support for the team: no flag or option starts or chooses a therapy."""

    imaging_due = ImagingDueOutput(
        allow_null=True, help_text="Only for a patient on active surveillance (Rec 60A)."
    )
    progression = ProgressionOutput()
    thyroglobulin = TgDoublingTimeOutput(source="tg")
    options = OptionOutput(many=True)
    flags = FlagOutput(many=True)


class BoardEntryInput(serializers.Serializer):
    patient = serializers.IntegerField()
    question = serializers.CharField(max_length=limits.REASON_CHARS)


class BoardDecisionOutput(serializers.ModelSerializer):
    class Meta:
        model = BoardDecision
        fields = [
            "meeting_on",
            "outcome",
            "drug",
            "detail",
            "attendees",
            "reason",
            "signer_name",
            "decided_at",
            "signature_meaning",
            "signature_sha256",
        ]


class BoardEntryOutput(serializers.ModelSerializer):
    patient_reference = serializers.CharField(source="patient.reference_code")
    added_by = serializers.CharField(source="added_by.get_username")
    decision = serializers.SerializerMethodField()

    class Meta:
        model = BoardEntry
        fields = [
            "id",
            "site",
            "patient",
            "patient_reference",
            "question",
            "status",
            "added_by",
            "added_at",
            "decision",
        ]

    def get_decision(self, entry) -> dict | None:
        decision = getattr(entry, "decision", None) if entry.status == "decided" else None
        return None if decision is None else BoardDecisionOutput(decision).data


class BoardDecisionInput(serializers.Serializer):
    meeting_on = serializers.DateField()
    outcome = serializers.ChoiceField(choices=BoardOutcome.choices)
    drug = serializers.ChoiceField(
        choices=DecisionDrug.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="For start_mki (lenvatinib, sorafenib, cabozantinib) or "
        "start_targeted_therapy (the drugs of reference.md 3.2; no dose rules for them yet).",
    )
    detail = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=limits.NAME_CHARS
    )
    attendees = serializers.CharField(max_length=limits.REASON_CHARS)
    reason = serializers.CharField(max_length=limits.REASON_CHARS)
    password = serializers.CharField(trim_whitespace=False, max_length=512)

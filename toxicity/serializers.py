"""API shapes for visits and recommendations.

Input serializers are lean: they check types and shapes only and never query
the database (no related-object lookups, no unique checks). Observations are
passed through as the evaluation contract's objects; the service validates
them with the rule engine's own validation, so the API, the pages and
POST /api/v1/evaluate/ refuse the same things with the same field paths.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers

from patients import limits
from patients.models import Drug, RuleSet
from toxicity.models import Action, AntihypertensiveTherapy, Observation, Recommendation, Visit
from toxicity.services.decisions import Decision
from toxicity.signoff import NOT_SIGNED_OFF, SIGNED_OFF


class VisitInput(serializers.Serializer):
    course = serializers.IntegerField(min_value=1)
    occurred_at = serializers.DateTimeField()
    antihypertensive_therapy = serializers.ChoiceField(
        choices=AntihypertensiveTherapy.choices, default=AntihypertensiveTherapy.NONE
    )
    antihypertensive_stable_since = serializers.DateTimeField(required=False, allow_null=True)
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=limits.NOTE_CHARS
    )
    observations = serializers.ListField(
        child=serializers.DictField(),
        max_length=100,
        help_text="Objects of the evaluation contract (term, measurements or grade), plus "
        "optional source (nurse/lab/patient) and lowering_reason.",
    )


class VisitUpdateInput(serializers.Serializer):
    reason = serializers.CharField(max_length=limits.REASON_CHARS)
    revision = serializers.IntegerField(
        min_value=1,
        help_text="The visit's `revision` as you read it; a newer one answers 409 with "
        "who changed what since.",
    )
    occurred_at = serializers.DateTimeField(required=False)
    antihypertensive_therapy = serializers.ChoiceField(
        choices=AntihypertensiveTherapy.choices, required=False
    )
    antihypertensive_stable_since = serializers.DateTimeField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=limits.NOTE_CHARS)
    observations = serializers.ListField(
        child=serializers.DictField(), required=False, max_length=100
    )

    def validate_reason(self, value):
        if not value.strip():
            raise serializers.ValidationError(_("Say why this visit is being corrected."))
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


def rule_set_validation(recommendation: Recommendation) -> dict:
    """Whether the site's pharmacist had signed off the rule set version the engine used.

    Read from the recommendation's own stamp (set when it was made), so a later
    sign-off never makes an older recommendation look validated.
    """
    if recommendation.rule_set_signoff_id is None:
        return {"validated": False, "status": NOT_SIGNED_OFF, "signoff": None}
    signoff = recommendation.rule_set_signoff
    return {
        "validated": True,
        "status": SIGNED_OFF,
        "signoff": {
            "id": signoff.pk,
            "fingerprint": signoff.fingerprint,
            "engine_version": signoff.engine_version,
            "signed_by": signoff.signer_name,
            "signed_at": signoff.signed_at.isoformat(),
        },
    }


class RecommendationSummary(serializers.ModelSerializer):
    rule_set_validated = serializers.SerializerMethodField()

    class Meta:
        model = Recommendation
        fields = ["id", "action", "dose_mg_per_day", "needs_review", "status", "rule_set_validated"]

    def get_rule_set_validated(self, recommendation) -> bool:
        return recommendation.rule_set_signoff_id is not None


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
    decided_by = serializers.CharField(
        source="decided_by.get_username", default=None, allow_null=True
    )
    rule_set_validation = serializers.SerializerMethodField()

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
            "rule_set_validation",
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

    def get_rule_set_validation(self, recommendation) -> dict:
        return rule_set_validation(recommendation)


class InboxItemOutput(serializers.Serializer):
    recommendation = RecommendationOutput()
    observations = ObservationOutput(many=True)
    trend = serializers.SerializerMethodField()

    def get_trend(self, item) -> dict:
        return {
            term: [{"at": when.isoformat(), "grade": grade} for when, grade in points]
            for term, points in item.trend.items()
        }


class InboxOutput(serializers.Serializer):
    """The whole pending inbox of the user's sites (not paginated: it is a worklist)."""

    count = serializers.IntegerField()
    results = InboxItemOutput(many=True)


class DecisionInput(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.ALL)
    password = serializers.CharField(trim_whitespace=False, max_length=512)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=limits.REASON_CHARS)
    dose_mg = serializers.DecimalField(
        max_digits=6, decimal_places=1, required=False, allow_null=True
    )


# --- POST /api/v1/evaluate/ (docs/sources/evaluate-contract.md) -----------------
# These describe the contract in the OpenAPI schema. The view hands the JSON to the
# rule engine as it came, and the engine's own validation (toxicity.rules.evaluate)
# decides what is refused, with the contract's field paths.

_DRUGS = Drug.choices
_RULE_SETS = RuleSet.choices
_ACTIONS = Action.choices


def _number(help_text: str = "", **kwargs):
    return serializers.FloatField(required=False, help_text=help_text, **kwargs)


class EvaluateObservation(serializers.Serializer):
    term = serializers.CharField(help_text="CTCAE v5.0 term, lower snake case.")
    grade = serializers.IntegerField(
        required=False, min_value=0, max_value=5, help_text="Clinician grade (policy 7)."
    )
    intolerable = serializers.BooleanField(required=False)
    persistent = serializers.BooleanField(required=False)
    symptomatic = serializers.BooleanField(required=False)
    readings = serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2),
        required=False,
        min_length=1,
        max_length=20,
        help_text="Blood pressure readings [[sbp, dbp], ...] (hypertension).",
    )
    sbp = _number("mmHg (hypertension)")
    dbp = _number("mmHg (hypertension)")
    optimal_antihypertensive_therapy = serializers.BooleanField(required=False)
    antihypertensive_stable_hours = _number("Hours the antihypertensive dose is unchanged.")
    stools_per_day = _number("diarrhea")
    baseline_stools_per_day = _number("diarrhea")
    weight_kg = _number("weight_loss")
    baseline_weight_kg = _number("weight_loss")
    urine_protein_g_24h = _number("proteinuria")
    dipstick = serializers.ChoiceField(
        choices=["negative", "trace", "1+", "2+", "3+", "4+"], required=False
    )
    upcr_g_per_g = _number("proteinuria")
    value = _number("Lab value (ALT, AST, bilirubin, creatinine), in the unit of uln.")
    uln = _number("Upper limit of normal.")
    baseline = _number("Baseline lab value.")
    qtc_ms = _number("Average QTc of replicates.")
    baseline_qtc_ms = _number()
    calcium_mg_dl = _number("hypocalcemia")
    albumin_g_dl = _number("hypocalcemia (corrected calcium)")
    ionized_calcium_mmol_l = _number("hypocalcemia")
    lln = _number("Lower limit of normal (hypocalcemia).")


class EvaluateInput(serializers.Serializer):
    drug = serializers.ChoiceField(choices=_DRUGS)
    rule_set = serializers.ChoiceField(choices=_RULE_SETS, required=False, default="us_pi")
    dose_mg_per_day = serializers.FloatField(
        help_text="A level of the drug's ladder: the dose taken now, or when the hold began."
    )
    on_hold = serializers.BooleanField(required=False, default=False)
    hold_reason_terms = serializers.ListField(child=serializers.CharField(), required=False)
    holds_at_current_dose = serializers.IntegerField(required=False, min_value=0, max_value=1000)
    occurrences = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=1000), required=False
    )
    observations = EvaluateObservation(many=True, required=False, max_length=100)


class EvaluateReason(serializers.Serializer):
    term = serializers.CharField(allow_null=True)
    grade = serializers.IntegerField(allow_null=True)
    rule = serializers.CharField()
    action = serializers.ChoiceField(choices=_ACTIONS)
    source = serializers.CharField(allow_blank=True)
    text = serializers.CharField(allow_blank=True)


class EvaluateTerm(serializers.Serializer):
    name = serializers.CharField(help_text="The CTCAE v5.0 term as printed.")
    meddra_code = serializers.CharField(help_text="Its MedDRA lowest-level term code.")


class EvaluateOutput(serializers.Serializer):
    grades = serializers.DictField(child=serializers.IntegerField(allow_null=True))
    terms = serializers.DictField(
        child=EvaluateTerm(),
        required=False,
        help_text="For each graded term: its CTCAE v5.0 name and MedDRA code (optional).",
    )
    provisional = serializers.ListField(child=serializers.CharField())
    action = serializers.ChoiceField(choices=_ACTIONS)
    dose_mg_per_day = serializers.FloatField()
    resume_dose_mg_per_day = serializers.FloatField(allow_null=True)
    resume_when = serializers.CharField(allow_blank=True)
    needs_review = serializers.BooleanField()
    rule_set = serializers.ChoiceField(choices=_RULE_SETS)
    reasons = EvaluateReason(many=True)

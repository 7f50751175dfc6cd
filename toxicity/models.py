"""Visits, their graded observations, the engine's recommendations, and due checks.

Visit, Observation and Recommendation are clinical records: audited by
django-simple-history and never deleted (patients.models.ClinicalRecord). Every
write goes through toxicity.services, which names the actor and the reason.

DueCheck is operational bookkeeping (what falls due when, and whether the
overdue sweep has acted on it). It is not audited, so the sweep can claim a row
with a conditional UPDATE: `filter(pk=x, overdue_marked_at=None).update(...)`
returns 1 for exactly one claimant.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from patients import limits
from patients.models import ClinicalRecord, Drug, Patient, RuleSet, Site, TreatmentCourse


def _grade_in_range(field: str) -> Q:
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": 0, f"{field}__lte": 5})


class AntihypertensiveTherapy(models.TextChoices):
    NONE = "none", _("None")
    STARTED = "started", _("Started or being adjusted")
    OPTIMAL = "optimal", _("Optimal (maximal tolerated)")


class Visit(ClinicalRecord):
    """One contact at which a nurse recorded vitals, symptoms or labs for a course."""

    course = models.ForeignKey(TreatmentCourse, on_delete=models.PROTECT, related_name="visits")
    occurred_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    updated_at = models.DateTimeField(help_text="Last save of the visit's clinical content.")
    antihypertensive_therapy = models.CharField(
        max_length=10,
        choices=AntihypertensiveTherapy.choices,
        default=AntihypertensiveTherapy.NONE,
    )
    antihypertensive_stable_since = models.DateTimeField(
        null=True, blank=True, help_text="Since when the antihypertensive dose is unchanged."
    )
    note = models.TextField(
        blank=True, max_length=limits.NOTE_CHARS, validators=limits.validators(limits.NOTE_CHARS)
    )
    # Bookkeeping of the evaluation pipeline. `revision` counts saves of the
    # clinical content; the engine's answer for a revision is kept until the
    # next edit, and `evaluated_at` is cleared by an edit so the sweep finds it.
    revision = models.PositiveIntegerField(default=1)
    evaluated_at = models.DateTimeField(null=True, blank=True)
    evaluated_revision = models.PositiveIntegerField(null=True, blank=True)
    evaluation = models.JSONField(
        null=True,
        blank=True,
        help_text="The engine's answer for the evaluated revision (evaluate-contract.md), "
        "or {'skipped': why} when the course could not be evaluated.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["course", "occurred_at"], name="visit_course_time_idx"),
            models.Index(
                fields=["updated_at"],
                condition=Q(evaluated_at__isnull=True),
                name="visit_unevaluated_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(revision__gte=1), name="visit_revision_from_1"),
        ]

    def __str__(self) -> str:
        return f"Visit {self.pk} of course {self.course_id}"


class ObservationSource(models.TextChoices):
    NURSE = "nurse", _("Nurse")
    LAB = "lab", _("Laboratory")
    PATIENT = "patient", _("Patient-reported")


class Observation(ClinicalRecord):
    """One CTCAE term at one visit: what was measured, and the grades that follow.

    `measurements` uses the field names of evaluate-contract.md (readings,
    stools_per_day, value/uln/baseline, ...), with the patient's baselines filled
    in at the time of the visit, so the grade can be recomputed from the row alone.
    """

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="observations")
    term = models.CharField(max_length=80, help_text="CTCAE v5.0 term key, lower snake case.")
    measurements = models.JSONField(default=dict, blank=True)
    computed_grade = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="From the measurements (toxicity.ctcae.grading)."
    )
    clinician_grade = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Chosen from the CTCAE descriptors."
    )
    final_grade = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="The grade of record: the higher of the two, or the clinician's lower "
        "grade when a written lowering reason is given (policy 7).",
    )
    provisional = models.BooleanField(default=False)
    basis = models.CharField(max_length=300, blank=True, help_text="How the grade was obtained.")
    source = models.CharField(
        max_length=10, choices=ObservationSource.choices, default=ObservationSource.NURSE
    )
    ctcae_version = models.CharField(max_length=8, default="5.0")
    lowering_reason = models.TextField(
        blank=True,
        max_length=limits.REASON_CHARS,
        validators=limits.validators(limits.REASON_CHARS),
        help_text="Required when the clinician grade is below the computed grade (policy 7).",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["visit_id", "term"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "term"], name="one_observation_per_term"),
            models.CheckConstraint(
                condition=_grade_in_range("computed_grade"), name="computed_grade_0_5"
            ),
            models.CheckConstraint(
                condition=_grade_in_range("clinician_grade"), name="clinician_grade_0_5"
            ),
            models.CheckConstraint(
                condition=_grade_in_range("final_grade"), name="final_grade_0_5"
            ),
            # policy 7: a clinician grade below the computed one carries a written reason.
            models.CheckConstraint(
                condition=Q(clinician_grade__isnull=True)
                | Q(computed_grade__isnull=True)
                | Q(clinician_grade__gte=F("computed_grade"))
                | ~Q(lowering_reason=""),
                name="lowering_needs_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.term} grade {self.final_grade}"


class Action(models.TextChoices):
    # Most restrictive first (policy 2); the inbox sorts on SEVERITY below.
    DISCONTINUE = "discontinue", _("Discontinue")
    WITHHOLD = "withhold", _("Withhold")
    REDUCE = "reduce", _("Reduce")
    RESUME = "resume", _("Resume")
    CONTINUE = "continue", _("Continue")


SEVERITY = {
    Action.DISCONTINUE: 4,
    Action.WITHHOLD: 3,
    Action.REDUCE: 2,
    Action.RESUME: 1,
    Action.CONTINUE: 0,
}


class RecommendationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    APPROVED_MODIFIED = "approved_modified", _("Approved with another dose")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Superseded")


SIGNATURE_MEANING = "approved dose change"
# A hold is signed with the dose it will resume at: "approved hold, resume at 14 mg/day".
HOLD_SIGNATURE_MEANING = "approved hold, resume at {dose} mg/day"
REJECTION_MEANING = "rejected dose recommendation"


class Recommendation(ClinicalRecord):
    """What the engine suggested after one evaluation of a visit, and who decided it.

    Unique per (visit, visit_revision, rule_key): `rule_key` is the id of the rule
    that governs the decision (the first reason whose action is the decision's
    action; `<drug>.<rule_set>.continue.review` for a flagged continue). A retried
    or duplicated evaluation of the same visit revision therefore adds nothing.
    """

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="recommendations")
    course = models.ForeignKey(
        TreatmentCourse, on_delete=models.PROTECT, related_name="recommendations"
    )
    visit_revision = models.PositiveIntegerField()
    rule_key = models.CharField(max_length=160)
    created_at = models.DateTimeField()
    # The decision snapshot: the engine's whole answer, and what it was given.
    decision = models.JSONField(help_text="The engine's response (evaluate-contract.md).")
    engine_request = models.JSONField(help_text="The request the engine answered.")
    action = models.CharField(max_length=12, choices=Action.choices)
    severity = models.PositiveSmallIntegerField(help_text="Sort key: discontinue 4 ... continue 0.")
    dose_mg_per_day = models.DecimalField(max_digits=6, decimal_places=1)
    resume_dose_mg_per_day = models.DecimalField(
        max_digits=6, decimal_places=1, null=True, blank=True
    )
    needs_review = models.BooleanField(default=False)
    reason_terms = models.JSONField(
        default=list, help_text="Terms whose reasons carry the decision's action."
    )
    rule_set = models.CharField(max_length=10, choices=RuleSet.choices)
    engine_version = models.CharField(max_length=20)
    policy = models.JSONField(help_text="policy_snapshot() of the settings used.")
    # The decision by an oncologist, signed by re-entering the password.
    status = models.CharField(
        max_length=20, choices=RecommendationStatus.choices, default=RecommendationStatus.PENDING
    )
    superseded_by_visit = models.ForeignKey(
        Visit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(
        blank=True,
        max_length=limits.REASON_CHARS,
        validators=limits.validators(limits.REASON_CHARS),
    )
    approved_dose_mg = models.DecimalField(
        max_digits=6, decimal_places=1, null=True, blank=True, help_text="The dose from now on."
    )
    approved_resume_dose_mg = models.DecimalField(
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        help_text="A hold approved with another dose: the dose to resume at once recovered.",
    )
    resume_plan = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The signed hold whose resume dose this recommendation follows.",
    )
    dose_change = models.OneToOneField(
        "patients.DoseChange",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recommendation",
        help_text="The dose-ledger row that carries out this signed recommendation, if any.",
    )
    signature_meaning = models.CharField(max_length=40, blank=True)
    signer_name = models.CharField(max_length=200, blank=True)
    signature_sha256 = models.CharField(max_length=64, blank=True)
    rule_set_signoff = models.ForeignKey(
        "RuleSetSignOff",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recommendations",
        help_text="The pharmacist's sign-off of the rule set version the engine used, set "
        "when the recommendation was made; empty: not yet signed off at this site.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-severity", "-needs_review", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "visit_revision", "rule_key"],
                name="one_recommendation_per_visit_rule",
            ),
            models.CheckConstraint(
                condition=Q(status__in=RecommendationStatus.values), name="recommendation_status"
            ),
            models.CheckConstraint(
                condition=Q(action__in=Action.values), name="recommendation_action"
            ),
            models.CheckConstraint(
                condition=Q(dose_mg_per_day__gte=0), name="recommended_dose_not_negative"
            ),
            # A decided recommendation names who signed, when and what it meant.
            models.CheckConstraint(
                condition=Q(status__in=["pending", "superseded"])
                | (Q(decided_by__isnull=False, decided_at__isnull=False) & ~Q(signature_sha256="")),
                name="decision_is_signed",
            ),
        ]
        indexes = [
            models.Index(
                fields=["course"], condition=Q(status="pending"), name="rec_pending_course_idx"
            ),
            models.Index(
                fields=["-severity", "-needs_review", "created_at"],
                condition=Q(status="pending"),
                name="rec_inbox_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Recommendation {self.pk}: {self.action} ({self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status == RecommendationStatus.PENDING

    @property
    def is_signed(self) -> bool:
        return bool(self.signature_sha256)

    @property
    def decision_text(self) -> str:
        """What was decided, in the clinic's words: "Hold now; resume at 14 mg/day once
        recovered (dose chosen by the oncologist)"."""
        if self.status == RecommendationStatus.REJECTED:
            return gettext("Rejected")
        chosen = self.status == RecommendationStatus.APPROVED_MODIFIED
        if self.status != RecommendationStatus.APPROVED and not chosen:
            return str(self.get_status_display())
        if self.action == Action.WITHHOLD:
            resume = (
                self.approved_resume_dose_mg
                if self.approved_resume_dose_mg is not None
                else self.resume_dose_mg_per_day
            )
            if resume is None:
                text = gettext("Hold now")
            else:
                text = gettext("Hold now; resume at %(dose)s mg/day once recovered") % {
                    "dose": f"{float(resume):g}"
                }
            if chosen:
                text += " " + gettext("(resume dose chosen by the oncologist)")
            return text
        if self.approved_dose_mg is None:
            text = gettext("%(action)s approved") % {"action": self.get_action_display()}
        else:
            text = gettext("%(action)s approved, %(dose)s mg/day") % {
                "action": self.get_action_display(),
                "dose": f"{float(self.approved_dose_mg):g}",
            }
        if chosen:
            text += " " + gettext("(dose chosen by the oncologist)")
        return text

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # Whether the row was signed when it was read: a signed row is never saved again.
        instance._signed_when_loaded = bool(instance.__dict__.get("signature_sha256"))
        return instance

    def save(self, *args, **kwargs):
        if getattr(self, "_signed_when_loaded", False):
            raise SignedRecordError(
                f"Recommendation {self.pk} is signed and cannot be changed: record a "
                "correction (toxicity.services.corrections.correct_decision)."
            )
        super().save(*args, **kwargs)


class SignedRecordError(Exception):
    """A signed decision, or a signed correction, cannot be changed."""


CORRECTION_MEANING = "corrected signed decision"


class DecisionCorrection(ClinicalRecord):
    """A correction of a signed decision: a new signed record that references the old one.

    The signed recommendation stays as it was signed. A correction says what the
    decision's record should have said (the reason as it should read) and why it
    is corrected, and is itself signed by an oncologist of the site re-entering
    their password (toxicity.services.corrections.correct_decision). A later
    correction of the same decision refers to the one it replaces. A correction never changes the
    dose ledger: a dose that must change is a new dose change, as always.
    """

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, related_name="corrections"
    )
    replaces = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
        help_text="The earlier correction of the same decision that this one replaces.",
    )
    corrected_reason = models.TextField(
        help_text="The decision's reason as it should read.",
        max_length=limits.REASON_CHARS,
        validators=limits.validators(limits.REASON_CHARS),
    )
    explanation = models.TextField(
        help_text="Why the signed record is corrected.",
        max_length=limits.REASON_CHARS,
        validators=limits.validators(limits.REASON_CHARS),
    )
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    corrected_at = models.DateTimeField()
    signer_name = models.CharField(max_length=200)
    signature_meaning = models.CharField(max_length=40, default=CORRECTION_MEANING)
    signature_sha256 = models.CharField(max_length=64)
    history = HistoricalRecords()

    class Meta:
        ordering = ["corrected_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(signature_sha256="") & ~Q(explanation=""),
                name="correction_is_signed_and_explained",
            ),
        ]

    def __str__(self) -> str:
        return f"Correction {self.pk} of recommendation {self.recommendation_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise SignedRecordError("A signed correction cannot be changed: record another.")
        super().save(*args, **kwargs)


class CheckKind(models.TextChoices):
    BLOOD_PRESSURE = "blood_pressure", _("Blood pressure")
    LIVER = "liver", _("Liver tests (ALT, AST, bilirubin)")
    URINE_PROTEIN = "urine_protein", _("Urine protein")
    THYROID = "thyroid", _("Thyroid function (TSH)")
    CALCIUM = "calcium", _("Blood calcium")
    ECG = "ecg", _("ECG (QTc)")


class DueCheck(models.Model):
    """A monitoring check that falls due for a course at a time (toxicity.monitoring).

    Operational, not audited: rows are created idempotently (unique per course,
    kind and due time), satisfied by a later visit carrying the measurement,
    and claimed once by the overdue sweep with a conditional UPDATE.
    """

    course = models.ForeignKey(TreatmentCourse, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=CheckKind.choices)
    due_at = models.DateTimeField()
    overdue_after = models.DateTimeField(help_text="Due time plus the schedule's grace.")
    source = models.CharField(max_length=300, help_text="Label text or policy it comes from.")
    confirmed = models.BooleanField(help_text="False where the schedule is [U] unconfirmed.")
    created_at = models.DateTimeField(auto_now_add=True)
    satisfied_at = models.DateTimeField(null=True, blank=True)
    overdue_marked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "kind", "due_at"], name="one_due_check_per_time"
            ),
        ]
        indexes = [
            models.Index(
                fields=["overdue_after"],
                condition=Q(satisfied_at__isnull=True, overdue_marked_at__isnull=True),
                name="duecheck_open_idx",
            ),
            models.Index(
                fields=["course", "kind"],
                condition=Q(satisfied_at__isnull=True),
                name="duecheck_course_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} due {self.due_at:%Y-%m-%d}"


SIGNOFF_MEANING = "signed off rule set for use at this site"


class RuleRowConfirmation(ClinicalRecord):
    """A pharmacist's check of one unconfirmed rule row against the label, at one site.

    It is for the row's content as it was checked (``row_sha256``, see
    toxicity.rule_fingerprint.row_fingerprint): once the row changes, the
    confirmation no longer counts and the row is unconfirmed again.
    """

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    drug = models.CharField(max_length=20, choices=Drug.choices)
    rule_set = models.CharField(max_length=10, choices=RuleSet.choices)
    rule_id = models.CharField(max_length=160)
    row_sha256 = models.CharField(max_length=64)
    label_section = models.CharField(
        max_length=200, help_text="The label section the row was checked against."
    )
    checked_on = models.DateField(help_text="The date the row was checked against the label.")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["rule_id", "confirmed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "rule_id", "row_sha256"], name="one_confirmation_per_row_version"
            ),
            models.CheckConstraint(
                condition=~Q(label_section=""), name="confirmation_names_section"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} confirmed at site {self.site_id}"


class RuleSetSignOff(ClinicalRecord):
    """A pharmacist's signature: this site may rely on this version of a rule set.

    A version is one ``fingerprint`` (toxicity.rule_fingerprint): the rows with
    their sources and confirmed flags, the engine version and the policy
    settings. A changed rule set has another fingerprint and needs a new
    sign-off. ``content`` is what was signed (fingerprint, the site's row
    confirmations it counted, the rows still unconfirmed); the signature hash
    covers it (toxicity.signoff.signoff_content). Never edited.
    """

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    drug = models.CharField(max_length=20, choices=Drug.choices)
    rule_set = models.CharField(max_length=10, choices=RuleSet.choices)
    fingerprint = models.CharField(max_length=64)
    engine_version = models.CharField(max_length=20)
    content = models.JSONField(help_text="What the signature covers, besides the signer.")
    confirmed_rows = models.PositiveIntegerField(
        help_text="Rows confirmed by the rule data or by this site's pharmacist."
    )
    unconfirmed_rows = models.PositiveIntegerField()
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField()
    signer_name = models.CharField(max_length=200)
    signature_meaning = models.CharField(max_length=60, default=SIGNOFF_MEANING)
    signature_sha256 = models.CharField(max_length=64)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-signed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "drug", "rule_set", "fingerprint"],
                name="one_signoff_per_rule_set_version",
            ),
            models.CheckConstraint(condition=~Q(signature_sha256=""), name="signoff_is_signed"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.drug}/{self.rule_set} {self.fingerprint[:12]} signed off at site {self.site_id}"
        )

    @property
    def version(self) -> str:
        """The short form of the fingerprint shown to clinicians."""
        return self.fingerprint[:12]

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise SignedRecordError("A signed sign-off cannot be changed: sign the new version.")
        super().save(*args, **kwargs)


# --- Rule-set impact reports --------------------------------------------------------------


class ImpactStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")
    FAILED = "failed", _("Failed")


class ImpactReport(models.Model):
    """What a candidate rule set would have decided differently over past visits.

    Nothing clinical changes: the visits in scope are evaluated again under the
    rules in force and under the candidate (toxicity/rules/candidate.py), on the
    workers, a chunk of courses per task (toxicity/services/impact.py). The report
    keeps who ran it, when, why, the scope, the candidate and the exact rule-set
    versions (fingerprints) on both sides. Its rows are written by the workers and
    by the person who cancels it; it is never edited otherwise.
    """

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    reason = models.TextField(
        max_length=limits.REASON_CHARS, validators=limits.validators(limits.REASON_CHARS)
    )
    site_ids = models.JSONField(help_text="The sites in scope (ids).")
    drug = models.CharField(max_length=20, choices=Drug.choices, blank=True)
    occurred_from = models.DateTimeField(null=True, blank=True)
    occurred_before = models.DateTimeField(null=True, blank=True)
    candidate = models.JSONField(help_text="The candidate, as candidate.Candidate.as_data().")
    engine_version = models.CharField(max_length=20)
    current_policy = models.JSONField(help_text="policy_snapshot() of the rules in force.")
    candidate_policy = models.JSONField(help_text="policy_snapshot() of the candidate.")
    fingerprints = models.JSONField(
        default=dict,
        help_text="Per 'drug/rule set' in scope: the current and the candidate fingerprint.",
    )
    status = models.CharField(
        max_length=10, choices=ImpactStatus.choices, default=ImpactStatus.QUEUED
    )
    chunk_count = models.PositiveIntegerField(default=0)
    visits_in_scope = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    failure = models.CharField(max_length=200, blank=True)
    visits_evaluated = models.PositiveIntegerField(default=0)
    visits_not_evaluable = models.PositiveIntegerField(default=0)
    visits_changed = models.PositiveIntegerField(default=0)
    patients_changed = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, help_text="Changed visits by kind of change.")

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"Impact report {self.pk} ({self.status})"

    @property
    def is_running(self) -> bool:
        return self.status in (ImpactStatus.QUEUED, ImpactStatus.RUNNING)


class ImpactChunk(models.Model):
    """One task's share of a report: the visits in scope of a range of courses.

    ``done_at`` is set in the same transaction as the chunk's differences, so a
    chunk a killed worker leaves half done is redone from the start, and a chunk
    run twice counts once.
    """

    report = models.ForeignKey(ImpactReport, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    first_course_id = models.PositiveIntegerField()
    last_course_id = models.PositiveIntegerField()
    planned_visits = models.PositiveIntegerField()
    done_at = models.DateTimeField(null=True, blank=True)
    visits_evaluated = models.PositiveIntegerField(default=0)
    visits_not_evaluable = models.PositiveIntegerField(default=0)
    visits_changed = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict)

    class Meta:
        ordering = ["report", "index"]
        constraints = [
            models.UniqueConstraint(fields=["report", "index"], name="one_chunk_per_index"),
        ]

    def __str__(self) -> str:
        return f"Chunk {self.index} of impact report {self.report_id}"


class ImpactDifference(models.Model):
    """A visit the candidate decides differently: both decisions and the rows behind them."""

    report = models.ForeignKey(ImpactReport, on_delete=models.CASCADE, related_name="differences")
    chunk_index = models.PositiveIntegerField()
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="+")
    visit_revision = models.PositiveIntegerField()
    course = models.ForeignKey(TreatmentCourse, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    drug = models.CharField(max_length=20, choices=Drug.choices)
    occurred_at = models.DateTimeField()
    kind = models.CharField(max_length=40, help_text="candidate.change_kind()")
    current = models.JSONField(help_text="candidate.Outcome under the rules in force.")
    proposed = models.JSONField(help_text="candidate.Outcome under the candidate.")

    class Meta:
        ordering = ["report", "occurred_at", "visit_id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "visit"], name="one_difference_per_visit"),
        ]

    def __str__(self) -> str:
        return f"Visit {self.visit_id} in impact report {self.report_id}: {self.kind}"

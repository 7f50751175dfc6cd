"""The disease course beside the toxicity: status, imaging with RECIST, thyroglobulin,
and the tumour board. Every row is a clinical record: audited, never deleted.

The figures a study shows (sum, changes, response) are computed by disease/recist.py
when the study is recorded and stored with it; the thyroglobulin doubling time is
computed on reading (disease/selectors.py) from the labs stored here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from disease import options, recist, surveillance, thyroglobulin, wording
from patients import dosing, limits
from patients.models import ClinicalRecord, Drug, Patient, Site, TreatmentCourse

LOW, HIGH = surveillance.IMAGING_INTERVAL_MONTHS


class DiseaseStatus(ClinicalRecord):
    """Where the patient's disease stands: RAI-refractory (Rec 59), on active
    surveillance (Rec 60A), symptomatic. One per patient, edited with a reason."""

    patient = models.OneToOneField(Patient, on_delete=models.PROTECT, related_name="disease_status")
    prior_rai_dose_on = models.DateField(
        _("date of the prior ablative or treatment dose of RAI"), null=True, blank=True
    )
    rai_refractory_criterion = models.TextField(
        _("criterion met"),
        blank=True,
        max_length=limits.REASON_CHARS,
        validators=limits.validators(limits.REASON_CHARS),
        help_text=_("The clinician's words: the sources list no criteria (unconfirmed)."),
    )
    on_active_surveillance = models.BooleanField(default=False)
    surveillance_since = models.DateField(null=True, blank=True)
    imaging_interval_months = models.PositiveSmallIntegerField(null=True, blank=True)
    symptomatic = models.BooleanField(default=False)
    symptoms = models.TextField(
        blank=True,
        max_length=limits.REASON_CHARS,
        validators=limits.validators(limits.REASON_CHARS),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "disease statuses"
        constraints = [
            models.CheckConstraint(
                condition=Q(imaging_interval_months__isnull=True)
                | Q(imaging_interval_months__gte=LOW, imaging_interval_months__lte=HIGH),
                name="imaging_interval_rec60a",
            ),
        ]

    def __str__(self) -> str:
        return f"Disease status of {self.patient}"

    # The date declared RAI-refractory is the patient record's (Patient.rai_refractory_date,
    # also edited there): one date, read here, never a second copy to keep in step.
    @property
    def rai_refractory_on(self):
        return self.patient.rai_refractory_date

    @property
    def rai_refractory_source(self) -> str:
        return surveillance.REC59.source if self.rai_refractory_on else ""

    @property
    def surveillance_source(self) -> str:
        return surveillance.REC60A.source if self.on_active_surveillance else ""


Modality = models.TextChoices(
    "Modality",
    [
        (m.name, (m.value, label))
        for m, label in (
            (recist.Modality.CT, "CT"),
            (recist.Modality.MRI, "MRI"),
            (recist.Modality.CHEST_XRAY, "Chest X-ray"),
        )
    ],
)
NonTarget = models.TextChoices(
    "NonTarget",
    [(s.name, (s.value, s.value.replace("_", " ").capitalize())) for s in recist.NonTargetStatus],
)
ResponseChoice = models.TextChoices(
    "ResponseChoice", [(r.name, (r.value, r.value)) for r in recist.Response]
)


class ImagingStudy(ClinicalRecord):
    """One imaging time point. A study with no baseline is a baseline; a follow-up
    names its baseline and stores the response recist.py computed for it."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="imaging_studies")
    baseline = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="follow_ups"
    )
    performed_on = models.DateField()
    modality = models.CharField(max_length=12, choices=Modality.choices)
    non_target = models.CharField(max_length=24, choices=NonTarget.choices)
    new_lesions = models.PositiveSmallIntegerField(default=0)
    new_lesion_sites = models.CharField(max_length=limits.NAME_CHARS, blank=True)
    note = models.TextField(
        blank=True, max_length=limits.NOTE_CHARS, validators=limits.validators(limits.NOTE_CHARS)
    )
    # Computed by disease/recist.py (None on a baseline but the sum).
    sum_mm = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    baseline_sum_mm = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    nadir_mm = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    change_from_baseline_pct = models.DecimalField(
        max_digits=8, decimal_places=1, null=True, blank=True
    )
    change_from_nadir_pct = models.DecimalField(
        max_digits=8, decimal_places=1, null=True, blank=True
    )
    change_from_nadir_mm = models.DecimalField(
        max_digits=7, decimal_places=1, null=True, blank=True
    )
    target_response = models.CharField(max_length=2, choices=ResponseChoice.choices, blank=True)
    response = models.CharField(max_length=2, choices=ResponseChoice.choices, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "imaging studies"
        ordering = ["performed_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "performed_on"], name="one_imaging_study_per_patient_day"
            ),
        ]

    def __str__(self) -> str:
        kind = "baseline" if self.baseline_id is None else "follow-up"
        return f"{self.get_modality_display()} {kind} of {self.performed_on}"

    @property
    def is_baseline(self) -> bool:
        return self.baseline_id is None


class TargetLesion(ClinicalRecord):
    """One target lesion as measured at one study; ``label`` ties it across studies."""

    study = models.ForeignKey(ImagingStudy, on_delete=models.PROTECT, related_name="targets")
    label = models.CharField(max_length=12)
    organ = models.CharField(max_length=limits.NAME_CHARS)
    is_lymph_node = models.BooleanField(default=False)
    # Longest diameter, or short axis for a node; 0 gone; None not measured.
    diameter_mm = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    in_treated_field = models.BooleanField(default=False)
    progressed_since_treatment = models.BooleanField(default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["study", "id"]
        constraints = [
            models.UniqueConstraint(fields=["study", "label"], name="one_target_label_per_study"),
            models.CheckConstraint(
                condition=Q(diameter_mm__isnull=True) | Q(diameter_mm__gte=0),
                name="target_diameter_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.organ})"


AntiTg = models.TextChoices(
    "AntiTg",
    [
        (a.name, (a.value, a.value.replace("_", " ").capitalize()))
        for a in thyroglobulin.AntiTgAntibody
    ],
)


class ThyroglobulinLab(ClinicalRecord):
    """Tg with the anti-Tg antibody and TSH drawn with it, and the assay."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="tg_labs")
    drawn_on = models.DateField()
    tg_ng_ml = models.DecimalField("Tg (ng/mL)", max_digits=10, decimal_places=2)
    anti_tg_antibody = models.CharField(max_length=14, choices=AntiTg.choices)
    tsh_miu_l = models.DecimalField(
        "TSH (mIU/L)", max_digits=8, decimal_places=3, null=True, blank=True
    )
    assay = models.CharField(max_length=limits.NAME_CHARS)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["drawn_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "drawn_on", "assay"], name="one_tg_per_patient_day_assay"
            ),
            models.CheckConstraint(condition=Q(tg_ng_ml__gt=0), name="tg_above_zero"),
            models.CheckConstraint(
                condition=Q(tsh_miu_l__isnull=True) | Q(tsh_miu_l__gte=0), name="tsh_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"Tg of {self.drawn_on}"


class BoardEntryStatus(models.TextChoices):
    OPEN = "open", _("To discuss")
    DECIDED = "decided", _("Decided")


class BoardEntry(ClinicalRecord):
    """A patient on the site's tumour-board list, with the question for the meeting."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="board_entries")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="board_entries")
    question = models.TextField(
        max_length=limits.REASON_CHARS, validators=limits.validators(limits.REASON_CHARS)
    )
    status = models.CharField(
        max_length=10, choices=BoardEntryStatus.choices, default=BoardEntryStatus.OPEN
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField()
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "tumour-board entries"
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(status="open"),
                name="one_open_board_entry_per_patient",
            ),
        ]

    def __str__(self) -> str:
        return f"Tumour board: {self.patient}"


class BoardOutcome(models.TextChoices):
    WATCH = "watch", _("Watch")
    LOCAL_THERAPY = "local_therapy", _("Local therapy")
    START_MKI = "start_mki", _("Start MKI")
    START_TARGETED = "start_targeted_therapy", _("Start targeted therapy")
    TRIAL = "trial", _("Trial")
    OTHER = "other", _("Other")


# The drugs a decision may name: the MKIs with dose rules, the targeted drugs of
# reference.md 3.2 (no dose rules for them yet).
MKI_DRUGS = tuple(dosing.DRUG_NAMES)
TARGETED_DRUGS = tuple(d.key for d in options.DRUGS)
DecisionDrug = models.TextChoices(
    "DecisionDrug",
    [(key.upper(), (key, label)) for key, label in Drug.choices]
    + [(d.key.upper(), (d.key, wording.TARGETED_DRUG_NAMES[d.key])) for d in options.DRUGS],
)


class BoardDecision(ClinicalRecord):
    """The meeting's decision for one entry, signed by an oncologist (password)."""

    entry = models.OneToOneField(BoardEntry, on_delete=models.PROTECT, related_name="decision")
    meeting_on = models.DateField()
    outcome = models.CharField(max_length=24, choices=BoardOutcome.choices)
    drug = models.CharField(max_length=24, choices=DecisionDrug.choices, blank=True)
    detail = models.CharField(max_length=limits.NAME_CHARS, blank=True)
    attendees = models.TextField(
        max_length=limits.REASON_CHARS, validators=limits.validators(limits.REASON_CHARS)
    )
    reason = models.TextField(
        max_length=limits.REASON_CHARS, validators=limits.validators(limits.REASON_CHARS)
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()
    signer_name = models.CharField(max_length=200)
    signature_meaning = models.CharField(max_length=200)
    signature_sha256 = models.CharField(max_length=64)
    # The course an oncologist started from a "start MKI" decision: one at most, so a
    # second start from the same decision is refused (disease.services.board). Not in
    # the signed content: the signature covers the meeting's decision, not what
    # followed it.
    course = models.OneToOneField(
        TreatmentCourse,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="board_decision",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["decided_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} for {self.entry.patient}"

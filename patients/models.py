"""Who is treated with what, and the ledger of every dose change.

Clinical rows are audited by django-simple-history (who, when, old and new
values, why) and are never deleted: bulk writes that would bypass the history
are refused by AuditedQuerySet.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.functional import lazy
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from patients import dosing, limits


def default_time_zone() -> str:
    return settings.TIME_ZONE


def default_language() -> str:
    return settings.LANGUAGE_CODE


def language_choices() -> list[tuple[str, str]]:
    return list(settings.LANGUAGES)


def validate_time_zone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(
            _("%(value)s is not a time zone name (for example Europe/London)."),
            params={"value": value},
        ) from exc
    if value not in available_timezones():
        raise ValidationError(
            _("%(value)s is not a time zone name (for example Europe/London)."),
            params={"value": value},
        )


class AuditedQuerySet(models.QuerySet):
    """Bulk writes skip the audit history, so they are not offered."""

    def _refuse(self, what: str):
        raise NotImplementedError(
            f"{what} on {self.model.__name__} would bypass the audit history; "
            "write one row at a time through the service."
        )

    def update(self, **kwargs):
        self._refuse("QuerySet.update")

    def delete(self):
        self._refuse("QuerySet.delete")

    def bulk_create(self, *args, **kwargs):
        self._refuse("bulk_create")

    def bulk_update(self, *args, **kwargs):
        self._refuse("bulk_update")


class ClinicalRecord(models.Model):
    """Base for audited clinical rows: no deletion, no bulk writes."""

    objects = AuditedQuerySet.as_manager()

    class Meta:
        abstract = True

    def delete(self, *args, **kwargs):
        raise NotImplementedError(
            f"{type(self).__name__} rows are clinical records and are never deleted."
        )


class Site(models.Model):
    """A clinic. Clinicians see only their own site's patients."""

    name = models.CharField(max_length=limits.NAME_CHARS, unique=True)
    code = models.SlugField(
        max_length=12, unique=True, help_text="Short code used in patient reference codes."
    )
    # Times are stored in UTC and shown in the clinic's own zone, named beside them.
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=default_time_zone,
        validators=[validate_time_zone],
        help_text=_("IANA name of the clinic's time zone, e.g. Europe/London."),
    )
    # The language of its clinicians' pages and emails unless they choose their own.
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=language_choices,
        default=default_language,
        help_text=_("The language of pages and emails for users who have not chosen one."),
    )
    history = HistoricalRecords()

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


class Role(models.TextChoices):
    NURSE = "nurse", _("Nurse")
    ONCOLOGIST = "oncologist", _("Oncologist")
    SITE_ADMIN = "site_admin", _("Site administrator")
    # Reads the site's clinical pages and signs off its rule sets; signs no dose decision.
    PHARMACIST = "pharmacist", _("Pharmacist")


class SiteMembership(models.Model):
    """A user works at a site in a role. The role is mirrored as a Django group."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "site"], name="one_role_per_user_per_site")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.site})"


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Not recorded")


class Histology(models.TextChoices):
    PAPILLARY = "papillary", _("Papillary")
    FOLLICULAR = "follicular", _("Follicular")
    ONCOCYTIC = "oncocytic", _("Oncocytic (Hürthle cell)")
    POORLY_DIFFERENTIATED = "poorly_differentiated", _("Poorly differentiated")


class Patient(ClinicalRecord):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="patients")
    mrn = models.CharField("MRN", max_length=limits.MRN_CHARS)
    reference_code = models.CharField(
        max_length=24,
        unique=True,
        editable=False,
        help_text="Site-local code that names the patient outside the app (alert emails).",
    )
    family_name = models.CharField(max_length=limits.NAME_CHARS)
    given_name = models.CharField(max_length=limits.NAME_CHARS)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=10, choices=Sex.choices)
    histology = models.CharField(max_length=30, choices=Histology.choices)
    diagnosis_date = models.DateField(null=True, blank=True)
    rai_refractory_date = models.DateField("date declared RAI-refractory", null=True, blank=True)
    baseline_weight_kg = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    baseline_stools_per_day = models.PositiveSmallIntegerField(null=True, blank=True)
    baseline_alt_u_l = models.DecimalField(
        "baseline ALT (U/L)", max_digits=7, decimal_places=1, null=True, blank=True
    )
    baseline_ast_u_l = models.DecimalField(
        "baseline AST (U/L)", max_digits=7, decimal_places=1, null=True, blank=True
    )
    baseline_bilirubin_mg_dl = models.DecimalField(
        "baseline bilirubin (mg/dL)", max_digits=5, decimal_places=2, null=True, blank=True
    )
    baseline_creatinine_mg_dl = models.DecimalField(
        "baseline creatinine (mg/dL)", max_digits=5, decimal_places=2, null=True, blank=True
    )
    baseline_qtc_ms = models.PositiveSmallIntegerField("baseline QTc (ms)", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Counts saves of the record: an edit names the version it was made on, so a
    # colleague's change in between is reported instead of overwritten.
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "mrn"], name="mrn_unique_per_site"),
            models.CheckConstraint(
                condition=Q(baseline_weight_kg__isnull=True) | Q(baseline_weight_kg__gt=0),
                name="baseline_weight_positive",
            ),
        ]
        ordering = ["family_name", "given_name", "id"]

    def __str__(self) -> str:
        # The reference code, not the name: str() ends up in logs and admin messages.
        return self.reference_code


class Marker(models.TextChoices):
    BRAF_V600E = "braf_v600e", "BRAF V600E"
    RET_FUSION = "ret_fusion", _("RET fusion")
    NTRK_FUSION = "ntrk_fusion", _("NTRK fusion")
    ALK_FUSION = "alk_fusion", _("ALK fusion")
    RAS = "ras", "RAS"
    TERT_PROMOTER = "tert_promoter", _("TERT promoter")


class MarkerResult(models.TextChoices):
    POSITIVE = "positive", _("Positive")
    NEGATIVE = "negative", _("Negative")
    NOT_TESTED = "not_tested", _("Not tested")


class MolecularFinding(ClinicalRecord):
    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="molecular_findings"
    )
    marker = models.CharField(max_length=20, choices=Marker.choices)
    result = models.CharField(max_length=12, choices=MarkerResult.choices)
    tested_on = models.DateField(null=True, blank=True)
    method = models.CharField(max_length=limits.NAME_CHARS, blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["patient", "marker"], name="one_finding_per_marker")
        ]

    def __str__(self) -> str:
        return f"{self.get_marker_display()}: {self.get_result_display()}"


def _drug_label_now(drug: str) -> str:
    return dosing.drug_label(drug, get_language() or settings.LANGUAGE_CODE)


# Built from the pure data in patients/dosing.py, the one source of the names; the
# label is read in the language of the page or email that shows it.
Drug = models.TextChoices(
    "Drug",
    [(key.upper(), (key, lazy(_drug_label_now, str)(key))) for key in dosing.DRUG_NAMES],
)
# The rule sets' names as patients/dosing.py writes them, marked here for the catalogue.
_RULE_SET_WORDS = (
    gettext_noop("US prescribing information"),
    gettext_noop("EU summary of product characteristics"),
)
RuleSet = models.TextChoices(
    "RuleSet", [(key.upper(), (key, _(label))) for key, label in dosing.RULE_SET_NAMES.items()]
)


class TreatmentCourse(ClinicalRecord):
    """One drug for one patient, from start to end. Its dose lives in the ledger."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="courses")
    drug = models.CharField(max_length=20, choices=Drug.choices)
    line_of_therapy = models.PositiveSmallIntegerField(default=1)
    rule_set = models.CharField(max_length=10, choices=RuleSet.choices, default=RuleSet.US_PI)
    start_date = models.DateField()
    starting_dose_mg = models.DecimalField("starting dose (mg/day)", max_digits=6, decimal_places=1)
    concurrent_course_reason = models.TextField(
        blank=True,
        max_length=limits.REASON_CHARS,
        validators=limits.validators(limits.REASON_CHARS),
        help_text="Why this course was started while another was still open (an oncologist's "
        "reason; empty when it was the patient's only open course).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(line_of_therapy__gte=1), name="line_at_least_1"),
            models.CheckConstraint(condition=Q(starting_dose_mg__gt=0), name="start_dose_positive"),
        ]
        ordering = ["-start_date", "-id"]

    def __str__(self) -> str:
        return f"{self.get_drug_display()} course {self.pk}"


class DoseChangeKind(models.TextChoices):
    START = dosing.Kind.START, _("Start")
    HOLD = dosing.Kind.HOLD, _("Hold")
    RESUME = dosing.Kind.RESUME, _("Resume")
    REDUCE = dosing.Kind.REDUCE, _("Reduce")
    RE_ESCALATE = dosing.Kind.RE_ESCALATE, _("Re-escalate")
    DISCONTINUE = dosing.Kind.DISCONTINUE, _("Discontinue")
    COMPLETE = dosing.Kind.COMPLETE, _("Complete")


class DoseChange(ClinicalRecord):
    """The ledger: one append-only row per change. Never edited, never deleted."""

    course = models.ForeignKey(
        TreatmentCourse, on_delete=models.PROTECT, related_name="dose_changes"
    )
    kind = models.CharField(max_length=12, choices=DoseChangeKind.choices)
    effective_at = models.DateTimeField()
    dose_before_mg = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    dose_after_mg = models.DecimalField(max_digits=6, decimal_places=1)
    reason = models.TextField(
        max_length=limits.REASON_CHARS, validators=limits.validators(limits.REASON_CHARS)
    )
    off_ladder_justification = models.TextField(
        blank=True,
        max_length=limits.REASON_CHARS,
        validators=limits.validators(limits.REASON_CHARS),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    reason_terms = models.JSONField(
        default=list,
        blank=True,
        help_text="CTCAE term keys that caused a hold, reduction or discontinuation "
        "(the engine's hold_reason_terms and occurrence counts are read from here).",
    )
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(dose_after_mg__gte=0), name="dose_not_negative"),
        ]
        ordering = ["effective_at", "id"]
        indexes = [models.Index(fields=["course", "effective_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.dose_after_mg:g} mg/day"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise NotImplementedError("The dose ledger is append-only: record a new change.")
        super().save(*args, **kwargs)

    def as_entry(self) -> dosing.LedgerEntry:
        return dosing.LedgerEntry(self.kind, self.effective_at, float(self.dose_after_mg))


class ApiToken(models.Model):
    """A named API token with an expiry. Only its SHA-256 is stored (patients/tokens.py).

    The token itself is shown once, when it is made; a lost token is revoked and
    replaced, never looked up.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(
        max_length=limits.NAME_CHARS, help_text="What uses it, e.g. 'ward tablet sync'."
    )
    digest = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the token.")
    prefix = models.CharField(
        max_length=12, help_text="The token's first characters, to tell tokens apart."
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="one_token_name_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class UserPreference(models.Model):
    """What a user chose for their own pages and emails (patients.languages)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference"
    )
    # Blank: the language of the user's site.
    language = models.CharField(_("language"), max_length=10, choices=language_choices, blank=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"preferences of user {self.user_id}"

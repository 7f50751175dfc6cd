"""What patients report from home, and the accounts they report with.

A patient account is a Django user linked to one patient (the patient, or a named
carer reporting for them). It has no site membership, so it holds no clinical role;
reports.access keeps it inside the patient pages. Reports are clinical records:
audited by django-simple-history, never deleted, never bulk-written.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from notifications.models import Alert
from patients import limits
from patients.models import ClinicalRecord, Patient, Site, TreatmentCourse
from reports import criteria, items
from toxicity.models import Visit


class PatientAccount(models.Model):
    """A sign-in that sees and writes only one patient's own reports."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="patient_account"
    )
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="report_accounts")
    # Blank for the patient; the carer's name when a carer reports for the patient.
    carer_name = models.CharField(max_length=limits.NAME_CHARS, blank=True)
    created_at = models.DateTimeField()
    history = HistoricalRecords()

    def __str__(self) -> str:
        # No name: str() ends up in logs and admin messages.
        who = "carer" if self.carer_name else "patient"
        return f"{self.patient.reference_code} ({who})"

    @property
    def is_carer(self) -> bool:
        return bool(self.carer_name)


class InvitationChannel(models.TextChoices):
    EMAIL = "email", _("Email with a link")
    PRINTED = "printed", _("Printed code")


class Invitation(models.Model):
    """A one-time, expiring code that lets a patient (or carer) set a password.

    Only the SHA-256 of the code is stored (as API tokens are, patients/tokens.py):
    the code is 80 random bits, so nothing can be guessed back from the digest.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="invitations")
    channel = models.CharField(max_length=10, choices=InvitationChannel.choices)
    email = models.EmailField(blank=True)
    carer_name = models.CharField(max_length=limits.NAME_CHARS, blank=True)
    digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    # A newer invitation for the same person replaces this one.
    revoked_at = models.DateTimeField(null=True, blank=True)
    account = models.ForeignKey(
        PatientAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(channel="email") | ~Q(email=""), name="emailed_invitation_has_email"
            )
        ]

    def __str__(self) -> str:
        return f"invitation {self.pk} for {self.patient.reference_code}"


class SymptomReport(ClinicalRecord):
    """One weekly PRO-CTCAE survey as the patient sent it."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="symptom_reports")
    account = models.ForeignKey(PatientAccount, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()
    recall_days = models.PositiveSmallIntegerField(default=items.RECALL_DAYS)
    anything_else = models.TextField(
        blank=True, validators=limits.validators(items.ANYTHING_ELSE_CHARS)
    )
    # The id the survey form was drawn with: a second tap on "Send", or a phone
    # re-sending after a dropped connection, finds the report already stored.
    submission = models.UUIDField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "submission"], name="report_sent_once_per_form"
            )
        ]

    def __str__(self) -> str:
        return f"symptom report {self.pk}"


class SymptomAnswer(ClinicalRecord):
    """The answers to one item, and its PRO-CTCAE composite grade (toxicity.ctcae.pro).

    The composite (0-3) is not a CTCAE grade: it tells a nurse to grade the symptom;
    it never changes a dose by itself (policy.md point 8).
    """

    report = models.ForeignKey(SymptomReport, on_delete=models.PROTECT, related_name="answers")
    item = models.CharField(max_length=40)
    frequency = models.PositiveSmallIntegerField(null=True, blank=True)
    severity = models.PositiveSmallIntegerField(null=True, blank=True)
    interference = models.PositiveSmallIntegerField(null=True, blank=True)
    composite_grade = models.PositiveSmallIntegerField()
    # The question text in force when answered was (un)confirmed against the NCI form.
    wording_confirmed = models.BooleanField()
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "item"], name="one_answer_per_item"),
            models.CheckConstraint(
                condition=Q(composite_grade__lte=3), name="composite_grade_0_to_3"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item}: composite {self.composite_grade}"


class BpPeriod(models.TextChoices):
    MORNING = "morning", _("Morning")
    EVENING = "evening", _("Evening")


class BpSource(models.TextChoices):
    FORM = "form", _("Typed by the patient")
    CSV = "csv", _("Imported from a home monitor")


class HomeBloodPressure(ClinicalRecord):
    """Two readings taken at home at one time, graded as the clinic grades readings.

    The grade is ``toxicity.ctcae.grading.grade_hypertension`` of the readings, the
    function the engine grades a visit's readings with; a home reading is marked as
    such and is never a visit.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="home_bp")
    account = models.ForeignKey(PatientAccount, on_delete=models.PROTECT, related_name="+")
    report = models.ForeignKey(
        SymptomReport, null=True, blank=True, on_delete=models.PROTECT, related_name="home_bp"
    )
    period = models.CharField(max_length=10, choices=BpPeriod.choices)
    taken_at = models.DateTimeField()
    sbp1 = models.PositiveSmallIntegerField()
    dbp1 = models.PositiveSmallIntegerField()
    sbp2 = models.PositiveSmallIntegerField(null=True, blank=True)
    dbp2 = models.PositiveSmallIntegerField(null=True, blank=True)
    ctcae_grade = models.PositiveSmallIntegerField()
    provisional = models.BooleanField()
    basis = models.CharField(max_length=200)
    source = models.CharField(max_length=10, choices=BpSource.choices, default=BpSource.FORM)
    recorded_at = models.DateTimeField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-taken_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sbp2__isnull=True, dbp2__isnull=True)
                | Q(sbp2__isnull=False, dbp2__isnull=False),
                name="second_home_reading_whole",
            )
        ]

    def __str__(self) -> str:
        return f"home BP {self.pk}"

    @property
    def readings(self) -> list[tuple[int, int]]:
        pairs = [(self.sbp1, self.dbp1)]
        if self.sbp2 is not None and self.dbp2 is not None:
            pairs.append((self.sbp2, self.dbp2))
        return pairs


class DoseStatus(models.TextChoices):
    TAKEN = "taken", _("I took my usual dose")
    MISSED = "missed", _("I did not take it")
    REDUCED = "reduced", _("I took a lower dose")


class DoseReport(ClinicalRecord):
    """What the patient says they took on one day (adherence; never a dose change)."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="dose_reports")
    account = models.ForeignKey(PatientAccount, on_delete=models.PROTECT, related_name="+")
    # The course running on that day, when there was one: the dose-intensity figures'.
    course = models.ForeignKey(
        TreatmentCourse, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField()
    status = models.CharField(max_length=10, choices=DoseStatus.choices)
    dose_mg = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    reason = models.TextField(blank=True, validators=limits.validators(limits.REASON_CHARS))
    recorded_at = models.DateTimeField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="reduced") | Q(dose_mg__isnull=False),
                name="lower_dose_has_amount",
            )
        ]

    def __str__(self) -> str:
        return f"dose report {self.pk}"


# --- weekly reminders (reports.reminders) ---------------------------------------------


class Weekday(models.IntegerChoices):
    # Python's date.weekday() numbering: Monday is 0.
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class ReminderSchedule(models.Model):
    """When the patient wants the weekly reminder email, in the clinic's time zone.

    A preference, not a clinical record; every change is in the history with who
    made it (the patient, or the stop link in an email) and why.
    """

    account = models.OneToOneField(
        PatientAccount, on_delete=models.PROTECT, related_name="reminder_schedule"
    )
    enabled = models.BooleanField(default=False)
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    # Wall-clock time in the clinic's zone (patients.Site.time_zone), not UTC.
    time_of_day = models.TimeField()
    # When the patient last chose: a week's reminder due before this is not sent.
    changed_at = models.DateTimeField()
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="reminder_weekday_0_to_6")
        ]

    def __str__(self) -> str:
        return f"reminders for {self.account} ({'on' if self.enabled else 'off'})"


class ReminderKind(models.TextChoices):
    REMINDER = "reminder", _("Reminder")
    FOLLOW_UP = "follow_up", _("Follow-up")


class ReminderStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Not sent")
    FAILED = "failed", _("Could not be sent")


class SkipReason(models.TextChoices):
    STOPPED = "stopped", _("Reminders are off")
    NO_EMAIL = "no_email", _("The account has no email address")
    INACTIVE = "inactive", _("The account is inactive")
    SURVEY_SENT = "survey_sent", _("The week's report was already sent")
    COURSE_ENDED = "course_ended", _("The treatment course has ended")
    TOO_LATE = "too_late", _("Not sent in time")


class Reminder(models.Model):
    """One email due at one time: the week's reminder, or its follow-up.

    Unique per (account, week, kind), so a sweep run twice, or two sweeps at once,
    make one row; a sender claims the row with a conditional UPDATE before sending
    (as notifications.outbox does), so one row is one email at most.
    """

    account = models.ForeignKey(PatientAccount, on_delete=models.PROTECT, related_name="+")
    # The Monday of the reminder's week, in the clinic's zone.
    week = models.DateField()
    kind = models.CharField(max_length=10, choices=ReminderKind.choices)
    due_at = models.DateTimeField()  # UTC, computed from the clinic's wall-clock time
    status = models.CharField(
        max_length=10, choices=ReminderStatus.choices, default=ReminderStatus.PENDING
    )
    created_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    skip_reason = models.CharField(max_length=20, choices=SkipReason.choices, blank=True)
    last_error = models.CharField(max_length=1000, blank=True)
    # SHA-256 of the stop link's token in this email (the token itself is only mailed).
    stop_digest = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "week", "kind"], name="one_reminder_per_account_week_kind"
            ),
            models.CheckConstraint(
                condition=~Q(status="skipped") | ~Q(skip_reason=""),
                name="skipped_reminder_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk} for week of {self.week}"


# --- triage: which reports a nurse grades, and the grading that closes them -----------


class ReportPolicy(models.Model):
    """A site's triage settings; a site without a row uses reports.criteria.DEFAULTS.

    Edited by the site's administrator in the admin; every change is in the history.
    """

    site = models.OneToOneField(Site, on_delete=models.PROTECT, related_name="report_policy")
    alert_composite_grade = models.PositiveSmallIntegerField(
        _("composite grade that alerts"),
        default=criteria.DEFAULTS.composite_grade,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
        help_text=_("A PRO-CTCAE composite (0-3) at or above this raises an urgent item."),
    )
    alert_home_bp_grade = models.PositiveSmallIntegerField(
        _("home BP grade that alerts"),
        default=criteria.DEFAULTS.home_bp_grade,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
        help_text=_(
            "A home reading's CTCAE hypertension grade at or above this raises an urgent item "
            "(numbers never give grade 4)."
        ),
    )
    alert_worsening_points = models.PositiveSmallIntegerField(
        _("worsening that alerts (composite points)"),
        default=criteria.DEFAULTS.worsening_points,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
        help_text=_(
            "A symptom's composite this many points above the patient's previous report "
            "raises a routine item."
        ),
    )
    alert_on_anything_else = models.BooleanField(
        _("'anything else' text alerts"),
        default=criteria.DEFAULTS.anything_else,
        help_text=_("Any text in the 'anything else' box raises a routine item."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("patient-report policy")
        verbose_name_plural = _("patient-report policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(alert_composite_grade__gte=1, alert_composite_grade__lte=3),
                name="policy_composite_grade_1_to_3",
            ),
            models.CheckConstraint(
                condition=Q(alert_home_bp_grade__gte=1, alert_home_bp_grade__lte=3),
                name="policy_home_bp_grade_1_to_3",
            ),
            models.CheckConstraint(
                condition=Q(alert_worsening_points__gte=1, alert_worsening_points__lte=3),
                name="policy_worsening_1_to_3",
            ),
        ]

    def __str__(self) -> str:
        return f"Patient-report policy at {self.site}"

    @property
    def thresholds(self) -> criteria.Thresholds:
        return criteria.Thresholds(
            composite_grade=self.alert_composite_grade,
            home_bp_grade=self.alert_home_bp_grade,
            worsening_points=self.alert_worsening_points,
            anything_else=self.alert_on_anything_else,
        )


class TriageStatus(models.TextChoices):
    OPEN = "open", _("To grade")
    CLOSED = "closed", _("Graded")


class GradedHow(models.TextChoices):
    REPORT = "report", _("From the report")
    CALL = "call", _("After a call to the patient")


class TriageItem(ClinicalRecord):
    """A report that met a triage criterion; a nurse's CTCAE grading closes it.

    One per weekly report, or per sending of home readings outside a weekly report
    (then linked to its worst sitting): the unique links make a retried or raced
    triage add nothing.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="triage_items")
    report = models.OneToOneField(
        SymptomReport, null=True, blank=True, on_delete=models.PROTECT, related_name="triage_item"
    )
    home_bp = models.OneToOneField(
        HomeBloodPressure,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="triage_item",
    )
    # The course running when the report came; none: no alert (nobody is routed).
    course = models.ForeignKey(
        TreatmentCourse, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField()
    urgent = models.BooleanField()
    # [{criterion, item, title, grade, previous, text}] (reports.criteria.Reason.as_dict)
    reasons = models.JSONField()
    summary = models.CharField(max_length=300)
    alert = models.ForeignKey(
        Alert, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=TriageStatus.choices, default=TriageStatus.OPEN
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    graded_how = models.CharField(max_length=10, choices=GradedHow.choices, blank=True)
    note = models.TextField(blank=True, validators=limits.validators(limits.NOTE_CHARS))
    # The visit the nurse's grades were recorded as (none: closed with nothing to grade).
    visit = models.OneToOneField(
        Visit, null=True, blank=True, on_delete=models.PROTECT, related_name="triage_item"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-urgent", "raised_at", "id"]
        indexes = [models.Index(fields=["status", "raised_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(report__isnull=False, home_bp__isnull=True)
                | Q(report__isnull=True, home_bp__isnull=False),
                name="triage_item_is_a_report_or_readings",
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | Q(status="closed", closed_at__isnull=False, closed_by__isnull=False),
                name="closed_triage_item_names_who_and_when",
            ),
        ]

    def __str__(self) -> str:
        return f"triage item {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == TriageStatus.OPEN

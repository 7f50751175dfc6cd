"""Every write to patients, treatment courses and the dose ledger goes through here.

Each function checks the actor's role at the patient's site, validates the whole
change before writing anything, and records who, when and why in the audit
history within the same transaction.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from decimal import Decimal

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from patients import dosing, limits
from patients.access import has_role, site_roles
from patients.audit import audit
from patients.models import (
    DoseChange,
    Drug,
    MolecularFinding,
    Patient,
    Role,
    RuleSet,
    Site,
    SiteMembership,
    TreatmentCourse,
)

# Registering and editing patients is clinical work: not the site administrator's.
PATIENT_EDITORS = (Role.NURSE, Role.ONCOLOGIST)
PRESCRIBERS = (Role.ONCOLOGIST,)
# A change recorded "now" by a clock a little ahead of the server's is still now.
CLOCK_SKEW = timedelta(minutes=5)

PATIENT_FIELDS = (
    "mrn",
    "family_name",
    "given_name",
    "date_of_birth",
    "sex",
    "histology",
    "diagnosis_date",
    "rai_refractory_date",
    "baseline_weight_kg",
    "baseline_stools_per_day",
    "baseline_alt_u_l",
    "baseline_ast_u_l",
    "baseline_bilirubin_mg_dl",
    "baseline_creatinine_mg_dl",
    "baseline_qtc_ms",
)

# What identifies the patient or feeds the grading: changing it is a clinical act.
CLINICAL_FIELDS = ("mrn", "date_of_birth") + tuple(
    field for field in PATIENT_FIELDS if field.startswith("baseline_")
)
CLINICAL_EDITORS = (Role.NURSE, Role.ONCOLOGIST)


class StaleRecord(Exception):
    """The record was changed by someone else since the version the edit was made on."""

    def __init__(self, record, *, sent: int, current: int, field: str):
        self.field = field
        changes = []
        # In save order (history ids: a frozen or coarse clock gives equal times).
        rows = list(record.history.order_by("history_id"))
        for older, edit in zip(rows, rows[1:], strict=False):
            if getattr(edit, field) <= sent or getattr(older, field) == getattr(edit, field):
                continue  # before the editor's version, or bookkeeping (an evaluation)
            fields = sorted(
                change.field for change in edit.diff_against(older).changes if change.field != field
            )
            user = edit.history_user
            who = (user.get_full_name() or user.get_username()) if user else "the tracker"
            when = timezone.localtime(edit.history_date).strftime("%d %b %Y %H:%M %Z")
            text = f"{who} at {when}"
            if edit.history_change_reason:
                text += f" ({edit.history_change_reason})"
            if fields:
                text += ": " + ", ".join(f.replace("_", " ") for f in fields)
            changes.append(text)
        self.changes = changes
        super().__init__(
            f"Changed since you opened it (your {field} {sent}, now {current}) by "
            + "; ".join(changes)
            + ". Reload, check, and make your change again."
        )


def check_not_stale(record, *, sent: int | None, current: int, field: str) -> None:
    """Refuses an edit made on an older version of a locked record."""
    if sent is not None and sent != current:
        raise StaleRecord(record, sent=sent, current=current, field=field)


def _require_role(actor, site_id: int, roles, refusal: str) -> None:
    """``refusal``: the sentence a refused user reads, in their language."""
    if not has_role(actor, site_id, *roles):
        raise PermissionDenied(refusal)


def _check_patient_dates(values: dict) -> dict[str, str]:
    today = timezone.localdate()
    errors: dict[str, str] = {}
    dob = values.get("date_of_birth")
    diagnosed = values.get("diagnosis_date")
    refractory = values.get("rai_refractory_date")
    if dob and dob > today:
        errors["date_of_birth"] = "Date of birth is in the future."
    if diagnosed:
        if diagnosed > today:
            errors["diagnosis_date"] = "Diagnosis date is in the future."
        elif dob and diagnosed < dob:
            errors["diagnosis_date"] = "Diagnosis date is before the date of birth."
    if refractory:
        if refractory > today:
            errors["rai_refractory_date"] = "Date declared RAI-refractory is in the future."
        elif diagnosed and refractory < diagnosed:
            errors["rai_refractory_date"] = "Declared RAI-refractory before the diagnosis date."
    return errors


def _new_reference_code(site: Site) -> str:
    # Random rather than sequential: the code must not reveal how many patients a site has.
    return f"{site.code.upper()}-{secrets.token_hex(3).upper()}"


@transaction.atomic
def create_patient(*, actor, site: Site, reason: str = "Registered", **values) -> Patient:
    _require_role(
        actor, site.pk, PATIENT_EDITORS, _("Your role at this site cannot register patients.")
    )
    unknown = set(values) - set(PATIENT_FIELDS)
    if unknown:
        raise ValidationError({field: _("Unknown field.") for field in sorted(unknown)})
    errors = _check_patient_dates(values)
    if Patient.objects.filter(site=site, mrn=values.get("mrn")).exists():
        errors["mrn"] = "A patient with this MRN is already registered at this site."
    if errors:
        raise ValidationError(errors)
    patient = Patient(site=site, reference_code=_new_reference_code(site), **values)
    patient.full_clean()
    audit(patient, actor=actor, reason=reason)
    _save_patient(patient)
    return patient


def _save_patient(patient: Patient) -> None:
    """Saves, turning the race the MRN check cannot see (another nurse saved the same
    MRN a moment ago) into the same field error; the database's message, which holds
    the MRN, is not passed on."""
    try:
        with transaction.atomic():
            patient.save()
    except IntegrityError:
        raise ValidationError(
            {"mrn": _("A patient with this MRN is already registered at this site.")}
        ) from None


@transaction.atomic
def update_patient(
    *, actor, patient: Patient, reason: str, version: int | None = None, **changes
) -> Patient:
    """Edits a patient's record. A reason is required and kept in the audit history.

    `version` is the version the edit was made on (the API requires it): a newer one
    raises StaleRecord, naming who changed what since.
    """
    _require_role(
        actor, patient.site_id, PATIENT_EDITORS, _("Your role at this site cannot edit patients.")
    )
    errors = limits.text_errors(reason=(reason, limits.REASON_CHARS))
    if errors:
        raise ValidationError(errors)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why this record is being changed.")})
    unknown = set(changes) - set(PATIENT_FIELDS)
    if unknown:
        raise ValidationError(
            {field: _("Unknown or read-only field.") for field in sorted(unknown)}
        )
    clinical = sorted(set(changes) & set(CLINICAL_FIELDS))
    if clinical and not has_role(actor, patient.site_id, *CLINICAL_EDITORS):
        raise PermissionDenied(
            _("Only a nurse or an oncologist changes %(fields)s.")
            % {"fields": ", ".join(clinical).replace("_", " ")}
        )
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    check_not_stale(patient, sent=version, current=patient.version, field="version")
    merged = {field: getattr(patient, field) for field in PATIENT_FIELDS} | changes
    errors = _check_patient_dates(merged)
    if "mrn" in changes and (
        Patient.objects.filter(site_id=patient.site_id, mrn=changes["mrn"])
        .exclude(pk=patient.pk)
        .exists()
    ):
        errors["mrn"] = "A patient with this MRN is already registered at this site."
    first_course = patient.courses.order_by("start_date").values_list("start_date", flat=True)
    first_start = first_course.first()
    if first_start and merged.get("diagnosis_date") and merged["diagnosis_date"] > first_start:
        errors["diagnosis_date"] = "Diagnosis date is after the start of a treatment course."
    if errors:
        raise ValidationError(errors)
    for field, value in changes.items():
        setattr(patient, field, value)
    patient.version += 1
    patient.full_clean()
    audit(patient, actor=actor, reason=reason.strip())
    _save_patient(patient)
    return patient


@transaction.atomic
def record_molecular_finding(
    *,
    actor,
    patient: Patient,
    marker: str,
    result: str,
    tested_on: date | None = None,
    method: str = "",
    reason: str = "Recorded",
) -> MolecularFinding:
    _require_role(
        actor,
        patient.site_id,
        PATIENT_EDITORS,
        _("Your role at this site cannot record molecular findings."),
    )
    if tested_on and tested_on > timezone.localdate():
        raise ValidationError({"tested_on": _("Test date is in the future.")})
    finding = MolecularFinding.objects.filter(patient=patient, marker=marker).first()
    if finding is None:
        finding = MolecularFinding(patient=patient, marker=marker)
    elif not (reason or "").strip() or reason == "Recorded":
        raise ValidationError({"reason": _("Say why an existing finding is being changed.")})
    finding.result = result
    finding.tested_on = tested_on
    finding.method = method
    finding.full_clean()
    audit(finding, actor=actor, reason=reason)
    finding.save()
    return finding


def _check_dose(
    actor, site_id: int, drug: str, dose_mg: Decimal, justification: str, field: str
) -> dict[str, str]:
    if dosing.is_on_ladder(drug, float(dose_mg)) or dose_mg == 0:
        return {}
    ladder = "/".join(str(level) for level in dosing.DOSE_LADDERS[drug])
    if not has_role(actor, site_id, Role.ONCOLOGIST):
        return {field: f"{dose_mg:g} mg is not a {drug} dose level ({ladder} mg)."}
    if not (justification or "").strip():
        return {
            "off_ladder_justification": f"{dose_mg:g} mg is not a {drug} dose level "
            f"({ladder} mg): write why this dose is prescribed."
        }
    return {}


def _open_courses(patient: Patient) -> list[TreatmentCourse]:
    """The patient's courses not yet discontinued or completed, by their ledgers."""
    courses = patient.courses.prefetch_related("dose_changes").order_by("start_date", "id")
    return [
        course
        for course in courses
        if not dosing.derive_dose_state(
            change.as_entry()
            for change in sorted(course.dose_changes.all(), key=lambda c: (c.effective_at, c.id))
        ).ended
    ]


# The ledger reason written when no other is given; stored in English, shown in the
# reader's language (tracker/tables.py).
START_REASON = gettext_noop("Treatment started")


@transaction.atomic
def start_course(
    *,
    actor,
    patient: Patient,
    drug: str,
    start_date: date,
    starting_dose_mg: Decimal,
    line_of_therapy: int = 1,
    rule_set: str = RuleSet.US_PI,
    off_ladder_justification: str = "",
    concurrent_course_reason: str = "",
    reason: str = START_REASON,
) -> TreatmentCourse:
    """Opens a course and writes its first ledger row (the start) in one transaction.

    A patient takes one multikinase inhibitor at a time: a course while another is
    still open (active or on hold) is refused unless the oncologist says why, and the
    reason is kept on the course and in its audit history.
    """
    _require_role(
        actor,
        patient.site_id,
        PRESCRIBERS,
        _("Your role at this site cannot start a treatment course."),
    )
    errors = limits.text_errors(
        off_ladder_justification=(off_ladder_justification, limits.REASON_CHARS),
        concurrent_course_reason=(concurrent_course_reason, limits.REASON_CHARS),
    )
    if errors:
        raise ValidationError(errors)
    # Locks the patient: two courses started at once both see the other.
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    concurrent_course_reason = concurrent_course_reason.strip()
    open_courses = _open_courses(patient)
    if open_courses and not concurrent_course_reason:
        names = ", ".join(
            f"{c.get_drug_display()} (from {c.start_date:%Y-%m-%d})" for c in open_courses
        )
        errors["concurrent_course_reason"] = _(
            "This patient is still on %(courses)s. End that course first, or say why "
            "both are given at once."
        ) % {"courses": names}
    elif concurrent_course_reason and not open_courses:
        errors["concurrent_course_reason"] = _("No other course is open: leave this empty.")
    if drug not in Drug.values:
        errors["drug"] = f"Unknown drug {drug!r}; choose lenvatinib, sorafenib or cabozantinib."
    if rule_set not in RuleSet.values:
        errors["rule_set"] = f"Unknown rule set {rule_set!r}; choose us_pi or eu_smpc."
    starting_dose_mg = Decimal(str(starting_dose_mg))
    if starting_dose_mg <= 0:
        errors["starting_dose_mg"] = "The starting dose must be above 0 mg."
    elif not errors:
        errors |= _check_dose(
            actor,
            patient.site_id,
            drug,
            starting_dose_mg,
            off_ladder_justification,
            "starting_dose_mg",
        )
    if patient.diagnosis_date and start_date < patient.diagnosis_date:
        errors["start_date"] = "The course starts before the diagnosis date."
    elif start_date < patient.date_of_birth:
        errors["start_date"] = "The course starts before the date of birth."
    if start_date > timezone.localdate() + timedelta(days=1):
        errors["start_date"] = "Record a course when it starts, not ahead of time."
    if errors:
        raise ValidationError(errors)
    course = TreatmentCourse(
        patient=patient,
        drug=drug,
        line_of_therapy=line_of_therapy,
        rule_set=rule_set,
        start_date=start_date,
        starting_dose_mg=starting_dose_mg,
        concurrent_course_reason=concurrent_course_reason,
    )
    course.full_clean()
    audit(
        course,
        actor=actor,
        reason=f"{reason}; given with an open course: {concurrent_course_reason}"
        if concurrent_course_reason
        else reason,
    )
    course.save()
    start_at = timezone.make_aware(datetime.combine(start_date, datetime.min.time()))
    apply_dose_change(
        actor=actor,
        course=course,
        kind=dosing.Kind.START,
        dose_after_mg=starting_dose_mg,
        effective_at=min(start_at, timezone.now()),
        reason=reason,
        off_ladder_justification=off_ladder_justification,
    )
    return course


@transaction.atomic
def apply_dose_change(
    *,
    actor,
    course: TreatmentCourse,
    kind: str,
    dose_after_mg,
    reason: str,
    effective_at: datetime | None = None,
    off_ladder_justification: str = "",
    reason_terms: list[str] | None = None,
) -> DoseChange:
    """Appends one row to the course's dose ledger after checking it can follow the last.

    The ledger only: what a change means for recommendations (a course that ends
    leaves nothing to sign) is toxicity.services.ledger.change_dose, which pages,
    the API and signed decisions call."""
    # Lock the course so two clinicians cannot append conflicting changes at once.
    course = TreatmentCourse.objects.select_for_update().select_related("patient").get(pk=course.pk)
    site_id = course.patient.site_id
    _require_role(actor, site_id, PRESCRIBERS, _("Your role at this site cannot change a dose."))
    now = timezone.now()
    effective_at = effective_at or now
    errors = limits.text_errors(
        reason=(reason, limits.REASON_CHARS),
        off_ladder_justification=(off_ladder_justification, limits.REASON_CHARS),
    )
    if errors:
        raise ValidationError(errors)
    if not (reason or "").strip():
        errors["reason"] = "Say why the dose changes."
    try:
        dose_after = Decimal(str(dose_after_mg))
    except ArithmeticError:
        raise ValidationError({"dose_after_mg": _("Give the dose as a number of mg.")}) from None
    if dose_after < 0:
        errors["dose_after_mg"] = "A dose cannot be negative."
    history = list(course.dose_changes.order_by("effective_at", "id"))
    state = dosing.derive_dose_state(change.as_entry() for change in history)
    if not errors:
        errors |= dosing.check_entry(state, kind, float(dose_after))
    if not errors and dose_after > 0:
        errors |= _check_dose(
            actor, site_id, course.drug, dose_after, off_ladder_justification, "dose_after_mg"
        )
    if effective_at > now + CLOCK_SKEW:
        errors["effective_at"] = "A dose change is recorded when it takes effect, not ahead."
    elif history and effective_at < history[-1].effective_at:
        errors["effective_at"] = "This is earlier than the last recorded change."
    if errors:
        raise ValidationError(errors)
    change = DoseChange(
        course=course,
        kind=kind,
        effective_at=effective_at,
        dose_before_mg=Decimal(str(state.reference_dose_mg)) if history else None,
        dose_after_mg=dose_after,
        reason=reason.strip(),
        off_ladder_justification=off_ladder_justification.strip(),
        recorded_by=actor,
        recorded_at=now,
    )
    if reason_terms:
        change.reason_terms = sorted(set(reason_terms))
    audit(change, actor=actor, reason=reason.strip())
    change.save()
    return change


def locked_sign_ins(actor) -> list[tuple[SiteMembership, int]]:
    """Colleagues at the actor's sites (as site administrator) whose sign-in is locked
    now, with their failure count."""
    sites = [site for site, role in site_roles(actor).items() if role == Role.SITE_ADMIN]
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    attempts = AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    )
    failures: dict[str, int] = {}
    for username, count in attempts.values_list("username", "failures_since_start"):
        failures[username] = max(failures.get(username, 0), count)
    members = SiteMembership.objects.filter(
        site_id__in=sites, user__username__in=list(failures)
    ).select_related("user", "site")
    return [(m, failures[m.user.username]) for m in members.order_by("user__username")]


@transaction.atomic
def unlock_sign_in(*, actor, membership: SiteMembership) -> int:
    """A site administrator lifts a colleague's lockout; the membership's audit history
    records who did it and when. Returns how many lock records were cleared."""
    _require_role(
        actor,
        membership.site_id,
        (Role.SITE_ADMIN,),
        _("Your role at this site cannot unlock sign-ins."),
    )
    cleared = AxesProxyHandler.reset_attempts(username=membership.user.get_username())
    audit(membership, actor=actor, reason=f"Sign-in unlocked ({cleared} lock records cleared)")
    membership.save()
    return cleared

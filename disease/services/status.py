"""The patient's disease status: RAI-refractory (ATA 2025 Rec 59), active surveillance
with its imaging interval (Rec 60A), symptomatic."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from disease import surveillance
from disease.models import DiseaseStatus
from disease.services.common import raise_if, require_recorder, required_text
from patients import limits
from patients import services as patient_services
from patients.audit import audit
from patients.models import Patient
from patients.services import check_not_stale

FIELDS = (
    "prior_rai_dose_on",
    "rai_refractory_on",
    "rai_refractory_criterion",
    "on_active_surveillance",
    "surveillance_since",
    "imaging_interval_months",
    "symptomatic",
    "symptoms",
)


@transaction.atomic
def record_disease_status(
    *,
    actor,
    patient: Patient,
    reason: str,
    version: int | None = None,
    prior_rai_dose_on: date | None = None,
    rai_refractory_on: date | None = None,
    rai_refractory_criterion: str = "",
    on_active_surveillance: bool = False,
    surveillance_since: date | None = None,
    imaging_interval_months: int | None = None,
    symptomatic: bool = False,
    symptoms: str = "",
) -> DiseaseStatus:
    """Records the whole status (every field as it now stands), with a reason.

    `version` is the version the edit was made on, required once a status exists: a
    newer one raises StaleRecord. The date declared RAI-refractory is stored on the
    patient record (Patient.rai_refractory_date), through its own service.
    """
    require_recorder(actor, patient.site_id, _("the disease status"))
    today = timezone.localdate()
    errors = limits.text_errors(
        reason=(reason, limits.REASON_CHARS),
        rai_refractory_criterion=(rai_refractory_criterion, limits.REASON_CHARS),
        symptoms=(symptoms, limits.REASON_CHARS),
    )
    reason = required_text(errors, "reason", reason, _("Say why the status is recorded."))
    criterion = (
        (rai_refractory_criterion or "").strip() if "rai_refractory_criterion" not in errors else ""
    )
    if rai_refractory_on is not None and not criterion and "rai_refractory_criterion" not in errors:
        errors["rai_refractory_criterion"] = _(
            "Name the criterion by which the disease is RAI-refractory."
        )
    if rai_refractory_on is None and criterion:
        errors["rai_refractory_on"] = _("Give the date the criterion was met.")
    errors.update(
        surveillance.status_errors(
            prior_rai_dose_on=prior_rai_dose_on,
            rai_refractory_on=rai_refractory_on,
            on_active_surveillance=on_active_surveillance,
            imaging_interval_months=imaging_interval_months,
            today=today,
        )
    )
    if on_active_surveillance and surveillance_since is None:
        errors["surveillance_since"] = _("Give the date active surveillance began.")
    if surveillance_since is not None:
        if not on_active_surveillance:
            errors["surveillance_since"] = _("Only a patient on active surveillance has this date.")
        elif surveillance_since > today:
            errors["surveillance_since"] = _("The surveillance start is in the future.")
    text = (symptoms or "").strip() if "symptoms" not in errors else ""
    if symptomatic and not text and "symptoms" not in errors:
        errors["symptoms"] = _("Say which symptoms the disease causes.")
    if text and not symptomatic:
        errors["symptoms"] = _("Symptoms are recorded only when the patient is symptomatic.")
    raise_if(errors)

    status = DiseaseStatus.objects.select_for_update().filter(patient=patient).first()
    if status is None:
        status = DiseaseStatus(patient=patient)
    else:
        if version is None:
            raise ValidationError(
                {"version": _("Give the version of the status you edited (it is recorded).")}
            )
        check_not_stale(status, sent=version, current=status.version, field="version")
        status.version += 1
    if patient.rai_refractory_date != rai_refractory_on:
        try:
            patient = patient_services.update_patient(
                actor=actor,
                patient=patient,
                reason=f"Disease status: {reason}",
                rai_refractory_date=rai_refractory_on,
            )
        except ValidationError as error:
            # The patient record's own date checks (not before the diagnosis), on this field.
            raise ValidationError(
                {"rai_refractory_on": " ".join(m for ms in error.message_dict.values() for m in ms)}
            ) from None
        status.patient = patient
    status.prior_rai_dose_on = prior_rai_dose_on
    status.rai_refractory_criterion = criterion
    status.on_active_surveillance = on_active_surveillance
    status.surveillance_since = surveillance_since
    status.imaging_interval_months = imaging_interval_months
    status.symptomatic = symptomatic
    status.symptoms = text
    status.updated_by = actor
    status.updated_at = timezone.now()
    status.full_clean(exclude=["patient"])
    audit(status, actor=actor, reason=reason)
    status.save()
    return status

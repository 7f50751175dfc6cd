"""Imaging studies with their target lesions, non-target and new lesions; the RECIST
1.1 response of every follow-up computed by disease/recist.py and stored with it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from disease import recist, selectors
from disease.models import ImagingStudy, TargetLesion
from disease.services.common import raise_if, require_recorder
from patients import limits
from patients.audit import audit
from patients.models import Patient

TARGET_FIELDS = (
    "label",
    "organ",
    "is_lymph_node",
    "diameter_mm",
    "in_treated_field",
    "progressed_since_treatment",
)
TENTH = Decimal("0.1")
MAX_MM = Decimal(10000)  # 10 m: beyond it, a typing mistake
LABEL_CHARS = 12


def _tenth(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(TENTH, rounding=ROUND_HALF_UP)


def _field(key: str) -> str:
    """recist.py's error keys as the API's field paths."""
    return "performed_on" if key == "date" else key


def _recist_study(
    performed_on: date, modality: str, targets: Sequence[dict], non_target: str, new_lesions: int
) -> recist.Study:
    errors: dict[str, str] = {}
    lesions = []
    for index, target in enumerate(targets):
        unknown = set(target) - set(TARGET_FIELDS)
        if unknown:
            errors[f"targets[{index}]"] = _("Unknown field(s): %(f)s.") % {
                "f": ", ".join(sorted(unknown))
            }
            continue
        try:
            lesions.append(
                recist.TargetLesion(
                    label=(target.get("label") or "").strip(),
                    organ=(target.get("organ") or "").strip(),
                    is_lymph_node=bool(target.get("is_lymph_node", False)),
                    diameter_mm=target.get("diameter_mm"),
                    modality=modality,  # type: ignore[arg-type]
                    in_treated_field=bool(target.get("in_treated_field", False)),
                    progressed_since_treatment=bool(
                        target.get("progressed_since_treatment", False)
                    ),
                )
            )
        except recist.RecistInputError as error:
            for key, message in error.errors.items():
                name = "modality" if key == "modality" else f"targets[{index}].{key}"
                errors[name] = message
            continue
        lesion = lesions[-1]
        size = lesion.diameter_mm
        if size is not None and (size != size.quantize(TENTH) or size >= MAX_MM):
            errors[f"targets[{index}].diameter_mm"] = _(
                "Give the diameter in mm with at most one decimal, below %(max)s mm."
            ) % {"max": MAX_MM}
        if len(lesion.label) > LABEL_CHARS:
            errors[f"targets[{index}].label"] = _("Keep the label to %(n)s characters.") % {
                "n": LABEL_CHARS
            }
        if len(lesion.organ) > limits.NAME_CHARS:
            errors[f"targets[{index}].organ"] = _("Keep the organ to %(n)s characters.") % {
                "n": limits.NAME_CHARS
            }
    raise_if(errors)
    try:
        return recist.Study(
            date=performed_on,
            targets=tuple(lesions),
            non_target=non_target,  # type: ignore[arg-type]
            new_lesions=new_lesions,
        )
    except recist.RecistInputError as error:
        raise ValidationError({_field(k): v for k, v in error.errors.items()}) from None


def _as_recist(study: ImagingStudy) -> recist.Study:
    return recist.Study(
        date=study.performed_on,
        targets=tuple(
            recist.TargetLesion(
                label=t.label,
                organ=t.organ,
                is_lymph_node=t.is_lymph_node,
                diameter_mm=t.diameter_mm,
                modality=recist.Modality(study.modality),
                in_treated_field=t.in_treated_field,
                progressed_since_treatment=t.progressed_since_treatment,
            )
            for t in study.targets.all()
        ),
        non_target=recist.NonTargetStatus(study.non_target),
        new_lesions=study.new_lesions,
    )


def _apply(study: ImagingStudy, point: recist.TimePoint) -> bool:
    """Copies the computed figures onto the study; True when any changed."""
    values = {
        "sum_mm": _tenth(point.sum_mm),
        "baseline_sum_mm": _tenth(point.baseline_sum_mm),
        "nadir_mm": _tenth(point.nadir_mm),
        "change_from_baseline_pct": _tenth(point.change_from_baseline_pct),
        "change_from_nadir_pct": _tenth(point.change_from_nadir_pct),
        "change_from_nadir_mm": _tenth(point.change_from_nadir_mm),
        "target_response": point.target_response.value,
        "response": point.response.value,
        "reasons": [{"code": r.code, "text": r.text, "source": r.source} for r in point.reasons],
    }
    changed = any(getattr(study, k) != v for k, v in values.items())
    for key, value in values.items():
        setattr(study, key, value)
    return changed


@transaction.atomic
def record_imaging_study(
    *,
    actor,
    patient: Patient,
    performed_on: date,
    modality: str,
    targets: Sequence[dict],
    non_target: str,
    baseline: bool,
    new_lesions: int = 0,
    new_lesion_sites: str = "",
    note: str = "",
    reason: str = "Imaging recorded",
) -> ImagingStudy:
    """Records a study. A baseline is checked by RECIST 1.1's target rules (measurable,
    at most 5, at most 2 per organ); a follow-up belongs to the patient's latest
    baseline before it, and every follow-up of that baseline is assessed again (a
    study dated between two others moves the later ones' nadir)."""
    require_recorder(actor, patient.site_id, _("imaging"))
    # One writer per patient at a time: the series is read and assessed whole.
    Patient.objects.select_for_update().get(pk=patient.pk)
    errors = limits.text_errors(
        note=(note, limits.NOTE_CHARS),
        new_lesion_sites=(new_lesion_sites, limits.NAME_CHARS),
        reason=(reason, limits.REASON_CHARS),
    )
    if isinstance(performed_on, date) and performed_on > timezone.localdate():
        errors["performed_on"] = _("The study date is in the future.")
    # Read once, with their targets: every study of the series is assessed again below.
    studies = list(selectors.studies_of(patient).order_by("performed_on"))
    if any(s.performed_on == performed_on for s in studies):
        errors["performed_on"] = _(
            "A study of this patient is already recorded on this date: one time point a day."
        )
    raise_if(errors)
    current = _recist_study(performed_on, modality, targets, non_target, new_lesions)
    if baseline:
        try:
            recist.validate_baseline(current)
        except recist.RecistInputError as error:
            raise ValidationError({_field(k): v for k, v in error.errors.items()}) from None
        later = [s for s in studies if s.performed_on >= performed_on]
        if later:
            raise ValidationError(
                {
                    "performed_on": _(
                        "A new baseline comes after every study recorded so far (the latest "
                        "is of %(date)s)."
                    )
                    % {"date": later[-1].performed_on.isoformat()}
                }
            )
        base = None
        follow_ups: list[ImagingStudy] = []
    else:
        bases = [s for s in studies if s.is_baseline and s.performed_on < performed_on]
        if not bases:
            raise ValidationError(
                {"baseline": _("Record the baseline study first: a follow-up is compared with it.")}
            )
        base = bases[-1]
        follow_ups = [s for s in studies if s.baseline_id == base.pk]
        try:
            points = recist.assess(
                _as_recist(base), [*(_as_recist(s) for s in follow_ups), current]
            )
        except recist.RecistInputError as error:
            raise ValidationError({_field(k): v for k, v in error.errors.items()}) from None

    study = ImagingStudy(
        patient=patient,
        baseline=base,
        performed_on=performed_on,
        modality=modality,
        non_target=non_target,
        new_lesions=new_lesions,
        new_lesion_sites=(new_lesion_sites or "").strip(),
        note=(note or "").strip(),
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    if base is None:
        study.sum_mm = _tenth(recist.sum_of_diameters(current))
        study.baseline_sum_mm = study.sum_mm
    else:
        by_date = {p.date: p for p in points}
        _apply(study, by_date[performed_on])
    study.full_clean(exclude=["patient", "baseline"])
    audit(study, actor=actor, reason=reason)
    try:
        with transaction.atomic():
            study.save()
    except IntegrityError:
        raise ValidationError(
            {"performed_on": _("A study of this patient is already recorded on this date.")}
        ) from None
    for lesion in current.targets:
        row = TargetLesion(
            study=study,
            label=lesion.label,
            organ=lesion.organ,
            is_lymph_node=lesion.is_lymph_node,
            diameter_mm=lesion.diameter_mm,
            in_treated_field=lesion.in_treated_field,
            progressed_since_treatment=lesion.progressed_since_treatment,
        )
        row.full_clean(exclude=["study"])
        audit(row, actor=actor, reason=reason)
        row.save()
    if base is not None:
        for other in follow_ups:
            if _apply(other, by_date[other.performed_on]):
                audit(
                    other,
                    actor=actor,
                    reason=f"Response assessed again: study of {performed_on.isoformat()} recorded",
                )
                other.save()
    return study

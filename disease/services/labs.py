"""Thyroglobulin labs: Tg with the anti-Tg antibody and TSH drawn with it, and the assay.
The doubling time is computed on reading (disease/selectors.py), from these rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from disease import thyroglobulin
from disease.models import ThyroglobulinLab
from disease.services.common import raise_if, require_recorder, required_text
from patients import limits
from patients.audit import audit
from patients.models import Patient

DUPLICATE = gettext_noop("A Tg of this patient on this date and assay is already recorded.")


@transaction.atomic
def record_tg_lab(
    *,
    actor,
    patient: Patient,
    drawn_on: date,
    tg_ng_ml: Decimal,
    anti_tg_antibody: str,
    tsh_miu_l: Decimal | None,
    assay: str,
    reason: str = "Lab recorded",
) -> ThyroglobulinLab:
    require_recorder(actor, patient.site_id, _("thyroglobulin"))
    errors = limits.text_errors(
        assay=(assay, limits.NAME_CHARS), reason=(reason, limits.REASON_CHARS)
    )
    assay = required_text(
        errors, "assay", assay, _("Name the Tg assay: values are compared only within one assay.")
    )
    if isinstance(drawn_on, date) and drawn_on > timezone.localdate():
        errors["drawn_on"] = _("The sample date is in the future.")
    if not errors:
        try:
            # The pure module's checks: Tg above 0, TSH not negative, a known antibody result.
            thyroglobulin.TgMeasurement(drawn_on, tg_ng_ml, anti_tg_antibody, tsh_miu_l, assay)  # type: ignore[arg-type]
        except thyroglobulin.TgInputError as error:
            errors.update({"drawn_on" if k == "date" else k: v for k, v in error.errors.items()})
    if (
        not errors
        and ThyroglobulinLab.objects.filter(
            patient=patient, drawn_on=drawn_on, assay=assay
        ).exists()
    ):
        errors["drawn_on"] = _(DUPLICATE)
    raise_if(errors)
    lab = ThyroglobulinLab(
        patient=patient,
        drawn_on=drawn_on,
        tg_ng_ml=tg_ng_ml,
        anti_tg_antibody=anti_tg_antibody,
        tsh_miu_l=tsh_miu_l,
        assay=assay,
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    lab.full_clean(exclude=["patient"])
    audit(lab, actor=actor, reason=reason)
    try:
        with transaction.atomic():
            lab.save()
    except IntegrityError:
        raise ValidationError({"drawn_on": _(DUPLICATE)}) from None
    return lab

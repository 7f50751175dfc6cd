"""Builders for RECIST studies and Tg series: every argument a test does not care
about has a plain, valid default."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from disease.recist import Modality, NonTargetStatus, Study, TargetLesion
from disease.thyroglobulin import AntiTgAntibody, TgMeasurement

BASELINE_DATE = dt.date(2025, 1, 6)


def mm(value: str | int | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def lesion(
    label: str = "T1",
    diameter: str | int | None = "30",
    *,
    organ: str = "lung",
    node: bool = False,
    modality: Modality = Modality.CT,
    in_treated_field: bool = False,
    progressed_since_treatment: bool = False,
) -> TargetLesion:
    return TargetLesion(
        label=label,
        organ=organ,
        is_lymph_node=node,
        diameter_mm=mm(diameter),
        modality=modality,
        in_treated_field=in_treated_field,
        progressed_since_treatment=progressed_since_treatment,
    )


def study(
    *targets: TargetLesion,
    on: dt.date = BASELINE_DATE,
    non_target: NonTargetStatus = NonTargetStatus.ABSENT,
    new_lesions: int = 0,
) -> Study:
    return Study(date=on, targets=targets, non_target=non_target, new_lesions=new_lesions)


def months_later(months: int) -> dt.date:
    """A follow-up date; RECIST rules here do not depend on the interval."""
    return BASELINE_DATE + dt.timedelta(days=30 * months)


def tg(
    on: dt.date,
    value: str | int = "2.0",
    *,
    antibody: AntiTgAntibody = AntiTgAntibody.NEGATIVE,
    tsh: str | None = "0.05",
    assay: str = "assay A",
) -> TgMeasurement:
    return TgMeasurement(
        date=on,
        tg_ng_ml=Decimal(str(value)),
        anti_tg_antibody=antibody,
        tsh_miu_l=None if tsh is None else Decimal(tsh),
        assay=assay,
    )

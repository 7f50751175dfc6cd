"""Thyroglobulin doubling time (Tg-DT) by least squares, from the values that qualify.

Pure Python, no Django. Facts from docs/sources/reference.md 3.3 and
docs/sources/disease.md ("Thyroglobulin"):

- Inputs: "Tg values measured under TSH suppression, with anti-Tg antibodies
  negative, using the same assay. Miyauchi et al., Thyroid 2011 ... required ≥4 Tg
  measurements with TSH <0.1 mIU/L and undetectable anti-Tg antibody" [S].
- Computation ("standard method" [U]): "Fit a least-squares line to ln(Tg) against
  time in years; call the slope b. Tg-DT = ln 2 / b. If b ≤ 0, Tg is falling:
  report 'negative / not doubling'."
- Categories: "<1 y, 1–3 y, ≥3 y, and negative" [S].
- Worked example: Tg 2.0, 2.8, 4.1, 5.6 ng/mL at 0, 0.5, 1.0 and 1.5 y gives
  b = 0.694/y and Tg-DT = 0.999 y, category <1 y (tests/disease/test_thyroglobulin.py).

Unconfirmed (the sources are silent; each choice below awaits a clinician's confirmation):

- Dates become years at 365.25 days a year.
- "1–3 y" is read as 1 ≤ DT < 3, since "<1 y" and "≥3 y" are the neighbours.
- A TSH not recorded with a Tg does not show suppression: that value is left out.
- An antibody result other than negative (positive, or not recorded) leaves the value
  out.
- When the qualifying values come from more than one assay and no assay is named,
  nothing is computed: the caller names the assay to follow.
- Tg must be above 0 ng/mL: an undetectable Tg has no logarithm, and how to count
  it is not in the sources.

Arithmetic noise: the doubling time is rounded to 1e-9 years (about 0.03 s) before
it is categorised, so a series that doubles exactly every year reads 1–3 y, as
written, and not "<1 y" by a last-bit rounding.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

__all__ = [
    "MIN_VALUES",
    "TSH_SUPPRESSED_BELOW_MIU_L",
    "AntiTgAntibody",
    "Exclusion",
    "TgDoublingTime",
    "TgDtCategory",
    "TgDtStatus",
    "TgInputError",
    "TgMeasurement",
    "category_for",
    "SeriesFit",
    "doubling_time",
    "fit",
    "slope_per_year",
]

SOURCE = "docs/sources/reference.md 3.3; docs/sources/disease.md, Thyroglobulin"

# One source for every bound: reference.md 3.3 (Miyauchi 2011).
MIN_VALUES = 4
TSH_SUPPRESSED_BELOW_MIU_L = Decimal("0.1")
DAYS_PER_YEAR = 365.25  # unconfirmed: the sources say "time in years" only
_DT_PLACES = 9


class TgInputError(ValueError):
    """Input a clinician must correct. ``errors`` maps each bad field to a message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class AntiTgAntibody(StrEnum):
    NEGATIVE = "negative"
    POSITIVE = "positive"
    NOT_RECORDED = "not_recorded"


class TgDtStatus(StrEnum):
    DOUBLING = "doubling"
    NOT_DOUBLING = "not_doubling"  # slope <= 0: Tg stable or falling
    NOT_COMPUTED = "not_computed"  # see ``reason``


class TgDtCategory(StrEnum):
    """reference.md 3.3: "<1 y, 1–3 y, ≥3 y, and negative", spelled as there."""

    UNDER_1_YEAR = "<1 y"
    FROM_1_TO_3_YEARS = "1–3 y"
    AT_LEAST_3_YEARS = "≥3 y"
    NOT_DOUBLING = "negative / not doubling"


def _decimal(value: object, field: str, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float | str):
        raise TgInputError({field: f"{what} is a number, not {value!r}"})
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise TgInputError({field: f"{what} is a number, not {value!r}"}) from None
    if not number.is_finite():
        raise TgInputError({field: f"{what} is a finite number, not {value}"})
    return number


@dataclass(frozen=True, slots=True)
class TgMeasurement:
    """One Tg result with the anti-Tg antibody and TSH drawn with it.

    Tg in ng/mL and TSH in mIU/L; the doubling time does not depend on the Tg unit
    as long as one unit is used throughout."""

    date: dt.date
    tg_ng_ml: Decimal
    anti_tg_antibody: AntiTgAntibody
    tsh_miu_l: Decimal | None
    assay: str

    def __post_init__(self) -> None:
        errors: dict[str, str] = {}
        if not isinstance(self.date, dt.date) or isinstance(self.date, dt.datetime):
            errors["date"] = f"the sample date is a calendar date, not {self.date!r}"
        try:
            tg = _decimal(self.tg_ng_ml, "tg_ng_ml", "Tg")
            if tg <= 0:
                errors["tg_ng_ml"] = (
                    f"Tg must be above 0 ng/mL (got {tg}): an undetectable Tg has no "
                    "logarithm, and how to count it is not in the sources (unconfirmed)"
                )
            object.__setattr__(self, "tg_ng_ml", tg)
        except TgInputError as error:
            errors.update(error.errors)
        if self.tsh_miu_l is not None:
            try:
                tsh = _decimal(self.tsh_miu_l, "tsh_miu_l", "TSH")
                if tsh < 0:
                    errors["tsh_miu_l"] = f"TSH cannot be negative ({tsh} mIU/L)"
                object.__setattr__(self, "tsh_miu_l", tsh)
            except TgInputError as error:
                errors.update(error.errors)
        try:
            object.__setattr__(self, "anti_tg_antibody", AntiTgAntibody(self.anti_tg_antibody))
        except ValueError:
            errors["anti_tg_antibody"] = (
                f"{self.anti_tg_antibody!r} is not negative, positive or not recorded"
            )
        if not isinstance(self.assay, str) or not self.assay.strip():
            errors["assay"] = "name the Tg assay: values are compared only within one assay"
        if errors:
            raise TgInputError(errors)


@dataclass(frozen=True, slots=True)
class Exclusion:
    measurement: TgMeasurement
    reason: str


@dataclass(frozen=True, slots=True)
class TgDoublingTime:
    """The answer. ``doubling_time_years`` is set only when ``status`` is DOUBLING;
    ``reason`` says why nothing was computed when ``status`` is NOT_COMPUTED."""

    status: TgDtStatus
    doubling_time_years: float | None
    slope_per_year: float | None
    category: TgDtCategory | None
    assay: str | None
    used: tuple[TgMeasurement, ...]
    excluded: tuple[Exclusion, ...]
    reason: str
    source: str = SOURCE


def _assay_key(assay: str) -> str:
    return " ".join(assay.split()).casefold()


def slope_per_year(years: Sequence[float], tg: Sequence[float]) -> float:
    """Least-squares slope of ln(Tg) against time in years."""
    if len(years) != len(tg) or len(years) < 2:
        raise TgInputError({"values": "the fit needs at least two (time, Tg) pairs"})
    if any(v <= 0 for v in tg):
        raise TgInputError({"tg_ng_ml": "Tg must be above 0 for its logarithm"})
    # Logs relative to the first value: a constant series gives exactly 0, not noise.
    logs = [math.log(v / tg[0]) for v in tg]
    n = len(years)
    mean_t = math.fsum(years) / n
    mean_y = math.fsum(logs) / n
    sxx = math.fsum((t - mean_t) ** 2 for t in years)
    if sxx == 0:
        raise TgInputError({"date": "all values are from one date: no time to fit over"})
    sxy = math.fsum((t - mean_t) * (y - mean_y) for t, y in zip(years, logs, strict=True))
    return sxy / sxx


def category_for(doubling_time_years: float | None) -> TgDtCategory:
    """The reference.md 3.3 category; None (slope <= 0) is "not doubling"."""
    if doubling_time_years is None:
        return TgDtCategory.NOT_DOUBLING
    if doubling_time_years <= 0 or not math.isfinite(doubling_time_years):
        raise TgInputError(
            {
                "doubling_time_years": f"a doubling time is a positive number of years, not "
                f"{doubling_time_years}"
            }
        )
    if doubling_time_years < 1:
        return TgDtCategory.UNDER_1_YEAR
    if doubling_time_years < 3:
        return TgDtCategory.FROM_1_TO_3_YEARS
    return TgDtCategory.AT_LEAST_3_YEARS


@dataclass(frozen=True, slots=True)
class SeriesFit:
    slope_per_year: float
    doubling_time_years: float | None  # None: slope <= 0, not doubling
    category: TgDtCategory


def fit(years: Sequence[float], tg: Sequence[float]) -> SeriesFit:
    """Tg-DT = ln 2 / b for the least-squares slope b of ln(Tg) over time in years."""
    slope = slope_per_year(years, tg)
    if slope <= 0:
        return SeriesFit(slope, None, TgDtCategory.NOT_DOUBLING)
    years_to_double = round(math.log(2) / slope, _DT_PLACES)
    return SeriesFit(slope, years_to_double, category_for(years_to_double))


def _exclusion_reason(m: TgMeasurement) -> str | None:
    if m.anti_tg_antibody is AntiTgAntibody.POSITIVE:
        return "anti-Tg antibody positive: Tg is not interpretable as a tumour marker"
    if m.anti_tg_antibody is AntiTgAntibody.NOT_RECORDED:
        return "no anti-Tg antibody result: a negative antibody is required"
    if m.tsh_miu_l is None:
        return f"no TSH with this Tg: suppression (< {TSH_SUPPRESSED_BELOW_MIU_L} mIU/L) not shown"
    if m.tsh_miu_l >= TSH_SUPPRESSED_BELOW_MIU_L:
        return (
            f"TSH {m.tsh_miu_l} mIU/L is not suppressed (< {TSH_SUPPRESSED_BELOW_MIU_L} mIU/L "
            "required)"
        )
    return None


def doubling_time(
    measurements: Iterable[TgMeasurement], *, assay: str | None = None
) -> TgDoublingTime:
    """Tg-DT from the measurements that qualify, with every value left out and why.

    ``assay`` names the assay to follow; without it, the qualifying values must all
    come from one assay."""
    values = sorted(measurements, key=lambda m: m.date)
    excluded: list[Exclusion] = []
    qualifying: list[TgMeasurement] = []
    for m in values:
        why = _exclusion_reason(m)
        if why is None:
            qualifying.append(m)
        else:
            excluded.append(Exclusion(m, why))

    if assay is None:
        assays = sorted({_assay_key(m.assay) for m in qualifying})
        if len(assays) > 1:
            return TgDoublingTime(
                TgDtStatus.NOT_COMPUTED,
                None,
                None,
                None,
                None,
                (),
                tuple(excluded)
                + tuple(
                    Exclusion(m, f"assay {m.assay}: no assay chosen among several")
                    for m in qualifying
                ),
                "the qualifying values come from more than one assay "
                f"({', '.join(sorted({m.assay for m in qualifying}))}); Tg is compared only "
                "within one assay: choose the assay to follow",
            )
        chosen = qualifying[0].assay if qualifying else None
    else:
        if not isinstance(assay, str) or not assay.strip():
            raise TgInputError({"assay": "name the Tg assay to follow"})
        chosen = assay
        same = [m for m in qualifying if _assay_key(m.assay) == _assay_key(assay)]
        excluded.extend(
            Exclusion(m, f"assay {m.assay}, not {assay}: Tg is compared only within one assay")
            for m in qualifying
            if _assay_key(m.assay) != _assay_key(assay)
        )
        qualifying = same
    excluded.sort(key=lambda e: e.measurement.date)
    used = tuple(qualifying)

    def not_computed(reason: str) -> TgDoublingTime:
        return TgDoublingTime(
            TgDtStatus.NOT_COMPUTED, None, None, None, chosen, used, tuple(excluded), reason
        )

    if len(used) < MIN_VALUES:
        return not_computed(
            f"{len(used)} qualifying Tg value(s); at least {MIN_VALUES} are needed (anti-Tg "
            f"antibody negative, TSH < {TSH_SUPPRESSED_BELOW_MIU_L} mIU/L, one assay)"
        )
    first = used[0].date
    years = [(m.date - first).days / DAYS_PER_YEAR for m in used]
    if len({m.date for m in used}) < 2:
        return not_computed("all qualifying values are from one date: no time to fit over")
    result = fit(years, [float(m.tg_ng_ml) for m in used])
    return TgDoublingTime(
        TgDtStatus.DOUBLING if result.doubling_time_years is not None else TgDtStatus.NOT_DOUBLING,
        result.doubling_time_years,
        result.slope_per_year,
        result.category,
        chosen,
        used,
        tuple(excluded),
        "",
    )

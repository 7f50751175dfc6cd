"""RAI-refractory status (ATA 2025 Rec 59) and active surveillance (Rec 60A), as data.

Pure Python, no Django. Facts from docs/sources/reference.md 3.1:

- Rec 59: "RAI-refractory (RAIR) status cannot be diagnosed without a prior ablative
  or treatment dose of RAI."
- Rec 60A: RAIR metastatic DTC that is asymptomatic, stable or minimally progressive
  "can be monitored on TSH-suppressive therapy with imaging every 3–12 months."

The sources name no list of criteria by which RAI-refractory status is declared, so
the criterion is the clinician's own words, stored with the one condition Rec 59
sets (a prior ablative or treatment dose of RAI, dated before the declaration);
which criteria count is unconfirmed.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

__all__ = [
    "IMAGING_INTERVAL_MONTHS",
    "REC59",
    "REC60A",
    "Rule",
    "imaging_due",
    "status_errors",
]

SOURCE = "docs/sources/reference.md 3.1"


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    text: str  # the recommendation as reference.md words it
    source: str
    tag: str  # reference.md's confidence tag, as written there


# The recommendation list's tag in reference.md 3.1.
ATA_TAG = "[S: ATA quick-reference pages 22–23 via guidelinecentral]"
REC59 = Rule(
    "rec59",
    "RAI-refractory (RAIR) status cannot be diagnosed without a prior ablative or "
    "treatment dose of RAI.",
    f"{SOURCE}, ATA 2025 Rec 59",
    ATA_TAG,
)
REC60A = Rule(
    "rec60a",
    "RAIR metastatic DTC that is asymptomatic, stable or minimally progressive, or in "
    "patients with significant comorbidities, can be monitored on TSH-suppressive therapy "
    "with imaging every 3–12 months.",
    f"{SOURCE}, ATA 2025 Rec 60A",
    ATA_TAG,
)
# Rec 60A: "imaging every 3–12 months" (both ends allowed).
IMAGING_INTERVAL_MONTHS = (3, 12)


def status_errors(
    *,
    prior_rai_dose_on: dt.date | None,
    rai_refractory_on: dt.date | None,
    on_active_surveillance: bool,
    imaging_interval_months: int | None,
    today: dt.date,
) -> dict[str, str]:
    """Field -> problem for a disease status that Rec 59 or Rec 60A does not allow."""
    errors: dict[str, str] = {}
    low, high = IMAGING_INTERVAL_MONTHS
    if rai_refractory_on is not None:
        if rai_refractory_on > today:
            errors["rai_refractory_on"] = "The date declared RAI-refractory is in the future."
        if prior_rai_dose_on is None:
            errors["prior_rai_dose_on"] = (
                "RAI-refractory status cannot be diagnosed without a prior ablative or "
                "treatment dose of RAI (ATA 2025 Rec 59): give the date of that dose."
            )
        elif prior_rai_dose_on > rai_refractory_on:
            errors["prior_rai_dose_on"] = (
                "The RAI dose must come before the date declared RAI-refractory (ATA 2025 Rec 59)."
            )
    if prior_rai_dose_on is not None and prior_rai_dose_on > today:
        errors["prior_rai_dose_on"] = "The RAI dose date is in the future."
    if on_active_surveillance:
        if imaging_interval_months is None:
            errors["imaging_interval_months"] = (
                f"Choose the imaging interval of the surveillance: every {low}–{high} months "
                "(ATA 2025 Rec 60A)."
            )
        elif not low <= imaging_interval_months <= high:
            errors["imaging_interval_months"] = (
                f"ATA 2025 Rec 60A monitors with imaging every {low}–{high} months, not "
                f"every {imaging_interval_months}."
            )
    elif imaging_interval_months is not None:
        errors["imaging_interval_months"] = (
            "An imaging interval is chosen only for a patient on active surveillance."
        )
    return errors


def imaging_due(last_imaging_on: dt.date, interval_months: int) -> dt.date:
    """The date the next surveillance imaging is due: calendar months after the last
    study; a day the later month lacks becomes its last day."""
    index = last_imaging_on.year * 12 + last_imaging_on.month - 1 + interval_months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(last_imaging_on.day, calendar.monthrange(year, month)[1]))

"""Holding the drug around elective surgery (reference.md scenario 44), as data.

Pure Python. The planning question a nurse asks before an operation: by when must
the drug stop, and from when may it restart? Restarting also needs adequate wound
healing, which only a clinician can judge, so the answer names it as a condition.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class SurgeryRule:
    drug: str
    stop_days_before: int
    restart_days_after: int
    includes_dental: bool
    source: str
    confirmed: bool


SURGERY_RULES: dict[str, SurgeryRule] = {
    # LENVIMA: "withhold >=1 week before elective surgery; do not give for >=2 weeks
    # after major surgery and until adequate wound healing" [S: UpToDate extract].
    "lenvatinib": SurgeryRule(
        "lenvatinib", 7, 14, False, "reference.md 2.1 (UpToDate extract of the US PI)", False
    ),
    # NEXAVAR: "Withhold NEXAVAR for at least 10 days prior to elective surgery. Do not
    # administer for at least 2 weeks following major surgery and until adequate wound
    # healing." [M, verification.md 2.3: CONFIRMED]
    "sorafenib": SurgeryRule(
        "sorafenib", 10, 14, False, "NEXAVAR HCP page (Bayer); verification.md 2.3", True
    ),
    # CABOMETYX: "Withhold CABOMETYX for at least 3 weeks prior to elective surgery,
    # including dental surgery. Do not administer CABOMETYX for at least 2 weeks after
    # major surgery and until adequate wound healing is observed" [M, verification.md
    # 3.4: CONFIRMED]
    "cabozantinib": SurgeryRule(
        "cabozantinib", 21, 14, True, "CABOMETYX HCP page (Exelixis); verification.md 3.4", True
    ),
}


@dataclass(frozen=True)
class SurgeryWindow:
    last_dose_by: date  # the last day the drug may be taken
    stop_from: date  # the first day without the drug
    restart_from: date  # the earliest restart, once the wound has healed
    condition: str
    source: str
    confirmed: bool


def surgery_window(drug: str, surgery_on: date, *, dental: bool = False) -> SurgeryWindow:
    """When to stop and the earliest day to restart around an elective operation."""
    try:
        rule = SURGERY_RULES[drug]
    except KeyError:
        raise ValueError(f"unknown drug {drug!r}") from None
    if dental and not rule.includes_dental:
        condition = "the label names no hold for dental surgery; restart when the wound has healed"
    else:
        condition = "and only when the wound has healed adequately (clinician's judgement)"
    stop_from = surgery_on - timedelta(days=rule.stop_days_before)
    return SurgeryWindow(
        last_dose_by=stop_from - timedelta(days=1),
        stop_from=stop_from,
        restart_from=surgery_on + timedelta(days=rule.restart_days_after),
        condition=condition,
        source=rule.source,
        confirmed=rule.confirmed,
    )

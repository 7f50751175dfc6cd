"""Holding the drug around elective surgery and invasive dental procedures, as data.

Pure Python (reference.md scenario 44). The planning question a nurse asks before
an operation: by when must the drug stop, and from when may it restart?
Restarting also needs adequate wound healing, which only a clinician can judge,
so the answer names it as a condition.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

__all__ = ["SURGERY_RULES", "SurgeryRule", "SurgeryWindow", "surgery_window"]


@dataclass(frozen=True, slots=True, kw_only=True)
class SurgeryRule:
    """The label's hold around elective surgery, and around invasive dental work.

    ``dental_stop_days_before`` is the hold before an invasive dental procedure
    (``None`` where the label names none); ``dental_source`` and
    ``dental_confirmed`` say where that hold was read.
    """

    drug: str
    stop_days_before: int
    restart_days_after: int
    source: str
    confirmed: bool
    dental_stop_days_before: int | None
    dental_source: str
    dental_confirmed: bool


SURGERY_RULES: dict[str, SurgeryRule] = {
    # LENVIMA: "withhold >=1 week before elective surgery; do not give for >=2 weeks
    # after major surgery and until adequate wound healing" [S: UpToDate extract];
    # "Invasive dental procedures (ONJ): withhold >=1 week before, if possible" [S]
    # (reference.md 2.1, monitoring).
    "lenvatinib": SurgeryRule(
        drug="lenvatinib",
        stop_days_before=7,
        restart_days_after=14,
        source="reference.md 2.1 (UpToDate extract of the US PI)",
        confirmed=False,
        dental_stop_days_before=7,
        dental_source="reference.md 2.1, invasive dental procedures (ONJ) [S]",
        dental_confirmed=False,
    ),
    # NEXAVAR: "Withhold NEXAVAR for at least 10 days prior to elective surgery. Do not
    # administer for at least 2 weeks following major surgery and until adequate wound
    # healing." [M, verification.md 2.3: CONFIRMED]. No dental hold is named.
    "sorafenib": SurgeryRule(
        drug="sorafenib",
        stop_days_before=10,
        restart_days_after=14,
        source="NEXAVAR HCP page (Bayer); verification.md 2.3",
        confirmed=True,
        dental_stop_days_before=None,
        dental_source="no dental hold named (reference.md 2.2; verification.md 2.3)",
        dental_confirmed=True,
    ),
    # CABOMETYX: "Withhold CABOMETYX for at least 3 weeks prior to elective surgery,
    # including dental surgery. Do not administer CABOMETYX for at least 2 weeks after
    # major surgery and until adequate wound healing is observed" [M, verification.md
    # 3.4: CONFIRMED]
    "cabozantinib": SurgeryRule(
        drug="cabozantinib",
        stop_days_before=21,
        restart_days_after=14,
        source="CABOMETYX HCP page (Exelixis); verification.md 3.4",
        confirmed=True,
        dental_stop_days_before=21,
        dental_source="CABOMETYX HCP page (Exelixis): 'including dental surgery'; "
        "verification.md 3.4",
        dental_confirmed=True,
    ),
}


@dataclass(frozen=True, slots=True)
class SurgeryWindow:
    last_dose_by: date  # the last day the drug may be taken
    stop_from: date  # the first day without the drug
    restart_from: date  # the earliest restart, once the wound has healed
    condition: str
    source: str
    confirmed: bool


_HEALED = "and only when the wound has healed adequately (clinician's judgement)"


def surgery_window(drug: str, surgery_on: date, *, dental: bool = False) -> SurgeryWindow:
    """When to stop and the earliest day to restart around an elective operation.

    ``dental=True`` for an invasive dental procedure: the label's dental hold
    applies where it names one; otherwise the drug need not stop for it.
    """
    try:
        rule = SURGERY_RULES[drug]
    except KeyError:
        raise ValueError(f"unknown drug {drug!r}") from None
    if dental:
        if rule.dental_stop_days_before is None:
            return SurgeryWindow(
                last_dose_by=surgery_on,
                stop_from=surgery_on,
                restart_from=surgery_on,
                condition="the label names no hold for dental procedures",
                source=rule.dental_source,
                confirmed=rule.dental_confirmed,
            )
        stop_days, source, confirmed = (
            rule.dental_stop_days_before,
            rule.dental_source,
            rule.dental_confirmed,
        )
    else:
        stop_days, source, confirmed = rule.stop_days_before, rule.source, rule.confirmed
    stop_from = surgery_on - timedelta(days=stop_days)
    return SurgeryWindow(
        last_dose_by=stop_from - timedelta(days=1),
        stop_from=stop_from,
        restart_from=surgery_on + timedelta(days=rule.restart_days_after),
        condition=_HEALED,
        source=source,
        confirmed=confirmed,
    )

"""Timing flags for the multidisciplinary team: which of the guideline's timing
criteria a patient's stored course meets now, each with the rule that fired and its
source.

Pure Python, no Django. Decision support only: a flag names a criterion; no flag
starts, stops or chooses a therapy (docs/sources/disease.md, "What the tracker may
and may not say").

- "progressed within 12–14 months by RECIST": ATA 2025 Rec 63 (reference.md 3.1),
  asymptomatic disease "that has progressed over the prior 12–14 months"; the date
  is the first RECIST PD (disease/recist.py progression_date and progression_window).
- "symptomatic": Rec 63, "Start lenvatinib without delay in symptomatic RAIR disease
  not suited to local therapy." The symptom is the clinician's entry on the status.
- "Tg-DT < 1 year": reference.md 3.3, categories "<1 y, 1–3 y, ≥3 y, and negative".
- "no actionable alteration tested": Rec 61, "Test tissue biomarkers for actionable
  drivers before starting systemic therapy." Actionable: the alterations of
  reference.md 3.2 (BRAF V600E, RET, NTRK and ALK fusion).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from disease.options import ACTIONABLE, NAMES, RECS
from disease.recist import SOURCE_REC63, ProgressionWindow
from disease.thyroglobulin import TgDtCategory

__all__ = ["Flag", "flags_for"]

REC63_TEXT = (
    "Start lenvatinib without delay in symptomatic RAIR disease not suited to local therapy. "
    'For asymptomatic disease "that has progressed over the prior 12–14 months", start '
    "earlier if efficacy is the priority, or delay and monitor if quality of life is the "
    "priority."
)
TG_SOURCE = "docs/sources/reference.md 3.3, Tg-DT categories"


@dataclass(frozen=True, slots=True)
class Flag:
    code: str
    label: str  # what the team reads on the list
    rule: str  # why it fired, with the figures
    source: str


def flags_for(
    *,
    window: ProgressionWindow,
    progression_on: str | None = None,
    symptomatic: bool = False,
    tg_category: TgDtCategory | None = None,
    tg_doubling_time_years: float | None = None,
    findings: Mapping[str, str] | None = None,
) -> tuple[Flag, ...]:
    """The flags that fire, in a fixed order. ``progression_on`` is the ISO date of
    the first PD; ``findings`` maps marker key -> result key (patients.models.Marker)."""
    flags: list[Flag] = []
    when = f" (first PD on {progression_on})" if progression_on else ""
    if window is ProgressionWindow.WITHIN_12_MONTHS:
        flags.append(
            Flag(
                "progressed_12_14_months",
                "progressed within 12–14 months by RECIST",
                f"RECIST 1.1 progression within the last 12 months{when}: meets Rec 63's "
                '"progressed over the prior 12–14 months" on either reading',
                SOURCE_REC63,
            )
        )
    elif window is ProgressionWindow.BETWEEN_12_AND_14_MONTHS:
        flags.append(
            Flag(
                "progressed_12_14_months",
                "progressed within 12–14 months by RECIST",
                f"RECIST 1.1 progression between 12 and 14 months ago{when}: meets Rec 63's "
                "range only at its far end, for the team to judge",
                SOURCE_REC63,
            )
        )
    if symptomatic:
        flags.append(
            Flag(
                "symptomatic",
                "symptomatic",
                "recorded as symptomatic: Rec 63, start lenvatinib without delay in "
                "symptomatic RAIR disease not suited to local therapy",
                SOURCE_REC63,
            )
        )
    if tg_category is TgDtCategory.UNDER_1_YEAR:
        figure = f" {tg_doubling_time_years:.3f} y" if tg_doubling_time_years is not None else ""
        flags.append(
            Flag(
                "tg_dt_under_1_year",
                "Tg-DT < 1 year",
                f"thyroglobulin doubling time{figure}: category {TgDtCategory.UNDER_1_YEAR.value}",
                TG_SOURCE,
            )
        )
    findings = findings or {}
    tested = [m for m in ACTIONABLE if findings.get(m.value) in ("positive", "negative")]
    if not tested:
        flags.append(
            Flag(
                "no_actionable_alteration_tested",
                "no actionable alteration tested",
                "none of "
                + ", ".join(NAMES[m] for m in ACTIONABLE)
                + " has a result: Rec 61, "
                + RECS["61"].text[0].lower()
                + RECS["61"].text[1:],
                RECS["61"].source,
            )
        )
    return tuple(flags)

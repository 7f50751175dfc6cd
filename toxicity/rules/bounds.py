"""Plausibility bounds for every measured value: the one source for the contract,
the visit form and the API.

A value outside its bound is refused as implausible (a wrong unit or a typo), never
graded. These are project decisions, chosen wide enough for real patients and
narrow enough to catch a slip of the hand; the blood-pressure bounds follow
``docs/sources/evaluate-contract.md``. The contract's schema
(``toxicity/rules/contract.py``), the table in ``toxicity/rules/evaluate.py``'s
docstring and the form's ``min``/``max`` attributes are read from here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Bound:
    """An inclusive range for one measured field, in the unit the field is recorded in."""

    low: float
    high: float
    unit: str
    label: str

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high


SBP = Bound(50, 300, "mmHg", "systolic blood pressure")
DBP = Bound(20, 200, "mmHg", "diastolic blood pressure")

PLAUSIBLE: dict[str, Bound] = {
    "sbp": SBP,
    "dbp": DBP,
    "antihypertensive_stable_hours": Bound(0, 87_600, "h", "hours on stable antihypertensives"),
    "stools_per_day": Bound(0, 50, "stools/day", "stools per day"),
    "baseline_stools_per_day": Bound(0, 50, "stools/day", "baseline stools per day"),
    "weight_kg": Bound(20, 400, "kg", "weight"),
    "baseline_weight_kg": Bound(20, 400, "kg", "baseline weight"),
    "urine_protein_g_24h": Bound(0, 50, "g/24 h", "24-hour urine protein"),
    "upcr_g_per_g": Bound(0, 50, "g/g", "urine protein/creatinine ratio"),
    "value": Bound(0, 100_000, "", "value"),
    "qtc_ms": Bound(200, 800, "ms", "QTc"),
    "baseline_qtc_ms": Bound(200, 800, "ms", "baseline QTc"),
    "calcium_mg_dl": Bound(1, 20, "mg/dL", "calcium"),
    "albumin_g_dl": Bound(0.5, 10, "g/dL", "albumin"),
    "ionized_calcium_mmol_l": Bound(0.1, 5, "mmol/L", "ionized calcium"),
}

# Strictly positive values (above 0, at most the figure): reference limits and baselines.
POSITIVE_MAX: dict[str, tuple[float, str]] = {
    "uln": (10_000, ""),
    "baseline": (100_000, ""),
    "lln": (20, ""),
}

MAX_COUNT = 1_000
MAX_OBSERVATIONS = 100
MAX_READINGS = 20

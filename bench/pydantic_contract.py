"""Benchmark (not a test): pydantic v2 strict for the evaluation contract vs the hand validator.

The pydantic models below check only the shape of a request (types, unknown
fields, the drug and rule-set names): no plausibility range, no per-term field
set, no cross-field rule (sbp with dbp, readings or sbp/dbp, a grade the term
defines) and no grading. The hand validator (``toxicity.rules.evaluate.validate``)
does all of that and grades. Both are timed on the requests of ``bench.engine``
as multiples of ``json.loads`` (CPU time of this process, best of 3).

Run from the repository root: ``python -m bench.pydantic_contract``.
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path
from typing import Literal

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pydantic import BaseModel, ConfigDict, TypeAdapter  # noqa: E402

from bench.engine import make_request  # noqa: E402
from toxicity.rules.evaluate import validate  # noqa: E402


class Obs(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    term: str
    grade: int | None = None
    intolerable: bool | None = None
    persistent: bool | None = None
    symptomatic: bool | None = None
    readings: list[list[float]] | None = None
    sbp: float | None = None
    dbp: float | None = None
    optimal_antihypertensive_therapy: bool | None = None
    antihypertensive_stable_hours: float | None = None
    stools_per_day: float | None = None
    baseline_stools_per_day: float | None = None
    weight_kg: float | None = None
    baseline_weight_kg: float | None = None
    urine_protein_g_24h: float | None = None
    dipstick: Literal["negative", "trace", "1+", "2+", "3+", "4+"] | None = None
    upcr_g_per_g: float | None = None
    value: float | None = None
    uln: float | None = None
    baseline: float | None = None
    qtc_ms: float | None = None
    baseline_qtc_ms: float | None = None
    calcium_mg_dl: float | None = None
    albumin_g_dl: float | None = None
    ionized_calcium_mmol_l: float | None = None
    lln: float | None = None


class Req(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    drug: Literal["lenvatinib", "sorafenib", "cabozantinib"]
    rule_set: Literal["us_pi", "eu_smpc"] = "us_pi"
    dose_mg_per_day: float
    on_hold: bool = False
    hold_reason_terms: list[str] = []
    holds_at_current_dose: int = 0
    occurrences: dict[str, int] = {}
    observations: list[Obs] = []


def main() -> None:
    rng = random.Random(5)
    reqs = [json.loads(json.dumps(make_request(rng))) for _ in range(20000)]
    texts = [json.dumps(r) for r in reqs]
    ta = TypeAdapter(Req)
    for r in reqs:  # warm up, and prove both accept every request
        ta.validate_python(r)
        validate(r)

    def t(fn):
        b = 9e9
        for _ in range(3):
            s = time.process_time()
            fn()
            b = min(b, time.process_time() - s)
        return b

    tl = t(lambda: [json.loads(x) for x in texts])
    tp = t(lambda: [ta.validate_python(r) for r in reqs])
    tv = t(lambda: [validate(r) for r in reqs])
    print(f"json.loads: {tl:.3f} s")
    print(f"pydantic strict, shape only: {tp:.3f} s ({tp / tl:.2f} x json.loads)")
    print(f"hand validator, all checks and grading: {tv:.3f} s ({tv / tl:.2f} x json.loads)")


if __name__ == "__main__":
    main()

"""Benchmark (not a test): ways of checking the evaluation contract's shape with pydantic v2.

On the requests of ``bench.engine``, as multiples of ``json.loads`` (CPU time of
this process, best of 5, the measurements interleaved):

* pydantic ``BaseModel`` classes in strict mode (types, unknown fields, drug and
  rule-set names; one model for every observation: no per-term field set, no
  plausibility range), validated from the parsed dict into model instances;
* ``toxicity.rules.contract.check_shape``: the schema the engine uses, built with
  pydantic-core's schema builders (strict; per-term field sets through a union
  tagged by ``term``; every plausibility range; every CTCAE term name), returning
  nothing on success;
* ``toxicity.rules.evaluate.validate``: that shape, then the rules between fields
  and the grading: all a caller pays before the engine.

Run from the repository root: ``python -m bench.pydantic_contract``.
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Literal

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pydantic import BaseModel, ConfigDict, TypeAdapter  # noqa: E402

from bench.engine import make_request  # noqa: E402
from toxicity.rules.contract import check_shape  # noqa: E402
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
    texts = [json.dumps(make_request(rng)) for _ in range(20000)]
    reqs = [json.loads(x) for x in texts]
    models = TypeAdapter(Req)
    for r in reqs:  # warm up, and prove all accept every request
        models.validate_python(r)
        assert check_shape(r, {}) is None
        validate(r)

    def each(fn: Callable[[object], object]) -> Callable[[], None]:
        def run() -> None:
            for r in reqs:
                fn(r)

        return run

    def loads() -> None:
        for x in texts:
            json.loads(x)

    runs = {
        "json.loads": loads,
        "pydantic BaseModel strict, shape only": each(models.validate_python),
        "contract.check_shape (pydantic-core, whole shape)": each(lambda r: check_shape(r, {})),
        "evaluate.validate (shape, cross-field rules, grading)": each(validate),
    }
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(5):
        for name, fn in runs.items():
            t0 = time.process_time()
            fn()
            best[name] = min(best[name], time.process_time() - t0)
    base = best["json.loads"]
    for name, t in best.items():
        print(f"{name}: {t:.3f} s ({t / base:.2f} x json.loads)")


if __name__ == "__main__":
    main()

"""Benchmark of the evaluation engine (not a test).

Generates 100,000 varied, valid evaluation requests deterministically across
the three drugs and both rule sets, serialises them to JSON strings, then times
in one process, best of 3 runs of the CPU time the process used
(``time.process_time``: on a shared machine, wall-clock time also counts the
time other jobs held the cores):

(a) ``json.loads`` over all strings, and
(b) ``toxicity.rules.evaluate.evaluate`` over the parsed dicts (validation +
    grading + engine: what a caller pays beyond parsing).

Prints evaluations per second, the ratio engine_time / json_loads_time and the
Python version. Goals: >= 40,000 evaluations/s on one core; ratio <= 6.

Run from the repository root: ``python -m bench.engine`` or
``python bench/engine.py`` (options: ``--n``, ``--seed``, ``--runs``).
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # `python bench/engine.py`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from toxicity.ctcae.terms import TERMS  # noqa: E402
from toxicity.rules import RULE_SETS  # noqa: E402
from toxicity.rules.evaluate import evaluate  # noqa: E402

DRUGS = ("lenvatinib", "sorafenib", "cabozantinib")
RULE_SETS_NAMES = ("us_pi", "eu_smpc")
LADDERS = {drug: RULE_SETS[(drug, "us_pi")].ladder for drug in DRUGS}
GRADED_TERMS = (
    "fatigue",
    "nausea",
    "vomiting",
    "anorexia",
    "mucositis_oral",
    "palmar_plantar_erythrodysesthesia_syndrome",
    "hypothyroidism",
    "epistaxis",
    "thromboembolic_event",
    "nephrotic_syndrome",
    "stroke",
    "colonic_perforation",
    "hypokalemia",
)
# The grades CTCAE v5.0 defines for each (0 = absent is always valid).
GRADES = {term: (0, *TERMS[term].grades) for term in GRADED_TERMS}


def _flags(rng: random.Random, obs: dict[str, Any]) -> dict[str, Any]:
    r = rng.random()
    if r < 0.15:
        obs["intolerable"] = rng.random() < 0.5
    elif r < 0.3:
        obs["persistent"] = rng.random() < 0.5
    return obs


def _hypertension(rng: random.Random) -> dict[str, Any]:
    n = rng.choice((1, 2, 2, 3))
    readings = []
    for _ in range(n):
        s = rng.randint(105, 185)
        d = rng.randint(60, min(115, s - 20))
        readings.append([s, d])
    obs: dict[str, Any] = {"term": "hypertension", "readings": readings}
    if rng.random() < 0.5:
        obs["optimal_antihypertensive_therapy"] = rng.random() < 0.6
    if rng.random() < 0.4:
        obs["antihypertensive_stable_hours"] = rng.choice((24, 47, 48, 72, 120))
    return _flags(rng, obs)


def _diarrhea(rng: random.Random) -> dict[str, Any]:
    base = rng.randint(0, 3)
    return _flags(
        rng,
        {
            "term": "diarrhea",
            "stools_per_day": base + rng.randint(0, 10),
            "baseline_stools_per_day": base,
        },
    )


def _weight(rng: random.Random) -> dict[str, Any]:
    base = round(rng.uniform(45, 110), 1)
    return {
        "term": "weight_loss",
        "weight_kg": round(base * rng.uniform(0.75, 1.02), 1),
        "baseline_weight_kg": base,
    }


def _proteinuria(rng: random.Random) -> dict[str, Any]:
    r = rng.random()
    if r < 0.6:
        return {"term": "proteinuria", "urine_protein_g_24h": round(rng.uniform(0.05, 4.5), 2)}
    if r < 0.9:
        return {
            "term": "proteinuria",
            "dipstick": rng.choice(("negative", "trace", "1+", "2+", "3+", "4+")),
        }
    return {"term": "proteinuria", "upcr_g_per_g": round(rng.uniform(0.1, 4.0), 2)}


def _liver(rng: random.Random) -> dict[str, Any]:
    term = rng.choice(
        (
            "alanine_aminotransferase_increased",
            "aspartate_aminotransferase_increased",
            "blood_bilirubin_increased",
            "creatinine_increased",
        )
    )
    uln = rng.choice((1.2, 33, 40, 50))
    baseline = round(uln * rng.uniform(0.4, 2.0), 2)
    value = round(uln * rng.uniform(0.5, 12.0), 2)
    return {"term": term, "value": value, "uln": uln, "baseline": baseline}


def _qtc(rng: random.Random) -> dict[str, Any]:
    obs: dict[str, Any] = {
        "term": "electrocardiogram_qt_corrected_interval_prolonged",
        "qtc_ms": rng.randint(410, 530),
    }
    if rng.random() < 0.7:
        obs["baseline_qtc_ms"] = rng.randint(390, 450)
    return obs


def _calcium(rng: random.Random) -> dict[str, Any]:
    if rng.random() < 0.7:
        return {
            "term": "hypocalcemia",
            "calcium_mg_dl": round(rng.uniform(5.8, 10.0), 1),
            "albumin_g_dl": round(rng.uniform(2.5, 4.5), 1),
            "lln": 8.5,
        }
    return {"term": "hypocalcemia", "ionized_calcium_mmol_l": round(rng.uniform(0.75, 1.3), 2)}


def _graded(rng: random.Random) -> dict[str, Any]:
    term = rng.choice(GRADED_TERMS)
    grade = rng.choice(GRADES[term])
    return _flags(rng, {"term": term, "grade": grade})


GENERATORS = (_hypertension, _diarrhea, _weight, _proteinuria, _liver, _qtc, _calcium, _graded)
WEIGHTS = (5, 3, 2, 3, 3, 1, 1, 4)


def make_request(rng: random.Random) -> dict[str, Any]:
    drug = rng.choice(DRUGS)
    ladder = LADDERS[drug]
    req: dict[str, Any] = {
        "drug": drug,
        "rule_set": rng.choice(RULE_SETS_NAMES),
        "dose_mg_per_day": rng.choice(ladder),
    }
    observations: list[dict[str, Any]] = []
    terms: set[str] = set()
    for _ in range(rng.choice((1, 1, 2, 2, 3, 4))):
        obs = rng.choices(GENERATORS, WEIGHTS)[0](rng)
        if obs["term"] in terms:
            continue
        if rng.random() < 0.1 and "grade" not in obs and obs["term"] not in ("proteinuria",):
            obs["grade"] = rng.randint(0, 3)
        terms.add(obs["term"])
        observations.append(obs)
    req["observations"] = observations
    if rng.random() < 0.2:
        req["on_hold"] = True
        req["hold_reason_terms"] = [observations[0]["term"]] if rng.random() < 0.8 else ["diarrhea"]
        req["holds_at_current_dose"] = rng.choice((0, 0, 1))
    if rng.random() < 0.1:
        req["occurrences"] = {"palmar_plantar_erythrodysesthesia_syndrome": rng.randint(0, 3)}
    return req


def generate(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [json.dumps(make_request(rng)) for _ in range(n)]


def _best(fn: Any, runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)

    texts = generate(args.n, args.seed)
    loads = json.loads
    parsed = [loads(t) for t in texts]
    actions: dict[str, int] = {}
    for req in parsed:  # warm up, and prove every scenario is valid
        a = evaluate(req)["action"]
        actions[a] = actions.get(a, 0) + 1

    def run_loads() -> None:
        for t in texts:
            loads(t)

    def run_eval() -> None:
        ev = evaluate
        for req in parsed:
            ev(req)

    # Interleave the two measurements so that both see the same machine load.
    t_loads = t_eval = float("inf")
    for _ in range(args.runs):
        t_loads = min(t_loads, _best(run_loads, 1))
        t_eval = min(t_eval, _best(run_eval, 1))
    impl = platform.python_implementation()
    print(f"python {platform.python_version()} ({impl}) on {platform.machine()}")
    print(f"scenarios: {args.n} (seed {args.seed}); actions: {dict(sorted(actions.items()))}")
    print(f"json.loads: {t_loads:.3f} s ({args.n / t_loads:,.0f} /s)")
    print(f"evaluate:   {t_eval:.3f} s ({args.n / t_eval:,.0f} evaluations/s)")
    print(f"ratio engine_time / json_loads_time: {t_eval / t_loads:.2f}")
    ok = args.n / t_eval >= 40_000 and t_eval / t_loads <= 6
    print("goals (>= 40,000 evaluations/s, ratio <= 6):", "met" if ok else "NOT met")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

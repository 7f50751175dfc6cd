"""Request builders shared by the rules tests (plain dicts, as JSON would give)."""

from __future__ import annotations

from typing import Any

from toxicity.rules.model import UNCONFIRMED_MARKER

BOTH = ("us_pi", "eu_smpc")
ACTION_ORDER = {"resume": -1, "continue": 0, "reduce": 1, "withhold": 2, "discontinue": 3}


def request(drug: str, dose: int, *observations: dict[str, Any], **fields: Any) -> dict[str, Any]:
    req: dict[str, Any] = {
        "drug": drug,
        "dose_mg_per_day": dose,
        "observations": list(observations),
    }
    req.update(fields)
    return req


def bp(sbp: float, dbp: float, n: int = 2, **flags: Any) -> dict[str, Any]:
    """A hypertension observation of ``n`` identical readings (n >= 2: not provisional)."""
    return {"term": "hypertension", "readings": [[sbp, dbp]] * n, **flags}


def graded(term: str, grade: int, **flags: Any) -> dict[str, Any]:
    return {"term": term, "grade": grade, **flags}


def rules_fired(response: dict[str, Any]) -> list[str]:
    return [r["rule"] for r in response["reasons"]]


def unconfirmed(reason: dict[str, Any]) -> bool:
    return reason["text"].endswith(UNCONFIRMED_MARKER)

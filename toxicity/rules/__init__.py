"""Label dose-modification rules as data, and the engine that applies them.

Pure Python, no Django: ``model`` (the shape of a rule), one module per drug
(``lenvatinib``, ``sorafenib``, ``cabozantinib``) holding a rule set per label,
``engine`` (graded findings + dose state -> decision), ``surgery`` (holding the
drug around elective surgery), ``contract`` (the shape of a request, checked by
pydantic in strict mode), ``evaluate`` (the public evaluation contract: validation,
grading, engine) and ``docs`` (the generated docs/clinical-rules.md).
"""

from __future__ import annotations

from patients import dosing
from toxicity.rules import cabozantinib, lenvatinib, sorafenib
from toxicity.rules.model import RuleSet

__all__ = ["DRUGS", "RULE_SETS", "RULE_SET_NAMES", "get_rule_set"]

RULE_SET_NAMES: tuple[str, ...] = tuple(dosing.RULE_SET_NAMES)

RULE_SETS: dict[tuple[str, str], RuleSet] = {
    rs.key: rs
    for rs in (
        lenvatinib.US_PI,
        lenvatinib.EU_SMPC,
        sorafenib.US_PI,
        sorafenib.EU_SMPC,
        cabozantinib.US_PI,
        cabozantinib.EU_SMPC,
    )
}

DRUGS: tuple[str, ...] = dosing.DRUGS


def get_rule_set(drug: str, rule_set: str) -> RuleSet:
    """The rule set of ``drug`` under ``rule_set`` (``us_pi`` or ``eu_smpc``)."""
    try:
        return RULE_SETS[(drug, rule_set)]
    except KeyError:
        raise KeyError(f"no rule set {rule_set!r} for drug {drug!r}") from None

"""Building blocks shared by the three drugs' rule data.

Recovery criteria that recur across labels, the project-policy rows that every
rule set carries (policy.md 6: proteinuria screens; CTCAE grade 5), and a
small row builder so each drug module reads like its label table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from toxicity.rules.model import Action, Condition, Recovery, Rule

__all__ = [
    "POLICY_GRADE5",
    "POLICY_PROTEINURIA",
    "GRADE_0",
    "GRADE_0_1_OR_BASELINE",
    "GRADE_AT_MOST_1",
    "GRADE_AT_MOST_2",
    "POLICY_6",
    "copied_from_us_label",
    "grade5_row",
    "proteinuria_screen_row",
    "row",
]

# reference.md 2.0 point 3: recovery criteria are specific to each AR.
GRADE_0_1_OR_BASELINE = Recovery("grade_at_most", "<= grade 1 or baseline", grade=1)
GRADE_AT_MOST_1 = Recovery("grade_at_most", "<= grade 1", grade=1)
GRADE_AT_MOST_2 = Recovery("grade_at_most", "<= grade 2", grade=2)
GRADE_0 = Recovery("grade_at_most", "fully resolved (grade 0)", grade=0)

POLICY_6 = "policy.md 6 (project decision)"
# What clinicians read for a project decision (policy.md), in words.
POLICY_PROTEINURIA = "project policy: dose rules act on a 24-hour urine protein"
POLICY_GRADE5 = "CTCAE v5.0 grade 5 (death related to the adverse event); project policy"


def row(
    *,
    prefix: str,
    key: str,
    term_label: str,
    terms: Iterable[str],
    condition: Condition,
    action: Action,
    summary: str,
    source: str,
    citation: str | None = None,
    confirmed: bool,
    recovery: Recovery | None = None,
    needs_review: bool = False,
    fallback: bool = False,
    excluded_terms: Iterable[str] = (),
) -> Rule:
    """One rule row, every field named.

    ``citation`` (what clinicians see) defaults to ``source`` up to its first
    parenthesis: the project's notes on a source are written in brackets after
    the label section and stay in the rule data and docs/clinical-rules.md.
    """
    if citation is None:
        citation = source.split(" (")[0]
    return Rule(
        rule_id=f"{prefix}.{key}",
        term_label=term_label,
        terms=tuple(sorted(terms)),
        condition=condition,
        action=Action(action),
        summary=summary,
        source=source,
        citation=citation,
        confirmed=confirmed,
        recovery=recovery,
        needs_review=needs_review,
        fallback=fallback,
        excluded_terms=frozenset(excluded_terms),
    )


def proteinuria_screen_row(prefix: str) -> Rule:
    """policy.md 6: a dipstick >= 2+ or a UPCR prompts a 24-h collection, never a dose change."""
    return row(
        prefix=prefix,
        key="proteinuria.screen",
        term_label="proteinuria",
        terms=("proteinuria",),
        condition=Condition(
            "dipstick >= 2+, a UPCR, or grade >= 2 without a 24-h urine protein",
            min_grade=0,
            special="proteinuria_screen",
        ),
        action=Action.CONTINUE,
        summary="No dose change on a dipstick or UPCR: obtain a 24-h urine protein",
        source=POLICY_6,
        citation=POLICY_PROTEINURIA,
        confirmed=True,
    )


def grade5_row(prefix: str) -> Rule:
    """CTCAE v5.0 grade 5 is death related to the AE; no label row is needed to stop."""
    return row(
        prefix=prefix,
        key="other.grade5",
        term_label="any adverse reaction",
        terms=(),
        condition=Condition("grade 5 (death related to AE)", min_grade=5, max_grade=5),
        action=Action.DISCONTINUE,
        summary="Grade 5 (death related to adverse event): discontinue",
        source="CTCAE v5.0 grade 5 definition; project convention",
        citation=POLICY_GRADE5,
        confirmed=True,
        fallback=True,
    )


def copied_from_us_label(rule: Rule) -> Rule:
    """An EU row copied from the US label where no EU SmPC text was read.

    The copy is not confirmed and cites the US source it was copied from;
    project-policy rows (proteinuria screen, grade 5) are the project's own and
    stay as they are.
    """
    if rule.source.startswith("policy.md") or rule.citation == POLICY_GRADE5:
        return rule
    return replace(
        rule,
        source=f"copied from the US row: {rule.source}; no EU SmPC text read",
        citation=f"{rule.citation} (US label row applied; EU SmPC wording not confirmed)",
        confirmed=False,
    )

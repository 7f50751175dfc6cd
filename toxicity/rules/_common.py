"""Building blocks shared by the three drugs' rule data.

Recovery criteria that recur across labels, the project-policy rows that every
rule set carries (policy.md 6: proteinuria screens; CTCAE grade 5), and a
small row builder so each drug module reads like its label table.
"""

from __future__ import annotations

from toxicity.rules.model import Condition, Recovery, Rule

__all__ = [
    "GRADE_0",
    "GRADE_0_1_OR_BASELINE",
    "GRADE_AT_MOST_1",
    "GRADE_AT_MOST_2",
    "POLICY_6",
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


def row(
    prefix: str,
    key: str,
    term_label: str,
    terms: tuple[str, ...] | frozenset[str],
    condition: Condition,
    action: str,
    summary: str,
    source: str,
    *,
    confirmed: bool,
    recovery: Recovery | None = None,
    resume: str | None = None,
    needs_review: bool = False,
    fallback: bool = False,
    excluded_terms: frozenset[str] = frozenset(),
) -> Rule:
    """One rule; ``resume`` defaults to one level down for withhold rows."""
    if resume is None:
        resume = "one_level_down" if action == "withhold" else "none"
    return Rule(
        rule_id=f"{prefix}.{key}",
        term_label=term_label,
        terms=tuple(sorted(terms)),
        condition=condition,
        action=action,
        summary=summary,
        source=source,
        confirmed=confirmed,
        recovery=recovery,
        resume=resume,
        needs_review=needs_review,
        fallback=fallback,
        excluded_terms=frozenset(excluded_terms),
    )


def proteinuria_screen_row(prefix: str) -> Rule:
    """policy.md 6: a dipstick >= 2+ or a UPCR prompts a 24-h collection, never a dose change."""
    return row(
        prefix,
        "proteinuria.screen",
        "proteinuria",
        ("proteinuria",),
        Condition(
            "dipstick >= 2+, a UPCR, or grade >= 2 without a 24-h urine protein",
            min_grade=0,
            special="proteinuria_screen",
        ),
        "continue",
        "No dose change on a dipstick or UPCR: obtain a 24-h urine protein",
        POLICY_6,
        confirmed=True,
    )


def grade5_row(prefix: str) -> Rule:
    """CTCAE v5.0 grade 5 is death related to the AE; no label row is needed to stop."""
    return row(
        prefix,
        "other.grade5",
        "any adverse reaction",
        (),
        Condition("grade 5 (death related to AE)", min_grade=5, max_grade=5),
        "discontinue",
        "Grade 5 (death related to adverse event): discontinue",
        "CTCAE v5.0 grade 5 definition; project convention",
        confirmed=True,
        fallback=True,
    )

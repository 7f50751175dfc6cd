"""The shape of a label's dose-modification rules, as plain frozen data.

Every rule is one row of a label table (or one project-policy row), with its
condition, action, recovery criterion, source, citation and whether a
primary text confirmed it. The engine (``engine.py``) interprets these rows;
nothing here imports Django.

Sources of every clinical fact: docs/sources/reference.md (sections
2.0-2.3), corrected by docs/sources/verification.md (its section 5
wins), and docs/sources/policy.md for project decisions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from enum import IntEnum, StrEnum

__all__ = [
    "ACTIONS",
    "ACTION_RANK",
    "FLAGS",
    "UNCONFIRMED_MARKER",
    "Action",
    "Condition",
    "Recovery",
    "Restriction",
    "Rule",
    "RuleSet",
    "derive_rule_set",
]


class Action(StrEnum):
    """What a rule (or the decision) recommends for the drug."""

    DISCONTINUE = "discontinue"
    WITHHOLD = "withhold"
    REDUCE = "reduce"
    RESUME = "resume"
    CONTINUE = "continue"


class Restriction(IntEnum):
    """How restrictive an action is (policy.md 2: the most restrictive wins).

    A ``resume`` reason sorts with ``reduce``: it restarts the drug at a lower
    level, which is more than continuing and less than a hold.
    """

    CONTINUE = 0
    REDUCE = 1
    WITHHOLD = 2
    DISCONTINUE = 3


# Most restrictive first (policy.md 2): discontinue > withhold > reduce > continue.
# The actions a rule row may take (``resume`` is the engine's answer after a hold).
ACTIONS: tuple[Action, ...] = (Action.DISCONTINUE, Action.WITHHOLD, Action.REDUCE, Action.CONTINUE)
ACTION_RANK: dict[Action, Restriction] = {
    Action.CONTINUE: Restriction.CONTINUE,
    Action.REDUCE: Restriction.REDUCE,
    Action.RESUME: Restriction.REDUCE,
    Action.WITHHOLD: Restriction.WITHHOLD,
    Action.DISCONTINUE: Restriction.DISCONTINUE,
}

# Observation flags a condition may test (evaluate-contract.md: `intolerable`,
# `persistent` on any observation; `optimal_antihypertensive_therapy` on
# hypertension; `symptomatic` is an optional addition for NEXAVAR's
# "Grade 2 (symptomatic/persistent)" hypertension row and its recovery
# "until symptoms resolve").
FLAGS: tuple[str, ...] = (
    "intolerable",
    "persistent",
    "optimal_antihypertensive_therapy",
    "symptomatic",
)

# Appended to every reason text that cites a row which reference.md tags [U]
# and verification.md does not confirm.
UNCONFIRMED_MARKER = " [unconfirmed: pharmacist to verify against the current label]"


@dataclass(frozen=True, slots=True)
class Condition:
    """When a rule fires for one observation.

    * ``min_grade``..``max_grade``: the observation's final CTCAE grade
      (inclusive). For proteinuria the grade used by rules is the one from a
      24-h urine protein only (policy.md 6).
    * ``any_flags``: at least one of these observation flags must be true.
    * ``all_flags``: all of these must be true.
    * ``not_flags``: none of these may be true (absent counts as not true).
    * ``min_occurrence``/``max_occurrence``: the occurrence number of this
      event (earlier dose-modifying occurrences of the term + 1), for tables
      that count occurrences (NEXAVAR dermatologic table).
    * ``measure``/``op``/``threshold``: a measured value the label acts on
      directly (24-h urine protein >= 2.0 g; QTc > 500 ms). When the
      measurement is absent the row falls back on the grade range only if
      ``grade_if_unmeasured`` is true.
    * ``special``: a named predicate for the one case the fields above cannot
      say (``proteinuria_screen``: a dipstick >= 2+ / UPCR, or a grade >= 2
      without a 24-h value, policy.md 6).
    * ``text``: the condition in words, for reasons and the generated docs.
    """

    text: str
    min_grade: int = 1
    max_grade: int = 5
    any_flags: tuple[str, ...] = ()
    all_flags: tuple[str, ...] = ()
    not_flags: tuple[str, ...] = ()
    min_occurrence: int = 1
    max_occurrence: int | None = None
    measure: str | None = None
    op: str | None = None
    threshold: float | None = None
    grade_if_unmeasured: bool = True
    special: str | None = None


@dataclass(frozen=True, slots=True)
class Recovery:
    """What must be true before a withheld drug is resumed.

    ``kind`` is one of:

    * ``grade_at_most`` -- final grade <= ``grade`` (grades are computed
      against the patient's baseline, so "or baseline" is part of the grade);
    * ``urine_protein_below`` -- 24-h urine protein < ``value`` g (the value
      comes from ``PolicySettings.proteinuria_resume_below_g_24h``, policy 6);
    * ``qtc_below_or_baseline`` -- average QTc < ``value`` ms, or <= the
      baseline QTc;
    * ``bp_at_most_on_stable_therapy`` -- mean SBP <= ``sbp`` and mean
      DBP <= ``dbp`` mm Hg and a stable antihypertensive dose for >= ``hours``;
    * ``dbp_below_symptoms_resolved`` -- mean DBP < ``dbp`` mm Hg and the
      observation is not flagged ``symptomatic``.
    """

    kind: str
    text: str
    grade: int | None = None
    value: float | None = None
    sbp: float | None = None
    dbp: float | None = None
    hours: float | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    """One dose-modification row.

    ``rule_id`` is ``<drug>.<rule_set>.<key>``. ``terms`` are the CTCAE v5.0
    term keys the row applies to; an empty tuple with
    ``fallback=True`` is the rule-set level "other adverse reactions" row,
    which applies to an observation only when no term-specific row fired for
    it and its term is not in ``excluded_terms``.

    ``source`` is the provenance a pharmacist checks (where the row was read,
    with the project's notes on it; printed in docs/clinical-rules.md);
    ``citation`` is what a clinician sees in a reason: the label, section and
    version, or "project policy: ..." in words, never a project file. A withheld
    drug resumes one level down from the dose taken when the hold began
    (policy.md 3; ``PolicySettings.reduction_levels_per_hold``) once
    ``recovery`` is met.
    """

    rule_id: str
    term_label: str
    terms: tuple[str, ...]
    condition: Condition
    action: Action
    summary: str
    source: str
    citation: str
    confirmed: bool
    recovery: Recovery | None = None
    needs_review: bool = False
    fallback: bool = False
    excluded_terms: frozenset[str] = field(default_factory=frozenset)

    @property
    def text(self) -> str:
        """The reason text; rows that are not confirmed say so."""
        return self.marked(self.summary)

    def marked(self, text: str) -> str:
        """``text`` with the unconfirmed marker when this row is not confirmed."""
        return text if self.confirmed else text + UNCONFIRMED_MARKER

    def applies_to(self, term: str) -> bool:
        if self.fallback:
            return term not in self.excluded_terms
        return term in self.terms


@dataclass(frozen=True, slots=True)
class RuleSet:
    """One drug label's rules (``us_pi`` or ``eu_smpc``).

    ``ladder`` is the dose levels in mg/day, highest first; ``starting_dose``
    its first level. ``lowest_dose`` says what happens when a hold or
    reduction would need a level below the last one:

    * ``"policy"`` -- no label text: ``PolicySettings.lowest_dose`` decides
      (policy.md 4: lenvatinib 10 mg, sorafenib 200 mg/day);
    * ``"same_dose_once"`` -- the label's own rule (cabozantinib): a first
      hold at the lowest dose resumes at it; a further hold discontinues.
    """

    drug: str
    rule_set: str
    label: str
    ladder: tuple[int, ...]
    starting_dose: int
    lowest_dose: str
    lowest_dose_text: str
    lowest_dose_source: str
    lowest_dose_citation: str
    rules: tuple[Rule, ...]
    notes: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        return (self.drug, self.rule_set)


def derive_rule_set(
    base: RuleSet,
    *,
    rule_set: str,
    label: str | None = None,
    replace_rules: dict[str, Rule | tuple[Rule, ...]] | None = None,
    add_rules: Iterable[Rule] = (),
    drop_rules: Iterable[str] = (),
    notes: tuple[str, ...] | None = None,
    rewrite: Callable[[Rule], Rule] | None = None,
) -> RuleSet:
    """Build a rule set from another one (e.g. an EU set from the US set).

    Rule ids are renamed from ``<drug>.<base rule set>.`` to
    ``<drug>.<rule_set>.``. ``replace_rules`` maps a rule key (the id without
    its drug and rule-set prefix) to the new rule (or rules), which keep its
    position;
    ``drop_rules`` lists keys to remove; ``add_rules`` are appended.
    ``rewrite`` may adjust every copied (not replaced) rule.
    """
    old_prefix = f"{base.drug}.{base.rule_set}."
    new_prefix = f"{base.drug}.{rule_set}."
    replace_rules = dict(replace_rules or {})
    dropped = set(drop_rules)
    out: list[Rule] = []
    for rule in base.rules:
        key = rule.rule_id[len(old_prefix) :]
        if key in dropped:
            continue
        if key in replace_rules:
            new = replace_rules.pop(key)
            out.extend(new if isinstance(new, tuple) else (new,))
            continue
        copied = replace(rule, rule_id=new_prefix + key)
        out.append(rewrite(copied) if rewrite else copied)
    if replace_rules:
        raise ValueError(f"replace_rules names unknown rule keys: {sorted(replace_rules)}")
    out.extend(add_rules)
    return replace(
        base,
        rule_set=rule_set,
        label=label or base.label,
        rules=tuple(out),
        notes=base.notes if notes is None else notes,
    )

"""The rule engine: graded findings + dose state -> a decision (evaluate-contract.md).

Plain functions over plain values. ``decide`` works in four steps a reader can
follow:

1. ``_fire_rules`` -- which rows fire for each finding: the term's own rows
   first, the rule set's "other adverse reactions" rows only when none of its
   own fired;
2. the most restrictive action of the rows that fired wins: discontinue >
   withhold > reduce > continue (policy.md 2);
3. ``_on_hold``, ``_withhold``, ``_reduce`` -- the resulting dose: a hold leads
   to ONE reduction of one level from the dose taken when the hold began,
   however many toxicities caused it (policies 2-3); while on hold the answer
   is ``withhold`` ("stay on hold") until every hold reason term meets the
   recovery criterion of the rule that held it (an absent observation means
   "not known to be recovered"), then ``resume`` at the reduced level; below
   the lowest level lenvatinib and sorafenib discontinue, flagged for review
   (policy 4, ``PolicySettings.lowest_dose``), and cabozantinib follows its
   label (a first hold at 20 mg resumes at 20 mg, a further hold there
   discontinues);
4. the review flags: a row that asks for review, a dose change resting on a
   provisional grade, a grade whose baseline criterion could not be checked.

No dose is ever raised, and every dose returned is on the ladder (or 0 while
withheld or discontinued) (policy 9). Rules are compiled once per (drug, rule
set) into frozen records keyed by term, so one evaluation is a few dictionary
look-ups and attribute comparisons.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any, NamedTuple

from toxicity.ctcae.terms import TERMS
from toxicity.rules import RULE_SET_NAMES, RULE_SETS
from toxicity.rules.model import ACTION_RANK, Action, Recovery, Restriction, Rule, RuleSet

__all__ = [
    "DEFAULT_POLICY",
    "ENGINE_VERSION",
    "LOWEST_DOSE_CHOICES",
    "MISSING_BASELINE_CHOICES",
    "DoseState",
    "Finding",
    "PolicySettings",
    "decide",
    "hold_recovery",
    "policy_snapshot",
]

ENGINE_VERSION = "1.1.0"

LOWEST_DOSE_CHOICES: tuple[str, ...] = ("discontinue_with_review", "hold_at_lowest_with_review")
# What happens to a grade whose CTCAE criterion compares with the patient's
# baseline when no baseline is given (creatinine, QTc, ALT, AST, bilirubin).
MISSING_BASELINE_CHOICES: tuple[str, ...] = ("provisional_with_review", "refuse")


@dataclass(frozen=True, slots=True)
class PolicySettings:
    """Project decisions where the labels are silent (policy.md), as named settings.

    * ``default_rule_set`` -- policy 1: the US PI unless a site or course
      chooses the EU SmPC.
    * ``reduction_levels_per_hold`` -- policies 2-3: one level per hold,
      counted from the dose taken when the hold began.
    * ``lowest_dose`` -- policy 4, lenvatinib and sorafenib (cabozantinib
      follows its label): ``"discontinue_with_review"`` (default) or
      ``"hold_at_lowest_with_review"`` (resume at the lowest level).
    * ``lowest_dose_discontinuation_needs_review`` -- policy 4: a
      discontinuation for lack of a lower level is flagged for review.
    * ``single_bp_reading_provisional`` -- policy 5: a hypertension grade from
      one reading is reported as provisional.
    * ``proteinuria_resume_below_g_24h`` -- policy 6: lenvatinib resumes only
      at a 24-h urine protein strictly below this (the stricter reading).
    * ``review_dose_change_on_provisional_grade`` -- project decision: a dose
      change that rests on a provisional grade is flagged for review.
    * ``missing_baseline`` -- project decision for every term whose CTCAE
      definition compares with a baseline: ``"provisional_with_review"``
      (default: grade on the criteria that need no baseline, mark the grade
      provisional, flag the decision for review and say which criterion could
      not be checked) or ``"refuse"`` (the baseline field is required).
      Diarrhea and weight loss have no criterion without a baseline and always
      need one.
    """

    default_rule_set: str = "us_pi"
    reduction_levels_per_hold: int = 1
    lowest_dose: str = "discontinue_with_review"
    lowest_dose_discontinuation_needs_review: bool = True
    single_bp_reading_provisional: bool = True
    proteinuria_resume_below_g_24h: float = 2.0
    review_dose_change_on_provisional_grade: bool = True
    missing_baseline: str = "provisional_with_review"

    def __post_init__(self) -> None:
        if self.lowest_dose not in LOWEST_DOSE_CHOICES:
            raise ValueError(f"lowest_dose must be one of {LOWEST_DOSE_CHOICES}")
        if self.default_rule_set not in RULE_SET_NAMES:
            raise ValueError(f"default_rule_set must be one of {RULE_SET_NAMES}")
        if not isinstance(self.reduction_levels_per_hold, int) or not (
            1 <= self.reduction_levels_per_hold <= 3
        ):
            raise ValueError("reduction_levels_per_hold must be 1, 2 or 3")
        if not 0 < self.proteinuria_resume_below_g_24h <= 3.5:
            raise ValueError("proteinuria_resume_below_g_24h must be in (0, 3.5] g")
        if self.missing_baseline not in MISSING_BASELINE_CHOICES:
            raise ValueError(f"missing_baseline must be one of {MISSING_BASELINE_CHOICES}")


DEFAULT_POLICY = PolicySettings()


def policy_snapshot(policy: PolicySettings = DEFAULT_POLICY) -> dict[str, Any]:
    """The settings a recommendation used, with the engine version, as a plain dict."""
    snap: dict[str, Any] = {"engine_version": ENGINE_VERSION}
    for f in fields(policy):
        snap[f.name] = getattr(policy, f.name)
    return snap


_NO_DATA: Mapping[str, Any] = MappingProxyType({})


# Finding and DoseState are built for every request, so they are named tuples:
# named fields like the frozen dataclasses below, but a frozen dataclass's
# __init__ sets each field through object.__setattr__ and made an evaluation
# about 15 % slower (docs/benchmarks.md).
class Finding(NamedTuple):
    """One graded observation.

    ``grade`` is the final grade reported (policy 7: the higher of computed and
    clinician grades; ``None`` when no CTCAE grade exists, e.g. a UPCR alone).
    ``rule_grade`` is the grade the rules act on: the same, except for
    proteinuria, where rules act on a 24-h urine protein only (policy 6).
    ``data`` is the validated observation (flags and measurements); ``sbp`` and
    ``dbp`` the visit's mean BP when readings were given; ``needs_24h`` the
    dipstick/UPCR screening result; ``unchecked`` names the baseline criterion
    that could not be checked (``PolicySettings.missing_baseline``), else "".
    ``computed_grade`` and ``computed_provisional`` are the grade the measurements
    alone give (None without measurements), before any clinician grade: what the
    visit stores as its computed grade, so one validation serves both.
    """

    term: str
    grade: int | None
    provisional: bool = False
    rule_grade: int | None = None
    data: Mapping[str, Any] = _NO_DATA
    sbp: float | None = None
    dbp: float | None = None
    needs_24h: bool = False
    unchecked: str = ""
    computed_grade: int | None = None
    computed_provisional: bool = False


class DoseState(NamedTuple):
    """Where the course stands: the drug, rule set, dose and any hold (evaluate-contract.md)."""

    drug: str
    rule_set: str
    dose: int
    on_hold: bool = False
    hold_reason_terms: tuple[str, ...] = ()
    holds_at_current_dose: int = 0
    occurrences: Mapping[str, int] = _NO_DATA


# ---------------------------------------------------------------------------
# Compilation: each rule row once, as a record of the fields matching needs
# ---------------------------------------------------------------------------

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
}
_NO_MAX_OCCURRENCE = 1_000_000

# The hot path compares plain ints and strings: on Python 3.11 reading an enum
# member (``Restriction.WITHHOLD``, ``.value``) and hashing one go through
# Python-level code, which made ``decide`` about 1.8x slower (docs/benchmarks.md).
_CONTINUE, _REDUCE, _WITHHOLD, _DISCONTINUE = (int(r) for r in Restriction)
_RANK: dict[str, int] = {str(a.value): int(r) for a, r in ACTION_RANK.items()}


@dataclass(frozen=True, slots=True)
class _CompiledRule:
    rule: Rule
    min_grade: int
    max_grade: int
    any_flags: tuple[str, ...]
    all_flags: tuple[str, ...]
    not_flags: tuple[str, ...]
    min_occurrence: int
    max_occurrence: int
    measure: str | None
    compare: Callable[[Any, Any], bool] | None
    threshold: float | None
    grade_if_unmeasured: bool
    special: str | None
    action: str
    restriction: int
    excluded_terms: frozenset[str]
    text: str

    @classmethod
    def of(cls, rule: Rule) -> _CompiledRule:
        c = rule.condition
        return cls(
            rule=rule,
            min_grade=c.min_grade,
            max_grade=c.max_grade,
            any_flags=c.any_flags,
            all_flags=c.all_flags,
            not_flags=c.not_flags,
            min_occurrence=c.min_occurrence,
            max_occurrence=(
                c.max_occurrence if c.max_occurrence is not None else _NO_MAX_OCCURRENCE
            ),
            measure=c.measure,
            compare=_COMPARE[c.op] if c.op is not None else None,
            threshold=c.threshold,
            grade_if_unmeasured=c.grade_if_unmeasured,
            special=c.special,
            action=str(rule.action.value),
            restriction=int(ACTION_RANK[rule.action]),
            excluded_terms=rule.excluded_terms,
            text=rule.text,
        )


@dataclass(frozen=True, slots=True)
class _Hold:
    """The withhold rule that ends a hold for a term; ``own`` is False for a fallback row."""

    rule: Rule
    recovery: Recovery
    own: bool


@dataclass(frozen=True, slots=True)
class _CompiledRuleSet:
    rule_set: RuleSet
    specific: dict[str, tuple[_CompiledRule, ...]]
    fallback: tuple[_CompiledRule, ...]
    ladder: tuple[int, ...]
    index: dict[int, int]
    holding: dict[str, _Hold]
    lowest_rule_id: str


def _holding_rules(rs: RuleSet) -> dict[str, _Hold]:
    """For each term with a withhold row of its own, the first such row."""
    out: dict[str, _Hold] = {}
    for rule in rs.rules:
        if rule.action is Action.WITHHOLD and not rule.fallback and rule.recovery is not None:
            for term in rule.terms:
                out.setdefault(term, _Hold(rule, rule.recovery, True))
    return out


def _compile(rs: RuleSet) -> _CompiledRuleSet:
    specific: dict[str, list[_CompiledRule]] = {}
    fallback: list[_CompiledRule] = []
    for rule in rs.rules:
        compiled = _CompiledRule.of(rule)
        if rule.fallback:
            fallback.append(compiled)
        else:
            for term in rule.terms:
                specific.setdefault(term, []).append(compiled)
    return _CompiledRuleSet(
        rule_set=rs,
        specific={k: tuple(v) for k, v in specific.items()},
        fallback=tuple(fallback),
        ladder=rs.ladder,
        index={d: i for i, d in enumerate(rs.ladder)},
        holding=_holding_rules(rs),
        lowest_rule_id=f"{rs.drug}.{rs.rule_set}.lowest_dose",
    )


_COMPILED: dict[tuple[str, str], _CompiledRuleSet] = {k: _compile(v) for k, v in RULE_SETS.items()}
# A rule set other than the label's, compiled once, for ``decide(..., rules=...)``:
# the impact report of a candidate rule set (toxicity/rules/candidate.py).
CompiledRuleSet = _CompiledRuleSet


def compile_rules(rule_set: RuleSet) -> CompiledRuleSet:
    """``rule_set`` ready for ``decide``; compile it once and reuse it."""
    return _compile(rule_set)


def _hold_for(comp: _CompiledRuleSet, term: str) -> _Hold:
    found = comp.holding.get(term)
    if found is None:
        found = comp.holding[term] = _fallback_hold(comp, term)  # remembered per term
    return found


def _fallback_hold(comp: _CompiledRuleSet, term: str) -> _Hold:
    withholding = [
        cr for cr in comp.fallback if cr.rule.action is Action.WITHHOLD and cr.rule.recovery
    ]
    for cr in withholding:
        if term not in cr.excluded_terms:
            return _Hold(cr.rule, cr.rule.recovery, False)  # type: ignore[arg-type]
    if withholding:
        return _Hold(withholding[0].rule, withholding[0].rule.recovery, False)  # type: ignore[arg-type]
    raise LookupError(
        f"rule set {comp.rule_set.drug}.{comp.rule_set.rule_set} has no withhold rule"
    )


def hold_recovery(drug: str, rule_set: str, term: str) -> tuple[Rule, Recovery, bool]:
    """The rule (and its recovery criterion) that ends a hold for ``term``.

    Terms without a withhold row of their own use the rule set's first
    fallback withhold row ("other adverse reactions" / general rule); the
    third item is then False.
    """
    hold = _hold_for(_COMPILED[(drug, rule_set)], term)
    return (hold.rule, hold.recovery, hold.own)


# ---------------------------------------------------------------------------
# Step 1: which rows fire
# ---------------------------------------------------------------------------


def _fires(cr: _CompiledRule, f: Finding, occurrence: int) -> bool:
    if cr.special is not None:
        if cr.special == "proteinuria_screen":
            if f.data.get("urine_protein_g_24h") is not None:
                return False
            return f.needs_24h or (f.grade is not None and f.grade >= 2)
        return False  # pragma: no cover - unknown special never fires
    if cr.measure is not None:
        value = f.data.get(cr.measure)
        if value is None:
            if not cr.grade_if_unmeasured:
                return False
        elif not cr.compare(value, cr.threshold):  # type: ignore[misc]
            return False
    g = f.rule_grade
    if g is None or g < cr.min_grade or g > cr.max_grade:
        return False
    data = f.data
    if cr.any_flags and not any(data.get(flag) is True for flag in cr.any_flags):
        return False
    for flag in cr.all_flags:
        if data.get(flag) is not True:
            return False
    for flag in cr.not_flags:
        if data.get(flag) is True:
            return False
    return cr.min_occurrence <= occurrence <= cr.max_occurrence


def _reason(term: str, grade: int | None, rule: Rule, action: str, text: str) -> dict[str, Any]:
    return {
        "term": term,
        "grade": grade,
        "rule": rule.rule_id,
        "action": action,
        "source": rule.citation,
        "text": text,
    }


@dataclass(slots=True)
class _Fired:
    """What step 1 found: the reasons, the most restrictive action, the review flag."""

    reasons: list[dict[str, Any]]
    top: int = _CONTINUE  # the most restrictive Restriction so far
    needs_review: bool = False
    # term -> (grade, rule) of the first withhold row that fired for it
    withholding: dict[str, tuple[int | None, Rule]] = field(default_factory=dict)


_MISSING_BASELINE_SOURCE = (
    "project policy: a grade whose baseline criterion cannot be checked is provisional"
)


def _fire_rules(
    comp: _CompiledRuleSet, state: DoseState, findings: Sequence[Finding], policy: PolicySettings
) -> _Fired:
    fired = _Fired(reasons=[])
    review_provisional = policy.review_dose_change_on_provisional_grade
    occurrences = state.occurrences
    for f in findings:
        term = f.term
        rg = f.rule_grade
        occurrence = occurrences.get(term, 0) + 1 if occurrences else 1
        any_own = False
        for cr in comp.specific.get(term, ()):
            # cheap pre-check on the grade range before the full match
            if cr.special is None and (rg is None or rg < cr.min_grade or rg > cr.max_grade):
                continue
            if _fires(cr, f, occurrence):
                any_own = True
                _record(fired, cr, f, review_provisional)
        if not any_own and rg is not None:
            # the rule set's "other adverse reactions" rows, only when no own row fired
            for cr in comp.fallback:
                if rg < cr.min_grade or rg > cr.max_grade or term in cr.excluded_terms:
                    continue
                if _fires(cr, f, occurrence):
                    _record(fired, cr, f, review_provisional)
        if f.unchecked:
            fired.needs_review = True
            fired.reasons.append(
                {
                    "term": term,
                    "grade": f.grade,
                    "rule": "policy.missing_baseline",
                    "action": "continue",
                    "source": _MISSING_BASELINE_SOURCE,
                    "text": f"Provisional grade: {f.unchecked} could not be checked without a "
                    "baseline; clinician to review",
                }
            )
    return fired


def _record(fired: _Fired, cr: _CompiledRule, f: Finding, review_provisional: bool) -> None:
    """A row fired: its reason, the most restrictive action so far, the review flag."""
    rule = cr.rule
    fired.reasons.append(_reason(f.term, f.grade, rule, cr.action, cr.text))
    if cr.restriction > fired.top:
        fired.top = cr.restriction
    if rule.needs_review or (review_provisional and cr.restriction and f.provisional):
        fired.needs_review = True
    if cr.restriction == _WITHHOLD and f.term not in fired.withholding:
        fired.withholding[f.term] = (f.grade, rule)


# ---------------------------------------------------------------------------
# Step 3: the resulting dose
# ---------------------------------------------------------------------------


def _recovery_text(rec: Recovery, policy: PolicySettings) -> str:
    if rec.kind == "urine_protein_below":
        return f"24-h urine protein < {float(policy.proteinuria_resume_below_g_24h)!r} g"
    return rec.text


def _recovered(rec: Recovery, f: Finding | None, policy: PolicySettings) -> tuple[bool, str]:
    """(met, note). ``note`` explains why recovery could not be judged, else ""."""
    if f is None:
        return False, "not assessed at this visit"
    kind = rec.kind
    g = f.grade
    if kind == "grade_at_most":
        if g is None:
            return False, "no grade at this visit"
        return g <= (rec.grade or 0), ""
    data = f.data
    if kind == "urine_protein_below":
        v = data.get("urine_protein_g_24h")
        if v is None:
            return False, "needs a 24-h urine protein"
        return v < policy.proteinuria_resume_below_g_24h, ""
    if kind == "qtc_below_or_baseline":
        q = data.get("qtc_ms")
        if q is None:
            return False, "needs an average QTc"
        if g is not None and g >= 4:
            return False, ""
        b = data.get("baseline_qtc_ms")
        return q < (rec.value or 0) or (b is not None and q <= b), ""
    if kind == "bp_at_most_on_stable_therapy":
        if f.sbp is None or f.dbp is None:
            return False, "needs measured blood pressure"
        hours = data.get("antihypertensive_stable_hours")
        if hours is None:
            return False, "needs antihypertensive_stable_hours"
        return (
            f.sbp <= (rec.sbp or 0)
            and f.dbp <= (rec.dbp or 0)
            and hours >= (rec.hours or 0)
            and (g is None or g <= 2)
        ), ""
    if kind == "dbp_below_symptoms_resolved":
        if f.dbp is None:
            return False, "needs measured blood pressure"
        return f.dbp < (rec.dbp or 0) and data.get("symptomatic") is not True, ""
    return False, "unknown recovery criterion"  # pragma: no cover


def _reduced_level(
    comp: _CompiledRuleSet, dose: int, holds_at_dose: int, policy: PolicySettings
) -> tuple[int | None, bool]:
    """(level to resume or reduce to, needs_review). ``None`` = discontinue."""
    ladder = comp.ladder
    i = comp.index[dose]
    j = i + policy.reduction_levels_per_hold
    last = len(ladder) - 1
    if j <= last:
        return ladder[j], False
    if comp.rule_set.lowest_dose == "same_dose_once":
        # Cabozantinib label: already on the lowest dose -> resume at the same
        # dose; lowest dose not tolerated (a further hold) -> discontinue.
        if i == last and holds_at_dose >= 1:
            return None, policy.lowest_dose_discontinuation_needs_review
        return ladder[last], False
    if policy.lowest_dose == "hold_at_lowest_with_review":
        return ladder[last], True
    return None, policy.lowest_dose_discontinuation_needs_review


def _lowest_reason(comp: _CompiledRuleSet, term: str, grade: int | None) -> dict[str, Any]:
    rs = comp.rule_set
    lowest = comp.ladder[-1]
    if rs.lowest_dose == "same_dose_once":
        text = f"Lowest dose ({lowest} mg) not tolerated: discontinue"
    else:
        text = (
            f"No dose level below {lowest} mg/day in the label: discontinue and refer to "
            "the oncologist (project policy)"
        )
    return {
        "term": term,
        "grade": grade,
        "rule": comp.lowest_rule_id,
        "action": "discontinue",
        "source": rs.lowest_dose_citation,
        "text": text,
    }


@dataclass(slots=True)
class _Outcome:
    action: str  # an Action value
    dose: int
    resume_dose: int | None = None
    resume_when: str = ""
    needs_review: bool = False


def _pending_text(
    withholding: Mapping[str, tuple[int | None, Rule]], policy: PolicySettings
) -> str:
    return "; ".join(
        f"{term} {_recovery_text(rule.recovery, policy)}"
        for term, (_, rule) in withholding.items()
        if rule.recovery is not None
    )


def _on_hold(
    comp: _CompiledRuleSet,
    state: DoseState,
    by_term: Mapping[str, Finding],
    fired: _Fired,
    policy: PolicySettings,
) -> _Outcome:
    """Already on hold: stay on hold until every hold reason has recovered, then resume."""
    level, review = _reduced_level(comp, state.dose, state.holds_at_current_dose, policy)
    if level is None:
        term0 = state.hold_reason_terms[0] if state.hold_reason_terms else ""
        f0 = by_term.get(term0)
        fired.reasons.insert(0, _lowest_reason(comp, term0, f0.grade if f0 else None))
        return _Outcome("discontinue", 0, needs_review=review)
    needs_review = review
    pending: list[str] = []
    recovered: list[tuple[str, Rule, str]] = []
    withholding = fired.withholding
    for term in state.hold_reason_terms:
        hold = _hold_for(comp, term)
        f = by_term.get(term)
        met, note = _recovered(hold.recovery, f, policy)
        crit = f"{term} {_recovery_text(hold.recovery, policy)}"
        if met and term not in withholding:
            recovered.append((term, hold.rule, crit))
            if hold.rule.needs_review or not hold.own:
                needs_review = True
            continue
        pending.append(f"{crit} ({note})" if note else crit)
        if term not in withholding:
            text = (
                f"On hold: {crit}: {note}"
                if note
                else f"On hold: not yet {_recovery_text(hold.recovery, policy)}"
            )
            fired.reasons.append(
                _reason(term, f.grade if f else None, hold.rule, "withhold", hold.rule.marked(text))
            )
    for term, (_, rule) in withholding.items():
        if term not in state.hold_reason_terms and rule.recovery is not None:
            pending.append(f"{term} {_recovery_text(rule.recovery, policy)}")
    if fired.top == _WITHHOLD or pending:
        resume_when = "; ".join(pending) if pending else _pending_text(withholding, policy)
        return _Outcome("withhold", 0, level, resume_when, needs_review)
    for term, rule, crit in recovered:
        f = by_term.get(term)
        text = rule.marked(f"Recovered: {crit}; resume at {level} mg/day")
        fired.reasons.append(_reason(term, f.grade if f else None, rule, "resume", text))
    return _Outcome("resume", level, needs_review=needs_review)


def _withhold(
    comp: _CompiledRuleSet, state: DoseState, fired: _Fired, policy: PolicySettings
) -> _Outcome:
    """A new hold: withhold now, resume one level down once recovered."""
    level, review = _reduced_level(comp, state.dose, state.holds_at_current_dose, policy)
    if level is None:
        term0, (g0, _) = next(iter(fired.withholding.items()))
        fired.reasons.insert(0, _lowest_reason(comp, term0, g0))
        return _Outcome("discontinue", 0, needs_review=review)
    return _Outcome(
        "withhold", 0, level, _pending_text(fired.withholding, policy), needs_review=review
    )


def _reduce(
    comp: _CompiledRuleSet, state: DoseState, fired: _Fired, policy: PolicySettings
) -> _Outcome:
    """A reduction without a hold: one level down, or discontinue below the lowest."""
    level, review = _reduced_level(comp, state.dose, state.holds_at_current_dose, policy)
    if level is None:
        first = fired.reasons[0]
        fired.reasons.insert(0, _lowest_reason(comp, first["term"], first["grade"]))
        return _Outcome("discontinue", 0, needs_review=review)
    return _Outcome("reduce", level, needs_review=review)


def _by_restriction(reason: dict[str, Any]) -> int:
    return -_RANK[reason["action"]]


# ---------------------------------------------------------------------------
# The decision
# ---------------------------------------------------------------------------

_TERM_INFO: dict[str, tuple[str, str]] = {k: (t.name, t.meddra_code) for k, t in TERMS.items()}


def decide(
    state: DoseState,
    findings: Sequence[Finding],
    policy: PolicySettings = DEFAULT_POLICY,
    rules: CompiledRuleSet | None = None,
) -> dict[str, Any]:
    """The decision for one visit, as the contract's response dict.

    ``rules`` stands in for the label's rule set (a candidate's, from
    ``compile_rules``); it must be for the request's drug and rule set.
    """
    if rules is None:
        comp = _COMPILED[(state.drug, state.rule_set)]
    elif rules.rule_set.key != (state.drug, state.rule_set):
        raise ValueError(
            f"rules for {rules.rule_set.key} cannot decide a {state.drug} {state.rule_set} request"
        )
    else:
        comp = rules
    # Step 1-2: the rows that fire and the most restrictive of them.
    fired = _fire_rules(comp, state, findings, policy)
    # Step 3: the resulting dose.
    if fired.top == _DISCONTINUE:
        outcome = _Outcome("discontinue", 0)
    elif state.on_hold:
        outcome = _on_hold(comp, state, {f.term: f for f in findings}, fired, policy)
    elif fired.top == _WITHHOLD:
        outcome = _withhold(comp, state, fired, policy)
    elif fired.top == _REDUCE:
        outcome = _reduce(comp, state, fired, policy)
    else:
        outcome = _Outcome("continue", state.dose)
    reasons = fired.reasons
    if len(reasons) > 1:
        reasons.sort(key=_by_restriction)
    grades: dict[str, int | None] = {}
    provisional: list[str] = []
    terms: dict[str, dict[str, str]] = {}
    for f in findings:
        grades[f.term] = f.grade
        if f.provisional:
            provisional.append(f.term)
        name, code = _TERM_INFO[f.term]
        terms[f.term] = {"name": name, "meddra_code": code}
    return {
        "grades": grades,
        "provisional": provisional,
        "action": outcome.action,
        "dose_mg_per_day": outcome.dose,
        "resume_dose_mg_per_day": outcome.resume_dose,
        "resume_when": outcome.resume_when,
        # Step 4: the review flags.
        "needs_review": fired.needs_review or outcome.needs_review,
        "rule_set": state.rule_set,
        "reasons": reasons,
        "terms": terms,
    }

"""The rule engine: graded findings + dose state -> a decision (evaluate-contract.md).

Plain functions over plain values. The engine follows policy.md:

* the most restrictive action wins: discontinue > withhold > reduce > continue
  (policy 2);
* a hold leads to ONE reduction of one level from the dose taken when the hold
  began, however many toxicities caused it (policies 2-3);
* below the lowest level: lenvatinib and sorafenib discontinue, flagged for
  review (policy 4, ``PolicySettings.lowest_dose``); cabozantinib follows its
  label: a first hold at 20 mg resumes at 20 mg, a further hold there
  (``holds_at_current_dose >= 1``) discontinues;
* while on hold the answer is ``withhold`` ("stay on hold") until every hold
  reason term meets the recovery criterion of the rule that held it; an absent
  observation for such a term means "not known to be recovered"; then
  ``resume`` at the reduced level. A new toxicity while held is judged too.
* no dose is ever raised, and every dose returned is on the ladder (or 0 while
  withheld or discontinued) (policy 9).

Rules are compiled once per (drug, rule set) into tuples keyed by term, so one
evaluation is a few dictionary look-ups and tuple comparisons.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, NamedTuple

from toxicity.rules import RULE_SETS
from toxicity.rules.model import ACTION_RANK, Recovery, Rule, RuleSet

__all__ = [
    "DEFAULT_POLICY",
    "ENGINE_VERSION",
    "LOWEST_DOSE_CHOICES",
    "DoseState",
    "Finding",
    "PolicySettings",
    "decide",
    "hold_recovery",
    "policy_snapshot",
]

ENGINE_VERSION = "1.0.0"

LOWEST_DOSE_CHOICES: tuple[str, ...] = ("discontinue_with_review", "hold_at_lowest_with_review")


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
    """

    default_rule_set: str = "us_pi"
    reduction_levels_per_hold: int = 1
    lowest_dose: str = "discontinue_with_review"
    lowest_dose_discontinuation_needs_review: bool = True
    single_bp_reading_provisional: bool = True
    proteinuria_resume_below_g_24h: float = 2.0
    review_dose_change_on_provisional_grade: bool = True

    def __post_init__(self) -> None:
        if self.lowest_dose not in LOWEST_DOSE_CHOICES:
            raise ValueError(f"lowest_dose must be one of {LOWEST_DOSE_CHOICES}")
        if self.default_rule_set not in ("us_pi", "eu_smpc"):
            raise ValueError("default_rule_set must be 'us_pi' or 'eu_smpc'")
        if not isinstance(self.reduction_levels_per_hold, int) or not (
            1 <= self.reduction_levels_per_hold <= 3
        ):
            raise ValueError("reduction_levels_per_hold must be 1, 2 or 3")
        if not 0 < self.proteinuria_resume_below_g_24h <= 3.5:
            raise ValueError("proteinuria_resume_below_g_24h must be in (0, 3.5] g")


DEFAULT_POLICY = PolicySettings()


def policy_snapshot(policy: PolicySettings = DEFAULT_POLICY) -> dict[str, Any]:
    """The settings a recommendation used, with the engine version, as a plain dict."""
    snap: dict[str, Any] = {"engine_version": ENGINE_VERSION}
    for f in fields(policy):
        snap[f.name] = getattr(policy, f.name)
    return snap


class Finding(NamedTuple):
    """One graded observation.

    ``grade`` is the final grade reported (policy 7: the higher of computed and
    clinician grades; ``None`` when no CTCAE grade exists, e.g. a UPCR alone).
    ``rule_grade`` is the grade the rules act on: the same, except for
    proteinuria, where rules act on a 24-h urine protein only (policy 6).
    ``data`` is the validated observation (flags and measurements); ``sbp`` and
    ``dbp`` the visit's mean BP when readings were given; ``needs_24h`` the
    dipstick/UPCR screening result.
    """

    term: str
    grade: int | None
    provisional: bool
    rule_grade: int | None
    data: Mapping[str, Any]
    sbp: float | None = None
    dbp: float | None = None
    needs_24h: bool = False


class DoseState(NamedTuple):
    drug: str
    rule_set: str
    dose: int
    on_hold: bool = False
    hold_reason_terms: tuple[str, ...] = ()
    holds_at_current_dose: int = 0
    occurrences: Mapping[str, int] = {}


# ---------------------------------------------------------------------------
# Compilation
# ---------------------------------------------------------------------------

_RESUME_RANK = 1  # reasons of a ``resume`` sort with ``reduce``: above continue


class _Compiled(NamedTuple):
    rule_set: RuleSet
    specific: dict[str, tuple[tuple[Any, ...], ...]]
    fallback: tuple[tuple[Any, ...], ...]
    ladder: tuple[int, ...]
    index: dict[int, int]
    holding: dict[str, tuple[Rule, Recovery, bool]]
    lowest_rule_id: str


def _compile_rule(rule: Rule) -> tuple[Any, ...]:
    c = rule.condition
    return (
        c.min_grade,
        c.max_grade,
        c.any_flags,
        c.all_flags,
        c.not_flags,
        c.min_occurrence,
        c.max_occurrence if c.max_occurrence is not None else 1_000_000,
        c.measure,
        c.op,
        c.threshold,
        c.grade_if_unmeasured,
        c.special,
        ACTION_RANK[rule.action],
        rule,
        rule.excluded_terms,
        rule.text,
    )


def _holding_rules(rs: RuleSet) -> dict[str, tuple[Rule, Recovery, bool]]:
    """For each term, the withhold rule whose recovery criterion ends a hold for it.

    A term's own withhold row comes first; else the first fallback withhold row
    that covers it; ``own`` is False when the term has no withhold row of its
    own in this rule set (then a resumption is flagged for review).
    """
    out: dict[str, tuple[Rule, Recovery, bool]] = {}
    for rule in rs.rules:
        if rule.action == "withhold" and not rule.fallback and rule.recovery is not None:
            for term in rule.terms:
                out.setdefault(term, (rule, rule.recovery, True))
    return out


def _compile(rs: RuleSet) -> _Compiled:
    specific: dict[str, list[tuple[Any, ...]]] = {}
    fallback: list[tuple[Any, ...]] = []
    for rule in rs.rules:
        compiled = _compile_rule(rule)
        if rule.fallback:
            fallback.append(compiled)
        else:
            for term in rule.terms:
                specific.setdefault(term, []).append(compiled)
    return _Compiled(
        rule_set=rs,
        specific={k: tuple(v) for k, v in specific.items()},
        fallback=tuple(fallback),
        ladder=rs.ladder,
        index={d: i for i, d in enumerate(rs.ladder)},
        holding=_holding_rules(rs),
        lowest_rule_id=f"{rs.drug}.{rs.rule_set}.lowest_dose",
    )


_COMPILED: dict[tuple[str, str], _Compiled] = {k: _compile(v) for k, v in RULE_SETS.items()}


def hold_recovery(drug: str, rule_set: str, term: str) -> tuple[Rule, Recovery, bool]:
    """The rule (and its recovery criterion) that ends a hold for ``term``.

    Terms without a withhold row of their own use the rule set's first
    fallback withhold row ("other adverse reactions" / general rule); the
    third item is then False.
    """
    comp = _COMPILED[(drug, rule_set)]
    found = comp.holding.get(term)
    if found is not None:
        return found
    for cr in comp.fallback:
        rule = cr[13]
        if rule.action == "withhold" and rule.recovery is not None and term not in cr[14]:
            return (rule, rule.recovery, False)
    for cr in comp.fallback:
        rule = cr[13]
        if rule.action == "withhold" and rule.recovery is not None:
            return (rule, rule.recovery, False)
    raise LookupError(f"rule set {drug}.{rule_set} has no withhold rule")  # pragma: no cover


# ---------------------------------------------------------------------------
# Matching
# ---------------------------------------------------------------------------


def _fires(cr: tuple[Any, ...], f: Finding, occurrence: int) -> bool:
    special = cr[11]
    if special is not None:
        if special == "proteinuria_screen":
            if f.data.get("urine_protein_g_24h") is not None:
                return False
            g = f.grade
            return f.needs_24h or (g is not None and g >= 2)
        return False  # pragma: no cover - unknown special never fires
    measure = cr[7]
    if measure is not None:
        v = f.data.get(measure)
        if v is None:
            if not cr[10]:
                return False
        else:
            op = cr[8]
            thr = cr[9]
            if op == ">=":
                if not v >= thr:
                    return False
            elif op == ">":
                if not v > thr:
                    return False
            elif op == "<=":
                if not v <= thr:
                    return False
            elif not v < thr:
                return False
    g = f.rule_grade
    if g is None or g < cr[0] or g > cr[1]:
        return False
    data = f.data
    any_flags = cr[2]
    if any_flags:
        for flag in any_flags:
            if data.get(flag) is True:
                break
        else:
            return False
    for flag in cr[3]:
        if data.get(flag) is not True:
            return False
    for flag in cr[4]:
        if data.get(flag) is True:
            return False
    return cr[5] <= occurrence <= cr[6]


def _reason(term: str, grade: int | None, rule: Rule, action: str, text: str) -> dict[str, Any]:
    return {
        "term": term,
        "grade": grade,
        "rule": rule.rule_id,
        "action": action,
        "source": rule.source,
        "text": text,
    }


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


# ---------------------------------------------------------------------------
# Decision
# ---------------------------------------------------------------------------


def _reduced_level(
    comp: _Compiled, dose: int, holds_at_dose: int, policy: PolicySettings
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


def _lowest_reason(comp: _Compiled, term: str, grade: int | None) -> dict[str, Any]:
    rs = comp.rule_set
    lowest = comp.ladder[-1]
    if rs.lowest_dose == "same_dose_once":
        text = f"Lowest dose ({lowest} mg) not tolerated: discontinue"
    else:
        text = (
            f"No dose level below {lowest} mg/day in the label: discontinue and refer to "
            "the oncologist (policy 4)"
        )
    return {
        "term": term,
        "grade": grade,
        "rule": comp.lowest_rule_id,
        "action": "discontinue",
        "source": rs.lowest_dose_source,
        "text": text,
    }


def _sort_key(reason: dict[str, Any]) -> int:
    action = reason["action"]
    return -(_RESUME_RANK if action == "resume" else ACTION_RANK[action])


def decide(
    state: DoseState,
    findings: Sequence[Finding],
    policy: PolicySettings = DEFAULT_POLICY,
) -> dict[str, Any]:
    """The decision for one visit, as the contract's response dict."""
    comp = _COMPILED[(state.drug, state.rule_set)]
    specific = comp.specific
    fallback = comp.fallback
    occurrences = state.occurrences
    dose = state.dose

    grades: dict[str, int | None] = {}
    provisional: list[str] = []
    reasons: list[dict[str, Any]] = []
    by_term: dict[str, Finding] = {}
    top = 0
    needs_review = False
    review_provisional = policy.review_dose_change_on_provisional_grade
    # term -> (grade, Rule) of the first withhold row that fired for it
    withholding: dict[str, tuple[int | None, Rule]] = {}

    for f in findings:
        term = f.term
        grades[term] = f.grade
        by_term[term] = f
        if f.provisional:
            provisional.append(term)
        occurrence = occurrences.get(term, 0) + 1 if occurrences else 1
        fired_any = False
        rg = f.rule_grade
        for cr in specific.get(term, ()):
            # cheap pre-check on the grade range before the full match
            if cr[11] is None and (rg is None or rg < cr[0] or rg > cr[1]):
                continue
            if _fires(cr, f, occurrence):
                fired_any = True
                rank = cr[12]
                rule = cr[13]
                reasons.append(_reason(term, f.grade, rule, rule.action, cr[15]))
                if rank > top:
                    top = rank
                if rule.needs_review or (review_provisional and rank and f.provisional):
                    needs_review = True
                if rank == 2 and term not in withholding:
                    withholding[term] = (f.grade, rule)
        if not fired_any:
            for cr in fallback:
                if rg is None or rg < cr[0] or rg > cr[1] or term in cr[14]:
                    continue
                if not _fires(cr, f, occurrence):
                    continue
                rank = cr[12]
                rule = cr[13]
                reasons.append(_reason(term, f.grade, rule, rule.action, cr[15]))
                if rank > top:
                    top = rank
                if rule.needs_review or (review_provisional and rank and f.provisional):
                    needs_review = True
                if rank == 2 and term not in withholding:
                    withholding[term] = (f.grade, rule)

    action: str
    new_dose: int
    resume_dose: int | None = None
    resume_when = ""

    if top == 3:
        action, new_dose = "discontinue", 0
    elif state.on_hold:
        level, review = _reduced_level(comp, dose, state.holds_at_current_dose, policy)
        if level is None:
            term0 = state.hold_reason_terms[0] if state.hold_reason_terms else ""
            f0 = by_term.get(term0)
            reasons.insert(0, _lowest_reason(comp, term0, f0.grade if f0 else None))
            action, new_dose = "discontinue", 0
            needs_review = needs_review or review
        else:
            needs_review = needs_review or review
            pending: list[str] = []
            recovered: list[tuple[str, Rule, str]] = []
            for term in state.hold_reason_terms:
                rule, rec, own = hold_recovery(state.drug, state.rule_set, term)
                f = by_term.get(term)
                met, note = _recovered(rec, f, policy)
                crit = f"{term} {_recovery_text(rec, policy)}"
                if met and term not in withholding:
                    recovered.append((term, rule, crit))
                    if rule.needs_review or not own:
                        needs_review = True
                    continue
                pending.append(f"{crit} ({note})" if note else crit)
                if term not in withholding:
                    text = (
                        f"On hold: {crit}: {note}"
                        if note
                        else f"On hold: not yet {_recovery_text(rec, policy)}"
                    )
                    reasons.append(_reason(term, f.grade if f else None, rule, "withhold", text))
            for term, (_, rule) in withholding.items():
                if term not in state.hold_reason_terms and rule.recovery is not None:
                    pending.append(f"{term} {_recovery_text(rule.recovery, policy)}")
            if top == 2 or pending:
                if not pending:
                    pending = [
                        f"{term} {_recovery_text(rule.recovery, policy)}"
                        for term, (_, rule) in withholding.items()
                        if rule.recovery is not None
                    ]
                action, new_dose = "withhold", 0
                resume_dose = level
                resume_when = "; ".join(pending)
            else:
                action, new_dose = "resume", level
                for term, rule, crit in recovered:
                    f = by_term.get(term)
                    reasons.append(
                        _reason(
                            term,
                            f.grade if f else None,
                            rule,
                            "resume",
                            f"Recovered: {crit}; resume at {level} mg/day",
                        )
                    )
    elif top == 2:
        level, review = _reduced_level(comp, dose, state.holds_at_current_dose, policy)
        needs_review = needs_review or review
        if level is None:
            term0, (g0, _) = next(iter(withholding.items()))
            reasons.insert(0, _lowest_reason(comp, term0, g0))
            action, new_dose = "discontinue", 0
        else:
            action, new_dose = "withhold", 0
            resume_dose = level
            resume_when = "; ".join(
                f"{term} {_recovery_text(rule.recovery, policy)}"
                for term, (_, rule) in withholding.items()
                if rule.recovery is not None
            )
    elif top == 1:
        level, review = _reduced_level(comp, dose, state.holds_at_current_dose, policy)
        needs_review = needs_review or review
        if level is None:
            first = reasons[0]
            reasons.insert(0, _lowest_reason(comp, first["term"], first["grade"]))
            action, new_dose = "discontinue", 0
        else:
            action, new_dose = "reduce", level
    else:
        action, new_dose = "continue", dose

    if len(reasons) > 1:
        reasons.sort(key=_sort_key)
    return {
        "grades": grades,
        "provisional": provisional,
        "action": action,
        "dose_mg_per_day": new_dose,
        "resume_dose_mg_per_day": resume_dose,
        "resume_when": resume_when,
        "needs_review": needs_review,
        "rule_set": state.rule_set,
        "reasons": reasons,
    }

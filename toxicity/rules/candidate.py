"""A candidate rule set, and how its decisions differ from the rules in force.

Pure Python, no Django. Before a revised label, a pharmacist's edit of a row or a
changed policy setting goes live, the impact report (toxicity/services/impact.py)
evaluates every past visit in its scope twice: under the rules in force and under
a candidate. A candidate is

* ``row_changes``: fields of label rows set to other values (a threshold, a
  grade range, an action, a recovery criterion), each naming the row by its id;
* ``policy``: the policy settings (engine.PolicySettings) to decide with;
* ``label``: optionally, every course judged under the other label (``eu_smpc``
  for a course on ``us_pi``) rather than its own.

A row's field is edited only where the rule data has it (no threshold is added to
a row that measures nothing), and only to a value of its kind, checked here: the
impact report and the sign-off page show what the candidate says, never a value
the engine would read differently.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from toxicity.rules.engine import DEFAULT_POLICY, PolicySettings, policy_snapshot
from toxicity.rules.model import Action, Rule, RuleSet

__all__ = [
    "EDITABLE_FIELDS",
    "Candidate",
    "CandidateError",
    "Outcome",
    "RowChange",
    "candidate_rule_set",
    "change_kind",
    "outcome_of",
    "parse_candidate",
]

REFUSED = "refused"  # the engine refused the stored visit under these rules


@dataclass(frozen=True, slots=True)
class EditableField:
    """A field of a row a candidate may set: where it lives and what it takes."""

    path: str  # "action", or "<part>.<field>" of the row's condition or recovery
    kind: type  # int, float, bool or str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()


EDITABLE_FIELDS: dict[str, EditableField] = {
    f.path: f
    for f in (
        # "resume" is a decision's action (after a hold), never a row's.
        EditableField(
            "action", str, choices=tuple(str(a.value) for a in Action if a is not Action.RESUME)
        ),
        EditableField("needs_review", bool),
        EditableField("condition.min_grade", int, 1, 5),
        EditableField("condition.max_grade", int, 1, 5),
        EditableField("condition.threshold", float, 0, 10_000),
        EditableField("recovery.grade", int, 0, 4),
        EditableField("recovery.value", float, 0, 10_000),
        EditableField("recovery.sbp", float, 0, 300),
        EditableField("recovery.dbp", float, 0, 200),
        EditableField("recovery.hours", float, 0, 10_000),
    )
}
_POLICY_FIELDS = {
    f.name: type(getattr(DEFAULT_POLICY, f.name)) for f in dataclasses.fields(PolicySettings)
}


class CandidateError(ValueError):
    """A candidate that cannot be applied; ``errors`` maps each bad field to a message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in sorted(errors.items())))
        self.errors = errors


@dataclass(frozen=True, slots=True)
class RowChange:
    rule_id: str
    field: str  # a key of EDITABLE_FIELDS
    value: int | float | bool | str


@dataclass(frozen=True, slots=True)
class Candidate:
    row_changes: tuple[RowChange, ...] = ()
    policy: PolicySettings = DEFAULT_POLICY
    label: str | None = None  # judge every course under this label instead of its own

    def as_data(self) -> dict[str, Any]:
        """The candidate as stored with a report, in ``parse_candidate``'s shape."""
        changed = {
            name: value
            for name, value in policy_snapshot(self.policy).items()
            if name in _POLICY_FIELDS and value != getattr(DEFAULT_POLICY, name)
        }
        return {
            "row_changes": [
                {"rule_id": c.rule_id, "field": c.field, "value": c.value} for c in self.row_changes
            ],
            "policy": changed,
            "label": self.label,
        }


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a decision comes to, as compared between the rules in force and a candidate."""

    action: str  # an engine action, or REFUSED
    dose_mg_per_day: float | None
    resume_dose_mg_per_day: float | None
    needs_review: bool
    rule_ids: tuple[str, ...]  # the rows behind the decision, in the engine's order

    def same_decision(self, other: Outcome) -> bool:
        return (
            self.action == other.action
            and self.dose_mg_per_day == other.dose_mg_per_day
            and self.resume_dose_mg_per_day == other.resume_dose_mg_per_day
            and self.needs_review == other.needs_review
        )


def outcome_of(response: Mapping[str, Any] | None) -> Outcome:
    """The outcome of an engine response; None stands for a refused request."""
    if response is None:
        return Outcome(REFUSED, None, None, False, ())
    rule_ids: list[str] = []
    for reason in response["reasons"]:
        rule = reason.get("rule")
        if rule and rule not in rule_ids:
            rule_ids.append(str(rule))
    resume = response.get("resume_dose_mg_per_day")
    return Outcome(
        action=str(response["action"]),
        dose_mg_per_day=float(response["dose_mg_per_day"]),
        resume_dose_mg_per_day=None if resume is None else float(resume),
        needs_review=bool(response["needs_review"]),
        rule_ids=tuple(rule_ids),
    )


def change_kind(current: Outcome, candidate: Outcome) -> str:
    """How two decisions differ, as a report counts them: ``continue -> withhold`` when
    the action changes, else ``dose``, ``resume dose`` or ``review`` (the first that does)."""
    if current.action != candidate.action:
        return f"{current.action} -> {candidate.action}"
    if current.dose_mg_per_day != candidate.dose_mg_per_day:
        return "dose"
    if current.resume_dose_mg_per_day != candidate.resume_dose_mg_per_day:
        return "resume dose"
    return "review"


# --- reading a candidate ----------------------------------------------------------------


def parse_candidate(
    data: Mapping[str, Any], rule_sets: Mapping[tuple[str, str], RuleSet]
) -> Candidate:
    """A candidate from stored or submitted data; ``CandidateError`` names each bad field.

    ``rule_sets`` are the rule sets in force: each row change must name one of their rows.
    """
    errors: dict[str, str] = {}
    label = data.get("label") or None
    labels = {key[1] for key in rule_sets}
    if label is not None and label not in labels:
        errors["label"] = f"no rule set {label!r}; one of {', '.join(sorted(labels))}"
    policy = _policy(data.get("policy") or {}, errors)
    rows = {rule.rule_id: rule for rs in rule_sets.values() for rule in rs.rules}
    changes: list[RowChange] = []
    for i, raw in enumerate(data.get("row_changes") or ()):
        change = _row_change(raw, rows, f"row_changes[{i}]", errors)
        if change is not None:
            changes.append(change)
    if not errors:
        for rs in rule_sets.values():
            try:
                candidate_rule_set(rs, changes)
            except CandidateError as bad:
                errors.update(bad.errors)
    if errors:
        raise CandidateError(errors)
    return Candidate(row_changes=tuple(changes), policy=policy, label=label)


def _policy(raw: Mapping[str, Any], errors: dict[str, str]) -> PolicySettings:
    settings: dict[str, Any] = {}
    for name, value in raw.items():
        kind = _POLICY_FIELDS.get(name)
        if kind is None:
            errors[f"policy.{name}"] = "not a policy setting"
        elif kind is float and type(value) is int:
            settings[name] = float(value)
        elif type(value) is not kind:
            errors[f"policy.{name}"] = f"must be {kind.__name__}"
        else:
            settings[name] = value
    if errors:
        return DEFAULT_POLICY
    try:
        return dataclasses.replace(DEFAULT_POLICY, **settings)
    except ValueError as bad:
        errors["policy"] = str(bad)
        return DEFAULT_POLICY


def _row_change(
    raw: Any, rows: Mapping[str, Rule], path: str, errors: dict[str, str]
) -> RowChange | None:
    if not isinstance(raw, Mapping):
        errors[path] = "expected an object with rule_id, field and value"
        return None
    rule = rows.get(str(raw.get("rule_id")))
    spec = EDITABLE_FIELDS.get(str(raw.get("field")))
    if rule is None:
        errors[f"{path}.rule_id"] = "no row with this id in the rules in force"
    if spec is None:
        errors[f"{path}.field"] = f"one of {', '.join(EDITABLE_FIELDS)}"
    if rule is None or spec is None:
        return None
    part, _, name = spec.path.rpartition(".")
    holder = getattr(rule, part) if part else rule
    if holder is None or (spec.path == "condition.threshold" and rule.condition.measure is None):
        errors[f"{path}.field"] = f"the row {rule.rule_id} has no {spec.path}"
        return None
    value = _value(raw.get("value"), spec, f"{path}.value", errors)
    return None if value is None else RowChange(rule.rule_id, spec.path, value)


def _value(value: Any, spec: EditableField, path: str, errors: dict[str, str]) -> Any:
    if spec.kind is float and type(value) is int:
        value = float(value)
    if type(value) is not spec.kind:
        errors[path] = f"must be {spec.kind.__name__}"
        return None
    if spec.choices and value not in spec.choices:
        errors[path] = f"one of {', '.join(spec.choices)}"
        return None
    number: Any = value
    if spec.minimum is not None and number < spec.minimum:
        errors[path] = f"at least {spec.minimum:g}"
        return None
    if spec.maximum is not None and number > spec.maximum:
        errors[path] = f"at most {spec.maximum:g}"
        return None
    return value


# --- applying it --------------------------------------------------------------------------


def candidate_rule_set(base: RuleSet, changes: Iterable[RowChange]) -> RuleSet:
    """``base`` with the changes to its own rows applied (others are ignored)."""
    by_row: dict[str, list[RowChange]] = {}
    for change in changes:
        by_row.setdefault(change.rule_id, []).append(change)
    if not any(rule.rule_id in by_row for rule in base.rules):
        return base
    rules = tuple(_changed(rule, by_row.get(rule.rule_id, ())) for rule in base.rules)
    return dataclasses.replace(base, rules=rules)


def _changed(rule: Rule, changes: Iterable[RowChange]) -> Rule:
    for change in changes:
        part, _, name = change.field.rpartition(".")
        if not part:
            value: Any = Action(str(change.value)) if name == "action" else change.value
            rule = dataclasses.replace(rule, **{name: value})
        else:
            holder = dataclasses.replace(getattr(rule, part), **{name: change.value})
            rule = dataclasses.replace(rule, **{part: holder})
    if rule.condition.min_grade > rule.condition.max_grade:
        raise CandidateError(
            {rule.rule_id: "the grade range would be empty (min_grade above max_grade)"}
        )
    return rule

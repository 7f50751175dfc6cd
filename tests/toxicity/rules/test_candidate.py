"""A candidate rule set: what may be changed, to what, and how two decisions compare."""

from __future__ import annotations

import pytest

from toxicity import rules
from toxicity.rules import candidate as candidates
from toxicity.rules.engine import compile_rules
from toxicity.rules.evaluate import evaluate
from toxicity.rules.model import Action

ROW = "lenvatinib.us_pi.hypertension.grade3"
PROTEIN_ROW = next(
    r.rule_id
    for r in rules.get_rule_set("lenvatinib", "us_pi").rules
    if r.condition.measure is not None
)


def _parse(*changes, **rest):
    fields = ("rule_id", "field", "value")
    data = {"row_changes": [dict(zip(fields, c, strict=True)) for c in changes], **rest}
    return candidates.parse_candidate(data, rules.RULE_SETS)


def _refused(*changes, **rest) -> dict[str, str]:
    with pytest.raises(candidates.CandidateError) as refused:
        _parse(*changes, **rest)
    return refused.value.errors


@pytest.mark.parametrize(
    ("field", "value", "stored"),
    [
        ("action", "reduce", "reduce"),
        ("needs_review", True, True),
        ("condition.min_grade", 1, 1),
        ("condition.min_grade", 3, 3),
        ("condition.max_grade", 5, 5),
        ("recovery.grade", 0, 0),
        ("recovery.grade", 4, 4),
    ],
)
def test_a_field_takes_a_value_of_its_kind_within_its_bounds(field, value, stored):
    (change,) = _parse((ROW, field, value)).row_changes
    assert change.value == stored


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("action", "pause"),
        ("action", "resume"),
        ("action", 1),
        ("needs_review", "yes"),
        ("condition.min_grade", 0),
        ("condition.min_grade", 6),
        ("condition.max_grade", 2.5),
        ("recovery.grade", -1),
        ("recovery.grade", 5),
    ],
)
def test_a_value_outside_the_fields_kind_or_bounds_is_refused_on_it(field, value):
    assert set(_refused((ROW, field, value))) == {"row_changes[0].value"}


def test_a_whole_number_is_a_threshold():
    (change,) = _parse((PROTEIN_ROW, "condition.threshold", 3)).row_changes
    assert change.value == 3.0 and isinstance(change.value, float)


def test_a_row_that_measures_nothing_has_no_threshold_to_change():
    assert set(_refused((ROW, "condition.threshold", 3.0))) == {"row_changes[0].field"}


def test_an_unknown_row_and_an_unknown_field_are_each_named():
    errors = _refused(("no.such.row", "action", "reduce"), (ROW, "source", "x"))
    assert set(errors) == {"row_changes[0].rule_id", "row_changes[1].field"}


def test_an_empty_grade_range_is_refused():
    errors = _refused((ROW, "condition.min_grade", 4))  # the row's max_grade is 3
    assert errors == {ROW: "the grade range would be empty (min_grade above max_grade)"}


@pytest.mark.parametrize(
    ("policy", "path"),
    [
        ({"no_such_setting": 1}, "policy.no_such_setting"),
        ({"single_bp_reading_provisional": "no"}, "policy.single_bp_reading_provisional"),
        ({"reduction_levels_per_hold": 4}, "policy"),
        ({"proteinuria_resume_below_g_24h": 0}, "policy"),
    ],
)
def test_a_bad_policy_setting_is_refused(policy, path):
    assert path in _refused(policy=policy)


def test_an_unknown_label_is_refused():
    assert "label" in _refused(label="jp_pi")


def test_the_changed_rule_set_changes_only_the_named_row():
    base = rules.get_rule_set("lenvatinib", "us_pi")
    change = candidates.RowChange(ROW, "action", "reduce")
    changed = candidates.candidate_rule_set(base, [change])
    assert [r.action for r in changed.rules if r.rule_id == ROW] == [Action.REDUCE]
    assert [r for r in changed.rules if r.rule_id != ROW] == [
        r for r in base.rules if r.rule_id != ROW
    ]
    assert next(r for r in base.rules if r.rule_id == ROW).action is Action.WITHHOLD


def test_a_rule_set_without_the_row_is_the_same_object():
    base = rules.get_rule_set("sorafenib", "us_pi")
    change = candidates.RowChange(ROW, "action", "reduce")
    assert candidates.candidate_rule_set(base, [change]) is base


def test_the_stored_form_parses_back_to_the_same_candidate():
    parsed = _parse((ROW, "action", "reduce"), policy={"lowest_dose": "hold_at_lowest_with_review"})
    assert candidates.parse_candidate(parsed.as_data(), rules.RULE_SETS) == parsed
    assert parsed.as_data()["policy"] == {"lowest_dose": "hold_at_lowest_with_review"}


GRADE_3_ON_OPTIMAL_THERAPY = {
    "drug": "lenvatinib",
    "rule_set": "us_pi",
    "dose_mg_per_day": 24,
    "observations": [
        {
            "term": "hypertension",
            "readings": [[166, 102], [162, 100]],
            "optimal_antihypertensive_therapy": True,
        }
    ],
}


def test_the_engine_decides_with_the_candidates_row():
    base = rules.get_rule_set("lenvatinib", "us_pi")
    changed = candidates.candidate_rule_set(base, [candidates.RowChange(ROW, "action", "reduce")])
    now = candidates.outcome_of(evaluate(GRADE_3_ON_OPTIMAL_THERAPY))
    then = candidates.outcome_of(evaluate(GRADE_3_ON_OPTIMAL_THERAPY, rules=compile_rules(changed)))
    assert (now.action, then.action) == ("withhold", "reduce")
    assert then.dose_mg_per_day == 20
    assert candidates.change_kind(now, then) == "withhold -> reduce"
    assert ROW in then.rule_ids


def test_rules_of_another_drug_cannot_decide_a_request():
    sorafenib = compile_rules(rules.get_rule_set("sorafenib", "us_pi"))
    with pytest.raises(ValueError):
        evaluate(GRADE_3_ON_OPTIMAL_THERAPY, rules=sorafenib)


@pytest.mark.parametrize(
    ("current", "proposed", "kind"),
    [
        (("continue", 24, None, False), ("withhold", 0, 20, False), "continue -> withhold"),
        (("reduce", 20, None, False), ("reduce", 14, None, False), "dose"),
        (("withhold", 0, 20, False), ("withhold", 0, 14, False), "resume dose"),
        (("continue", 24, None, False), ("continue", 24, None, True), "review"),
    ],
)
def test_a_change_is_named_by_the_first_thing_that_differs(current, proposed, kind):
    a = candidates.Outcome(*current, rule_ids=())
    b = candidates.Outcome(*proposed, rule_ids=())
    assert not a.same_decision(b)
    assert candidates.change_kind(a, b) == kind


def test_the_rows_behind_a_decision_alone_do_not_make_it_different():
    a = candidates.Outcome("withhold", 0, 20, False, ("row.a",))
    b = candidates.Outcome("withhold", 0, 20, False, ("row.b",))
    assert a.same_decision(b)


def test_a_refused_request_is_its_own_outcome():
    assert candidates.outcome_of(None).action == candidates.REFUSED

"""The fingerprint of a rule set: any change of rows, sources, confirmed flags, engine
version or policy gives another one; nothing else does."""

from __future__ import annotations

import dataclasses

import pytest

from toxicity.rule_fingerprint import plain, row_fingerprint, rule_set_fingerprint
from toxicity.rules import RULE_SETS
from toxicity.rules.engine import DEFAULT_POLICY, ENGINE_VERSION, policy_snapshot

RULE_SET = RULE_SETS[("lenvatinib", "us_pi")]
POLICY = policy_snapshot(DEFAULT_POLICY)


def fingerprint(rule_set=RULE_SET, *, engine_version=ENGINE_VERSION, policy=POLICY) -> str:
    return rule_set_fingerprint(rule_set, engine_version=engine_version, policy=policy)


def with_first_row(**changes):
    first = dataclasses.replace(RULE_SET.rules[0], **changes)
    return dataclasses.replace(RULE_SET, rules=(first, *RULE_SET.rules[1:]))


def test_the_same_content_gives_the_same_fingerprint():
    assert fingerprint() == fingerprint(dataclasses.replace(RULE_SET))
    assert len(fingerprint()) == 64


def test_every_rule_set_has_its_own_fingerprint():
    prints = {fingerprint(rs) for rs in RULE_SETS.values()}
    assert len(prints) == len(RULE_SETS)


def test_a_changed_source_changes_the_fingerprint():
    assert fingerprint(with_first_row(source=RULE_SET.rules[0].source + " (2026)")) != fingerprint()


def test_a_changed_confirmed_flag_changes_the_fingerprint():
    assert fingerprint(with_first_row(confirmed=not RULE_SET.rules[0].confirmed)) != fingerprint()


def test_a_changed_condition_changes_the_fingerprint():
    row = RULE_SET.rules[0]
    condition = dataclasses.replace(row.condition, text=row.condition.text + ".")
    assert fingerprint(with_first_row(condition=condition)) != fingerprint()


def test_a_removed_row_changes_the_fingerprint():
    assert fingerprint(dataclasses.replace(RULE_SET, rules=RULE_SET.rules[1:])) != fingerprint()


def test_reordered_rows_change_the_fingerprint():
    # The engine reads rows in order (term-specific first), so the order is content.
    swapped = (RULE_SET.rules[1], RULE_SET.rules[0], *RULE_SET.rules[2:])
    assert fingerprint(dataclasses.replace(RULE_SET, rules=swapped)) != fingerprint()


def test_a_new_engine_version_changes_the_fingerprint():
    assert fingerprint(engine_version=ENGINE_VERSION + ".1") != fingerprint()


@pytest.mark.parametrize("setting", sorted(set(POLICY) - {"engine_version"}))
def test_a_changed_policy_setting_changes_the_fingerprint(setting):
    value = POLICY[setting]
    other = (not value) if isinstance(value, bool) else f"{value}-other"
    assert fingerprint(policy=POLICY | {setting: other}) != fingerprint()


def test_a_row_fingerprint_follows_its_row_only():
    first, second = RULE_SET.rules[0], RULE_SET.rules[1]
    assert row_fingerprint(first) == row_fingerprint(dataclasses.replace(first))
    assert row_fingerprint(first) != row_fingerprint(second)
    assert row_fingerprint(first) != row_fingerprint(dataclasses.replace(first, source="other"))


def test_sets_have_one_spelling_whatever_their_order():
    assert plain(frozenset({"b", "a", "c"})) == ["a", "b", "c"]
    assert plain({"z": (1, 2), "a": None}) == {"a": None, "z": [1, 2]}

"""Policy settings are named, validated, and recorded with each recommendation."""

from __future__ import annotations

import pytest

from toxicity.rules.engine import DEFAULT_POLICY, ENGINE_VERSION, PolicySettings, policy_snapshot
from toxicity.rules.evaluate import evaluate


def test_defaults_follow_policy_md():
    assert DEFAULT_POLICY.default_rule_set == "us_pi"
    assert DEFAULT_POLICY.lowest_dose == "discontinue_with_review"
    assert DEFAULT_POLICY.reduction_levels_per_hold == 1
    assert DEFAULT_POLICY.proteinuria_resume_below_g_24h == 2.0
    assert DEFAULT_POLICY.single_bp_reading_provisional is True


def test_snapshot_records_the_engine_version_and_every_setting():
    snap = policy_snapshot(DEFAULT_POLICY)
    assert snap["engine_version"] == ENGINE_VERSION == "1.1.0"
    assert snap["lowest_dose"] == "discontinue_with_review"
    assert len(snap) == 1 + len(PolicySettings.__dataclass_fields__)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"lowest_dose": "guess"},
        {"default_rule_set": "jp"},
        {"reduction_levels_per_hold": 0},
        {"proteinuria_resume_below_g_24h": 0},
    ],
)
def test_a_bad_setting_is_refused_loudly(kwargs):
    with pytest.raises(ValueError):
        PolicySettings(**kwargs)


def test_the_default_rule_set_setting_applies_when_the_request_names_none():
    req = {
        "drug": "lenvatinib",
        "dose_mg_per_day": 24,
        "observations": [{"term": "hypertension", "readings": [[150, 90], [150, 90]]}],
    }
    assert evaluate(req)["rule_set"] == "us_pi"
    eu = evaluate(req, policy=PolicySettings(default_rule_set="eu_smpc"))
    assert eu["rule_set"] == "eu_smpc"


def test_single_reading_provisional_flag_can_be_switched_off():
    req = {
        "drug": "lenvatinib",
        "dose_mg_per_day": 24,
        "observations": [{"term": "hypertension", "sbp": 150, "dbp": 90}],
    }
    assert evaluate(req)["provisional"] == ["hypertension"]
    off = PolicySettings(single_bp_reading_provisional=False)
    assert evaluate(req, policy=off)["provisional"] == []

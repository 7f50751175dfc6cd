"""Reference scenario 44: elective major surgery on day D."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from toxicity.rules.surgery import surgery_window

D = date(2026, 3, 16)


@pytest.mark.parametrize(
    ("drug", "stop_days_before"),
    [("lenvatinib", 7), ("sorafenib", 10), ("cabozantinib", 21)],
)
def test_scenario_44_the_drug_stops_in_time_before_surgery(drug, stop_days_before):
    window = surgery_window(drug, D)
    assert window.stop_from == D - timedelta(days=stop_days_before)
    assert window.last_dose_by == window.stop_from - timedelta(days=1)


@pytest.mark.parametrize("drug", ["lenvatinib", "sorafenib", "cabozantinib"])
def test_scenario_44_restart_no_earlier_than_two_weeks_after_and_once_healed(drug):
    window = surgery_window(drug, D)
    assert window.restart_from == D + timedelta(days=14)
    assert "healed" in window.condition


def test_cabozantinib_holds_for_dental_surgery_too():
    assert surgery_window("cabozantinib", D, dental=True).stop_from == D - timedelta(days=21)


def test_the_lenvatinib_timing_is_marked_unconfirmed_and_the_others_confirmed():
    assert not surgery_window("lenvatinib", D).confirmed
    assert surgery_window("sorafenib", D).confirmed
    assert surgery_window("cabozantinib", D).confirmed


def test_an_unknown_drug_is_refused():
    with pytest.raises(ValueError, match="imatinib"):
        surgery_window("imatinib", D)


def test_lenvatinib_is_withheld_a_week_before_an_invasive_dental_procedure():
    # reference.md 2.1: "Invasive dental procedures (ONJ): withhold >=1 week before, if
    # possible [S]" -- a secondary source, so the window is not confirmed.
    window = surgery_window("lenvatinib", D, dental=True)
    assert window.stop_from == D - timedelta(days=7)
    assert window.last_dose_by == D - timedelta(days=8)
    assert window.confirmed is False


def test_sorafenib_names_no_dental_hold():
    window = surgery_window("sorafenib", D, dental=True)
    assert window.stop_from == D
    assert "no hold" in window.condition

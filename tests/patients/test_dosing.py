"""The dose state is derived from the ledger alone (patients.dosing, no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from patients import dosing
from patients.dosing import (
    Kind,
    LedgerEntry,
    Status,
    check_entry,
    derive_dose_state,
    is_on_ladder,
    levels_at_or_below,
)

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def entries(*steps):
    return [LedgerEntry(kind, T0 + timedelta(days=i), dose) for i, (kind, dose) in enumerate(steps)]


def test_an_empty_ledger_means_the_course_has_not_started():
    state = derive_dose_state([])
    assert state.status == Status.NOT_STARTED
    assert state.dose_mg_per_day == 0


def test_a_start_makes_the_starting_dose_current():
    state = derive_dose_state(entries((Kind.START, 24)))
    assert (state.status, state.dose_mg_per_day, state.on_hold) == (Status.ACTIVE, 24, False)


def test_a_hold_keeps_the_dose_it_began_at():
    state = derive_dose_state(entries((Kind.START, 24), (Kind.HOLD, 0)))
    assert state.on_hold
    assert state.dose_mg_per_day == 0
    assert state.held_at_dose_mg == 24
    assert state.reference_dose_mg == 24
    assert state.holds_at_current_dose == 1


def test_resuming_lower_counts_a_reduction_and_clears_the_hold():
    state = derive_dose_state(entries((Kind.START, 24), (Kind.HOLD, 0), (Kind.RESUME, 20)))
    assert (state.status, state.dose_mg_per_day, state.reductions) == (Status.ACTIVE, 20, 1)
    assert state.held_at_dose_mg is None
    assert state.holds_at_current_dose == 0


def test_resuming_at_the_same_dose_remembers_the_hold_at_that_dose():
    # Cabozantinib at 20 mg: a first hold resumes at 20 mg; the label discontinues on the next.
    state = derive_dose_state(entries((Kind.START, 20), (Kind.HOLD, 0), (Kind.RESUME, 20)))
    assert state.dose_mg_per_day == 20
    assert state.holds_at_current_dose == 1


def test_a_long_sequence_ends_where_the_last_change_leaves_it():
    state = derive_dose_state(
        entries(
            (Kind.START, 24),
            (Kind.HOLD, 0),
            (Kind.RESUME, 20),
            (Kind.REDUCE, 14),
            (Kind.RE_ESCALATE, 20),
            (Kind.HOLD, 0),
            (Kind.RESUME, 14),
        )
    )
    assert (state.status, state.dose_mg_per_day, state.reductions) == (Status.ACTIVE, 14, 3)
    assert state.last_change_at == T0 + timedelta(days=6)


def test_a_discontinued_course_has_no_dose():
    state = derive_dose_state(entries((Kind.START, 800), (Kind.DISCONTINUE, 0)))
    assert state.status == Status.DISCONTINUED
    assert state.ended
    assert state.dose_mg_per_day == 0


@pytest.mark.parametrize(
    ("dose", "levels"),
    [(24, (24, 20, 14, 10)), (20, (20, 14, 10)), (18, (14, 10)), (10, (10,)), (8, ())],
)
def test_the_levels_at_or_below_a_dose_leave_out_every_higher_one(dose, levels):
    assert levels_at_or_below("lenvatinib", dose) == levels


@pytest.mark.parametrize(
    ("drug", "dose", "on_ladder"),
    [
        ("lenvatinib", 24, True),
        ("lenvatinib", 10, True),
        ("lenvatinib", 18, False),
        ("sorafenib", 600, True),
        ("sorafenib", 300, False),
        ("cabozantinib", 20, True),
        ("cabozantinib", 80, False),
        ("imatinib", 400, False),
    ],
)
def test_dose_ladders(drug, dose, on_ladder):
    assert is_on_ladder(drug, dose) is on_ladder


ACTIVE_24 = derive_dose_state(entries((Kind.START, 24)))
HELD_24 = derive_dose_state(entries((Kind.START, 24), (Kind.HOLD, 0)))
ENDED = derive_dose_state(entries((Kind.START, 24), (Kind.DISCONTINUE, 0)))


@pytest.mark.parametrize(
    ("state", "kind", "dose", "field"),
    [
        (ACTIVE_24, Kind.START, 24, "kind"),
        (ACTIVE_24, Kind.RESUME, 20, "kind"),
        (HELD_24, Kind.HOLD, 0, "kind"),
        (HELD_24, Kind.RESUME, 34, "dose_after_mg"),
        (HELD_24, Kind.REDUCE, 20, "kind"),
        (ACTIVE_24, Kind.REDUCE, 24, "dose_after_mg"),
        (ACTIVE_24, Kind.RE_ESCALATE, 20, "dose_after_mg"),
        (ACTIVE_24, Kind.HOLD, 10, "dose_after_mg"),
        (ENDED, Kind.RESUME, 20, "kind"),
        (ENDED, Kind.START, 24, "kind"),
    ],
)
def test_changes_that_cannot_follow_the_current_state_are_refused(state, kind, dose, field):
    assert field in check_entry(state, kind, dose)


@pytest.mark.parametrize(
    ("state", "kind", "dose"),
    [
        (ACTIVE_24, Kind.HOLD, 0),
        (ACTIVE_24, Kind.REDUCE, 20),
        (ACTIVE_24, Kind.DISCONTINUE, 0),
        (HELD_24, Kind.RESUME, 20),
        (HELD_24, Kind.RESUME, 24),
        (HELD_24, Kind.DISCONTINUE, 0),
    ],
)
def test_changes_that_follow_the_current_state_are_accepted(state, kind, dose):
    assert check_entry(state, kind, dose) == {}


# --- drug names in Simplified Chinese -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "drug"),
    [
        ("lenvatinib", "lenvatinib"),
        ("Lenvatinib", "lenvatinib"),
        ("LENVIMA", "lenvatinib"),
        ("乐伐替尼", "lenvatinib"),
        ("仑伐替尼", "lenvatinib"),
        (" 索拉非尼 ", "sorafenib"),
        ("Nexavar", "sorafenib"),
        ("卡博替尼", "cabozantinib"),
        ("cabometyx", "cabozantinib"),
    ],
)
def test_a_filter_finds_the_drug_by_any_of_its_names(text, drug):
    assert dosing.drug_from_text(text) == drug


@pytest.mark.parametrize("text", ["", "   ", "selpercatinib", "乐伐"])
def test_a_filter_that_names_no_drug_finds_none(text):
    assert dosing.drug_from_text(text) is None


def test_every_drug_has_a_chinese_generic_name_marked_for_review():
    assert set(dosing.DRUG_NAMES_ZH_HANS) == set(dosing.DRUGS)
    assert dosing.DRUG_NAMES_ZH_HANS_SOURCE == "unconfirmed"


def test_a_chinese_reader_sees_lenvatinib_with_its_other_rendering():
    assert dosing.drug_label("lenvatinib", "zh-hans") == "乐伐替尼（仑伐替尼）"
    assert dosing.drug_label("sorafenib", "zh-hans") == "索拉非尼"


def test_an_english_reader_sees_the_generic_and_brand_name():
    assert dosing.drug_label("lenvatinib", "en-gb") == "Lenvatinib (Lenvima)"

"""A follow-up is compared with its baseline only when it is the same disease,
measured the same way."""

from __future__ import annotations

import datetime as dt

import pytest

from disease.recist import (
    NonTargetStatus,
    RecistInputError,
    Response,
    assess,
    progression_date,
    time_point_response,
)
from tests.disease.factories import BASELINE_DATE, lesion, months_later, study

BASELINE = study(lesion("T1", "40"), lesion("T2", "30", organ="liver"))


def follow_up(*targets, on=None, **kwargs):
    return study(*targets, on=on or months_later(3), **kwargs)


def test_a_baseline_target_left_out_is_refused():
    with pytest.raises(RecistInputError) as refused:
        time_point_response(BASELINE, follow_up(lesion("T1", "40")))
    assert "T2" in refused.value.errors["targets"]
    assert "not measured" in refused.value.errors["targets"]


def test_a_target_not_chosen_at_baseline_is_refused():
    with pytest.raises(RecistInputError) as refused:
        time_point_response(
            BASELINE,
            follow_up(lesion("T1"), lesion("T2", organ="liver"), lesion("T3", organ="bone")),
        )
    assert "new lesion" in refused.value.errors["targets.new"]


def test_a_target_that_changes_organ_is_refused():
    with pytest.raises(RecistInputError) as refused:
        time_point_response(BASELINE, follow_up(lesion("T1"), lesion("T2", organ="bone")))
    assert "targets.T2" in refused.value.errors


def test_a_target_that_changes_from_lesion_to_node_is_refused():
    with pytest.raises(RecistInputError) as refused:
        time_point_response(
            BASELINE, follow_up(lesion("T1"), lesion("T2", "30", organ="liver", node=True))
        )
    assert "targets.T2" in refused.value.errors


@pytest.mark.parametrize("days", [0, -1])
def test_a_follow_up_on_or_before_the_baseline_is_refused(days):
    on = BASELINE_DATE + dt.timedelta(days=days)
    with pytest.raises(RecistInputError) as refused:
        time_point_response(BASELINE, follow_up(lesion("T1"), lesion("T2", organ="liver"), on=on))
    assert "after the baseline" in refused.value.errors["date"]


@pytest.mark.parametrize(
    "status", [NonTargetStatus.PRESENT, NonTargetStatus.UNEQUIVOCAL_PROGRESSION]
)
def test_non_target_disease_where_there_was_none_is_refused(status):
    with pytest.raises(RecistInputError) as refused:
        time_point_response(
            BASELINE, follow_up(lesion("T1"), lesion("T2", organ="liver"), non_target=status)
        )
    assert "new lesion" in refused.value.errors["non_target"]


def test_two_follow_ups_on_one_date_are_refused():
    same_day = [follow_up(lesion("T1"), lesion("T2", organ="liver")) for _ in range(2)]
    with pytest.raises(RecistInputError) as refused:
        assess(BASELINE, same_day)
    assert "one date" in refused.value.errors["date"]


def test_an_invalid_baseline_is_refused_before_any_response():
    bad = study(lesion("T1", "9"))
    with pytest.raises(RecistInputError) as refused:
        time_point_response(bad, follow_up(lesion("T1", "9")))
    assert "targets.T1" in refused.value.errors


def test_targets_may_be_listed_in_any_order():
    point = time_point_response(
        BASELINE, follow_up(lesion("T2", "30", organ="liver"), lesion("T1", "40"))
    )
    assert point.response is Response.SD


def test_assess_takes_follow_ups_in_date_order_each_against_its_own_nadir():
    later = follow_up(lesion("T1", "28"), lesion("T2", "20", organ="liver"), on=months_later(6))
    sooner = follow_up(lesion("T1", "20"), lesion("T2", "15", organ="liver"), on=months_later(3))
    points = assess(BASELINE, [later, sooner])
    assert [p.date for p in points] == [months_later(3), months_later(6)]
    # 35 mm then 48 mm: +37 % and +13 mm from the 35 mm nadir.
    assert [p.response for p in points] == [Response.PR, Response.PD]


def test_the_progression_date_is_the_first_study_assessed_progression():
    studies = [
        follow_up(lesion("T1", "20"), lesion("T2", "15", organ="liver"), on=months_later(3)),
        follow_up(lesion("T1", "28"), lesion("T2", "20", organ="liver"), on=months_later(6)),
        follow_up(
            lesion("T1", "30"), lesion("T2", "25", organ="liver"), on=months_later(9), new_lesions=1
        ),
    ]
    assert progression_date(assess(BASELINE, studies)) == months_later(6)


def test_no_progression_date_without_progression():
    studies = [follow_up(lesion("T1", "40"), lesion("T2", "30", organ="liver"))]
    assert progression_date(assess(BASELINE, studies)) is None

"""Time-point response, table-driven at every edge of docs/sources/disease.md,
"Response of target lesions" and "Overall response":

  CR: every target lesion gone, and every target node < 10 mm short axis;
  PR: sum >= 30 % below the baseline sum;
  PD: sum >= 20 % above the smallest sum on study (nadir, which may be the
      baseline) and at least 5 mm larger in absolute terms; or any new lesion;
  SD: neither PR nor PD.
  Unequivocal progression of non-target disease, or a new lesion, is PD whatever
  the target sum does.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from disease.recist import NonTargetStatus, Response, time_point_response
from tests.disease.factories import lesion, months_later, study

NT = NonTargetStatus


def single(baseline_mm, *follow_up_mm, non_target=NT.ABSENT, new_lesions=0):
    """One lung target: baseline, then follow-ups; the response at the last one."""
    baseline = study(lesion("T1", baseline_mm), non_target=NT.ABSENT)
    follow_ups = [
        study(lesion("T1", size), on=months_later(3 * (i + 1)))
        for i, size in enumerate(follow_up_mm)
    ]
    last = follow_ups[-1]
    last = study(*last.targets, on=last.date, non_target=non_target, new_lesions=new_lesions)
    return time_point_response(baseline, last, prior=follow_ups[:-1])


# PR edge: 30 % below baseline.
@pytest.mark.parametrize(
    ("baseline", "current", "expected"),
    [
        ("100", "70", Response.PR),  # exactly 30.0 % below
        ("100", "70.1", Response.SD),  # 29.9 % below
        ("100", "69.9", Response.PR),
        ("33.3", "23.31", Response.PR),  # 30 % of a sum with decimals, exactly
        ("33.3", "23.32", Response.SD),
    ],
)
def test_partial_response_edge(baseline, current, expected):
    assert single(baseline, current).response is expected


# PD edge: >= 20 % above the nadir AND >= 5 mm larger.
@pytest.mark.parametrize(
    ("nadir", "current", "expected"),
    [
        ("25", "30", Response.PD),  # +20 %, +5.0 mm
        ("25", "29.9", Response.SD),  # +19.6 %, +4.9 mm
        ("20", "25", Response.PD),  # +25 %, +5.0 mm
        ("20", "24.9", Response.SD),  # +24.5 %, but only +4.9 mm
        ("100", "120", Response.PD),  # +20.0 %, +20 mm
        ("100", "119.9", Response.SD),  # +19.9 %, though +19.9 mm
    ],
)
def test_progression_edge_against_a_baseline_nadir(nadir, current, expected):
    assert single(nadir, current).response is expected


def test_the_nadir_may_be_a_follow_up_and_progression_is_measured_from_it():
    point = single("100", "50", "60")  # -40 % from baseline, +20 % and +10 mm from nadir
    assert point.nadir_mm == Decimal("50")
    assert point.response is Response.PD
    assert [r.code for r in point.reasons] == ["pd_sum", "pd_over_response"]


def test_just_under_progression_from_a_follow_up_nadir_is_still_a_partial_response():
    point = single("100", "50", "59.9")
    assert point.response is Response.PR


def test_the_nadir_is_the_smallest_sum_before_the_study_not_the_latest():
    point = single("100", "40", "80", "48")  # nadir 40: +8 mm and +20 %
    assert point.nadir_mm == Decimal("40")
    assert point.response is Response.PD


def test_a_follow_up_whose_target_was_not_measured_does_not_set_the_nadir():
    point = single("100", None, "100")
    assert point.nadir_mm == Decimal("100")
    assert point.response is Response.SD


def test_the_figures_for_the_time_point():
    point = single("100", "50", "60")
    assert point.sum_mm == Decimal("60")
    assert point.baseline_sum_mm == Decimal("100")
    assert point.change_from_baseline_pct == Decimal("-40")
    assert point.change_from_nadir_pct == Decimal("20")
    assert point.change_from_nadir_mm == Decimal("10")


# CR: every target lesion gone, every target node < 10 mm short axis.
@pytest.mark.parametrize(
    ("lesion_mm", "node_mm", "expected"),
    [
        ("0", "9.9", Response.CR),
        ("0", "10", Response.PR),  # node at 10 mm is not normal: sum 10 of 45 is -77.8 %
        ("0", "0", Response.CR),
        ("1", "5", Response.PR),  # a lesion still there, however small
    ],
)
def test_complete_response_edge_for_nodes(lesion_mm, node_mm, expected):
    baseline = study(lesion("T1", "25"), lesion("N1", "20", node=True, organ="neck nodes"))
    current = study(
        lesion("T1", lesion_mm),
        lesion("N1", node_mm, node=True, organ="neck nodes"),
        on=months_later(3),
    )
    assert time_point_response(baseline, current).response is expected


def test_node_short_axes_stay_in_the_sum_at_complete_response():
    baseline = study(lesion("T1", "25"), lesion("N1", "20", node=True, organ="neck nodes"))
    current = study(
        lesion("T1", "0"), lesion("N1", "9.9", node=True, organ="neck nodes"), on=months_later(3)
    )
    assert time_point_response(baseline, current).sum_mm == Decimal("9.9")


def test_complete_response_needs_the_non_target_disease_gone():
    baseline = study(lesion("T1", "25"), non_target=NT.PRESENT)
    gone = study(lesion("T1", "0"), on=months_later(3), non_target=NT.ABSENT)
    remains = study(lesion("T1", "0"), on=months_later(3), non_target=NT.PRESENT)
    assert time_point_response(baseline, gone).response is Response.CR
    point = time_point_response(baseline, remains)
    assert point.target_response is Response.CR
    assert point.response is Response.PR
    assert "cr_target_non_target_present" in [r.code for r in point.reasons]


def test_a_new_lesion_is_progression_whatever_the_sum_does():
    point = single("100", "40", new_lesions=1)
    assert point.target_response is Response.PR
    assert point.response is Response.PD
    assert point.reasons[0].code == "pd_new_lesion"


def test_unequivocal_non_target_progression_is_progression_whatever_the_sum_does():
    baseline = study(lesion("T1", "100"), non_target=NT.PRESENT)
    current = study(lesion("T1", "40"), on=months_later(3), non_target=NT.UNEQUIVOCAL_PROGRESSION)
    point = time_point_response(baseline, current)
    assert point.response is Response.PD
    assert point.reasons[0].code == "pd_non_target"


def test_a_target_not_measured_makes_the_time_point_not_evaluable():
    baseline = study(lesion("T1", "40"), lesion("T2", "40", organ="liver"))
    current = study(lesion("T1", "10"), lesion("T2", None, organ="liver"), on=months_later(3))
    point = time_point_response(baseline, current)
    assert point.response is Response.NE
    assert point.sum_mm is None and point.change_from_baseline_pct is None
    assert "T2" in point.reasons[0].text


def test_a_new_lesion_is_progression_even_when_a_target_was_not_measured():
    point = single("40", None, new_lesions=2)
    assert point.target_response is Response.NE
    assert point.response is Response.PD


def test_non_target_disease_not_evaluated_makes_the_time_point_not_evaluable():
    baseline = study(lesion("T1", "100"), non_target=NT.PRESENT)
    current = study(lesion("T1", "60"), on=months_later(3), non_target=NT.NOT_EVALUATED)
    point = time_point_response(baseline, current)
    assert point.target_response is Response.PR
    assert point.response is Response.NE


def test_stable_disease_when_neither_partial_response_nor_progression():
    point = single("100", "90")
    assert point.response is Response.SD
    assert [r.code for r in point.reasons] == ["sd_sum"]


def test_progression_from_a_nadir_of_zero_needs_five_millimetres():
    baseline = study(lesion("T1", "20"), lesion("N1", "15", node=True, organ="neck nodes"))
    gone = study(
        lesion("T1", "0"), lesion("N1", "0", node=True, organ="neck nodes"), on=months_later(3)
    )

    def at(node_mm):
        back = study(
            lesion("T1", "0"),
            lesion("N1", node_mm, node=True, organ="neck nodes"),
            on=months_later(6),
        )
        return time_point_response(baseline, back, prior=[gone])

    assert at("4.9").response is Response.CR
    assert at("4.9").change_from_nadir_pct is None  # no percentage from 0 mm
    point = at("5")
    assert point.response is Response.PD
    assert "pd_over_response" in [r.code for r in point.reasons]


def test_the_sum_adds_longest_diameters_and_node_short_axes():
    baseline = study(
        lesion("T1", "12.5"),
        lesion("T2", "20", organ="liver"),
        lesion("N1", "15.5", node=True, organ="neck nodes"),
    )
    current = study(
        lesion("T1", "12.5"),
        lesion("T2", "20", organ="liver"),
        lesion("N1", "15.5", node=True, organ="neck nodes"),
        on=months_later(3),
    )
    assert time_point_response(baseline, current).baseline_sum_mm == Decimal("48.0")

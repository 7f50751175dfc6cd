"""Which lesions may be targets at baseline (docs/sources/disease.md, "Measurable
lesion at baseline"; "Lesions in a previously irradiated field")."""

from __future__ import annotations

import pytest

from disease.recist import Measurability, Modality, check_measurable
from tests.disease.factories import lesion

M, NON, NORMAL = Measurability.MEASURABLE, Measurability.NON_MEASURABLE, Measurability.NORMAL_NODE


# "longest diameter >= 10 mm on CT or MRI (>= 20 mm on chest X-ray)"
@pytest.mark.parametrize(
    ("modality", "diameter", "expected"),
    [
        (Modality.CT, "9.9", NON),
        (Modality.CT, "10", M),
        (Modality.CT, "10.0", M),
        (Modality.MRI, "9.9", NON),
        (Modality.MRI, "10", M),
        (Modality.CHEST_XRAY, "10", NON),
        (Modality.CHEST_XRAY, "19.9", NON),
        (Modality.CHEST_XRAY, "20", M),
    ],
)
def test_lesion_longest_diameter_thresholds(modality, diameter, expected):
    assert check_measurable(lesion(diameter=diameter, modality=modality)).status is expected


# "a lymph node is measurable with a short axis >= 15 mm; nodes of 10-15 mm short
# axis are non-target, < 10 mm normal."
@pytest.mark.parametrize(
    ("short_axis", "expected"),
    [
        ("0", NORMAL),
        ("9.9", NORMAL),
        ("10", NON),
        ("14.9", NON),
        ("15", M),
        ("15.0", M),
    ],
)
def test_node_short_axis_thresholds(short_axis, expected):
    check = check_measurable(lesion(diameter=short_axis, node=True, organ="neck nodes"))
    assert check.status is expected


def test_a_node_is_judged_by_its_short_axis_not_the_lesion_minimum():
    # 12 mm would be a measurable lesion on CT, but a 12 mm node is non-target.
    assert check_measurable(lesion(diameter="12", node=False)).status is M
    assert check_measurable(lesion(diameter="12", node=True)).status is NON


def test_a_lesion_in_a_treated_field_that_has_not_progressed_is_not_measurable():
    check = check_measurable(lesion(diameter="30", in_treated_field=True))
    assert check.status is NON
    assert "irradiated" in check.reason


def test_a_lesion_in_a_treated_field_that_has_progressed_since_is_measurable():
    check = check_measurable(
        lesion(diameter="30", in_treated_field=True, progressed_since_treatment=True)
    )
    assert check.status is M


def test_a_lesion_not_measured_cannot_be_a_target():
    check = check_measurable(lesion(diameter=None))
    assert check.status is NON
    assert "not measured" in check.reason


def test_the_reason_names_the_size_and_the_threshold():
    check = check_measurable(lesion(diameter="9.9", modality=Modality.CT))
    assert "9.9 mm" in check.reason and "10 mm" in check.reason and "CT or MRI" in check.reason

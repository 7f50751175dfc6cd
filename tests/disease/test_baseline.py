"""Choosing the target lesions at baseline: at most 5 in all, 2 per organ, each
measurable (docs/sources/disease.md, "Target lesions")."""

from __future__ import annotations

import pytest

from disease.recist import NonTargetStatus, RecistInputError, validate_baseline
from tests.disease.factories import lesion, study

ORGANS = ["lung", "liver", "bone", "neck nodes", "adrenal", "brain"]


def targets_in_separate_organs(count):
    return [lesion(f"T{i + 1}", "20", organ=ORGANS[i]) for i in range(count)]


def test_five_targets_in_all_are_accepted():
    validate_baseline(study(*targets_in_separate_organs(5)))


def test_six_targets_are_refused_with_the_limit_named():
    with pytest.raises(RecistInputError) as refused:
        validate_baseline(study(*targets_in_separate_organs(6)))
    assert "at most 5" in refused.value.errors["targets"]


def test_two_targets_in_one_organ_are_accepted():
    validate_baseline(study(lesion("T1", organ="liver"), lesion("T2", organ="liver")))


def test_three_targets_in_one_organ_are_refused():
    with pytest.raises(RecistInputError) as refused:
        validate_baseline(
            study(
                lesion("T1", organ="liver"),
                lesion("T2", organ="liver"),
                lesion("T3", organ="liver"),
            )
        )
    assert "at most 2 per organ" in refused.value.errors["targets.organ"]
    assert "liver" in refused.value.errors["targets.organ"]


def test_the_organ_is_compared_without_regard_to_case_or_spacing():
    with pytest.raises(RecistInputError) as refused:
        validate_baseline(
            study(
                lesion("T1", organ="Liver"),
                lesion("T2", organ="liver "),
                lesion("T3", organ="LIVER"),
            )
        )
    assert "targets.organ" in refused.value.errors


def test_a_target_that_is_not_measurable_is_refused_by_its_label():
    with pytest.raises(RecistInputError) as refused:
        validate_baseline(study(lesion("T1", "20"), lesion("T2", "9.9", organ="liver")))
    assert set(refused.value.errors) == {"targets.T2"}
    assert "9.9 mm" in refused.value.errors["targets.T2"]


def test_a_node_of_14_9_mm_is_refused_as_a_target():
    with pytest.raises(RecistInputError) as refused:
        validate_baseline(study(lesion("N1", "14.9", node=True, organ="neck nodes")))
    assert "non-target" in refused.value.errors["targets.N1"]


def test_a_baseline_needs_a_target_lesion():
    with pytest.raises(RecistInputError) as refused:
        validate_baseline(study(non_target=NonTargetStatus.PRESENT))
    assert "at least one measurable target" in refused.value.errors["targets"]


@pytest.mark.parametrize(
    "status", [NonTargetStatus.UNEQUIVOCAL_PROGRESSION, NonTargetStatus.NOT_EVALUATED]
)
def test_non_target_disease_at_baseline_is_present_or_absent(status):
    with pytest.raises(RecistInputError) as refused:
        validate_baseline(study(lesion(), non_target=status))
    assert "present or absent" in refused.value.errors["non_target"]


def test_a_baseline_has_no_new_lesions():
    with pytest.raises(RecistInputError) as refused:
        validate_baseline(study(lesion(), new_lesions=1))
    assert "new_lesions" in refused.value.errors


def test_every_problem_is_named_at_once():
    with pytest.raises(RecistInputError) as refused:
        validate_baseline(
            study(
                *targets_in_separate_organs(6)[:5],
                lesion("T6", "5", organ="lung"),
                new_lesions=2,
            )
        )
    assert {"targets", "targets.T6", "new_lesions"} <= set(refused.value.errors)

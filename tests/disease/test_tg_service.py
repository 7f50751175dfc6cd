"""Thyroglobulin labs and the doubling time computed from the ones that qualify."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from disease import selectors
from disease.models import ThyroglobulinLab
from disease.thyroglobulin import TgDtCategory, TgDtStatus
from tests.disease.conftest import record_tg

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_time")]

START = date(2024, 10, 1)
# reference.md 3.3's worked example, drawn on days 0, 182, 365 and 548: 0.9991 y, "<1 y".
WORKED = [(0, "2.0"), (182, "2.8"), (365, "4.1"), (548, "5.6")]


def worked_series(nurse, patient, **extra):
    for day, value in WORKED:
        record_tg(nurse, patient, START + timedelta(days=day), value, **extra)


def test_a_lab_stores_tg_antibody_tsh_and_assay(nurse, patient):
    lab = record_tg(nurse, patient, START, "2.0")
    assert (str(lab.tg_ng_ml), lab.anti_tg_antibody, str(lab.tsh_miu_l), lab.assay) == (
        "2.0",
        "negative",
        "0.05",
        "assay A",
    )
    assert lab.history.get().history_user == nurse


def test_the_worked_example_gives_under_1_year(nurse, patient):
    worked_series(nurse, patient)
    answer = selectors.tg_doubling_time(patient)
    assert answer.status is TgDtStatus.DOUBLING
    assert answer.category is TgDtCategory.UNDER_1_YEAR
    assert answer.doubling_time_years == pytest.approx(0.9991, abs=1e-4)


def test_three_qualifying_values_are_too_few_and_say_why(nurse, patient):
    for day, value in WORKED[:3]:
        record_tg(nurse, patient, START + timedelta(days=day), value)
    record_tg(nurse, patient, START + timedelta(days=548), "5.6", tsh="0.1")
    answer = selectors.tg_doubling_time(patient)
    assert answer.status is TgDtStatus.NOT_COMPUTED
    assert answer.reason.startswith("3 qualifying Tg value(s); at least 4 are needed")
    assert "not suppressed" in answer.excluded[0].reason


def test_an_antibody_positive_value_does_not_qualify(nurse, patient):
    worked_series(nurse, patient)
    record_tg(nurse, patient, START + timedelta(days=600), "50", antibody="positive")
    answer = selectors.tg_doubling_time(patient)
    assert len(answer.used) == 4
    assert "antibody positive" in answer.excluded[0].reason


def test_values_of_two_assays_wait_for_the_assay_to_follow(nurse, patient):
    worked_series(nurse, patient)
    record_tg(nurse, patient, START + timedelta(days=600), "6.0", assay="assay B")
    assert selectors.tg_doubling_time(patient).status is TgDtStatus.NOT_COMPUTED
    assert selectors.tg_doubling_time(patient, assay="assay A").status is TgDtStatus.DOUBLING


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"tg": "0"}, "tg_ng_ml"),
        ({"tsh": "-0.1"}, "tsh_miu_l"),
        ({"antibody": "borderline"}, "anti_tg_antibody"),
        ({"assay": " "}, "assay"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_nothing_is_stored(nurse, patient, fields, field):
    with pytest.raises(ValidationError) as refused:
        record_tg(nurse, patient, START, **fields)
    assert field in refused.value.message_dict
    assert not ThyroglobulinLab.objects.exists()


def test_a_future_sample_is_refused(nurse, patient):
    with pytest.raises(ValidationError) as refused:
        record_tg(nurse, patient, date(2026, 6, 2))
    assert "drawn_on" in refused.value.message_dict


def test_the_same_day_and_assay_twice_is_refused(nurse, patient):
    record_tg(nurse, patient, START)
    with pytest.raises(ValidationError) as refused:
        record_tg(nurse, patient, START, "3.0")
    assert "drawn_on" in refused.value.message_dict
    assert ThyroglobulinLab.objects.count() == 1


def test_a_pharmacist_records_no_lab(pharmacist, patient):
    with pytest.raises(PermissionDenied):
        record_tg(pharmacist, patient, START)
    assert not ThyroglobulinLab.objects.exists()


def test_a_tg_without_a_tsh_is_stored_and_left_out_of_the_doubling_time(nurse, patient):
    lab = record_tg(nurse, patient, START, tsh=None)
    assert lab.tsh_miu_l is None
    answer = selectors.tg_doubling_time(patient)
    assert "no TSH" in answer.excluded[0].reason

"""Home blood pressure is graded by the clinic's own hypertension grading, as home readings."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from reports import services
from reports.models import HomeBloodPressure
from toxicity.ctcae.grading import grade_hypertension
from toxicity.rules.evaluate import evaluate

pytestmark = pytest.mark.django_db

# Each CTCAE band edge (reference.md 1.4) on either side, and the acceptance reading.
READINGS = [
    [(119, 79), (118, 78)],
    [(120, 70), (119, 70)],  # mean 119.5: still G0
    [(120, 80), (120, 80)],
    [(139, 89), (139, 89)],
    [(140, 85), (139, 85)],  # mean 139.5: G1
    [(140, 90), (140, 90)],
    [(159, 99), (159, 99)],
    [(160, 95), (160, 95)],
    [(150, 100), (150, 100)],
    [(165, 102), (163, 101)],
    [(165, 102)],  # one reading: provisional
    [(118, 101)],
]


def session(readings, period="morning", hours_ago=2):
    out = {"period": period, "taken_at": timezone.now() - timedelta(hours=hours_ago)}
    for n, (sbp, dbp) in enumerate(readings, start=1):
        out[f"sbp{n}"], out[f"dbp{n}"] = sbp, dbp
    return out


def engine_grade(readings) -> int:
    """The grade the clinic's engine gives a visit with these readings."""
    answer = evaluate(
        {
            "drug": "lenvatinib",
            "rule_set": "us_pi",
            "dose_mg_per_day": 24,
            "on_hold": False,
            "observations": [{"term": "hypertension", "readings": [list(r) for r in readings]}],
        }
    )
    return answer["grades"]["hypertension"]


@pytest.mark.parametrize("readings", READINGS, ids=lambda r: "+".join(f"{s}/{d}" for s, d in r))
def test_home_grades_equal_the_clinics_grading_of_the_same_readings(account, readings):
    (stored,) = services.record_home_bp(account=account, sessions=[session(readings)])
    clinic = grade_hypertension(readings)
    assert (stored.ctcae_grade, stored.provisional) == (clinic.grade, clinic.provisional)
    assert stored.ctcae_grade == engine_grade(readings)
    assert stored.basis == f"home reading: {clinic.basis}"


def test_a_home_bp_of_165_over_102_is_grade_3(account):
    (stored,) = services.record_home_bp(account=account, sessions=[session([(165, 102)] * 2)])
    assert stored.ctcae_grade == 3 and not stored.provisional


def test_morning_and_evening_are_stored_with_their_times(account):
    morning, evening = session([(130, 85)] * 2), session([(142, 88)] * 2, "evening", 1)
    services.record_home_bp(account=account, sessions=[morning, evening])
    rows = {bp.period: bp for bp in HomeBloodPressure.objects.all()}
    assert rows["morning"].taken_at == morning["taken_at"]
    assert rows["evening"].taken_at == evening["taken_at"]
    assert {bp.source for bp in rows.values()} == {"form"}


def test_home_bp_sent_with_the_weekly_report_belongs_to_it(account):
    report = services.submit_weekly_report(
        account=account, answers={}, blood_pressure=[session([(165, 102)] * 2)]
    )
    assert report.home_bp.get().ctcae_grade == 3


@pytest.mark.parametrize(
    ("reading", "field"),
    [
        ((400, 80), "morning_sbp1"),  # outside the engine's plausibility bound
        ((120, 10), "morning_dbp1"),
        ((80, 120), "morning_dbp1"),  # bottom above top
    ],
)
def test_an_implausible_reading_is_refused_on_its_field(account, reading, field):
    with pytest.raises(ValidationError) as refused:
        services.record_home_bp(account=account, sessions=[session([reading])])
    assert field in refused.value.message_dict
    assert not HomeBloodPressure.objects.exists()


def test_a_reading_in_the_future_is_refused(account):
    with pytest.raises(ValidationError) as refused:
        services.record_home_bp(account=account, sessions=[session([(130, 80)], hours_ago=-1)])
    assert set(refused.value.message_dict) == {"morning_taken_at"}
    assert not HomeBloodPressure.objects.exists()


def test_a_reading_is_audited_with_the_patients_account(account):
    (stored,) = services.record_home_bp(account=account, sessions=[session([(130, 80)])])
    (version,) = stored.history.all()
    assert version.history_user == account.user

"""A home monitor's CSV export becomes home readings, graded like typed ones, once."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from reports import monitor_csv, services
from reports.models import HomeBloodPressure
from toxicity.ctcae.grading import grade_hypertension

UTC = ZoneInfo("UTC")


def export(rows, header="Date,Time,Systolic (mmHg),Diastolic (mmHg),Pulse (bpm)"):
    return header + "\n" + "\n".join(rows) + "\n"


def test_readings_minutes_apart_are_one_sitting_of_two():
    text = export(
        ["2026-03-01,08:00,150,95,70", "2026-03-01,08:02,146,93,71", "2026-03-01,20:00,130,85,68"]
    )
    groups = monitor_csv.sittings(monitor_csv.parse(text, UTC))
    assert [[(r.sbp, r.dbp) for r in g] for g in groups] == [
        [(150, 95), (146, 93)],
        [(130, 85)],
    ]


def test_one_date_and_time_column_is_read_too():
    text = export(["01/03/2026 07:45,128,80"], header="Date/Time,SYS,DIA")
    (reading,) = monitor_csv.parse(text, UTC)
    assert (reading.taken_at.hour, reading.taken_at.minute, reading.sbp) == (7, 45, 128)


def test_a_bad_row_is_named_by_its_number():
    with pytest.raises(monitor_csv.CsvProblem) as problem:
        monitor_csv.parse(
            export(["2026-03-01,08:00,150,95,70", "2026-03-01,08:02,high,93,71"]), UTC
        )
    assert problem.value.problems == [(3, "the blood pressure is not two whole numbers")]


def test_a_file_without_the_columns_is_refused():
    with pytest.raises(monitor_csv.CsvProblem):
        monitor_csv.parse("when,what\n1,2\n", UTC)


def _recent_export(account, days_ago=20):
    local = timezone.localtime(timezone.now() - timedelta(days=days_ago), account.patient.site.zone)
    day = local.strftime("%Y-%m-%d")
    return export([f"{day},07:30,165,102,80", f"{day},07:33,163,101,80", f"{day},19:00,138,88,75"])


@pytest.mark.django_db
def test_an_import_stores_each_sitting_graded_as_the_clinic_grades(account):
    stored = services.import_home_bp_csv(account=account, text=_recent_export(account))
    morning, evening = sorted(stored, key=lambda bp: bp.taken_at)
    assert (morning.period, morning.readings, morning.source) == (
        "morning",
        [(165, 102), (163, 101)],
        "csv",
    )
    assert morning.ctcae_grade == grade_hypertension(morning.readings).grade == 3
    assert (evening.period, evening.ctcae_grade, evening.provisional) == ("evening", 1, True)


@pytest.mark.django_db
def test_the_same_export_sent_twice_is_stored_once(account):
    text = _recent_export(account)
    services.import_home_bp_csv(account=account, text=text)
    assert services.import_home_bp_csv(account=account, text=text) == []
    assert HomeBloodPressure.objects.count() == 2


@pytest.mark.django_db
def test_an_implausible_reading_refuses_the_whole_file(account):
    day = (timezone.localdate() - timedelta(days=1)).isoformat()  # never in the future
    text = export([f"{day},00:01,128,80,70", f"{day},00:30,400,80,70"])
    with pytest.raises(ValidationError) as refused:
        services.import_home_bp_csv(account=account, text=text)
    assert "Row 3" in refused.value.message_dict["file"][0]
    assert not HomeBloodPressure.objects.exists()

"""The worklist's disease-course section: surveillance patients whose imaging is due or
overdue (ATA 2025 Rec 60A) and patients with a timing flag, each linking to the patient,
in a number of queries that does not grow with the patients."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from disease.selectors import course_summary
from disease.services.status import record_disease_status
from patients.services import record_molecular_finding
from tests.disease.conftest import NOW, record_study, record_tg, target
from tests.factories import PatientFactory
from tracker.views import WORKLIST_DISEASE_ITEMS

pytestmark = [pytest.mark.django_db]

URL = reverse("tracker:home")
ACTIONABLE = ("braf_v600e", "ret_fusion", "ntrk_fusion", "alk_fusion")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):  # 2026-06-01
        yield


@pytest.fixture
def logged_in(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def watch(actor, patient, *, months=6, since=date(2025, 6, 2)):
    record_disease_status(
        actor=actor,
        patient=patient,
        reason="Clinic review",
        on_active_surveillance=True,
        surveillance_since=since,
        imaging_interval_months=months,
    )


def negative_for_every_driver(actor, patient):
    """Every actionable alteration tested: Rec 61's flag does not fire."""
    for marker in ACTIONABLE:
        record_molecular_finding(actor=actor, patient=patient, marker=marker, result="negative")


def progressing(actor, patient):
    """Baseline, stable, then PD on the third CT, within 12 months of today."""
    record_study(actor, patient, date(2025, 7, 1), target("T1", "30"), baseline=True)
    record_study(actor, patient, date(2026, 1, 5), target("T1", "31"))
    record_study(actor, patient, date(2026, 5, 4), target("T1", "40"))


def rows(client):
    return client.get(URL).context["disease_rows"]


def test_overdue_surveillance_imaging_is_listed_with_its_date(logged_in, nurse, patient):
    watch(nurse, patient, months=3)
    negative_for_every_driver(nurse, patient)
    record_study(nurse, patient, date(2025, 10, 1), target(), baseline=True)
    response = logged_in(nurse).get(URL)
    (row,) = response.context["disease_rows"]
    assert (row.patient, row.imaging_due.due_on, row.imaging_due.overdue, row.flags) == (
        patient,
        date(2026, 1, 1),
        True,
        (),
    )
    html = response.content.decode()
    assert reverse("tracker:patient", args=[patient.pk]) in html and "overdue since" in html


def test_imaging_due_within_30_days_is_listed_as_due(logged_in, nurse, patient):
    watch(nurse, patient, months=6)
    negative_for_every_driver(nurse, patient)
    record_study(nurse, patient, date(2025, 12, 15), target(), baseline=True)
    (row,) = rows(logged_in(nurse))
    assert (row.imaging_due.due_on, row.imaging_due.overdue) == (date(2026, 6, 15), False)


def test_imaging_due_later_and_no_flag_keeps_the_patient_off(logged_in, nurse, patient):
    watch(nurse, patient, months=12)
    negative_for_every_driver(nurse, patient)
    record_study(nurse, patient, date(2026, 1, 5), target(), baseline=True)
    assert rows(logged_in(nurse)) == []


def test_progression_within_12_months_shows_its_flag_and_rule(logged_in, nurse, patient):
    watch(nurse, patient, months=6)
    negative_for_every_driver(nurse, patient)
    progressing(nurse, patient)
    response = logged_in(nurse).get(URL)
    (row,) = response.context["disease_rows"]
    assert [f.code for f in row.flags] == ["progressed_12_14_months"]
    assert row.imaging_due is None  # the third CT was a month ago; the next is due in November
    html = response.content.decode()
    assert "progressed within 12–14 months by RECIST" in html
    assert "first PD on 2026-05-04" in html


def test_an_untested_patient_carries_rec_61s_flag(logged_in, nurse, patient):
    watch(nurse, patient, months=12)
    record_study(nurse, patient, date(2026, 1, 5), target(), baseline=True)
    (row,) = rows(logged_in(nurse))
    assert [f.code for f in row.flags] == ["no_actionable_alteration_tested"]


def test_the_flags_are_the_patient_pages_flags(logged_in, nurse, patient):
    watch(nurse, patient, months=6)
    progressing(nurse, patient)
    (row,) = rows(logged_in(nurse))
    assert row.flags == course_summary(patient, today=date(2026, 6, 1)).flags


def test_another_sites_patients_are_not_listed(logged_in, nurse, outsider, patient):
    watch(nurse, patient)
    progressing(nurse, patient)
    response = logged_in(outsider).get(URL)
    assert response.context["disease_rows"] == []
    assert patient.reference_code not in response.content.decode()


def surveillance_cohort(nurse, site, n):
    for _ in range(n):
        patient = PatientFactory(site=site)
        watch(nurse, patient, months=3)
        progressing(nurse, patient)
        for day in (1, 2, 3, 4):
            record_tg(nurse, patient, date(2026, day, 10), tg=str(day))


def test_the_query_count_does_not_grow_with_the_disease_course_patients(
    logged_in, nurse, site, django_assert_max_num_queries
):
    surveillance_cohort(nurse, site, 2)
    client = logged_in(nurse)
    client.get(URL)  # the first request of a session settles it
    with CaptureQueriesContext(connection) as small:
        assert len(client.get(URL).context["disease_rows"]) == 2
    surveillance_cohort(nurse, site, 12)
    with django_assert_max_num_queries(len(small)):
        assert len(client.get(URL).context["disease_rows"]) == 14


def test_the_section_lists_the_first_few_and_counts_the_rest(logged_in, nurse, site):
    for _ in range(WORKLIST_DISEASE_ITEMS + 2):
        watch(nurse, PatientFactory(site=site))
    response = logged_in(nurse).get(URL)
    assert len(response.context["disease_rows"]) == WORKLIST_DISEASE_ITEMS
    assert "2 more patients with imaging due or a timing flag." in response.content.decode()


def test_show_all_lists_every_patient_of_the_section(logged_in, nurse, site):
    for _ in range(WORKLIST_DISEASE_ITEMS + 2):
        watch(nurse, PatientFactory(site=site))
    response = logged_in(nurse).get(URL, {"disease": "all"})
    assert len(response.context["disease_rows"]) == WORKLIST_DISEASE_ITEMS + 2
    assert response.context["disease_more"] == 0

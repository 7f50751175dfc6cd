"""`manage.py seed_demo`: a deterministic synthetic cohort that a demo oncologist can browse."""

from __future__ import annotations

import logging
import random
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from patients import demo, selectors
from patients.dosing import Kind
from patients.models import DoseChange, Patient, Site, TreatmentCourse


@pytest.fixture
def cohort(db):
    return demo.seed(password_source=random.Random(7))


def test_the_cohort_has_three_sites_and_sixty_patients_on_all_three_drugs(cohort):
    assert Site.objects.count() == 3
    assert Patient.objects.count() == 60
    drugs = set(TreatmentCourse.objects.values_list("drug", flat=True))
    assert drugs == {"lenvatinib", "sorafenib", "cabozantinib"}


def test_the_cohort_has_months_of_holds_and_reduced_resumptions(cohort):
    assert DoseChange.objects.filter(kind=Kind.HOLD).count() >= 20
    resumed_lower = [
        c for c in DoseChange.objects.filter(kind=Kind.RESUME) if c.dose_after_mg < c.dose_before_mg
    ]
    assert len(resumed_lower) >= 10


def test_every_seeded_course_replays_to_a_valid_state(cohort):
    for course in selectors.with_ledger(TreatmentCourse.objects.all()):
        state = selectors.dose_state(course)
        assert state.status in {"active", "on_hold", "discontinued"}


def test_the_same_seed_gives_the_same_cohort(db):
    def seeded():
        with transaction.atomic():
            demo.seed(patients_per_site=3, seed_value=11, password_source=random.Random(1))
            rows = list(
                Patient.objects.order_by("mrn").values_list(
                    "mrn", "family_name", "histology", "courses__drug", "courses__start_date"
                )
            )
            transaction.set_rollback(True)
        return rows

    first, second = seeded(), seeded()
    assert len(first) == 9
    assert first == second


def test_seed_demo_prints_each_demo_users_password_once(db):
    out = StringIO()
    call_command("seed_demo", "--patients-per-site", "2", stdout=out)
    assert out.getvalue().count("oncologist.ngt") == 1
    again = StringIO()
    call_command("seed_demo", stdout=again)
    assert "already seeded" in again.getvalue()
    assert "oncologist.ngt" not in again.getvalue()


def test_a_demo_oncologist_logs_in_and_sees_only_their_sites_patients(client, db):
    out = StringIO()
    call_command("seed_demo", "--patients-per-site", "3", stdout=out)
    line = next(row for row in out.getvalue().splitlines() if "oncologist.ngt" in row)
    password = line.split()[1]
    response = client.post(
        "/accounts/login/", {"username": "oncologist.ngt", "password": password}, follow=True
    )
    assert response.status_code == 200
    page = client.get("/patients/").content.decode()
    own = Patient.objects.filter(site__code="ngt")
    others = Patient.objects.exclude(site__code="ngt")
    assert all(p.mrn in page for p in own)
    assert not any(p.mrn in page for p in others)


def test_seeded_visits_are_evaluated_and_explain_each_hold(db, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from toxicity import demo as toxicity_demo
    from toxicity.models import Observation, Visit

    demo.seed(patients_per_site=3, password_source=random.Random(3))
    with django_capture_on_commit_callbacks(execute=True):
        count = toxicity_demo.seed_visits()
    assert count == Visit.objects.count() > 0
    assert not Visit.objects.filter(evaluated_at=None).exists()
    holds = DoseChange.objects.filter(kind=Kind.HOLD)
    assert holds.exists()
    for hold in holds:
        (term,) = hold.reason_terms
        cause = Observation.objects.get(
            visit__course=hold.course,
            visit__occurred_at__date=hold.effective_at.date() - timedelta(days=1),
            term=term,
        )
        assert cause.final_grade >= 2


def test_seed_demo_makes_a_pharmacist_per_site_and_prints_their_password(db):
    from django.contrib.auth import get_user_model

    out = StringIO()
    call_command("seed_demo", "--patients-per-site", "1", stdout=out)
    for code in ("ngt", "rcc", "sbe"):
        username = f"pharmacist.{code}"
        line = next(row for row in out.getvalue().splitlines() if username in row)
        assert "Pharmacist" in line
        user = get_user_model().objects.get(username=username)
        assert user.check_password(line.split()[1])
        (membership,) = user.memberships.all()
        assert (membership.site.code, membership.role) == (code, "pharmacist")
        assert list(user.groups.values_list("name", flat=True)) == ["pharmacist"]


def test_the_pharmacists_leave_the_cohort_as_it_was(db):
    """The demo pharmacists draw their names apart from the cohort's seeded generator."""
    with transaction.atomic():
        demo.seed(patients_per_site=2, seed_value=11, password_source=random.Random(1))
        with_them = list(Patient.objects.order_by("mrn").values_list("mrn", "family_name"))
        transaction.set_rollback(True)
    saved = demo.OWN_DRAW_ROLES
    try:
        demo.OWN_DRAW_ROLES = ()
        with transaction.atomic():
            demo.seed(patients_per_site=2, seed_value=11, password_source=random.Random(1))
            without = list(Patient.objects.order_by("mrn").values_list("mrn", "family_name"))
            transaction.set_rollback(True)
    finally:
        demo.OWN_DRAW_ROLES = saved
    assert with_them == without


@pytest.fixture
def cohort_with_visits(db, django_capture_on_commit_callbacks):
    from toxicity import demo as toxicity_demo

    demo.seed(patients_per_site=4, password_source=random.Random(3))
    with django_capture_on_commit_callbacks(execute=True):
        toxicity_demo.seed_visits()


def _visit_of(occurrence):
    about = occurrence.about_type.get_object_for_this_type(pk=occurrence.about_id)
    return about.visit


def test_the_demo_raises_each_alert_at_the_time_of_the_visit_that_caused_it(cohort_with_visits):
    from notifications.models import Alert
    from toxicity.demo import LOGGED_AFTER

    alerts = list(Alert.objects.all())
    assert alerts
    for alert in alerts:
        first = alert.occurrence_set.order_by("seen_at", "id").first()
        visit = _visit_of(first)
        assert alert.created_at == first.seen_at == visit.occurred_at + LOGGED_AFTER


def test_the_demo_acknowledges_a_toxicitys_alerts_when_the_drug_was_held_for_it(
    cohort_with_visits,
):
    from notifications.models import Alert

    holds = DoseChange.objects.filter(kind=Kind.HOLD)
    assert holds.exists()
    for hold in holds:
        raised_before = Alert.objects.filter(course=hold.course, created_at__lte=hold.effective_at)
        assert raised_before.exists(), "the visit before each hold raised its alert"
        for alert in raised_before:
            assert alert.acknowledged_at is not None
            assert alert.acknowledged_at <= hold.effective_at
            assert alert.escalate_at is None


def test_no_member_of_staff_shares_a_full_name_with_a_patient(cohort):
    from django.contrib.auth import get_user_model

    staff = {user.get_full_name() for user in get_user_model().objects.all()}
    patients = {f"{p.given_name} {p.family_name}" for p in Patient.objects.all()}
    assert len(staff) > 1 and len(patients) > 1
    assert staff.isdisjoint(patients)


def test_staff_and_patients_draw_from_lists_that_share_no_name():
    assert set(demo.STAFF_GIVEN).isdisjoint(demo.GIVEN)
    assert set(demo.STAFF_FAMILY).isdisjoint(demo.FAMILY)


def test_seed_demo_prints_its_summary_and_the_passwords_and_no_task_log(
    transactional_db, capsys, caplog
):
    # Committing as `manage.py seed_demo` does, so each visit's tasks run in process
    # while the command seeds, as they do in `make demo`.
    out, err = StringIO(), StringIO()
    caplog.set_level(logging.INFO)
    call_command("seed_demo", "--patients-per-site", "3", stdout=out, stderr=err)
    printed = capsys.readouterr()
    lines = (out.getvalue() + err.getvalue() + printed.out + printed.err).splitlines()
    lines += [record.getMessage() for record in caplog.records]
    assert "oncologist.ngt" in out.getvalue()
    assert len(lines) < 60, lines[:5]
    assert not [r for r in caplog.records if r.name.startswith(("celery", "kombu"))]


# --- reports from home ------------------------------------------------------------------


@pytest.fixture
def cohort_reporting(db):
    """`seed_demo` with four patients a site; its printed lines."""
    out = StringIO()
    call_command("seed_demo", "--patients-per-site", "4", stdout=out)
    return out.getvalue()


def test_the_demo_patients_report_from_home_for_months(cohort_reporting):
    from datetime import timedelta

    from django.utils import timezone

    from reports.models import (
        DoseReport,
        HomeBloodPressure,
        PatientAccount,
        SymptomAnswer,
        SymptomReport,
    )

    accounts = PatientAccount.objects.all()
    assert accounts.count() >= 3
    assert accounts.exclude(carer_name="").count() == 1
    reports = SymptomReport.objects.order_by("submitted_at")
    span = reports.last().submitted_at - reports.first().submitted_at
    assert span.days >= 80, "about three months of weekly surveys"
    assert reports.exclude(anything_else="").count() >= 2
    (severe,) = SymptomAnswer.objects.filter(item="diarrhea", composite_grade=3)
    assert severe.report.submitted_at > timezone.now() - timedelta(days=3)
    assert HomeBloodPressure.objects.filter(ctcae_grade=3).exists()
    assert DoseReport.objects.filter(status__in=["missed", "reduced"]).exists()
    assert f"{reports.count()} weekly reports" in cohort_reporting


def test_each_demo_report_is_recorded_when_the_patient_sent_it(cohort_reporting):
    """The clock was moved to each report: readings are recorded the day they were
    taken, dose notes on their day, and the audit rows are the patient's, dated then."""
    from datetime import timedelta

    from reports.models import DoseReport, HomeBloodPressure, SymptomReport

    readings = HomeBloodPressure.objects.all()
    assert readings.exists()
    for bp in readings:
        assert timedelta(0) <= bp.recorded_at - bp.taken_at < timedelta(days=1)
    for dose in DoseReport.objects.all():
        assert dose.recorded_at.date() == dose.date
    for report in SymptomReport.objects.all():
        (created,) = report.history.all()
        assert created.history_date == report.submitted_at
        assert created.history_user == report.account.user


def test_the_demo_patient_signs_in_at_the_patients_sign_in(cohort_reporting, client):
    from django.urls import reverse

    line = next(row for row in cohort_reporting.splitlines() if "patient.ngt" in row)
    password = line.split()[1]
    response = client.post(
        reverse("reports:sign-in"), {"username": "patient.ngt", "password": password}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:home")
    home = client.get(reverse("reports:home"))
    assert home.status_code == 200
    assert home.context["user"].patient_account.patient.site.code == "ngt"


def test_the_same_seed_gives_the_same_reports(db, time_machine):
    from reports import demo as reports_demo
    from reports.models import SymptomAnswer

    time_machine.move_to("2026-12-02 09:00Z", tick=False)
    demo.seed(patients_per_site=3, seed_value=11, password_source=random.Random(1))

    def seeded():
        with transaction.atomic():
            reports_demo.seed_reports(seed_value=11, password_source=random.Random(1))
            rows = list(
                SymptomAnswer.objects.order_by("report__submitted_at", "item").values_list(
                    "report__patient__mrn", "report__submitted_at", "item", "composite_grade"
                )
            )
            transaction.set_rollback(True)
        return rows

    first, second = seeded(), seeded()
    assert first
    assert first == second

"""Building patients, courses, visits and recommendations for the page tests.

Small histories go through the services (the real path). Long ones — 500 visits,
2,000 patients — are inserted in bulk: the clinical models refuse bulk_create
through their manager (it would skip the audit history), so these helpers use a
plain QuerySet and write the history rows themselves with
``bulk_history_create``. Test and benchmark data only; the app never does this.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from patients import services as patient_services
from patients.models import DoseChange, Patient, TreatmentCourse
from tests.factories import PatientFactory
from toxicity.models import DueCheck, Observation, Visit
from toxicity.services import evaluation
from toxicity.services import visits as visit_services

HIGH_BP = [[166, 102], [162, 100]]  # CTCAE v5.0 Hypertension grade 3
NORMAL_BP = [[128, 82], [126, 80]]  # grade 1


def start_course(oncologist, patient, *, days_ago: int, drug="lenvatinib", dose=24):
    return patient_services.start_course(
        actor=oncologist,
        patient=patient,
        drug=drug,
        start_date=timezone.localdate() - timedelta(days=days_ago),
        starting_dose_mg=dose,
    )


def log_visit(nurse, course, *, days_ago: float, observations, evaluate=True, **fields):
    """A visit through the service, evaluated at once (as the worker would)."""
    visit = visit_services.log_visit(
        actor=nurse,
        course=course,
        occurred_at=timezone.now() - timedelta(days=days_ago),
        observations=observations,
        **fields,
    )
    if evaluate:
        evaluation.evaluate_visit(visit.pk)
    return visit


def hypertension(readings=None) -> dict:
    return {"term": "hypertension", "readings": readings or HIGH_BP}


def _bulk(model, objs, user=None):
    """Insert rows and their audit history without the refused manager bulk_create."""
    created = QuerySet(model=model).bulk_create(objs)
    if hasattr(model, "history"):
        model.history.bulk_history_create(
            created, default_user=user, default_change_reason="test data"
        )
    return created


@transaction.atomic
def bulk_visits(course, nurse, *, count: int, every_days: float = 7, grade3_every: int = 25):
    """``count`` weekly visits up to now, each with BP, weight, fatigue and ALT.

    Every ``grade3_every``-th visit has a grade 3 blood pressure.
    """
    now = timezone.now()
    first = now - timedelta(days=every_days * count)
    visits = [
        Visit(
            course=course,
            occurred_at=first + timedelta(days=every_days * i),
            recorded_by=nurse,
            recorded_at=now,
            updated_at=now,
            evaluated_at=now,
            evaluated_revision=1,
        )
        for i in range(count)
    ]
    visits = _bulk(Visit, visits, nurse)
    if visits[0].pk is None:  # backends that do not return ids (not ours, but be sure)
        visits = list(Visit.objects.filter(course=course).order_by("occurred_at"))
    observations = []
    for i, visit in enumerate(visits):
        high = grade3_every and i % grade3_every == 3
        readings = HIGH_BP if high else [[128 + i % 9, 80 + i % 5], [126, 79]]
        observations += [
            Observation(
                visit=visit,
                term="hypertension",
                measurements={"readings": readings},
                computed_grade=3 if high else 1,
                final_grade=3 if high else 1,
            ),
            Observation(
                visit=visit,
                term="weight_loss",
                measurements={"weight_kg": 70 - (i % 40) / 10, "baseline_weight_kg": 70},
                computed_grade=0,
                final_grade=0,
            ),
            Observation(visit=visit, term="fatigue", clinician_grade=i % 3, final_grade=i % 3),
            Observation(
                visit=visit,
                term="alanine_aminotransferase_increased",
                measurements={"value": 30 + i % 20, "uln": 40, "baseline": 30},
                computed_grade=1 if 30 + i % 20 > 40 else 0,
                final_grade=1 if 30 + i % 20 > 40 else 0,
            ),
        ]
    _bulk(Observation, observations, nurse)
    return visits


@transaction.atomic
def bulk_cohort(site, oncologist, *, patients: int, start=None):
    """``patients`` patients at ``site``, each on a course with a short ledger.

    Every third course is held, every fifth reduced; every fourth has a grade 3
    observation in the last week and an overdue monitoring check.
    """
    now = timezone.now()
    start = start or (timezone.localdate() - timedelta(days=200))
    drugs = (("lenvatinib", 24, 20), ("sorafenib", 800, 600), ("cabozantinib", 60, 40))
    rows = [PatientFactory.build(site=site) for _ in range(patients)]
    rows = _bulk(Patient, rows, oncologist)
    courses = []
    for i, patient in enumerate(rows):
        drug, dose, _ = drugs[i % 3]
        courses.append(
            TreatmentCourse(
                patient=patient,
                drug=drug,
                start_date=start + timedelta(days=i % 60),
                starting_dose_mg=dose,
            )
        )
    courses = _bulk(TreatmentCourse, courses, oncologist)
    ledger, visits = [], []
    for i, course in enumerate(courses):
        drug, dose, lower = drugs[i % 3]
        begin = datetime.combine(course.start_date, datetime.min.time(), tzinfo=UTC)
        change = {"course": course, "recorded_by": oncologist, "recorded_at": now}
        ledger.append(
            DoseChange(
                kind="start", effective_at=begin, dose_after_mg=dose, reason="Start", **change
            )
        )
        if i % 5 == 0:
            ledger.append(
                DoseChange(
                    kind="reduce",
                    effective_at=begin + timedelta(days=40),
                    dose_before_mg=dose,
                    dose_after_mg=lower,
                    reason="Grade 2 fatigue, intolerable",
                    **change,
                )
            )
        if i % 3 == 0:
            ledger.append(
                DoseChange(
                    kind="hold",
                    effective_at=begin + timedelta(days=90),
                    dose_before_mg=lower if i % 5 == 0 else dose,
                    dose_after_mg=0,
                    reason="Grade 3 hypertension",
                    **change,
                )
            )
        if i % 4 == 0:
            visits.append(
                Visit(
                    course=course,
                    occurred_at=now - timedelta(days=3),
                    recorded_by=oncologist,
                    recorded_at=now,
                    updated_at=now,
                    evaluated_at=now,
                    evaluated_revision=1,
                )
            )
    _bulk(DoseChange, ledger, oncologist)
    visits = _bulk(Visit, visits, oncologist)
    _bulk(
        Observation,
        [
            Observation(
                visit=v,
                term="hypertension",
                measurements={"readings": HIGH_BP},
                computed_grade=3,
                final_grade=3,
            )
            for v in visits
        ],
        oncologist,
    )
    DueCheck.objects.bulk_create(
        [
            DueCheck(
                course_id=v.course_id,
                kind="blood_pressure",
                due_at=now - timedelta(days=10),
                overdue_after=now - timedelta(days=7),
                source="test",
                confirmed=True,
            )
            for v in visits
        ]
    )
    return courses


@transaction.atomic
def bulk_home_reports(account, *, weeks: int, course=None, grade3_every: int = 10):
    """``weeks`` weekly symptom reports up to now (three items each), two home sittings
    a day, and a missed dose every week (on ``course``), for ``account``'s patient.

    Every ``grade3_every``-th week has a grade 3 home sitting and a diarrhoea composite 3.
    """
    from reports.models import DoseReport, HomeBloodPressure, SymptomAnswer, SymptomReport

    now = timezone.now()
    patient = account.patient
    first = now - timedelta(days=7 * weeks)
    reports = _bulk(
        SymptomReport,
        [
            SymptomReport(
                patient=patient, account=account, submitted_at=first + timedelta(days=7 * w)
            )
            for w in range(weeks)
        ],
        account.user,
    )
    answers, sittings, doses = [], [], []
    for w, report in enumerate(reports):
        high = grade3_every and w % grade3_every == 3
        for item, grade in (("diarrhea", 3 if high else w % 3), ("fatigue", 1), ("nausea", 0)):
            answers.append(
                SymptomAnswer(
                    report=report,
                    item=item,
                    frequency=grade if item != "fatigue" else None,
                    severity=grade if item != "diarrhea" else None,
                    interference=1 if item == "fatigue" else None,
                    composite_grade=grade,
                    wording_confirmed=False,
                )
            )
        for d in range(7):
            for hour, period in ((7, "morning"), (19, "evening")):
                sbp, dbp = (166, 102) if high and d == 0 else (132 + d, 84)
                sittings.append(
                    HomeBloodPressure(
                        patient=patient,
                        account=account,
                        period=period,
                        taken_at=first + timedelta(days=7 * w + d, hours=hour),
                        sbp1=sbp,
                        dbp1=dbp,
                        sbp2=sbp - 2,
                        dbp2=dbp - 1,
                        ctcae_grade=3 if sbp >= 160 else 1,
                        provisional=False,
                        basis="home reading: test",
                        recorded_at=now,
                    )
                )
        doses.append(
            DoseReport(
                patient=patient,
                account=account,
                course=course,
                date=timezone.localdate(first + timedelta(days=7 * w + 1)),
                status="missed",
                recorded_at=now,
            )
        )
    _bulk(SymptomAnswer, answers, account.user)
    _bulk(HomeBloodPressure, sittings, account.user)
    _bulk(DoseReport, doses, account.user)
    return reports


@transaction.atomic
def bulk_dose_reports(courses, *, days: int):
    """A patient account for each course's patient, and a missed dose on each of the
    ``days`` days before today (on that course). Returns the accounts."""
    from django.contrib.auth import get_user_model

    from reports.models import DoseReport, PatientAccount

    now = timezone.now()
    users = QuerySet(model=get_user_model()).bulk_create(
        [get_user_model()(username=f"reporter-{c.pk}") for c in courses]
    )
    accounts = _bulk(
        PatientAccount,
        [
            PatientAccount(user=user, patient_id=c.patient_id, created_at=now)
            for user, c in zip(users, courses, strict=True)
        ],
    )
    today = timezone.localdate()
    _bulk(
        DoseReport,
        [
            DoseReport(
                patient_id=c.patient_id,
                account=account,
                course=c,
                date=today - timedelta(days=d),
                status="missed",
                recorded_at=now,
            )
            for c, account in zip(courses, accounts, strict=True)
            for d in range(1, days + 1)
        ],
    )
    return accounts

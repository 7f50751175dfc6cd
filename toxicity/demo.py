"""Synthetic visits for the demonstration cohort (patients.demo seeds the courses).

Every two weeks a nurse logs blood pressure, weight, stools and fatigue; the
visit before each hold in the ledger carries the toxicity that caused it, and the
visit before each resumption shows recovery. The last visit of some courses
carries a new toxicity, so the inbox has recommendations waiting. Visits go
through toxicity.services.visits.log_visit, so they are graded and evaluated exactly as a
nurse's would be. Invented data only.

The cohort's past is replayed in order, each visit logged, evaluated and alerted
at the time it happened (`clinic_clock`): alerts carry the date of the visit that
raised them, a toxicity that settled ends its episode at the visit that showed it,
and the oncologist acknowledges a toxicity's alerts when the drug was held for it,
as a clinic would have. What is left open is what a clinic would have open today.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from notifications import services as alert_services
from notifications.models import Alert
from patients import dosing
from patients.demo import HOLD_REASONS
from patients.models import DoseChange, Role, SiteMembership, TreatmentCourse
from toxicity.alerts import alerts_for_evaluation
from toxicity.services import evaluation, impact_requests, visits

VISIT_EVERY = timedelta(days=14)
LOGGED_AFTER = timedelta(minutes=20)  # a nurse saves the visit a little after it began


@contextmanager
def clinic_clock(at: datetime) -> Iterator[None]:
    """Demo seeding only: the clock reads `at`, so what a visit causes (grades,
    evaluation, alerts, due checks, the audit rows) is dated when it happened."""
    real = timezone.now
    timezone.now = lambda: at
    try:
        yield
    finally:
        timezone.now = real


def _at(day, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _toxic(term: str, baseline_stools: int) -> tuple[dict, dict]:
    """(observation, visit fields) of a finding that makes the label act on `term`."""
    if term == "hypertension":
        return {"term": term, "readings": [[166, 102], [162, 100]]}, {
            "antihypertensive_therapy": "optimal"
        }
    if term == "diarrhea":
        return {"term": term, "stools_per_day": baseline_stools + 7}, {}
    if term == "proteinuria":
        return {"term": term, "urine_protein_g_24h": 2.4}, {}
    if term == "fatigue":
        return {"term": term, "grade": 2, "intolerable": True}, {}
    return {"term": term, "grade": 3}, {}


def _labs(rng: random.Random, drug: str, quarter: bool) -> list[dict]:
    """The monthly blood tests (and a quarterly ECG) the labels' monitoring asks for."""
    labs = [
        {"term": "alanine_aminotransferase_increased", "value": rng.randint(18, 52), "uln": 40},
        {"term": "aspartate_aminotransferase_increased", "value": rng.randint(16, 44), "uln": 40},
        {
            "term": "hypocalcemia",
            "calcium_mg_dl": round(rng.uniform(8.4, 9.6), 1),
            "albumin_g_dl": 4.0,
            "lln": 8.5,
        },
        {"term": "hypothyroidism", "grade": rng.choice([0, 0, 1])},
    ]
    if drug == "lenvatinib":
        labs.append({"term": "proteinuria", "urine_protein_g_24h": round(rng.uniform(0.1, 0.9), 2)})
    if quarter:
        labs.append(
            {
                "term": "electrocardiogram_qt_corrected_interval_prolonged",
                "qtc_ms": rng.randint(420, 462),
            }
        )
    return labs


def _routine(
    rng: random.Random,
    patient,
    weeks: int,
    term_recovering: str | None,
    *,
    drug: str = "",
    labs: bool = False,
    quarter: bool = False,
) -> list[dict]:
    drift = min(weeks, 30)
    sbp = 124 + drift // 2 + rng.randint(-4, 6)
    dbp = 80 + drift // 4 + rng.randint(-3, 4)
    observations = [
        {"term": "hypertension", "readings": [[sbp, dbp], [sbp - 2, dbp - 1]]},
        {"term": "fatigue", "grade": rng.choice([0, 1, 1, 2])},
    ]
    if patient.baseline_weight_kg:
        loss = float(patient.baseline_weight_kg) * min(0.002 * weeks, 0.09)
        weight = round(float(patient.baseline_weight_kg) - loss + rng.uniform(-0.5, 0.5), 1)
        observations.append({"term": "weight_loss", "weight_kg": weight})
    if patient.baseline_stools_per_day is not None:
        stools = patient.baseline_stools_per_day + rng.choice([0, 0, 1, 2])
        observations.append({"term": "diarrhea", "stools_per_day": stools})
    if labs:
        observations += _labs(rng, drug, quarter)
    if term_recovering == "proteinuria":
        observations = [o for o in observations if o["term"] != "proteinuria"]
        observations.append({"term": "proteinuria", "urine_protein_g_24h": 0.6})
    elif term_recovering == "palmar_plantar_erythrodysesthesia_syndrome":
        observations.append({"term": term_recovering, "grade": 1})
    if term_recovering == "fatigue":
        observations = [o for o in observations if o["term"] != "fatigue"]
        observations.append({"term": "fatigue", "grade": 1})
    return observations


@transaction.atomic
def seed_visits(*, seed_value: int = 2026) -> int:
    """Logs the cohort's visits; returns how many. Evaluations run after commit."""
    rng = random.Random(seed_value)
    today = timezone.localdate()
    staff = {
        (m.site_id, m.role): m.user
        for m in SiteMembership.objects.filter(role__in=(Role.NURSE, Role.ONCOLOGIST))
        .select_related("user")
        .order_by("id")
    }
    count = 0
    for course in TreatmentCourse.objects.select_related("patient").order_by("id"):
        site_id = course.patient.site_id
        count += _seed_course(
            rng, course, staff[site_id, Role.NURSE], today, staff.get((site_id, Role.ONCOLOGIST))
        )
    return count


def _visit(nurse, course, occurred_at: datetime, observations, fields) -> None:
    """One visit as the clinic lived it: logged, evaluated and alerted at its time."""
    with clinic_clock(occurred_at + LOGGED_AFTER):
        visit = visits.log_visit(
            actor=nurse,
            course=course,
            occurred_at=occurred_at,
            observations=observations,
            note="",
            **fields,
        )
        # Evaluated now rather than after the seeding commits (which is "now");
        # the evaluation queued on commit then finds it done and adds nothing.
        evaluation.evaluate_visit(visit.pk)
        alerts_for_evaluation(visit.pk)


def _acknowledge_for_hold(course, hold: DoseChange, oncologist) -> None:
    """The drug was held for the toxicity: its alerts were seen and acted on then."""
    if oncologist is None:
        return
    with clinic_clock(hold.effective_at):
        for alert in Alert.objects.filter(
            course=course, acknowledged_at__isnull=True, created_at__lte=hold.effective_at
        ):
            alert_services.acknowledge_alert(
                actor=oncologist,
                alert=alert,
                via="dose ledger",
                acknowledgement=f"Held on the dose ledger: {hold.reason}",
            )


def _seed_course(rng, course, nurse, today, oncologist=None) -> int:
    patient = course.patient
    ledger = list(DoseChange.objects.filter(course=course).order_by("effective_at", "id"))
    end = next(
        (c.effective_at.date() for c in ledger if c.kind in (dosing.Kind.DISCONTINUE,)), today
    )
    holds = {c.effective_at.date(): c for c in ledger if c.kind == dosing.Kind.HOLD}
    resumes = {c.effective_at.date(): c for c in ledger if c.kind == dosing.Kind.RESUME}
    days = []
    day = course.start_date + timedelta(days=7)
    while day < end:
        days.append(day)
        day += VISIT_EVERY
    # The visit before each hold shows its cause; the one before each resumption, recovery.
    events = {d - timedelta(days=1): ("toxic", c) for d, c in holds.items()}
    events |= {d - timedelta(days=1): ("recovered", c) for d, c in resumes.items()}
    plan = sorted({*days, *(d for d in events if course.start_date < d < end)})
    held_terms: list[str] = []
    count = 0
    for index, visit_day in enumerate(plan):
        weeks = (visit_day - course.start_date).days // 7
        event = events.get(visit_day)
        monthly = {"drug": course.drug, "labs": index % 2 == 0, "quarter": index % 6 == 0}
        fields: dict = {}
        if event and event[0] == "toxic":
            held_terms = list(event[1].reason_terms or [])
            finding, fields = _toxic(held_terms[0], patient.baseline_stools_per_day or 1)
            observations = [
                o
                for o in _routine(rng, patient, weeks, None, **monthly)
                if o["term"] != finding["term"]
            ] + [finding]
        else:
            recovering = held_terms[0] if held_terms else None
            observations = _routine(rng, patient, weeks, recovering, **monthly)
            if event and event[0] == "recovered":
                held_terms = []
        last = index == len(plan) - 1
        if last and end == today and not held_terms and rng.random() < 0.3:
            reason_terms = [t for _, t in _drug_reasons(course.drug)]
            finding, fields = _toxic(rng.choice(reason_terms), patient.baseline_stools_per_day or 1)
            observations = [o for o in observations if o["term"] != finding["term"]] + [finding]
        if fields.get("antihypertensive_therapy"):
            fields["antihypertensive_stable_since"] = _at(visit_day - timedelta(days=7), 9)
        _visit(nurse, course, _at(visit_day, 9), observations, fields)
        if event and event[0] == "toxic":
            _acknowledge_for_hold(course, event[1], oncologist)
        count += 1
    return count


def _drug_reasons(drug: str):
    return HOLD_REASONS[drug]


# A clinic's question: reduce the dose, rather than withhold it, for a grade 3 blood
# pressure persisting despite optimal therapy?
DEMO_CANDIDATE = {
    "row_changes": [
        {"rule_id": "lenvatinib.us_pi.hypertension.grade3", "field": "action", "value": "reduce"}
    ]
}


def seed_impact_report():
    """One impact report by the first site's pharmacist, over that site's history."""
    membership = (
        SiteMembership.objects.filter(role=Role.PHARMACIST)
        .select_related("user")
        .order_by("id")
        .first()
    )
    if membership is None:
        return None
    with transaction.atomic():
        report = impact_requests.request_report(
            actor=membership.user,
            reason="Reduce rather than withhold a persisting grade 3 hypertension: what changes?",
            candidate=DEMO_CANDIDATE,
            site_ids=[membership.site_id],
        )
    report.refresh_from_db()
    return report

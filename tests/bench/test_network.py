"""The network harness (bench/network.py): a tiny network built in the test database
holds what was asked for, stored as the app stores it, and the same seed builds the
same rows."""

from __future__ import annotations

import random
from collections import defaultdict

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.urls import reverse

from bench.network import NetworkSpec, checksum, holds, populate, visit_counts
from patients import dosing
from patients.models import DoseChange, Patient, Site, SiteMembership, TreatmentCourse
from toxicity.models import Observation, Recommendation, Visit
from toxicity.rules.evaluate import evaluate
from toxicity.services.request import dose_state_fields, engine_request
from toxicity.services.signatures import signature_is_valid

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

TINY = NetworkSpec(patients=30, sites=3, visits=600, seed=20261203)


def build(spec: NetworkSpec = TINY) -> dict[str, int]:
    connection.ensure_connection()
    return populate(connection.connection, spec)


@pytest.fixture
def network() -> dict[str, int]:
    return build()


def ledgers() -> dict[int, list[DoseChange]]:
    by_course: dict[int, list[DoseChange]] = defaultdict(list)
    for change in DoseChange.objects.order_by("effective_at", "id"):
        by_course[change.course_id].append(change)
    return by_course


def test_the_network_has_exactly_the_rows_asked_for(network):
    assert Site.objects.count() == 3
    assert Patient.objects.count() == 30
    assert TreatmentCourse.objects.count() == 30
    assert Visit.objects.count() == 600
    assert SiteMembership.objects.count() == 9
    assert sorted(SiteMembership.objects.values_list("role", flat=True).distinct()) == [
        "nurse",
        "oncologist",
        "pharmacist",
    ]
    per_visit = {len(v.observations.all()) for v in Visit.objects.prefetch_related("observations")}
    assert per_visit <= {2, 3, 4, 5}
    assert network["toxicity_visit"] == 600


def test_its_users_have_unusable_passwords(network):
    users = get_user_model().objects.filter(memberships__isnull=False)
    assert users.count() == 9
    assert not any(user.has_usable_password() for user in users)


def test_every_stored_evaluation_is_the_engines_answer_to_the_stored_rows(network):
    by_course = ledgers()
    visits = Visit.objects.select_related("course").prefetch_related("observations")
    checked = 0
    for visit in visits:
        ledger = [c for c in by_course[visit.course_id] if c.effective_at <= visit.occurred_at]
        fields, why_not, _state = dose_state_fields(visit.course, ledger)
        assert why_not == "", visit.pk
        request = engine_request(fields, visit.observations.all())
        assert evaluate(request) == visit.evaluation, visit.pk
        checked += 1
    assert checked == 600


def test_every_observation_carries_the_engines_grade(network):
    graded = 0
    for visit in Visit.objects.prefetch_related("observations"):
        for observation in visit.observations.all():
            assert observation.final_grade == visit.evaluation["grades"][observation.term]
            if observation.measurements and observation.term != "fatigue":
                assert observation.computed_grade == observation.final_grade
            graded += 1
    assert graded == Observation.objects.count() > 1200


def test_every_ledger_replays_with_doses_on_the_ladder(network):
    kinds = set()
    for course in TreatmentCourse.objects.all():
        state = dosing.NOT_STARTED
        for change in ledgers()[course.pk]:
            dose = float(change.dose_after_mg)
            assert dosing.check_entry(state, change.kind, dose) == {}, change.pk
            assert dose == 0 or dosing.is_on_ladder(course.drug, dose), change.pk
            if change.kind in (dosing.Kind.HOLD, dosing.Kind.REDUCE):
                assert change.reason_terms, change.pk
            state = dosing.apply_entry(state, change.as_entry())
            kinds.add(change.kind)
        assert state == dosing.derive_dose_state(c.as_entry() for c in ledgers()[course.pk])
    assert {"start", "hold", "resume", "reduce"} <= kinds


def test_signed_decisions_carry_valid_signatures(network):
    decided = Recommendation.objects.exclude(status__in=["pending", "superseded"])
    assert decided.exists()
    assert all(signature_is_valid(r) for r in decided)


def test_the_same_seed_builds_the_same_rows_and_another_seed_other_rows():
    sums = []
    for spec in (TINY, TINY, NetworkSpec(patients=30, sites=3, visits=600, seed=7)):
        with transaction.atomic():
            build(spec)
            sums.append(checksum(connection.connection))
            transaction.set_rollback(True)
    assert sums[0] == sums[1]
    assert sums[2] != sums[0]


@pytest.mark.parametrize("page", ["tracker:home", "tracker:patients", "tracker:cohort"])
def test_the_sites_pages_answer_its_oncologist(network, client, page):
    site = Site.objects.order_by("id").first()
    oncologist = SiteMembership.objects.get(site=site, role="oncologist").user
    client.force_login(oncologist)
    response = client.get(reverse(page))
    assert response.status_code == 200
    if page == "tracker:patients":
        assert Patient.objects.filter(site=site).first().reference_code in response.content.decode()


@pytest.mark.parametrize(("patients", "visits"), [(30, 600), (7, 1000), (100, 40), (1, 0)])
def test_visit_counts_sum_to_the_visits_asked_for(patients, visits):
    counts = visit_counts(random.Random(1), patients, visits)
    assert len(counts) == patients
    assert sum(counts) == visits
    assert min(counts) >= 0


def test_a_database_that_is_not_there_holds_no_network():
    assert not holds("tracker_network_never_built", TINY)

"""The rule-set impact report: what a candidate would have decided differently.

The report is checked against a direct re-evaluation: each visit's request rebuilt
the way evaluate_visit builds it (toxicity/services/request.py) and decided by the
engine under the rules in force and under the changed row, made here with
dataclasses.replace, independently of toxicity/rules/candidate.py.
"""

from __future__ import annotations

import dataclasses

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from patients import dosing
from patients.models import Role
from patients.services import apply_dose_change
from tests.factories import PatientFactory, SiteFactory, member
from tests.tracker import data
from toxicity import rules
from toxicity.models import (
    ImpactChunk,
    ImpactDifference,
    ImpactReport,
    ImpactStatus,
    Recommendation,
    Visit,
)
from toxicity.rules import candidate as candidates
from toxicity.rules.engine import compile_rules
from toxicity.rules.evaluate import evaluate
from toxicity.rules.model import Action
from toxicity.services import impact, impact_requests
from toxicity.services.request import dose_state_fields, engine_request, ledger_as_of
from toxicity.signoff import current_fingerprint

pytestmark = pytest.mark.django_db

CHANGED_ROW = "lenvatinib.us_pi.hypertension.grade3_without_optimal_therapy"
# A stricter clinic: a grade 3 blood pressure is held even before optimal therapy.
CANDIDATE = {"row_changes": [{"rule_id": CHANGED_ROW, "field": "action", "value": "withhold"}]}
DIARRHEA_3 = {"term": "diarrhea", "stools_per_day": 9, "baseline_stools_per_day": 1}


@pytest.fixture
def clinic():
    site = SiteFactory()
    return {
        "site": site,
        "nurse": member(site, Role.NURSE),
        "oncologist": member(site, Role.ONCOLOGIST),
        "pharmacist": member(site, Role.PHARMACIST),
    }


def _history(clinic, drug: str, dose: int):
    """A course of ``drug`` with the visits a hypertension row can decide: grade 3
    with and without optimal therapy, grade 1, grade 3 during a hold for diarrhoea."""
    nurse, oncologist = clinic["nurse"], clinic["oncologist"]
    patient = PatientFactory(site=clinic["site"], baseline_stools_per_day=1)
    course = data.start_course(oncologist, patient, days_ago=120, drug=drug, dose=dose)
    data.log_visit(nurse, course, days_ago=100, observations=[data.hypertension()])
    data.log_visit(
        nurse,
        course,
        days_ago=90,
        observations=[data.hypertension()],
        antihypertensive_therapy="optimal",
    )
    data.log_visit(nurse, course, days_ago=80, observations=[data.hypertension(data.NORMAL_BP)])
    data.log_visit(nurse, course, days_ago=70, observations=[DIARRHEA_3])
    apply_dose_change(
        actor=oncologist,
        course=course,
        kind=dosing.Kind.HOLD,
        dose_after_mg=0,
        reason="Grade 3 diarrhoea",
        reason_terms=["diarrhea"],
        effective_at=data.timezone.now() - data.timedelta(days=69),
    )
    data.log_visit(
        nurse,
        course,
        days_ago=60,
        observations=[data.hypertension(), {**DIARRHEA_3, "stools_per_day": 2}],
    )
    return course


@pytest.fixture
def three_drugs(clinic):
    return [
        _history(clinic, "lenvatinib", 24),
        _history(clinic, "sorafenib", 800),
        _history(clinic, "cabozantinib", 60),
    ]


def _changed_rules(drug: str, rule_set: str):
    base = rules.get_rule_set(drug, rule_set)
    changed = tuple(
        dataclasses.replace(rule, action=Action.WITHHOLD) if rule.rule_id == CHANGED_ROW else rule
        for rule in base.rules
    )
    return compile_rules(dataclasses.replace(base, rules=changed))


def _decision(answer: dict) -> tuple:
    return (
        answer["action"],
        float(answer["dose_mg_per_day"]),
        answer["resume_dose_mg_per_day"],
        answer["needs_review"],
    )


def _decided_differently(courses) -> set[int]:
    """Directly: the visits the changed row decides differently."""
    differ = set()
    for course in courses:
        for visit in Visit.objects.filter(course=course):
            fields, why_not, _state = dose_state_fields(
                course, ledger_as_of(course, visit.occurred_at)
            )
            assert not why_not
            request = engine_request(fields, visit.observations.all())
            now = evaluate(request)
            then = evaluate(request, rules=_changed_rules(course.drug, course.rule_set))
            if _decision(now) != _decision(then):
                differ.add(visit.pk)
    return differ


def _run(clinic, django_capture_on_commit_callbacks, candidate=CANDIDATE, **scope):
    with django_capture_on_commit_callbacks(execute=True):
        report = impact_requests.request_report(
            actor=clinic["pharmacist"],
            reason="Hold a grade 3 blood pressure before optimal therapy?",
            candidate=candidate,
            site_ids=[clinic["site"].pk],
            **scope,
        )
    report.refresh_from_db()
    return report


def test_the_report_lists_exactly_the_visits_the_changed_row_decides_differently(
    clinic, three_drugs, django_capture_on_commit_callbacks
):
    expected = _decided_differently(three_drugs)
    report = _run(clinic, django_capture_on_commit_callbacks)
    assert report.status == ImpactStatus.DONE
    listed = set(ImpactDifference.objects.filter(report=report).values_list("visit_id", flat=True))
    assert expected  # the row decides something differently in this history
    assert listed == expected


def test_only_the_drug_whose_row_changed_is_affected(
    clinic, three_drugs, django_capture_on_commit_callbacks
):
    report = _run(clinic, django_capture_on_commit_callbacks)
    drugs = set(ImpactDifference.objects.filter(report=report).values_list("drug", flat=True))
    assert drugs == {"lenvatinib"}
    assert report.visits_evaluated == Visit.objects.count() == 15
    assert report.patients_changed == 1


def test_the_grade_3_visit_without_optimal_therapy_turns_from_continue_to_withhold(
    clinic, three_drugs, django_capture_on_commit_callbacks
):
    report = _run(clinic, django_capture_on_commit_callbacks)
    first_visit = Visit.objects.filter(course=three_drugs[0]).order_by("occurred_at").first()
    difference = ImpactDifference.objects.get(report=report, visit=first_visit)
    assert difference.kind == "continue -> withhold"
    assert difference.current["action"] == "continue"
    assert difference.proposed["action"] == "withhold"
    assert CHANGED_ROW in difference.proposed["rule_ids"]
    assert report.summary["continue -> withhold"] >= 1


def test_the_report_keeps_both_rule_set_versions(
    clinic, three_drugs, django_capture_on_commit_callbacks
):
    report = _run(clinic, django_capture_on_commit_callbacks)
    lenvatinib = report.fingerprints["lenvatinib:us_pi"]
    assert lenvatinib["current"] == current_fingerprint("lenvatinib", "us_pi")
    assert lenvatinib["candidate"] != lenvatinib["current"]
    sorafenib = report.fingerprints["sorafenib:us_pi"]
    assert sorafenib["candidate"] == sorafenib["current"]
    assert report.requested_by == clinic["pharmacist"]
    assert report.engine_version == rules.engine.ENGINE_VERSION


def test_nothing_clinical_changes(clinic, three_drugs, django_capture_on_commit_callbacks):
    evaluations = dict(Visit.objects.values_list("pk", "evaluation"))
    recommendations = Recommendation.objects.count()
    history = Visit.history.count()
    _run(clinic, django_capture_on_commit_callbacks)
    assert dict(Visit.objects.values_list("pk", "evaluation")) == evaluations
    assert Recommendation.objects.count() == recommendations
    assert Visit.history.count() == history


def test_a_drug_scope_evaluates_only_that_drugs_visits(
    clinic, three_drugs, django_capture_on_commit_callbacks
):
    report = _run(clinic, django_capture_on_commit_callbacks, drug="sorafenib")
    assert report.visits_evaluated == 5
    assert report.visits_changed == 0
    assert set(report.fingerprints) == {"sorafenib:us_pi", "sorafenib:eu_smpc"}


def test_a_period_scope_leaves_out_visits_outside_it(
    clinic, three_drugs, django_capture_on_commit_callbacks
):
    first = Visit.objects.filter(course=three_drugs[0]).order_by("occurred_at").first()
    report = _run(
        clinic,
        django_capture_on_commit_callbacks,
        occurred_from=first.occurred_at + data.timedelta(days=1),
    )
    assert report.visits_evaluated == 12
    assert not ImpactDifference.objects.filter(report=report, visit=first).exists()


def test_a_policy_candidate_is_evaluated_with_its_settings(
    clinic, three_drugs, django_capture_on_commit_callbacks
):
    report = _run(
        clinic,
        django_capture_on_commit_callbacks,
        candidate={"policy": {"single_bp_reading_provisional": False}},
    )
    assert report.status == ImpactStatus.DONE
    assert report.candidate_policy["single_bp_reading_provisional"] is False
    assert report.current_policy["single_bp_reading_provisional"] is True


def test_a_chunk_done_twice_counts_once(clinic, three_drugs, django_capture_on_commit_callbacks):
    report = _run(clinic, django_capture_on_commit_callbacks)
    changed = report.visits_changed
    assert impact.run_chunk(report.pk, 0) is False  # the report is finished: nothing to do
    ImpactReport.objects.filter(pk=report.pk).update(status=ImpactStatus.RUNNING)
    assert impact.run_chunk(report.pk, 0) is True  # done already: says the set is complete
    impact.finish_report(report.pk)
    report.refresh_from_db()
    assert report.visits_changed == changed
    assert ImpactDifference.objects.filter(report=report).count() == changed


def test_small_chunks_give_the_same_report(
    clinic, three_drugs, django_capture_on_commit_callbacks, settings
):
    whole = _run(clinic, django_capture_on_commit_callbacks)
    settings.IMPACT_CHUNK_VISITS = 2
    chunked = _run(clinic, django_capture_on_commit_callbacks)
    assert chunked.chunk_count == 3 and whole.chunk_count == 1
    assert chunked.summary == whole.summary
    assert set(
        ImpactDifference.objects.filter(report=chunked).values_list("visit_id", flat=True)
    ) == set(ImpactDifference.objects.filter(report=whole).values_list("visit_id", flat=True))


def test_a_cancelled_report_evaluates_no_more_chunks(
    clinic, three_drugs, django_capture_on_commit_callbacks, settings
):
    settings.IMPACT_CHUNK_VISITS = 2
    report = impact.new_report(
        actor=clinic["pharmacist"],
        reason="Stopped",
        candidate=CANDIDATE,
        site_ids=[clinic["site"].pk],
    )
    impact.plan_report(report.pk)
    impact.run_chunk(report.pk, 0)
    impact.cancel_report(actor=clinic["oncologist"], report=report)
    assert impact.run_chunk(report.pk, 1) is False
    report.refresh_from_db()
    assert report.status == ImpactStatus.CANCELLED
    assert report.cancelled_by == clinic["oncologist"]
    assert ImpactChunk.objects.filter(report=report, done_at__isnull=False).count() == 1


def test_a_nurse_cannot_run_a_report_and_nothing_is_stored(clinic, three_drugs):
    with pytest.raises(PermissionDenied):
        impact.new_report(
            actor=clinic["nurse"], reason="x", candidate=CANDIDATE, site_ids=[clinic["site"].pk]
        )
    assert not ImpactReport.objects.exists()


def test_another_sites_visits_cannot_be_included(clinic, three_drugs):
    other = SiteFactory()
    with pytest.raises(ValidationError) as refused:
        impact.new_report(
            actor=clinic["pharmacist"], reason="x", candidate=CANDIDATE, site_ids=[other.pk]
        )
    assert "site_ids" in refused.value.message_dict
    assert not ImpactReport.objects.exists()


def test_a_candidate_naming_an_unknown_row_is_refused_on_its_field(clinic):
    with pytest.raises(ValidationError) as refused:
        impact.new_report(
            actor=clinic["pharmacist"],
            reason="x",
            candidate={
                "row_changes": [{"rule_id": "no.such.row", "field": "action", "value": "withhold"}]
            },
            site_ids=[clinic["site"].pk],
        )
    assert "candidate.row_changes[0].rule_id" in refused.value.message_dict
    assert not ImpactReport.objects.exists()


def test_a_report_with_no_visits_in_scope_is_done_with_nothing_changed(
    clinic, django_capture_on_commit_callbacks
):
    report = _run(clinic, django_capture_on_commit_callbacks)
    assert report.status == ImpactStatus.DONE
    assert (report.chunk_count, report.visits_evaluated, report.visits_changed) == (0, 0, 0)


def test_the_candidate_is_stored_as_parsed(clinic, three_drugs, django_capture_on_commit_callbacks):
    report = _run(clinic, django_capture_on_commit_callbacks)
    again = candidates.parse_candidate(report.candidate, rules.RULE_SETS)
    assert again.row_changes == (candidates.RowChange(CHANGED_ROW, "action", "withhold"),)


def test_a_candidate_that_changes_nothing_is_refused_and_nothing_is_stored(clinic):
    with pytest.raises(ValidationError) as refused:
        impact.new_report(
            actor=clinic["pharmacist"],
            reason="x",
            candidate={"row_changes": [], "policy": {}},
            site_ids=[clinic["site"].pk],
        )
    assert "candidate" in refused.value.message_dict
    assert not ImpactReport.objects.exists()

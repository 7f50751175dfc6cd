"""log_visit / edit_visit: whole or nothing, grades computed, audited, broker-independent."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.toxicity.conftest import NORMAL_BP, at, hypertension
from toxicity.models import Observation, Recommendation, Visit
from toxicity.services import visits

pytestmark = pytest.mark.django_db


def test_a_nurse_logs_a_visit_and_the_grades_are_computed(course, nurse, log):
    visit = log(
        nurse,
        course,
        at(20),
        [
            hypertension(),
            {"term": "diarrhea", "stools_per_day": 6},
            {"term": "fatigue", "grade": 2},
        ],
        antihypertensive_therapy="optimal",
    )
    grades = {
        o.term: (o.computed_grade, o.clinician_grade, o.final_grade)
        for o in visit.observations.all()
    }
    assert grades == {
        "hypertension": (3, None, 3),
        "diarrhea": (2, None, 2),  # 6 vs the patient's baseline of 1 stool a day
        "fatigue": (None, 2, 2),
    }


def test_the_patients_baseline_is_stored_with_the_measurement(course, nurse, log):
    visit = log(nurse, course, at(20), [{"term": "diarrhea", "stools_per_day": 6}])
    assert visit.observations.get().measurements == {
        "stools_per_day": 6,
        "baseline_stools_per_day": 1,
    }


def test_a_single_bp_reading_gives_a_provisional_grade(course, nurse, log):
    visit = log(nurse, course, at(20), [hypertension([[150, 85]])])
    assert visit.observations.get().provisional


def test_a_clinician_may_raise_a_computed_grade(course, nurse, log):
    visit = log(nurse, course, at(20), [{"term": "diarrhea", "stools_per_day": 3, "grade": 3}])
    observation = visit.observations.get()
    assert (observation.computed_grade, observation.final_grade) == (1, 3)


def test_lowering_a_computed_grade_without_a_reason_is_refused(course, nurse, log):
    with pytest.raises(ValidationError) as refused:
        log(nurse, course, at(20), [{**hypertension(), "grade": 2}])
    assert "observations[0].grade" in refused.value.message_dict
    assert not Visit.objects.exists()


def test_lowering_a_computed_grade_with_a_reason_is_recorded(course, nurse, log):
    reason = "White-coat effect: home readings 135/85 all week"
    visit = log(nurse, course, at(20), [{**hypertension(), "grade": 2, "lowering_reason": reason}])
    observation = visit.observations.get()
    assert (observation.computed_grade, observation.final_grade) == (3, 2)
    assert observation.history.get().history_change_reason == "Visit recorded"
    assert observation.lowering_reason == reason


@pytest.mark.parametrize(
    ("observation", "field"),
    [
        ({"term": "hypertension", "readings": [[120, 190]]}, "observations[1].readings[0]"),
        ({"term": "hypertension", "readings": [[400, 90]]}, "observations[1].readings[0]"),
        ({"term": "no_such_term", "grade": 1}, "observations[1].term"),
        ({"term": "fatigue", "grade": 7}, "observations[1].grade"),
        ({"term": "diarrhea", "stools_per_day": "many"}, "observations[1].stools_per_day"),
        ({"term": "fatigue", "grade": 1, "source": "oracle"}, "observations[1].source"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(
    course, nurse, log, observation, field
):
    with pytest.raises(ValidationError) as refused:
        log(nurse, course, at(20), [{"term": "nausea", "grade": 1}, observation])
    assert field in refused.value.message_dict
    assert not Visit.objects.exists()
    assert not Observation.objects.exists()


def test_a_visit_in_the_future_is_refused(course, nurse, log):
    with pytest.raises(ValidationError) as refused:
        log(nurse, course, at(29), [{"term": "nausea", "grade": 1}])
    assert "occurred_at" in refused.value.message_dict


def test_a_visit_before_the_course_started_is_refused(course, nurse, log):
    with pytest.raises(ValidationError) as refused:
        log(nurse, course, at(2), [{"term": "nausea", "grade": 1}])
    assert "occurred_at" in refused.value.message_dict


def test_a_site_admin_cannot_log_a_visit(course, site_admin, log):
    with pytest.raises(PermissionDenied):
        log(site_admin, course, at(20), [{"term": "nausea", "grade": 1}])


def test_an_outsider_cannot_log_a_visit(course, outsider, log):
    with pytest.raises(PermissionDenied):
        log(outsider, course, at(20), [{"term": "nausea", "grade": 1}])


def test_the_visit_is_saved_when_the_broker_is_down(course, nurse, log):
    with mock.patch(
        "toxicity.tasks.evaluate_visit.delay", side_effect=ConnectionError("broker down")
    ):
        visit = log(nurse, course, at(20), [hypertension()], antihypertensive_therapy="optimal")
    visit.refresh_from_db()
    assert visit.evaluated_at is None
    assert visit.observations.count() == 1


def test_logging_a_visit_is_audited(course, nurse, log):
    visit = log(nurse, course, at(20), [hypertension()])
    created = visit.history.earliest()
    assert (created.history_type, created.history_user) == ("+", nurse)
    assert visit.observations.get().history.get().history_user == nurse


def test_editing_a_visit_needs_a_reason(course, nurse, log):
    visit = log(nurse, course, at(20), [hypertension(NORMAL_BP)])
    with pytest.raises(ValidationError) as refused:
        visits.edit_visit(actor=nurse, visit=visit, reason="  ")
    assert "reason" in refused.value.message_dict


def test_an_edited_visit_is_audited_and_re_evaluated(
    course, nurse, log, django_capture_on_commit_callbacks
):
    visit = log(nurse, course, at(20), [hypertension(NORMAL_BP)])
    assert not Recommendation.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        visits.edit_visit(
            actor=nurse,
            visit=visit,
            reason="Readings typed into the wrong patient's chart",
            observations=[hypertension()],
            antihypertensive_therapy="optimal",
        )

    visit.refresh_from_db()
    assert visit.revision == 2
    observation = visit.observations.get()
    assert observation.final_grade == 3
    assert observation.history.latest().history_change_reason.startswith("Readings typed")
    recommendation = Recommendation.objects.get(visit=visit)
    assert (recommendation.visit_revision, recommendation.action) == (2, "withhold")


def test_a_long_correction_reason_is_kept_whole_in_the_audit(course, nurse, log):
    visit = log(nurse, course, at(20), [hypertension(NORMAL_BP)])
    reason = "Second reading was taken after the patient climbed four flights of stairs. " * 4
    visits.edit_visit(actor=nurse, visit=visit, reason=reason, note="Re-measured")
    assert visit.history.latest().history_change_reason == reason.strip()


def test_a_saved_visit_is_validated_by_the_engine_once(course, nurse):
    with mock.patch.object(visits, "validate", wraps=visits.validate) as validate:
        visits.log_visit(
            actor=nurse,
            course=course,
            occurred_at=at(20),
            observations=[hypertension(), {"term": "fatigue", "grade": 2}],
            antihypertensive_therapy="optimal",
        )
    assert validate.call_count == 1


def test_the_preview_validates_once_and_decides_on_what_it_validated(course, nurse):
    with (
        mock.patch.object(visits, "validate", wraps=visits.validate) as validate,
        mock.patch.object(visits, "decide", wraps=visits.decide) as decide,
    ):
        answer = visits.preview_visit(
            actor=nurse,
            course=course,
            occurred_at=at(20),
            observations=[hypertension(), {"term": "fatigue", "grade": 2}],
            antihypertensive_therapy="optimal",
        )
    assert (validate.call_count, decide.call_count) == (1, 1)
    assert answer["decision"]["action"] == "withhold"
    assert not Visit.objects.exists()


def test_a_lowered_grade_is_checked_against_the_grade_the_measurements_give(course, nurse):
    with pytest.raises(ValidationError) as refused:
        visits.log_visit(
            actor=nurse,
            course=course,
            occurred_at=at(20),
            observations=[{**hypertension(), "grade": 1}],
            antihypertensive_therapy="optimal",
        )
    assert "below the computed grade 3" in refused.value.message_dict["observations[0].grade"][0]
    assert not Visit.objects.exists()

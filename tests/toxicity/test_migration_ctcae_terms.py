"""Migration 0006: observations stored under old label-event keys move to CTCAE terms, audited."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.toxicity.conftest import at
from toxicity.ctcae.terms import TERMS

MIGRATION = "0006_observations_on_ctcae_terms"
migration = importlib.import_module(f"toxicity.migrations.{MIGRATION}")


@pytest.fixture
def old_apps(db):
    """Historical models (plain managers: seeding may write raw), as the schema the test
    database holds: every migration applied, which the moved fields outlive."""
    return MigrationExecutor(connection).loader.project_state().apps


@pytest.fixture
def visit(nurse, course, log):
    return log(
        nurse,
        course,
        at(27),
        [
            {"term": "fatigue", "grade": 1},
            {"term": "nausea", "grade": 1},
            {"term": "vomiting", "grade": 2},
            {"term": "anorexia", "grade": 1},
            {"term": "epistaxis", "grade": 1},
        ],
    )


def _seed(old_apps, visit, terms):
    """Rewrites the visit's rows to the given old keys, as a database from before holds them."""
    Observation = old_apps.get_model("toxicity", "Observation")
    rows = list(Observation.objects.filter(visit_id=visit.pk).order_by("term"))
    for row, (term, grade) in zip(rows, terms, strict=False):
        Observation.objects.filter(pk=row.pk).update(term=term, final_grade=grade)
    return {term: row.pk for row, (term, _) in zip(rows, terms, strict=False)}


def _run(old_apps):
    migration.move_observations(old_apps, None)


def test_every_target_is_a_ctcae_term_with_the_grades_written_in_the_migration():
    for new in migration.MOVES.values():
        assert set(TERMS[new].grades) == migration.TARGET_GRADES[new]
    assert not set(migration.MOVES) & set(TERMS)  # the old keys are no CTCAE terms


def test_old_keys_move_to_the_ctcae_terms_the_label_rows_name(old_apps, visit):
    ids = _seed(
        old_apps,
        visit,
        [
            ("cerebral_infarction", 2),
            ("impaired_wound_healing", 1),
            ("fistula", 3),
            ("gastrointestinal_perforation", 3),
            ("cardiac_ischemia", 1),
        ],
    )
    _run(old_apps)
    Observation = old_apps.get_model("toxicity", "Observation")
    terms = dict(Observation.objects.filter(visit_id=visit.pk).values_list("pk", "term"))
    assert {old: terms[pk] for old, pk in ids.items()} == {
        "cerebral_infarction": "stroke",
        "impaired_wound_healing": "wound_complication",
        "fistula": "gastrointestinal_fistula",
        "gastrointestinal_perforation": "colonic_perforation",
        "cardiac_ischemia": "chest_pain_cardiac",
    }


def test_each_move_is_audited_with_its_reason(old_apps, visit):
    ids = _seed(old_apps, visit, [("cerebral_infarction", 2), ("gastrointestinal_perforation", 3)])
    History = old_apps.get_model("toxicity", "HistoricalObservation")
    before = History.objects.count()
    _run(old_apps)
    assert History.objects.count() == before + 2
    stroke = History.objects.filter(id=ids["cerebral_infarction"]).latest("history_id")
    assert stroke.term == "stroke"
    assert stroke.history_type == "~"
    assert "'cerebral_infarction'" in stroke.history_change_reason
    perforation = History.objects.filter(id=ids["gastrointestinal_perforation"]).latest(
        "history_id"
    )
    assert "site of the perforation was not recorded" in perforation.history_change_reason


def test_a_grade_the_new_term_lacks_is_kept_and_flagged_for_review(old_apps, visit):
    ids = _seed(old_apps, visit, [("gastrointestinal_perforation", 1)])
    _run(old_apps)
    Observation = old_apps.get_model("toxicity", "Observation")
    assert Observation.objects.get(pk=ids["gastrointestinal_perforation"]).final_grade == 1
    History = old_apps.get_model("toxicity", "HistoricalObservation")
    row = History.objects.filter(id=ids["gastrointestinal_perforation"]).latest("history_id")
    assert "grade 1 is not defined for colonic_perforation" in row.history_change_reason


def test_a_visit_already_holding_the_target_is_left_unchanged(old_apps, visit, capsys):
    ids = _seed(old_apps, visit, [("cerebral_infarction", 2), ("stroke", 3)])
    History = old_apps.get_model("toxicity", "HistoricalObservation")
    before = History.objects.count()
    _run(old_apps)
    Observation = old_apps.get_model("toxicity", "Observation")
    assert Observation.objects.get(pk=ids["cerebral_infarction"]).term == "cerebral_infarction"
    assert Observation.objects.get(pk=ids["stroke"]).final_grade == 3
    assert History.objects.count() == before
    assert "must merge" in capsys.readouterr().out


def test_rows_on_ctcae_terms_are_not_touched(old_apps, visit):
    History = old_apps.get_model("toxicity", "HistoricalObservation")
    before = History.objects.count()
    _run(old_apps)
    assert History.objects.count() == before


def test_the_dose_ledger_hold_reasons_move_too_audited(old_apps, course, oncologist):
    DoseChange = old_apps.get_model("patients", "DoseChange")
    hold = DoseChange.objects.create(
        course_id=course.pk,
        kind="hold",
        effective_at=at(27),
        dose_before_mg=24,
        dose_after_mg=0,
        reason="Withheld",
        recorded_by_id=oncologist.pk,
        recorded_at=at(27),
        reason_terms=["cerebral_infarction", "hypertension"],
    )
    _run(old_apps)
    hold.refresh_from_db()
    assert hold.reason_terms == ["hypertension", "stroke"]
    History = old_apps.get_model("patients", "HistoricalDoseChange")
    row = History.objects.filter(id=hold.pk).latest("history_id")
    assert row.reason_terms == ["hypertension", "stroke"]
    assert "'cerebral_infarction'" in row.history_change_reason

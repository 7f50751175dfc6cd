"""Which reports need a nurse's grading: each criterion at its edge, and per-site policy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from patients.audit import audit
from reports import criteria, services
from reports.models import ReportPolicy, TriageItem
from tests.factories import PatientFactory
from tests.reports.factories import patient_account, weekly_report

pytestmark = pytest.mark.django_db

# Answers that give a composite of exactly 0, 1, 2 or 3 for diarrhoea (F only:
# 0->0, 1->1, 3->2, 4->3, reference.md 3.5).
DIARRHOEA = {0: 0, 1: 1, 2: 3, 3: 4}


def diarrhoea(composite: int) -> dict:
    return {"diarrhea": {"frequency": DIARRHOEA[composite]}}


def bp(sbp: int, dbp: int, hours_ago: int = 2) -> dict:
    return {
        "period": "morning",
        "taken_at": timezone.now() - timedelta(hours=hours_ago),
        "sbp1": sbp,
        "dbp1": dbp,
        "sbp2": sbp,
        "dbp2": dbp,
    }


# --- the pure rule, every edge ----------------------------------------------------

CASES = [
    # (name, composites, previous, home BP grades, text, expected criteria)
    ("composite 2 does not alert", {"diarrhea": 2}, {}, [], "", []),
    ("composite 3 alerts", {"diarrhea": 3}, {}, [], "", ["composite"]),
    ("home BP grade 2 does not alert", {}, {}, [2], "", []),
    ("home BP grade 3 alerts", {}, {}, [3], "", ["home_bp"]),
    ("the worst sitting counts", {}, {}, [1, 3, 2], "", ["home_bp"]),
    ("worse by 1 does not alert", {"nausea": 2}, {"nausea": 1}, [], "", []),
    ("worse by 2 alerts", {"nausea": 2}, {"nausea": 0}, [], "", ["worsening"]),
    ("better does not alert", {"nausea": 0}, {"nausea": 2}, [], "", []),
    ("an item new this week is not a worsening", {"nausea": 2}, {"fatigue": 0}, [], "", []),
    ("blank text does not alert", {}, {}, [], "", []),
    ("whitespace is not a text", {}, {}, [], "  \n\t ", []),
    ("any text alerts", {}, {}, [], "Feeling dizzy", ["anything_else"]),
    (
        "a composite 3 that also worsened names both",
        {"diarrhea": 3},
        {"diarrhea": 1},
        [],
        "",
        ["composite", "worsening"],
    ),
]


@pytest.mark.parametrize(
    ("composites", "previous", "bp_grades", "text", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_the_criteria_at_their_edges(composites, previous, bp_grades, text, expected):
    found = criteria.reasons(
        criteria.DEFAULTS,
        composites=composites,
        previous=previous,
        home_bp_grades=bp_grades,
        anything_else=text,
    )
    assert [reason.criterion for reason in found] == expected


@pytest.mark.parametrize(
    ("criterion", "urgent"),
    [("composite", True), ("home_bp", True), ("worsening", False), ("anything_else", False)],
)
def test_composite_and_blood_pressure_are_urgent_worsening_and_text_routine(criterion, urgent):
    assert criteria.Reason(criterion).urgent is urgent


def test_the_defaults_are_those_of_issue_14():
    assert (
        criteria.Thresholds(
            composite_grade=3, home_bp_grade=3, worsening_points=2, anything_else=True
        )
        == criteria.DEFAULTS
    )


def test_the_summary_names_the_reasons_in_the_clinics_words():
    found = criteria.reasons(
        criteria.DEFAULTS,
        composites={"diarrhea": 3},
        home_bp_grades=[3],
        titles={"diarrhea": "Diarrhoea"},
    )
    assert criteria.summary(found) == (
        "Patient report: diarrhoea composite 3 (not CTCAE); home BP grade 3"
    )


# --- through the patient's services ---------------------------------------------------


@pytest.mark.parametrize(("composite", "raised"), [(2, False), (3, True)])
def test_a_weekly_report_raises_an_item_from_composite_3(account, composite, raised):
    report = weekly_report(account, diarrhoea(composite))
    assert TriageItem.objects.filter(report=report).exists() is raised


@pytest.mark.parametrize(
    ("reading", "raised"), [((159, 99), False), ((160, 95), True), ((150, 100), True)]
)
def test_a_home_bp_sent_with_the_report_raises_an_item_from_grade_3(account, reading, raised):
    report = weekly_report(account, diarrhoea(0), blood_pressure=[bp(*reading)])
    assert TriageItem.objects.filter(report=report).exists() is raised


@pytest.mark.parametrize(("before", "raised"), [(1, False), (0, True)])
def test_a_worsening_from_the_previous_report_raises_a_routine_item(account, before, raised):
    weekly_report(account, diarrhoea(before))
    report = weekly_report(account, diarrhoea(2))
    item = TriageItem.objects.filter(report=report).first()
    assert (item is not None) is raised
    if item is not None:
        assert item.urgent is False
        assert [r["criterion"] for r in item.reasons] == ["worsening"]


def test_the_worsening_is_measured_from_the_previous_report_only(account):
    weekly_report(account, diarrhoea(0))
    weekly_report(account, diarrhoea(1))
    report = weekly_report(account, diarrhoea(2))  # 2 up from two weeks ago, 1 from last
    assert not TriageItem.objects.filter(report=report).exists()


@pytest.mark.parametrize(("text", "raised"), [("", False), ("   \n ", False), ("Dizzy", True)])
def test_anything_else_raises_a_routine_item(account, text, raised):
    report = weekly_report(account, diarrhoea(0), anything_else=text)
    item = TriageItem.objects.filter(report=report).first()
    assert (item is not None) is raised
    if item is not None:
        assert item.urgent is False


def test_the_item_keeps_its_reasons_readable_and_urgent(account):
    report = weekly_report(
        account, diarrhoea(3), blood_pressure=[bp(165, 102)], anything_else="Bad week"
    )
    item = TriageItem.objects.get(report=report)
    assert item.urgent is True
    assert [r["text"] for r in item.reasons] == [
        "diarrhoea composite 3 (not CTCAE)",
        "home BP grade 3",
        "text in 'anything else'",
    ]
    assert item.summary.startswith("Patient report: diarrhoea composite 3 (not CTCAE)")


def test_home_readings_sent_on_their_own_raise_one_item_for_the_worst_sitting(account):
    stored = services.record_home_bp(
        account=account, sessions=[bp(130, 80, hours_ago=3), bp(165, 102, hours_ago=2)]
    )
    item = TriageItem.objects.get(patient=account.patient)
    assert item.home_bp == stored[1]
    assert item.report is None
    assert item.urgent is True


def test_home_readings_below_grade_3_raise_nothing(account):
    services.record_home_bp(account=account, sessions=[bp(159, 99)])
    assert not TriageItem.objects.exists()


def test_an_imported_export_raises_an_item_for_a_recent_grade_3_sitting(account):
    taken = timezone.localtime(timezone.now() - timedelta(hours=2), account.patient.site.zone)
    text = f"Date,Time,Systolic,Diastolic\n{taken:%Y-%m-%d},{taken:%H:%M},168,104\n"
    services.import_home_bp_csv(account=account, text=text)
    item = TriageItem.objects.get(patient=account.patient)
    assert item.home_bp.source == "csv"


def test_old_readings_in_an_export_are_history_and_raise_nothing(account):
    taken = timezone.localtime(timezone.now() - timedelta(days=40), account.patient.site.zone)
    text = f"Date,Time,Systolic,Diastolic\n{taken:%Y-%m-%d},{taken:%H:%M},168,104\n"
    services.import_home_bp_csv(account=account, text=text)
    assert not TriageItem.objects.exists()


# --- a policy per site ---------------------------------------------------------------


def set_policy(site, actor, **fields):
    policy = ReportPolicy(site=site, **fields)
    audit(policy, actor=actor, reason="Pharmacy and therapeutics committee, March")
    policy.save()
    return policy


def test_a_site_that_alerts_from_composite_2_raises_an_item_for_composite_2(
    account, site, site_admin
):
    set_policy(site, site_admin, alert_composite_grade=2)
    report = weekly_report(account, diarrhoea(2))
    assert TriageItem.objects.filter(report=report).exists()


def test_another_sites_policy_does_not_change_this_sites_triage(
    account, other_site, nurse, site_admin
):
    set_policy(other_site, site_admin, alert_composite_grade=2)
    report = weekly_report(account, diarrhoea(2))
    assert not TriageItem.objects.filter(report=report).exists()


def test_a_site_may_stop_anything_else_text_alerting(account, site, site_admin):
    set_policy(site, site_admin, alert_on_anything_else=False)
    report = weekly_report(account, diarrhoea(0), anything_else="Fine really")
    assert not TriageItem.objects.filter(report=report).exists()


def test_a_site_may_ask_for_a_larger_worsening(account, site, site_admin):
    set_policy(site, site_admin, alert_worsening_points=3)
    weekly_report(account, diarrhoea(0))
    report = weekly_report(account, diarrhoea(2))
    assert not TriageItem.objects.filter(report=report).exists()


def test_a_site_may_alert_from_home_bp_grade_2(account, site, site_admin):
    set_policy(site, site_admin, alert_home_bp_grade=2)
    services.record_home_bp(account=account, sessions=[bp(145, 92)])
    assert TriageItem.objects.filter(patient=account.patient).exists()


def test_policy_changes_are_in_the_history(site, site_admin):
    policy = set_policy(site, site_admin, alert_composite_grade=2)
    policy.alert_composite_grade = 3
    audit(policy, actor=site_admin, reason="Too many alerts")
    policy.save()
    reasons = list(policy.history.order_by("history_id").values_list("history_change_reason"))
    assert reasons == [("Pharmacy and therapeutics committee, March",), ("Too many alerts",)]


def test_a_patient_without_a_running_course_gets_an_item_and_no_alert(nurse, site):
    account = patient_account(nurse, PatientFactory(site=site))
    report = weekly_report(account, diarrhoea(3))
    item = TriageItem.objects.get(report=report)
    assert (item.course, item.alert) == (None, None)

"""Every write to a clinical model leaves an audit entry (who, when in UTC, old and new
values), deletion of clinical records is refused, and no path edits or deletes an
audit entry.

The models are discovered: every model with a simple-history `history` in the
patients, toxicity, notifications, reports and disease apps. Each has a row in WRITES saying how the
app creates, changes and deletes it, or why it does not; a new audited model
without a row fails test_every_audited_model_has_a_row.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib import admin
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalChanges

from disease.models import (
    BoardDecision,
    BoardEntry,
    DiseaseStatus,
    ImagingStudy,
    TargetLesion,
    ThyroglobulinLab,
)
from disease.services import board as disease_board
from disease.services import imaging
from disease.services import labs as disease_labs
from disease.services import status as disease_status
from notifications import services as alert_services
from notifications.models import Alert, AlertKind, CourseRouting, Route, Severity, SiteRouting
from patients import services as patient_services
from patients.models import (
    DoseChange,
    MolecularFinding,
    Patient,
    Role,
    Site,
    SiteMembership,
    TreatmentCourse,
    UserPreference,
)
from tests.factories import PASSWORD, UserFactory
from tests.security.test_permission_matrix import url_patterns
from toxicity import signoff
from toxicity.models import (
    DecisionCorrection,
    Observation,
    Recommendation,
    RuleRowConfirmation,
    RuleSetSignOff,
    Visit,
)
from toxicity.services import corrections, decisions, visits

SYSTEM = "system"  # the pipeline and beat jobs write as nobody, and say so in the reason


def audited_models():
    for label in ("patients", "toxicity", "notifications", "reports", "disease"):
        for model in apps.get_app_config(label).get_models():
            if hasattr(model, "history") and not issubclass(model, HistoricalChanges):
                yield model


def latest_entry(instance):
    return instance.history.order_by("-history_id").first()


def assert_audited(instance, *, kind: str, user, changed: tuple[str, ...] = ()):
    """The newest audit entry of `instance`: its type, who, UTC time and the values."""
    entry = latest_entry(instance)
    assert entry is not None, f"{type(instance).__name__} {instance.pk}: no audit entry"
    assert entry.history_type == kind
    if user is SYSTEM:
        assert entry.history_user is None and entry.history_change_reason
    else:
        assert entry.history_user == user
    assert entry.history_date.utcoffset() == timedelta(0)
    fields = [f.attname for f in type(instance)._meta.concrete_fields]
    if kind in ("+", "-"):  # the entry holds the new (created) or old (deleted) values
        for name in fields:
            assert getattr(entry, name) == getattr(instance, name), name
    else:
        previous = entry.prev_record
        delta = {c.field: (c.old, c.new) for c in entry.diff_against(previous).changes}
        for name in changed:
            assert name in delta, f"{name} not in the audited change {sorted(delta)}"
            old, new = delta[name]
            assert old != new
            assert new == getattr(instance, name if name in fields else f"{name}_id")


def refuses_deletion(instance):
    with pytest.raises(NotImplementedError):
        instance.delete()
    with pytest.raises(NotImplementedError):
        type(instance).objects.filter(pk=instance.pk).delete()
    assert type(instance).objects.filter(pk=instance.pk).exists()


# --- the writes, model by model ---------------------------------------------------


def patient_writes(world, admin_client):
    nurse = world.users["nurse"]
    patient = patient_services.create_patient(
        actor=nurse,
        site=world.patient.site,
        mrn="AUDIT-1",
        family_name="Audit",
        given_name="Anna",
        date_of_birth=world.patient.date_of_birth,
        sex="female",
        histology="papillary",
    )
    assert_audited(patient, kind="+", user=nurse)
    patient = patient_services.update_patient(
        actor=nurse, patient=patient, reason="Weighed", baseline_weight_kg=71
    )
    assert_audited(patient, kind="~", user=nurse, changed=("baseline_weight_kg",))
    assert latest_entry(patient).history_change_reason == "Weighed"
    refuses_deletion(patient)


def molecular_finding_writes(world, admin_client):
    nurse = world.users["nurse"]
    finding = patient_services.record_molecular_finding(
        actor=nurse, patient=world.patient, marker="braf_v600e", result="not_tested"
    )
    assert_audited(finding, kind="+", user=nurse)
    finding = patient_services.record_molecular_finding(
        actor=nurse,
        patient=world.patient,
        marker="braf_v600e",
        result="positive",
        reason="Result came back",
    )
    assert_audited(finding, kind="~", user=nurse, changed=("result",))
    refuses_deletion(finding)


def course_writes(world, admin_client):
    oncologist = world.users["oncologist"]
    assert_audited(world.course, kind="+", user=oncologist)
    # No service or URL changes a course after it starts: its dose lives in the ledger.
    from patients.api import CourseDetailApi

    assert not any(hasattr(CourseDetailApi, m) for m in ("put", "patch", "delete"))
    refuses_deletion(world.course)


def dose_change_writes(world, admin_client):
    oncologist = world.users["oncologist"]
    change = patient_services.apply_dose_change(
        actor=oncologist, course=world.course, kind="reduce", dose_after_mg=20, reason="Fatigue"
    )
    assert_audited(change, kind="+", user=oncologist)
    change.reason = "Rewritten"
    with pytest.raises(NotImplementedError):  # the ledger is append-only
        change.save()
    refuses_deletion(change)


def visit_writes(world, admin_client):
    nurse = world.users["nurse"]
    assert_audited(world.visit, kind="~", user=SYSTEM)  # the evaluation marked it
    assert world.visit.history.filter(history_type="+", history_user=nurse).exists()
    visit = visits.edit_visit(actor=nurse, visit=world.visit, reason="Typo", note="Corrected")
    assert_audited(visit, kind="~", user=nurse, changed=("note", "revision"))
    refuses_deletion(visit)


def observation_writes(world, admin_client):
    nurse = world.users["nurse"]
    observation = world.visit.observations.get(term="hypertension")
    assert_audited(observation, kind="+", user=nurse)
    visits.edit_visit(
        actor=nurse,
        visit=world.visit,
        reason="Second reading misread",
        observations=[{"term": "hypertension", "readings": [[166, 102], [150, 96]]}],
    )
    observation.refresh_from_db()
    assert_audited(observation, kind="~", user=nurse, changed=("measurements",))
    refuses_deletion(observation)


def recommendation_writes(world, admin_client):
    oncologist = world.users["oncologist"]
    assert_audited(world.recommendation, kind="+", user=SYSTEM)
    signed = decisions.decide_recommendation(
        actor=oncologist, recommendation=world.recommendation, decision="approve", password=PASSWORD
    )
    assert_audited(signed, kind="~", user=oncologist, changed=("status", "signature_sha256"))
    refuses_deletion(signed)


def correction_writes(world, admin_client):
    oncologist = world.users["oncologist"]
    signed = decisions.decide_recommendation(
        actor=oncologist, recommendation=world.recommendation, decision="approve", password=PASSWORD
    )
    correction = corrections.correct_decision(
        actor=oncologist,
        recommendation=signed,
        password=PASSWORD,
        corrected_reason="Grade 3 hypertension",
        explanation="Reason missing",
    )
    assert_audited(correction, kind="+", user=oncologist)
    correction.explanation = "Rewritten"
    from toxicity.models import SignedRecordError

    with pytest.raises(SignedRecordError):  # a correction of a correction is a new one
        correction.save()
    refuses_deletion(correction)


def rule_row_confirmation_writes(world, admin_client):
    """Made once by a pharmacist, never changed (a changed row needs a new one)."""
    pharmacist = world.users["pharmacist"]
    confirmation = signoff.confirm_rule_row(
        actor=pharmacist,
        site=world.patient.site,
        drug=world.rule_set[0],
        rule_set=world.rule_set[1],
        rule_id=world.unconfirmed_rule_id,
        label_section="Label section 2.6",
        checked_on=timezone.localdate(),
    )
    assert_audited(confirmation, kind="+", user=pharmacist)
    refuses_deletion(confirmation)


def rule_set_signoff_writes(world, admin_client):
    pharmacist = world.users["pharmacist"]
    signed = signoff.sign_off_rule_set(
        actor=pharmacist,
        site=world.patient.site,
        drug=world.rule_set[0],
        rule_set=world.rule_set[1],
        fingerprint=signoff.current_fingerprint(*world.rule_set),
        password=PASSWORD,
    )
    assert_audited(signed, kind="+", user=pharmacist)
    from toxicity.models import SignedRecordError

    signed.signer_name = "Someone else"
    with pytest.raises(SignedRecordError):  # a new version is a new sign-off
        signed.save()
    refuses_deletion(signed)


def alert_writes(world, admin_client):
    nurse = world.users["nurse"]
    alert = alert_services.raise_alert(
        kind=AlertKind.HIGH_GRADE,
        severity=Severity.ROUTINE,
        course=world.course,
        about=world.visit,
        dedupe_key="audit-test",
        summary="Fatigue grade 3 at today's visit.",
    )
    assert_audited(alert, kind="+", user=SYSTEM)
    alert = alert_services.acknowledge_alert(actor=nurse, alert=alert)
    assert_audited(alert, kind="~", user=nurse, changed=("acknowledged_at", "acknowledged_by"))
    refuses_deletion(alert)


def site_writes(world, admin_client):
    """Sites and memberships are set up in the admin (SimpleHistoryAdmin records the user)."""
    operator = admin_client.operator
    site = Site(name="Audit clinic", code="aud")
    site._history_user = operator
    site.save()
    assert_audited(site, kind="+", user=operator)
    site.name = "Audit clinic (renamed)"
    site._history_user = operator
    site.save()
    assert_audited(site, kind="~", user=operator, changed=("name",))
    with pytest.raises(ProtectedError):  # a site with patients is never deleted
        world.patient.site.delete()


def membership_writes(world, admin_client):
    operator = admin_client.operator
    membership = SiteMembership(user=UserFactory(), site=world.patient.site, role=Role.NURSE)
    membership._history_user = operator
    membership.save()
    assert_audited(membership, kind="+", user=operator)
    membership.role = Role.ONCOLOGIST
    membership._history_user = operator
    membership.save()
    assert_audited(membership, kind="~", user=operator, changed=("role",))
    # Leaving a site ends access: the deletion is kept in the audit with the old values.
    membership._history_user = operator
    membership_id = membership.pk
    membership.delete()
    entry = SiteMembership.history.filter(id=membership_id).order_by("-history_id").first()
    assert (entry.history_type, entry.history_user, entry.role) == ("-", operator, "oncologist")


def admin_form_writes(model, world, admin_client, add: dict, change: dict):
    """Routing and triage settings are data edited in the Django admin (SimpleHistoryAdmin
    records the user)."""
    operator = admin_client.operator
    app, name = model._meta.app_label, model._meta.model_name
    response = admin_client.post(reverse(f"admin:{app}_{name}_add"), add)
    assert response.status_code == 302, response.content
    row = model.objects.latest("pk")
    assert_audited(row, kind="+", user=operator)
    url = reverse(f"admin:{app}_{name}_change", args=[row.pk])
    assert admin_client.post(url, add | change).status_code == 302
    row.refresh_from_db()
    assert_audited(row, kind="~", user=operator, changed=tuple(change))
    url = reverse(f"admin:{app}_{name}_delete", args=[row.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    entry = model.history.filter(id=row.pk).order_by("-history_id").first()
    assert (entry.history_type, entry.history_user) == ("-", operator)


def route_writes(world, admin_client):
    site = world.patient.site_id
    add = {"site": site, "kind": "high_grade", "level": 0, "audience": "nurse_team"}
    admin_form_writes(Route, world, admin_client, add, {"level": 1})


def site_routing_writes(world, admin_client):
    add = {"site": world.patient.site_id, "escalate_after_minutes": 60}
    admin_form_writes(SiteRouting, world, admin_client, add, {"escalate_after_minutes": 30})


def course_routing_writes(world, admin_client):
    add = {"course": world.course.pk, "treating_oncologist": ""}
    change = {"treating_oncologist": world.users["oncologist"].pk}
    admin_form_writes(CourseRouting, world, admin_client, add, change)


def _patient_account(world):
    from tests.reports.factories import patient_account

    return patient_account(world.users["nurse"], world.patient)


def patient_account_writes(world, admin_client):
    account = _patient_account(world)
    assert_audited(account, kind="+", user=account.user)  # the patient opened it


def invitation_writes(world, admin_client):
    from reports import services as report_services
    from reports.models import Invitation

    nurse = world.users["nurse"]
    new = report_services.invite(actor=nurse, patient=world.patient, channel="printed")
    assert_audited(new.record, kind="+", user=nurse)
    account = report_services.accept_invitation(
        code=new.code,
        username="audited",
        password="a long patient password 42",
        password2="a long patient password 42",
    )
    assert_audited(
        Invitation.objects.get(pk=new.record.pk),
        kind="~",
        user=account.user,
        changed=("used_at", "account"),
    )


def symptom_report_writes(world, admin_client):
    from tests.reports.factories import weekly_report

    account = _patient_account(world)
    report = weekly_report(account, anything_else="Tired")
    assert_audited(report, kind="+", user=account.user)
    refuses_deletion(report)


def symptom_answer_writes(world, admin_client):
    from tests.reports.factories import weekly_report

    account = _patient_account(world)
    answer = weekly_report(account).answers.get()
    assert_audited(answer, kind="+", user=account.user)
    refuses_deletion(answer)


def home_bp_writes(world, admin_client):
    from reports import services as report_services

    account = _patient_account(world)
    (reading,) = report_services.record_home_bp(
        account=account,
        sessions=[{"period": "morning", "taken_at": timezone.now(), "sbp1": 150, "dbp1": 95}],
    )
    assert_audited(reading, kind="+", user=account.user)
    refuses_deletion(reading)


def dose_report_writes(world, admin_client):
    from reports import services as report_services

    account = _patient_account(world)
    report = report_services.record_dose(
        account=account, day=timezone.localdate(), status="missed", reason="Forgot"
    )
    assert_audited(report, kind="+", user=account.user)
    refuses_deletion(report)


def reminder_schedule_writes(world, admin_client):
    from reports import reminders
    from reports.models import ReminderSchedule
    from tests.reports.factories import emailed_account, reminder_with_stop_link

    account = emailed_account(world.users["nurse"], world.patient, username="reminded")
    reminder, _token = reminder_with_stop_link(account)
    schedule = ReminderSchedule.objects.get(account=account)
    assert_audited(schedule, kind="+", user=account.user)  # the patient turned them on
    reminders.stop_by_link(reminder)
    schedule.refresh_from_db()
    assert_audited(schedule, kind="~", user=account.user, changed=("enabled",))


def triage_item_writes(world, admin_client):
    from reports import triage
    from reports.models import TriageItem
    from tests.reports.factories import weekly_report

    report = weekly_report(_patient_account(world), {"diarrhea": {"frequency": 4}})
    item = TriageItem.objects.get(report=report)
    assert item.history.earliest("history_id").history_type == "+"
    assert_audited(item, kind="~", user=SYSTEM, changed=("alert",))  # raised, then alerted
    nurse = world.users["nurse"]
    item = triage.grade_item(actor=nurse, item=item, grades={"diarrhea": 3}, graded_how="call")
    changed = ("status", "closed_at", "closed_by", "visit")
    assert_audited(item, kind="~", user=nurse, changed=changed)
    refuses_deletion(item)


def report_policy_writes(world, admin_client):
    add = {
        "site": world.patient.site_id,
        "alert_composite_grade": 3,
        "alert_home_bp_grade": 3,
        "alert_worsening_points": 2,
        "alert_on_anything_else": "on",
    }
    from reports.models import ReportPolicy

    admin_form_writes(ReportPolicy, world, admin_client, add, {"alert_composite_grade": 2})


def _reports_models():
    from reports import models as report_models

    return {
        report_models.PatientAccount: patient_account_writes,
        report_models.Invitation: invitation_writes,
        report_models.SymptomReport: symptom_report_writes,
        report_models.SymptomAnswer: symptom_answer_writes,
        report_models.HomeBloodPressure: home_bp_writes,
        report_models.DoseReport: dose_report_writes,
        report_models.ReminderSchedule: reminder_schedule_writes,
        report_models.TriageItem: triage_item_writes,
        report_models.ReportPolicy: report_policy_writes,
    }


# --- the disease course (disease/services) -----------------------------------------


def disease_status_writes(world, admin_client):
    nurse, oncologist = world.users["nurse"], world.users["oncologist"]
    fields = {"on_active_surveillance": True, "surveillance_since": timezone.localdate()}
    status = disease_status.record_disease_status(
        actor=nurse, patient=world.patient, reason="Clinic", imaging_interval_months=6, **fields
    )
    assert_audited(status, kind="+", user=nurse)
    status = disease_status.record_disease_status(
        actor=oncologist,
        patient=world.patient,
        reason="Sooner scans",
        imaging_interval_months=3,
        version=1,
        **fields,
    )
    assert_audited(status, kind="~", user=oncologist, changed=("imaging_interval_months",))
    assert latest_entry(status).history_change_reason == "Sooner scans"
    refuses_deletion(status)


def _studies(world):
    nurse = world.users["nurse"]
    base_on = timezone.localdate() - timedelta(days=200)

    def study(on, diameter, baseline):
        return imaging.record_imaging_study(
            actor=nurse,
            patient=world.patient,
            performed_on=on,
            modality="ct",
            targets=[{"label": "T1", "organ": "lung", "diameter_mm": diameter}],
            non_target="absent",
            baseline=baseline,
        )

    baseline = study(base_on, 30, True)
    later = study(base_on + timedelta(days=120), 24, False)
    # A study between the two moves the later one's nadir: it is assessed again, audited.
    study(base_on + timedelta(days=60), 18, False)
    later.refresh_from_db()
    return nurse, baseline, later


def imaging_study_writes(world, admin_client):
    nurse, baseline, later = _studies(world)
    assert_audited(baseline, kind="+", user=nurse)
    assert_audited(later, kind="~", user=nurse, changed=("nadir_mm", "response"))
    refuses_deletion(later)


def target_lesion_writes(world, admin_client):
    nurse, baseline, _ = _studies(world)
    lesion = baseline.targets.get()
    assert_audited(lesion, kind="+", user=nurse)
    # Measurements are never edited: a later study records the lesion again.
    refuses_deletion(lesion)


def tg_lab_writes(world, admin_client):
    nurse = world.users["nurse"]
    lab = disease_labs.record_tg_lab(
        actor=nurse,
        patient=world.patient,
        drawn_on=timezone.localdate(),
        tg_ng_ml=2,
        anti_tg_antibody="negative",
        tsh_miu_l=None,
        assay="A",
    )
    assert_audited(lab, kind="+", user=nurse)
    refuses_deletion(lab)


def _board(world):
    entry = disease_board.add_board_entry(
        actor=world.users["nurse"], patient=world.patient, question="MKI now?"
    )
    decision = disease_board.decide_board_entry(
        actor=world.users["oncologist"],
        entry=entry,
        meeting_on=timezone.localdate(),
        outcome="watch",
        attendees="Oncology, surgery",
        reason="Stable",
        password=PASSWORD,
    )
    entry.refresh_from_db()
    return entry, decision


def board_entry_writes(world, admin_client):
    entry, _ = _board(world)
    assert_audited(entry, kind="~", user=world.users["oncologist"], changed=("status",))
    assert entry.history.earliest("history_id").history_user == world.users["nurse"]
    refuses_deletion(entry)


def board_decision_writes(world, admin_client):
    _, decision = _board(world)
    assert_audited(decision, kind="+", user=world.users["oncologist"])
    refuses_deletion(decision)
    # A course started from a "start MKI" decision is written on the decision too.
    oncologist = world.users["oncologist"]
    entry = disease_board.add_board_entry(
        actor=world.users["nurse"], patient=world.patient, question="Switch to sorafenib?"
    )
    start = disease_board.decide_board_entry(
        actor=oncologist,
        entry=entry,
        meeting_on=timezone.localdate(),
        outcome="start_mki",
        drug="sorafenib",
        attendees="Oncology, surgery",
        reason="Progression on lenvatinib",
        password=PASSWORD,
    )
    course = disease_board.start_course_from_decision(
        actor=oncologist,
        decision=start,
        start_date=timezone.localdate(),
        starting_dose_mg=800,
        line_of_therapy=2,
        concurrent_course_reason="Switching today; lenvatinib ends tonight",
    )
    start.refresh_from_db()
    assert start.course == course
    assert_audited(start, kind="~", user=oncologist, changed=("course",))
    assert_audited(course, kind="+", user=oncologist)


def user_preference_writes(world, admin_client):
    from patients import languages

    nurse = world.users["nurse"]
    preference = languages.set_language(actor=nurse, language="zh-hans")
    assert_audited(preference, kind="+", user=nurse)
    languages.set_language(actor=nurse, language="en-gb")
    preference.refresh_from_db()
    assert_audited(preference, kind="~", user=nurse, changed=("language",))


WRITES = {
    UserPreference: user_preference_writes,
    DiseaseStatus: disease_status_writes,
    ImagingStudy: imaging_study_writes,
    TargetLesion: target_lesion_writes,
    ThyroglobulinLab: tg_lab_writes,
    BoardEntry: board_entry_writes,
    BoardDecision: board_decision_writes,
    Patient: patient_writes,
    MolecularFinding: molecular_finding_writes,
    TreatmentCourse: course_writes,
    DoseChange: dose_change_writes,
    Visit: visit_writes,
    Observation: observation_writes,
    Recommendation: recommendation_writes,
    DecisionCorrection: correction_writes,
    RuleRowConfirmation: rule_row_confirmation_writes,
    RuleSetSignOff: rule_set_signoff_writes,
    Alert: alert_writes,
    Site: site_writes,
    SiteMembership: membership_writes,
    Route: route_writes,
    SiteRouting: site_routing_writes,
    CourseRouting: course_routing_writes,
    **_reports_models(),
}


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    client.operator = superuser
    return client


def test_every_audited_model_has_a_row():
    missing = sorted(m.__name__ for m in audited_models() if m not in WRITES)
    assert not missing, f"audited models without a row in WRITES: {missing}"


@pytest.mark.parametrize("model", list(WRITES), ids=lambda m: m.__name__)
def test_each_write_leaves_an_audit_entry(model, world, admin_client):
    WRITES[model](world, admin_client)


# --- nothing edits or deletes an audit entry ---------------------------------------


def test_no_historical_model_is_registered_in_the_admin():
    registered = [m.__name__ for m in admin.site._registry if issubclass(m, HistoricalChanges)]
    assert not registered


def test_no_api_view_serves_a_historical_model():
    served = []
    for name, _, callback in url_patterns():
        view = getattr(callback, "cls", None)
        serializer = getattr(view, "serializer_class", None)
        model = getattr(getattr(serializer, "Meta", None), "model", None)
        queryset = getattr(view, "queryset", None)
        for candidate in (model, getattr(queryset, "model", None)):
            if candidate is not None and issubclass(candidate, HistoricalChanges):
                served.append(name)
    assert not served


def test_no_url_outside_the_admin_leads_to_history():
    routes = [route for _, route, _ in url_patterns() if not route.startswith("admin/")]
    assert not [route for route in routes if "history" in route]


def test_the_admin_history_page_refuses_to_revert(admin_client, world):
    route = Route.objects.create(
        site=world.patient.site, kind="high_grade", level=0, audience="nurse_team"
    )
    first = route.history.get()
    route.level = 1
    route.save()
    url = reverse("admin:notifications_route_simple_history", args=[route.pk, first.history_id])
    assert admin_client.get(url).status_code == 200  # the version can be read
    response = admin_client.post(
        url, {"site": route.site_id, "kind": "high_grade", "level": 0, "audience": "nurse_team"}
    )
    assert response.status_code == 403
    route.refresh_from_db()
    assert route.level == 1


def test_the_admin_cannot_change_or_delete_an_alert(admin_client, world):
    change = reverse("admin:notifications_alert_change", args=[world.alert.pk])
    delete = reverse("admin:notifications_alert_delete", args=[world.alert.pk])
    assert admin_client.post(change, {"summary": "Rewritten"}).status_code == 403
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert Alert.objects.get(pk=world.alert.pk).summary == world.alert.summary


def test_the_admin_cannot_delete_the_delivery_trail(admin_client, world):
    delete = reverse("admin:notifications_delivery_delete", args=[world.delivery.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert world.alert.deliveries.filter(pk=world.delivery.pk).exists()

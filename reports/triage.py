"""Triage of patient reports: which reports a nurse grades, the alert, and the grading.

A weekly report, or home readings sent outside one, that meets a criterion of the
site's policy (reports.criteria; ReportPolicy per site) becomes one TriageItem and one
"patient report needs grading" alert (notifications, AlertKind.PRO_REPORT: the nurse
team, then the treating oncologist). `raise_for_report` and `raise_for_home_bp` are
called by reports.services inside the transaction that stores the report, so a report
and its item are stored together or not at all; both are idempotent (the item is
unique per report or reading, the alert per item).

Grading closes the item: the nurse grades each reported symptom with its CTCAE v5.0
term (reports.items.CTCAE_TERM), and hypertension from the home readings, and
`grade_item` records that as ONE visit through toxicity.services.visits.log_visit
(observations of source "patient"). The engine evaluates it like any visit: a
recommendation comes only from the nurse's grades; the report itself never changes a
dose (policy.md point 8).

A patient with no running treatment course still gets an item (the clinic sees it on
the queue), but no alert: alerts are routed by course, and there is no course to
record a visit on, so such an item is closed with a note.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications import services as alert_services
from notifications.emails import TrackerText, app_url
from notifications.models import AlertKind, Severity
from patients import limits
from patients import selectors as patient_selectors
from patients.access import has_role
from patients.audit import audit
from patients.models import Patient, Role, TreatmentCourse
from reports import criteria, items
from reports.models import (
    GradedHow,
    HomeBloodPressure,
    ReportPolicy,
    SymptomReport,
    TriageItem,
    TriageStatus,
)
from toxicity.models import AntihypertensiveTherapy, ObservationSource, Visit
from toxicity.services import visits

log = logging.getLogger(__name__)

GRADERS = (Role.NURSE, Role.ONCOLOGIST)
# Readings older than this in a sending (a monitor's export keeps months) are history,
# kept but not news: the same window a patient may type readings for.
RECENT_READINGS = timedelta(days=14)
SUMMARY_CHARS = 300
HYPERTENSION = "hypertension"


class ItemClosed(Exception):
    """The item was graded already (by someone else, or a second click)."""

    def __init__(self, item: TriageItem):
        self.item = item
        who = item.closed_by.get_username() if item.closed_by else "?"
        when = timezone.localtime(item.closed_at, item.patient.site.zone)
        super().__init__(
            _("This report was graded already, by %(who)s at %(when)s; nothing was changed.")
            % {"who": who, "when": f"{when:%d %b %Y %H:%M} {when.tzname()}"}
        )


# --- the policy -------------------------------------------------------------------


def thresholds_for(site_id: int) -> criteria.Thresholds:
    """The site's triage settings; the defaults when the site has none."""
    policy = ReportPolicy.objects.filter(site_id=site_id).first()
    return policy.thresholds if policy is not None else criteria.DEFAULTS


def running_course(patient: Patient) -> TreatmentCourse | None:
    """The patient's course being taken or on hold now (the newest, if several)."""
    courses = patient_selectors.with_ledger(TreatmentCourse.objects.filter(patient=patient))
    for course in courses:  # newest first (TreatmentCourse.Meta.ordering)
        state = patient_selectors.dose_state(course)
        if not state.ended and state.status != "not_started":
            return course
    return None


# --- raising ----------------------------------------------------------------------


def _titles() -> dict[str, str]:
    return {key: item.title for key, item in items.ITEMS.items()}


def _composites(report: SymptomReport) -> dict[str, int]:
    return dict(report.answers.values_list("item", "composite_grade"))


def previous_report(report: SymptomReport) -> SymptomReport | None:
    return (
        SymptomReport.objects.filter(patient_id=report.patient_id)
        .exclude(pk=report.pk)
        .filter(submitted_at__lte=report.submitted_at)
        .exclude(submitted_at=report.submitted_at, pk__gt=report.pk)
        .order_by("-submitted_at", "-id")
        .first()
    )


def raise_for_report(report: SymptomReport) -> TriageItem | None:
    """The weekly report's item, if it meets a criterion (and its alert)."""
    existing = TriageItem.objects.filter(report=report).first()
    if existing is not None:
        return existing
    previous = previous_report(report)
    found = criteria.reasons(
        thresholds_for(report.patient.site_id),
        composites=_composites(report),
        previous=_composites(previous) if previous is not None else {},
        home_bp_grades=[bp.ctcae_grade for bp in report.home_bp.all()],
        anything_else=report.anything_else,
        titles=_titles(),
    )
    if not found:
        return None
    return _raise(report.patient, found, raised_at=report.submitted_at, report=report)


def raise_for_home_bp(readings: Sequence[HomeBloodPressure]) -> TriageItem | None:
    """Home readings sent on their own (typed or imported): one item for the sending,
    linked to its worst recent sitting, if that meets the home BP criterion."""
    now = timezone.now()
    recent = [
        bp for bp in readings if bp.report_id is None and bp.taken_at >= now - RECENT_READINGS
    ]
    if not recent:
        return None
    worst = max(recent, key=lambda bp: (bp.ctcae_grade, bp.taken_at, bp.pk))
    existing = TriageItem.objects.filter(home_bp=worst).first()
    if existing is not None:
        return existing
    patient = worst.patient
    found = criteria.reasons(
        thresholds_for(patient.site_id),
        composites={},
        home_bp_grades=[worst.ctcae_grade],
    )
    if not found:
        return None
    return _raise(patient, found, raised_at=worst.recorded_at, home_bp=worst)


def _summary(found: Sequence[criteria.Reason]) -> str:
    text = criteria.summary(found)
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1] + "…"


def _grade_it(item: TriageItem) -> str:
    link = app_url(reverse("patient-reports:triage-item", args=[item.pk]))
    return (
        f"Grade the report with CTCAE: {link} (a composite is not a CTCAE grade and "
        "changes no dose)."
    )[:SUMMARY_CHARS]


def _raise(patient: Patient, found, *, raised_at, report=None, home_bp=None) -> TriageItem:
    course = running_course(patient)
    urgent = any(reason.urgent for reason in found)
    item = TriageItem(
        patient=patient,
        report=report,
        home_bp=home_bp,
        course=course,
        raised_at=raised_at,
        urgent=urgent,
        reasons=[reason.as_dict() for reason in found],
        summary=_summary(found),
    )
    audit(item, actor=None, reason="Raised by the patient's report")
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        # Raced: the same report's item was stored by another request first.
        return (
            TriageItem.objects.get(report=report)
            if report
            else TriageItem.objects.get(home_bp=home_bp)
        )
    if course is None:
        log.info("Triage item %s: no running course, no alert", item.pk)
        return item
    try:
        alert = alert_services.raise_alert(
            kind=AlertKind.PRO_REPORT,
            severity=Severity.URGENT if urgent else Severity.ROUTINE,
            course=course,
            about=item,
            dedupe_key=f"triage-item:{item.pk}",
            summary=TrackerText(item.summary),
            recommended_action=TrackerText(_grade_it(item)),
        )
    except Exception:
        # The report is kept and the item is on the queue; only the email is missing.
        log.exception("Alert for triage item %s could not be raised", item.pk)
        return item
    item.alert = alert
    audit(item, actor=None, reason="Alert raised")
    item.save(update_fields=["alert"])
    return item


# --- grading ----------------------------------------------------------------------


def worst_sitting(item: TriageItem) -> HomeBloodPressure | None:
    """The readings hypertension is graded from: the item's sitting, or the report's worst."""
    if item.home_bp_id is not None:
        return item.home_bp
    if item.report_id is None:
        return None
    sittings = list(item.report.home_bp.all())
    return max(sittings, key=lambda bp: (bp.ctcae_grade, bp.taken_at, bp.pk), default=None)


def current_therapy(item: TriageItem) -> str:
    """The antihypertensive therapy of the course's last visit (none before any visit)."""
    if item.course_id is None:
        return AntihypertensiveTherapy.NONE
    last = (
        Visit.objects.filter(course_id=item.course_id)
        .order_by("-occurred_at", "-id")
        .values_list("antihypertensive_therapy", flat=True)
        .first()
    )
    return last or AntihypertensiveTherapy.NONE


def symptoms_to_grade(item: TriageItem) -> list[tuple[str, bool]]:
    """(PRO item key, raised it) for every symptom the report answered, survey order."""
    if item.report_id is None:
        return []
    answered = set(item.report.answers.values_list("item", flat=True))
    raised = {r["item"] for r in item.reasons if r.get("item")}
    return [(i.key, i.key in raised) for i in items.SURVEY if i.key in answered]


def _grade_or_error(value, field: str, errors: dict) -> int | None:
    if value in (None, ""):
        return None
    try:
        grade = int(value)
    except (TypeError, ValueError):
        errors[field] = _("Choose a grade.")
        return None
    if not 0 <= grade <= 5:
        errors[field] = _("Choose a grade.")
        return None
    return grade


@transaction.atomic
def grade_item(
    *,
    actor,
    item: TriageItem,
    grades: Mapping[str, int | str | None],
    hypertension_grade: int | str | None = None,
    lowering_reason: str = "",
    antihypertensive_therapy: str = AntihypertensiveTherapy.NONE,
    graded_how: str,
    note: str = "",
) -> TriageItem:
    """Records the nurse's CTCAE grades of the report as one visit and closes the item.

    `grades` are per PRO item key; a symptom that raised the item must be graded.
    Nothing is written unless everything is valid; a closed item raises ItemClosed.
    """
    item = (
        TriageItem.objects.select_for_update(of=("self",))
        .select_related("patient__site", "closed_by", "course", "report", "home_bp")
        .get(pk=item.pk)
    )
    if not has_role(actor, item.patient.site_id, *GRADERS):
        raise PermissionDenied(_("Only the site's nurses and oncologists grade patient reports."))
    if not item.is_open:
        raise ItemClosed(item)
    note = (note or "").strip()
    lowering_reason = (lowering_reason or "").strip()
    errors: dict[str, str] = {}
    if graded_how not in GradedHow.values:
        errors["graded_how"] = _("Say how you graded it: from the report, or after a call.")
    errors |= limits.text_errors(
        note=(note, limits.NOTE_CHARS), lowering_reason=(lowering_reason, limits.REASON_CHARS)
    )
    observations: list[dict] = []
    fields: list[str] = []
    # Without a running course there is no visit to record grades on: a note closes it.
    symptoms = symptoms_to_grade(item) if item.course_id is not None else []
    unknown = set(grades) - {key for key, _raised in symptoms}
    for key in sorted(unknown):
        if grades[key] not in (None, "") and item.course_id is not None:
            errors[f"grade_{key}"] = _("This symptom is not in the report.")
    for key, raised in symptoms:
        field = f"grade_{key}"
        grade = _grade_or_error(grades.get(key), field, errors)
        if grade is None:
            if raised and field not in errors:
                errors[field] = _("Grade this symptom: it is why the report needs grading.")
            continue
        observations.append(
            {"term": items.CTCAE_TERM[key], "grade": grade, "source": ObservationSource.PATIENT}
        )
        fields.append(field)
    sitting = worst_sitting(item)
    if sitting is not None and item.course_id is not None:
        observation: dict = {
            "term": HYPERTENSION,
            "readings": [list(pair) for pair in sitting.readings],
            "source": ObservationSource.PATIENT,
        }
        grade = _grade_or_error(hypertension_grade, "grade_hypertension", errors)
        if grade is not None:
            observation["grade"] = grade
        if lowering_reason:
            observation["lowering_reason"] = lowering_reason
        observations.append(observation)
        fields.append("grade_hypertension")
    elif lowering_reason:
        errors["lowering_reason"] = _("There are no home readings to grade.")
    if item.course_id is None and any(v not in (None, "") for v in grades.values()):
        errors["__all__"] = _(
            "The patient has no running treatment course: there is no visit to record "
            "these grades on. Close the item with a note."
        )
    if not observations and not note:
        errors["note"] = _("Nothing is graded: say in the note what you did.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    visit = None
    if observations:
        when = timezone.localtime(item.raised_at, item.patient.site.zone)
        how = GradedHow(graded_how).label
        visit_note = f"Graded from the patient's report of {when:%d %b %Y} ({how})."
        if note:
            visit_note += f" {note}"
        try:
            visit = visits.log_visit(
                actor=actor,
                course=item.course,
                occurred_at=now,
                observations=observations,
                note=visit_note[: limits.NOTE_CHARS],
                antihypertensive_therapy=antihypertensive_therapy,
                reason=f"Patient report graded (triage item {item.pk})",
            )
        except ValidationError as refused:
            raise ValidationError(_form_errors(refused, fields)) from None
    item.status = TriageStatus.CLOSED
    item.closed_at = now
    item.closed_by = actor
    item.graded_how = graded_how
    item.note = note
    item.visit = visit
    audit(item, actor=actor, reason="Graded" + (f" as visit {visit.pk}" if visit else ""))
    item.save()
    if item.alert_id is not None:
        alert_services.acknowledge_alert(
            actor=actor,
            alert=item.alert,
            via="graded",
            acknowledgement=f"Patient report graded (visit V{visit.pk})"
            if visit
            else "Patient report closed with a note",
        )
    return item


def _form_errors(refused: ValidationError, fields: list[str]) -> dict[str, list[str]]:
    """log_visit's errors ("observations[1].grade") on the grading form's fields."""
    out: dict[str, list[str]] = {}
    for key, messages in refused.message_dict.items():
        target = "__all__"
        if key.startswith("observations["):
            index = int(key[len("observations[") : key.index("]")])
            rest = key[key.index("]") + 1 :]
            if index < len(fields):
                target = fields[index]
                if rest == ".lowering_reason":
                    target = "lowering_reason"
        out.setdefault(target, []).extend(messages)
    return out

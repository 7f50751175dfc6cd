"""Reads of patient reports. The ``own_*`` reads take the patient account and filter by
its patient: a patient reaches no other patient's rows whatever id it asks for."""

from __future__ import annotations

from itertools import chain

from django.db.models import Prefetch
from django.utils.translation import gettext

from patients.models import Patient
from reports import items
from reports.models import (
    DoseReport,
    HomeBloodPressure,
    PatientAccount,
    SymptomAnswer,
    SymptomReport,
)
from reports.triage_selectors import alert_share_by_site as alert_share_by_site
from reports.triage_selectors import item_page as item_page
from reports.triage_selectors import open_count as open_count
from reports.triage_selectors import triage_queue as triage_queue

RECENT = 10


def own_recent(account: PatientAccount) -> list:
    """The patient's last reports, readings and dose notes, newest first."""
    patient = account.patient
    reports = SymptomReport.objects.filter(patient=patient)[:RECENT]
    readings = HomeBloodPressure.objects.filter(patient=patient, report=None)[:RECENT]
    doses = DoseReport.objects.filter(patient=patient)[:RECENT]

    def when(row):
        return (
            getattr(row, "submitted_at", None) or getattr(row, "taken_at", None) or row.recorded_at
        )

    return sorted(chain(reports, readings, doses), key=when, reverse=True)[:RECENT]


def sent_with(account: PatientAccount, submission) -> SymptomReport | None:
    """The report this account already sent from the survey form drawn with this id."""
    if submission is None:
        return None
    return SymptomReport.objects.filter(account=account, submission=submission).first()


def own_report(account: PatientAccount, report_id) -> SymptomReport | None:
    try:
        report_id = int(report_id)
    except (TypeError, ValueError):
        return None
    return SymptomReport.objects.filter(patient=account.patient, pk=report_id).first()


def answers_for_patient(report: SymptomReport) -> list[tuple]:
    """(item, answer, [(question, answer words)]) in the survey's order."""
    by_item = {answer.item: answer for answer in report.answers.all()}
    out = []
    for item in items.SURVEY:
        answer = by_item.get(item.key)
        if answer is None:
            continue
        said = []
        for question in item.questions:
            value = getattr(answer, question.attribute)
            if value is not None:
                said.append((question.text_in(gettext), gettext(dict(question.choices)[value])))
        out.append((item, answer, said))
    return out


def clinic_reports(patient: Patient) -> list[dict]:
    reports = (
        SymptomReport.objects.filter(patient=patient)
        .prefetch_related(
            Prefetch("answers", queryset=SymptomAnswer.objects.order_by("item")),
            "home_bp",
        )
        .select_related("account", "triage_item__closed_by")
    )
    return [{"report": report, "answers": answers_for_patient(report)} for report in reports]


def home_bp(patient: Patient):
    return HomeBloodPressure.objects.filter(patient=patient).select_related("account")


def dose_reports(patient: Patient):
    return DoseReport.objects.filter(patient=patient).select_related("account", "course")


def accounts(patient: Patient):
    return PatientAccount.objects.filter(patient=patient).select_related("user")


# --- the clinic's timeline and dose figures (tracker) ------------------------------------
# Plain rows, one query per kind whatever the number of reports: the patient page and
# the cohort dashboard read these beside the visits and the ledger.
HOME_BP_FIELDS = (
    "taken_at",
    "period",
    "sbp1",
    "dbp1",
    "sbp2",
    "dbp2",
    "ctcae_grade",
    "provisional",
)


def home_bp_rows(patient_id: int) -> list[tuple]:
    """The patient's home sittings, oldest first, as ``HOME_BP_FIELDS`` tuples."""
    return list(
        HomeBloodPressure.objects.filter(patient_id=patient_id)
        .order_by("taken_at", "id")
        .values_list(*HOME_BP_FIELDS)
    )


def composite_rows(patient_id: int) -> list[tuple]:
    """(report id, sent at, item, PRO-CTCAE composite) of every answer, oldest report
    first: composites, not CTCAE grades."""
    return list(
        SymptomAnswer.objects.filter(report__patient_id=patient_id)
        .order_by("report__submitted_at", "report_id", "item")
        .values_list("report_id", "report__submitted_at", "item", "composite_grade")
    )


def reported_dose_rows(course_ids) -> list[tuple]:
    """(course id, day, status, mg, the clinic's time zone) of the dose reports of the
    courses (ids, or a query of course ids), by course and day, the last recorded of a
    day last. The day is the clinic's calendar day."""
    return list(
        DoseReport.objects.filter(course_id__in=course_ids)
        .order_by("course_id", "date", "recorded_at", "id")
        .values_list("course_id", "date", "status", "dose_mg", "course__patient__site__time_zone")
    )


def item_title(key: str) -> str:
    """An item's short heading (untranslated: the page translates it)."""
    item = items.ITEMS.get(key)
    return item.title if item is not None else key.replace("_", " ").capitalize()

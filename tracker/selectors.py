"""Reads behind the clinicians' pages: worklist, patient page, cohort dashboard, inbox.

Every function issues a fixed number of queries whatever the number of visits,
courses or patients (the page tests count them): rows come back with
``values()`` or one prefetch, and the grouping happens here in Python.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import groupby
from operator import itemgetter
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy, ngettext

from disease import selectors as disease_selectors
from notifications.models import Alert
from notifications.selectors import needing_action
from patients import dosing
from patients import selectors as patient_selectors
from patients.access import clinical_sites, site_roles
from patients.models import DoseChange, Drug, MolecularFinding, Patient, Role, TreatmentCourse
from reports import selectors as report_reads
from reports.completion import missed_two_weeks
from reports.models import BpPeriod
from toxicity import names
from toxicity.ctcae.grading import corrected_calcium_mg_dl
from toxicity.models import (
    SEVERITY,
    Action,
    DueCheck,
    Observation,
    Recommendation,
    RecommendationStatus,
)
from toxicity.selectors import HoldPlan, hold_plans, hold_plans_from_ledgers
from tracker import charts, disease_timeline, metrics

RECENT_GRADE3_DAYS = 14
TREND_VISITS = 6
# The patient page's tables beside the chart: the latest home sittings and weekly
# reports; the rest are on the "Reported from home" page.
RECENT_HOME_READINGS = 10
RECENT_SYMPTOM_REPORTS = 6
# Key labs on the patient page: term -> (label, measurement value key, ULN key).
LAB_SERIES = {
    "alanine_aminotransferase_increased": ("ALT", "value", "uln"),
    "aspartate_aminotransferase_increased": ("AST", "value", "uln"),
    "blood_bilirubin_increased": ("Bilirubin", "value", "uln"),
    "creatinine_increased": ("Creatinine", "value", "uln"),
    "thyroid_stimulating_hormone_increased": ("TSH", "value", "uln"),
}


def term_name(key: str) -> str:
    return names.term_name(key)


def local(moment: datetime) -> datetime:
    """Local wall-clock time without a zone: what the charts draw (and fast to compare)."""
    return timezone.localtime(moment).replace(tzinfo=None)


def sites_of(user) -> list[int]:
    """The sites whose patients the worklist, inbox and cohort show to the user."""
    return clinical_sites(user)


def can_sign(user, site_id: int) -> bool:
    return site_roles(user).get(site_id) == Role.ONCOLOGIST


def courses_with_ledger(courses: QuerySet[TreatmentCourse]) -> list[TreatmentCourse]:
    """The courses, each with its ledger (and who recorded each change) as
    ``prefetched_ledger``, in one more query.

    The same query ``prefetch_related`` would issue, grouped here without its
    machinery (a noticeable part of the patient page's time).
    """
    courses = list(courses)
    by_course: dict[int, list[DoseChange]] = defaultdict(list)
    for change in (
        DoseChange.objects.filter(course_id__in=[c.pk for c in courses])
        .select_related("recorded_by")
        # The signed recommendation a row carries out (held on the toxicity side).
        .annotate(recommendation_id=F("recommendation__id"))
        .order_by("course_id", "effective_at", "id")
    ):
        by_course[change.course_id].append(change)
    for course in courses:
        course.prefetched_ledger = by_course.get(course.pk, [])
    return courses


def ledger_entries(course: TreatmentCourse) -> list[dosing.LedgerEntry]:
    return [change.as_entry() for change in course.prefetched_ledger]


class CourseInfo(NamedTuple):
    """A course and the little of its patient a list shows: plain values, one query."""

    pk: int
    patient_id: int
    drug: str
    start_date: date
    reference_code: str
    family_name: str
    given_name: str
    site_name: str

    @property
    def drug_label(self) -> str:
        return Drug(self.drug).label


_COURSE_FIELDS = (
    "pk",
    "patient_id",
    "drug",
    "start_date",
    "patient__reference_code",
    "patient__family_name",
    "patient__given_name",
    "patient__site__name",
)


def course_infos(courses: QuerySet[TreatmentCourse]) -> list[CourseInfo]:
    return list(map(CourseInfo._make, courses.values_list(*_COURSE_FIELDS)))


def ledgers(courses: QuerySet[TreatmentCourse]) -> dict[int, list[dosing.LedgerEntry]]:
    """course id -> its ledger in order, for every course of ``courses``, in one query."""
    out: dict[int, list[dosing.LedgerEntry]] = defaultdict(list)
    rows = (
        DoseChange.objects.filter(course__in=courses.values("pk"))
        .order_by("course_id", "effective_at", "id")
        .values_list("course_id", "kind", "effective_at", "dose_after_mg")
    )
    for course_id, kind, effective_at, dose in rows:
        out[course_id].append(dosing.LedgerEntry(kind, effective_at, float(dose)))
    return out


# --- patient list --------------------------------------------------------------------------
def patient_list(
    user, *, search: str = "", site_id: int | None = None, drug: str = "", status: str = ""
) -> QuerySet[Patient]:
    """The patients at the user's sites by name, each with ``latest_course_id`` (the
    course started last), filtered in SQL: ``search`` in the name, MRN or reference
    code; ``drug`` and ``status`` ("active", "on_hold", "ended" or "none": no course)
    of the latest course."""
    latest = TreatmentCourse.objects.filter(patient_id=OuterRef("pk")).order_by(
        "-start_date", "-pk"
    )
    patients = patient_selectors.patients_visible_to(user).annotate(
        latest_course_id=Subquery(latest.values("pk")[:1])
    )
    if site_id is not None:
        patients = patients.filter(site_id=site_id)
    if search:
        patients = patients.filter(
            Q(family_name__icontains=search)
            | Q(given_name__icontains=search)
            | Q(mrn__icontains=search)
            | Q(reference_code__icontains=search)
        )
    if drug:
        patients = patients.annotate(latest_drug=Subquery(latest.values("drug")[:1])).filter(
            latest_drug=drug
        )
    if status == "none":
        patients = patients.filter(latest_course_id__isnull=True)
    elif status:
        wanted = (
            [dosing.Status.DISCONTINUED, dosing.Status.COMPLETED] if status == "ended" else [status]
        )
        patients = patients.annotate(
            latest_status=patient_selectors.status_of("latest_course_id")
        ).filter(latest_course_id__isnull=False, latest_status__in=wanted)
    return patients.order_by("family_name", "given_name", "id")


class ListedPatient(NamedTuple):
    pk: int
    family_name: str
    given_name: str
    mrn: str
    reference_code: str
    latest_course_id: int | None


class ListedCourse(NamedTuple):
    """A patient list row's course: its drug and the dose state its ledger gives."""

    pk: int
    drug: str
    state: dosing.DoseState

    @property
    def drug_label(self) -> str:
        return str(Drug(self.drug).label) if self.drug in Drug.values else self.drug


def patient_rows(patients: QuerySet[Patient]) -> QuerySet:
    """``patient_list``'s patients as plain values (ListedPatient), for a page of them."""
    return patients.values_list(*ListedPatient._fields, named=True)


def listed_courses(course_ids: list[int]) -> dict[int, ListedCourse]:
    """course id -> its drug and dose state, for a page's courses: two queries."""
    courses = TreatmentCourse.objects.filter(pk__in=course_ids)
    entries = ledgers(courses)
    return {
        pk: ListedCourse(pk, drug, dosing.derive_dose_state(entries.get(pk, ())))
        for pk, drug in courses.values_list("pk", "drug")
    }


# --- patient page --------------------------------------------------------------------------
@dataclass
class CourseFigures:
    course: TreatmentCourse
    state: dosing.DoseState
    metrics: metrics.CourseMetrics | None
    next_check: DueCheck | None = None
    overdue_checks: list[DueCheck] = field(default_factory=list)
    open_checks: list[DueCheck] = field(default_factory=list)
    pending: list[Recommendation] = field(default_factory=list)
    hold_plan: HoldPlan | None = None
    # The dose intensity as the patient reports it, beside the ledger's; None without
    # a reported day inside the course.
    reported: metrics.ReportedIntensity | None = None

    @property
    def hold_plan_terms(self) -> list[str]:
        return [term_name(t) for t in self.hold_plan.terms] if self.hold_plan else []


@dataclass
class PatientPage:
    patient: Patient
    courses: list[CourseFigures]
    timeline: charts.PatientTimeline
    visits: list[dict[str, Any]]  # newest first: when, and each term's grade
    findings: list[MolecularFinding] = field(default_factory=list)
    # Reported from home, newest first (the latest few; the chart has them all).
    home_readings: list[dict[str, Any]] = field(default_factory=list)
    home_readings_total: int = 0
    symptom_reports: list[dict[str, Any]] = field(default_factory=list)
    symptom_reports_total: int = 0
    symptom_items: list[str] = field(default_factory=list)


def _bp_readings(measurements: dict) -> tuple[tuple[float, float], ...]:
    readings = measurements.get("readings")
    if readings:
        return tuple([(float(s), float(d)) for s, d in readings])
    if measurements.get("sbp") is not None and measurements.get("dbp") is not None:
        return ((float(measurements["sbp"]), float(measurements["dbp"])),)
    return ()


def _lab_point(term: str, m: dict, at: datetime, grade: int | None) -> charts.LabPoint | None:
    _, value_key, ref_key = LAB_SERIES[term]
    value = m.get(value_key)
    reference = m.get(ref_key)
    if value is None or not reference:
        return None
    return charts.LabPoint(at, float(value), float(reference), grade)


PENDING_FIELDS = (
    "course_id",
    "rule_set_signoff_id",
    "action",
    "dose_mg_per_day",
    "resume_dose_mg_per_day",
    "severity",
    "created_at",
    "visit",
    "visit__occurred_at",
)


def reported_days(rows: list[tuple]) -> dict[int, tuple[ZoneInfo, list[metrics.ReportedDay]]]:
    """course id -> (the clinic's zone, the days the patient reported), from
    ``reports.selectors.reported_dose_rows``."""
    out: dict[int, tuple[ZoneInfo, list[metrics.ReportedDay]]] = {}
    day = metrics.ReportedDay
    for course_id, on, status, dose_mg, zone in rows:
        entry = out.get(course_id)
        if entry is None:
            entry = out[course_id] = (ZoneInfo(zone), [])
        entry[1].append(day(on, status, float(dose_mg) if dose_mg is not None else None))
    return out


def _reported(
    summary: metrics.CourseSummary, days: tuple[ZoneInfo, list[metrics.ReportedDay]] | None
) -> metrics.ReportedIntensity | None:
    if days is None:
        return None
    zone, reported = days
    return metrics.reported_intensity(summary.segments, summary.metrics, reported, zone=zone)


def timeline_labels(zone: str) -> charts.TimelineLabels:
    """The words of the patient-reported traces, in the reader's language."""
    return charts.TimelineLabels(
        zone=zone,
        home=gettext("Home reading (patient)"),
        home_grade=gettext("CTCAE grade {grade} from a home reading (not a visit)"),
        provisional=gettext("provisional"),
        home_readings=gettext("{readings} mm Hg"),
        pro_axis=gettext("Patient-reported<br>(PRO-CTCAE, not CTCAE)"),
        pro_legend=gettext("Patient-reported (PRO-CTCAE composite, not CTCAE)"),
        pro_point=gettext("PRO-CTCAE composite {grade} of 3: not a CTCAE grade"),
    )


def _home_and_symptoms(
    page: PatientPage, home_rows: list[tuple], answer_rows: list[tuple], tz
) -> None:
    """The home sittings and composites onto the chart, and the latest of them into
    the page's tables."""
    timeline = page.timeline
    periods: dict[str, str] = {}
    point = charts.HomeBpPoint
    for taken_at, period, sbp1, dbp1, sbp2, dbp2, grade, provisional in home_rows:
        readings = ((float(sbp1), float(dbp1)),)
        if sbp2 is not None and dbp2 is not None:
            readings += ((float(sbp2), float(dbp2)),)
        words = periods.get(period)
        if words is None:
            words = periods[period] = str(BpPeriod(period).label) if period else ""
        at = taken_at.astimezone(tz).replace(tzinfo=None)
        timeline.home_bp.append(point(at, readings, grade, provisional, words))
    page.home_readings_total = len(timeline.home_bp)
    page.home_readings = [
        {
            "at": p.at,
            "period": p.period,
            "readings": ", ".join(f"{s:g}/{d:g}" for s, d in p.readings),
            "grade": p.grade,
            "provisional": p.provisional,
        }
        for p in reversed(timeline.home_bp[-RECENT_HOME_READINGS:])
    ]
    names: dict[str, str] = {}
    reports_seen: dict[int, dict[str, Any]] = {}
    pro = charts.ProPoint
    for report_id, submitted_at, item, composite in answer_rows:
        name = names.get(item)
        if name is None:
            name = names[item] = gettext(report_reads.item_title(item))
        report = reports_seen.get(report_id)
        if report is None:
            at = submitted_at.astimezone(tz).replace(tzinfo=None)
            report = reports_seen[report_id] = {"at": at, "composites": {}}
        report["composites"][name] = composite
        timeline.pro.append(pro(report["at"], name, composite))
    ordered = list(reports_seen.values())  # oldest first, as the rows came
    page.symptom_reports_total = len(ordered)
    page.symptom_reports = list(reversed(ordered[-RECENT_SYMPTOM_REPORTS:]))
    page.symptom_items = sorted({n for r in page.symptom_reports for n in r["composites"]})
    for report in page.symptom_reports:
        report["cells"] = [report["composites"].get(n) for n in page.symptom_items]


def patient_page(patient: Patient, *, now: datetime | None = None) -> PatientPage:
    """The patient's courses, dose figures, due checks, molecular findings, what the
    patient reported from home and the charts' series.

    Twelve queries (three of them the disease course's: imaging, Tg, the board's
    decisions), whatever the length of the history or the number of reports, issued
    one after the other before the rows are worked through.
    """
    now = now or timezone.now()
    courses = courses_with_ledger(patient.courses.all())
    course_ids = [c.pk for c in courses]
    # The measurements come as their JSON text (the same bytes the database sends for
    # jsonb) and are decoded in one json.loads for the whole history below, rather than
    # through the JSON field's converter row by row.
    rows = list(
        Observation.objects.filter(visit__course_id__in=course_ids)
        .order_by("visit__occurred_at", "visit_id", "term")
        .values_list(
            "visit_id",
            "visit__occurred_at",
            "term",
            Cast("measurements", TextField()),
            "final_grade",
            "provisional",
        )
    )
    checks = list(
        DueCheck.objects.filter(course_id__in=course_ids, satisfied_at__isnull=True).order_by(
            "due_at"
        )
    )
    pending = list(
        Recommendation.objects.filter(course_id__in=course_ids, status=RecommendationStatus.PENDING)
        .select_related("visit")
        .order_by("-severity", "created_at")
        # What the page shows, not the engine's request, decision and policy snapshots.
        .only(*PENDING_FIELDS)
    )
    findings = list(patient.molecular_findings.all())
    plans = hold_plans_from_ledgers({c.pk: c.prefetched_ledger for c in courses})
    # What the patient reported from home: one query per kind.
    home_rows = report_reads.home_bp_rows(patient.pk)
    answer_rows = report_reads.composite_rows(patient.pk)
    dose_days = reported_days(report_reads.reported_dose_rows(course_ids))
    # The disease course: imaging, Tg and the board's decisions, one query each.
    disease_rows = disease_timeline.read(patient)
    # Python work after the queries, so they go to the database back to back.
    measurements = json.loads("[" + ",".join(row[3] or "null" for row in rows) + "]")

    figures = []
    tz = timezone.get_current_timezone()
    timeline = charts.PatientTimeline(
        baseline_weight_kg=float(patient.baseline_weight_kg)
        if patient.baseline_weight_kg
        else None,
        labels=timeline_labels(str(tz)),
    )
    for course in sorted(courses, key=lambda c: (c.start_date, c.pk)):
        entries = ledger_entries(course)
        ladder = dosing.DOSE_LADDERS.get(course.drug, ())
        course_checks = [c for c in checks if c.course_id == course.pk]
        summary = metrics.summarise(entries, until=now, ladder=ladder)
        figures.append(
            CourseFigures(
                course=course,
                state=summary.state,
                metrics=summary.metrics,
                next_check=course_checks[0] if course_checks else None,
                overdue_checks=[c for c in course_checks if c.overdue_after < now],
                open_checks=course_checks,
                pending=[r for r in pending if r.course_id == course.pk],
                hold_plan=plans.get(course.pk),
                reported=_reported(summary, dose_days.get(course.pk)),
            )
        )
        for seg in summary.segments:
            timeline.dose_steps.append(
                charts.DoseStep(
                    seg.start.astimezone(tz).replace(tzinfo=None),
                    seg.end.astimezone(tz).replace(tzinfo=None),
                    seg.dose_mg,
                    seg.held,
                )
            )
        for change in course.prefetched_ledger:
            timeline.dose_notes.append(
                charts.DoseNote(
                    at=change.effective_at.astimezone(tz).replace(tzinfo=None),
                    kind=change.kind,
                    dose_before_mg=float(change.dose_before_mg)
                    if change.dose_before_mg is not None
                    else None,
                    dose_after_mg=float(change.dose_after_mg),
                    reason=change.reason,
                    recommendation_id=change.recommendation_id,
                )
            )

    visits: dict[int, dict[str, Any]] = {}
    labs: dict[str, list[charts.LabPoint]] = defaultdict(list)
    names: dict[str, str] = {}
    grade_point, add_grade = charts.GradePoint, timeline.grades.append
    last_visit_id = None
    for (visit_id, occurred_at, term, _, grade, provisional), m in zip(
        rows, measurements, strict=True
    ):
        if visit_id != last_visit_id:  # rows come visit by visit
            last_visit_id = visit_id
            visit = visits.get(visit_id)
            if visit is None:  # a visit's observations share its time: convert it once
                at = occurred_at.astimezone(tz).replace(tzinfo=None)  # local(), zone looked up once
                visit = visits[visit_id] = {"at": at, "grades": {}}
            else:
                at = visit["at"]
            visit_grades = visit["grades"]
        m = m or {}
        if grade is not None:
            name = names.get(term)
            if name is None:
                name = names[term] = term_name(term)
            visit_grades[name] = (grade, provisional)
            add_grade(grade_point(at, name, grade, provisional))
        if term == "hypertension":
            readings = _bp_readings(m)
            if readings:
                timeline.bp.append(charts.BpVisit(at, readings, grade))
        elif term == "weight_loss" and m.get("weight_kg") is not None:
            timeline.weights.append(charts.ValuePoint(at, float(m["weight_kg"]), grade))
        elif term == "proteinuria" and m.get("urine_protein_g_24h") is not None:
            timeline.urine_protein.append(
                charts.ValuePoint(at, float(m["urine_protein_g_24h"]), grade)
            )
        elif term == "hypocalcemia" and m.get("calcium_mg_dl") is not None:
            calcium = float(m["calcium_mg_dl"])
            if m.get("albumin_g_dl") is not None:  # graded on corrected calcium, so drawn so
                calcium = corrected_calcium_mg_dl(calcium, float(m["albumin_g_dl"]))
            timeline.calcium.append(charts.ValuePoint(at, calcium, grade))
        if term in LAB_SERIES:
            point = _lab_point(term, m, at, grade)
            if point is not None:
                labs[LAB_SERIES[term][0]].append(point)
    timeline.labs = dict(labs)
    disease_timeline.draw(
        timeline, patient, disease_rows, courses, today=now.astimezone(tz).date(), tz=tz
    )
    recent = sorted(visits.values(), key=lambda v: v["at"], reverse=True)
    page = PatientPage(
        patient=patient, courses=figures, timeline=timeline, visits=recent, findings=findings
    )
    _home_and_symptoms(page, home_rows, answer_rows, tz)
    return page


def decision_reasons(figures: list[CourseFigures]) -> dict[int, str]:
    """recommendation id -> the oncologist's written reason, for the recommendations the
    courses' ledger rows carry out; one query, none when no row came from a decision."""
    ids = {
        change.recommendation_id
        for cf in figures
        for change in cf.course.prefetched_ledger
        if change.recommendation_id
    }
    if not ids:
        return {}
    return dict(
        Recommendation.objects.filter(pk__in=ids)
        .exclude(decision_reason="")
        .values_list("pk", "decision_reason")
    )


# --- worklist --------------------------------------------------------------------------------
def action_word(action: str) -> str:
    """ "withhold" -> "Withhold", in the clinic's language."""
    return str(Action(action).label) if action in Action.values else action.capitalize()


class OverdueCheck(NamedTuple):
    """A monitoring check not done in time: which test, and since when it was due."""

    kind: str
    label: str  # the test in the clinic's words: "ECG (QTc)"
    due_at: datetime  # local


@dataclass
class WorklistRow:
    course: CourseInfo
    state: dosing.DoseState
    pending: int = 0
    worst_action: str = ""
    worst_severity: int = -1
    grade3: list[tuple[str, int, datetime]] = field(default_factory=list)
    overdue_checks: list[OverdueCheck] = field(default_factory=list)
    alerts: int = 0
    hold_plan: HoldPlan | None = None
    # No weekly report from home in either of the last two full weeks while due both.
    missed_reports: bool = False

    @property
    def overdue(self) -> int:
        return len(self.overdue_checks)

    @property
    def oldest_overdue(self) -> datetime | None:
        return min((c.due_at for c in self.overdue_checks), default=None)

    @property
    def reasons(self) -> list[str]:
        out = []
        if self.pending:
            out.append("pending")
        if self.grade3:
            out.append("grade3")
        if self.state.on_hold:
            out.append("on_hold")
        if self.overdue:
            out.append("overdue")
        if self.alerts:
            out.append("alerts")
        if self.missed_reports:
            out.append("missed_reports")
        return out

    @property
    def why(self) -> list[str]:
        """Why this patient is on the worklist, one phrase per need, in the clinic's words."""
        out = []
        if self.pending == 1:
            out.append(
                gettext("%(action)s recommendation to sign")
                % {"action": action_word(self.worst_action)}
            )
        elif self.pending:
            out.append(
                ngettext(
                    "%(n)s recommendation to sign", "%(n)s recommendations to sign", self.pending
                )
                % {"n": self.pending}
            )
        for term, grade, at in self.grade3:
            out.append(
                gettext("%(term)s grade %(grade)s on %(date)s, not yet decided")
                % {"term": term, "grade": grade, "date": date_format(at, "SHORT_DATE_FORMAT")}
            )
        if self.state.on_hold:
            out.append(hold_plan_text(self.hold_plan))
        for check in self.overdue_checks:
            out.append(
                gettext("%(check)s overdue since %(date)s")
                % {"check": check.label, "date": date_format(check.due_at, "DATE_FORMAT")}
            )
        if self.alerts:
            out.append(
                ngettext("%(n)s alert to acknowledge", "%(n)s alerts to acknowledge", self.alerts)
                % {"n": self.alerts}
            )
        if self.missed_reports:
            out.append(gettext("Missed two weeks of home reports"))
        return out

    @property
    def worst_grade(self) -> int:
        return max((g for _, g, _ in self.grade3), default=0)

    @property
    def urgency(self) -> tuple:
        return (
            self.worst_severity,
            self.worst_grade,
            self.alerts,
            self.state.on_hold,
            self.overdue,
            self.missed_reports,
        )


def hold_plan_text(plan: HoldPlan | None) -> str:
    """ "On hold since 3 Nov 2026 for hypertension: resume at 14 mg/day when ..." """
    if plan is None:
        return gettext("On hold")
    since = date_format(local(plan.held_since), "DATE_FORMAT")
    if plan.terms:
        text = gettext("On hold since %(date)s for %(terms)s") % {
            "date": since,
            "terms": ", ".join(term_name(t) for t in plan.terms),
        }
    else:
        text = gettext("On hold since %(date)s") % {"date": since}
    if plan.resume_dose_mg is not None:
        text = gettext("%(hold)s: resume at %(dose)s mg/day") % {
            "hold": text,
            "dose": f"{float(plan.resume_dose_mg):g}",
        }
    else:
        text = gettext("%(hold)s: resume dose to be decided") % {"hold": text}
    if plan.resume_when:
        text = gettext("%(plan)s when %(condition)s") % {
            "plan": text,
            "condition": plan.resume_when,
        }
    return text


NEED_LABELS = {
    "pending": gettext_lazy("Recommendation to sign"),
    "grade3": format_lazy(
        gettext_lazy("Grade ≥3 in the last {days} days, not yet decided"), days=RECENT_GRADE3_DAYS
    ),
    "on_hold": gettext_lazy("On hold"),
    "overdue": gettext_lazy("Monitoring overdue"),
    "alerts": gettext_lazy("Alerts to acknowledge"),
    "missed_reports": gettext_lazy("Missed two weeks of home reports"),
}


def _alerts_needing_action(site_ids: list[int]) -> dict[int, int]:
    """course id -> alerts that still ask for someone: not acknowledged, episode not
    over, course not ended (notifications.selectors.needing_action)."""
    return dict(
        needing_action(Alert.objects.filter(course__patient__site_id__in=site_ids))
        .values("course_id")
        .annotate(n=Count("id"))
        .values_list("course_id", "n")
    )


def _last_decided_visit(site_ids: list[int]) -> dict[int, datetime]:
    """course id -> the latest visit a signed decision answered."""
    return dict(
        Recommendation.objects.filter(course__patient__site_id__in=site_ids)
        .exclude(signature_sha256="")
        .values("course_id")
        .annotate(at=Max("visit__occurred_at"))
        .values_list("course_id", "at")
    )


def worklist(
    user,
    *,
    now: datetime | None = None,
    drug: str = "",
    status: str = "",
    need: str = "",
    plans: bool = True,
) -> list[WorklistRow]:
    """Courses at the user's sites that need a clinician, most urgent first.

    Needs: a pending recommendation, a grade >= 3 in the last 14 days that no
    signed decision has answered yet, a drug on hold (with its plan), an overdue
    monitoring check, an alert that still needs action, no weekly report from home
    in either of the last two full weeks while due (reports.completion). A course
    that ended needs nothing but a pending signature. With ``plans=False`` the held
    rows come without their hold plan (``add_hold_plans`` adds them to a page's rows).
    """
    now = now or timezone.now()
    site_ids = sites_of(user)
    courses_qs = TreatmentCourse.objects.filter(patient__site_id__in=site_ids)
    if drug:
        courses_qs = courses_qs.filter(drug=drug)
    pending = {
        row["course_id"]: row
        for row in Recommendation.objects.filter(
            status=RecommendationStatus.PENDING, course__patient__site_id__in=site_ids
        )
        .values("course_id")
        .annotate(n=Count("id"), severity=Max("severity"))
    }
    decided = _last_decided_visit(site_ids)
    grade3: dict[int, list] = defaultdict(list)
    for course_id, term, grade, at in (
        Observation.objects.filter(
            final_grade__gte=3,
            visit__occurred_at__gte=now - timedelta(days=RECENT_GRADE3_DAYS),
            visit__course__patient__site_id__in=site_ids,
        )
        .order_by("-final_grade", "-visit__occurred_at")
        .values_list("visit__course_id", "term", "final_grade", "visit__occurred_at")
    ):
        if course_id in decided and at <= decided[course_id]:
            continue  # the oncologist has signed a decision with this grade in view
        grade3[course_id].append((term_name(term), grade, local(at)))
    overdue: dict[int, list[OverdueCheck]] = defaultdict(list)
    # Each kind's words once per page, not once per check (a lazy label costs).
    kind_labels = dict(DueCheck._meta.get_field("kind").flatchoices)
    labels: dict[str, str] = {}
    for course_id, kind, due_at in (
        DueCheck.objects.filter(
            satisfied_at__isnull=True, overdue_after__lt=now, course__patient__site_id__in=site_ids
        )
        .order_by("due_at", "id")
        .values_list("course_id", "kind", "due_at")
    ):
        label = labels.get(kind)
        if label is None:
            label = labels[kind] = str(kind_labels.get(kind, kind))
        overdue[course_id].append(OverdueCheck(kind, label, local(due_at)))
    alerts = _alerts_needing_action(site_ids)
    missed = missed_two_weeks(site_ids, now=now)
    rows = []
    severity_action = {severity: action for action, severity in SEVERITY.items()}
    entries = ledgers(courses_qs)
    for course in course_infos(courses_qs):
        state = dosing.derive_dose_state(entries.get(course.pk, ()))
        row = WorklistRow(course=course, state=state)
        if course.pk in pending:
            row.pending = pending[course.pk]["n"]
            row.worst_severity = pending[course.pk]["severity"]
            row.worst_action = severity_action.get(row.worst_severity, "")
        if not state.ended:
            row.grade3 = grade3.get(course.pk, [])
            row.overdue_checks = overdue.get(course.pk, [])
            row.alerts = alerts.get(course.pk, 0)
            row.missed_reports = course.patient_id in missed
        if not row.reasons:
            continue
        if status and state.status != status:
            continue
        if need and need not in row.reasons:
            continue
        rows.append(row)
    if plans:
        add_hold_plans(rows)
    rows.sort(key=lambda r: r.urgency, reverse=True)
    return rows


def add_hold_plans(rows: list[WorklistRow]) -> None:
    """Each held row's hold plan: for the page's rows only, where a worklist is long
    (three queries whatever their number)."""
    found = hold_plans([row.course.pk for row in rows if row.state.on_hold])
    for row in rows:
        row.hold_plan = found.get(row.course.pk)


def disease_worklist(user, *, now: datetime | None = None) -> list[disease_selectors.CourseNeeds]:
    """The worklist's disease-course section: patients at the user's sites whose
    surveillance imaging is due or overdue (Rec 60A) or who have a timing flag
    (disease.flags), overdue imaging first, then by name. A bounded number of
    queries (disease.selectors.course_needs)."""
    rows = disease_selectors.course_needs(sites_of(user), now=now or timezone.now())
    rows.sort(
        key=lambda r: (
            not (r.imaging_due and r.imaging_due.overdue),
            r.patient.family_name.lower(),
            r.patient.given_name.lower(),
            r.patient.pk,
        )
    )
    return rows


# --- cohort dashboard -----------------------------------------------------------------------
@dataclass
class CohortCourse:
    course: CourseInfo
    state: dosing.DoseState
    metrics: metrics.CourseMetrics
    segments: list[metrics.Segment]
    worst: dict[str, int]
    grade3: list[tuple[float, str, int]]
    # The dose intensity as the patient reports it; None without reported days.
    reported: metrics.ReportedIntensity | None = None
    started_at: datetime | None = None  # the ledger's start, day 0 of the course's bar

    @property
    def label(self) -> str:
        # The reference code, never a name: the chart may be shown on a shared screen.
        drug = names.generic_drug_name(self.course.drug)
        return f"{self.course.reference_code} · {drug} #{self.course.pk}"


# The swimmer plot and the courses table beside it draw this many courses at most,
# chosen by one of COHORT_ORDERS; the summary and the other charts count them all.
COHORT_CHART_COURSES = 50
COHORT_ORDERS = {
    "longest": gettext_lazy("Longest on treatment"),
    "recent": gettext_lazy("Started most recently"),
    "toxic": gettext_lazy("Worst grade first"),
}


class CourseDose(NamedTuple):
    """A course's dose figures and no more: what the cohort's summary, RDI and
    time-to-reduction charts need of each of thousands of courses."""

    pk: int
    drug: str
    start_date: date
    metrics: metrics.CourseMetrics


@dataclass
class Cohort:
    figures: list[CourseDose]  # every course that has started
    shown: list[CohortCourse]  # the chart's courses, with their segments and grade >= 3 events
    reported: list[CohortCourse]  # the courses with doses reported by the patient
    courses: QuerySet[TreatmentCourse]  # the filtered courses, for the SQL counts


def cohort_courses(
    user,
    *,
    site_id: int | None = None,
    drug: str = "",
    started_from: date | None = None,
    started_to: date | None = None,
) -> QuerySet[TreatmentCourse]:
    """The courses at the user's sites (or one of them) the cohort's filters keep."""
    site_ids = sites_of(user)
    if site_id is not None:
        site_ids = [s for s in site_ids if s == site_id]
    courses_qs = TreatmentCourse.objects.filter(patient__site_id__in=site_ids)
    if drug:
        courses_qs = courses_qs.filter(drug=drug)
    if started_from:
        courses_qs = courses_qs.filter(start_date__gte=started_from)
    if started_to:
        courses_qs = courses_qs.filter(start_date__lte=started_to)
    return courses_qs


def dose_figures(courses_qs: QuerySet[TreatmentCourse], *, now: datetime) -> list[CourseDose]:
    """Each started course's dose figures (tracker.metrics.summarise over its ledger),
    in one query; only the figures are kept, course by course, not the ledgers."""
    rows = list(
        DoseChange.objects.filter(course__in=courses_qs.values("pk"))
        .order_by("course_id", "effective_at", "id")
        .values_list(
            "course_id",
            "course__drug",
            "course__start_date",
            "kind",
            "effective_at",
            "dose_after_mg",
        )
    )
    out = []
    entry, summarise = dosing.LedgerEntry, metrics.summarise
    for course_id, group in groupby(rows, key=itemgetter(0)):
        ledger = list(group)
        entries = [entry(kind, at, float(dose)) for _, _, _, kind, at, dose in ledger]
        # No ladder: it names the segments' levels only, not the figures.
        figures = summarise(entries, until=now).metrics
        if figures is not None:
            out.append(CourseDose(course_id, ledger[0][1], ledger[0][2], figures))
    return out


def cohort(
    user,
    *,
    site_id: int | None = None,
    drug: str = "",
    started_from: date | None = None,
    started_to: date | None = None,
    order: str = "longest",
    limit: int | None = COHORT_CHART_COURSES,
    now: datetime | None = None,
) -> Cohort:
    """Every course at the user's sites (or one of them) with its dose figures; the
    ``limit`` of them the swimmer plot shows (all with ``limit=None``), chosen by
    ``order`` (COHORT_ORDERS), in full: segments, grade >= 3 events, reported doses;
    and in full too the courses whose patients reported their doses.

    A fixed number of queries whatever the size of the cohort; rows are plain values.
    """
    now = now or timezone.now()
    courses_qs = cohort_courses(
        user, site_id=site_id, drug=drug, started_from=started_from, started_to=started_to
    )
    figures = dose_figures(courses_qs, now=now)
    dose_days = reported_days(report_reads.reported_dose_rows(courses_qs.values("pk")))
    chosen = _chart_course_ids(figures, courses_qs, order=order, limit=limit)
    detailed = courses_qs if limit is None else courses_qs.filter(pk__in={*chosen, *dose_days})
    by_id = {row.course.pk: row for row in _course_rows(detailed, now=now, dose_days=dose_days)}
    shown = [by_id[pk] for pk in chosen if pk in by_id]  # in the order chosen
    _add_grade3_events(shown, limit=limit, courses_qs=courses_qs)
    reported = [row for row in by_id.values() if row.reported is not None]
    return Cohort(figures=figures, shown=shown, reported=reported, courses=courses_qs)


def _course_rows(
    courses_qs: QuerySet[TreatmentCourse], *, now: datetime, dose_days: dict
) -> list[CohortCourse]:
    """The courses in full (two queries): who, the dose segments and figures, the state
    and the dose intensity the patient reports."""
    all_entries = ledgers(courses_qs)
    out = []
    for course in course_infos(courses_qs.order_by("start_date", "id")):
        entries = all_entries.get(course.pk, [])
        # One pass over the ledger gives the segments, the figures and the state.
        summary = metrics.summarise(
            entries, until=now, ladder=dosing.DOSE_LADDERS.get(course.drug, ())
        )
        segments, figures, state = summary
        if figures is None:
            continue
        out.append(
            CohortCourse(
                course=course,
                state=state,
                metrics=figures,
                segments=segments,
                worst={},
                grade3=[],
                reported=_reported(summary, dose_days.get(course.pk)),
                started_at=entries[0].effective_at,
            )
        )
    return out


def _chart_course_ids(
    figures: list[CourseDose], courses_qs: QuerySet, *, order: str, limit: int | None
) -> list[int]:
    """The swimmer plot's courses in the plot's order (all of them without a limit)."""
    if order == "toxic":
        # Worst grade first, then the most grade >= 3 observations, then the longest.
        ranked = (
            courses_qs.annotate(
                worst=Max("visits__observations__final_grade"),
                severe=Count(
                    "visits__observations", filter=Q(visits__observations__final_grade__gte=3)
                ),
            )
            .order_by(F("worst").desc(nulls_last=True), "-severe", "start_date", "id")
            .values_list("pk", flat=True)
        )
        with_figures = {f.pk for f in figures}
        return [pk for pk in (ranked if limit is None else ranked[:limit]) if pk in with_figures]
    if order == "recent":
        by_order = sorted(figures, key=lambda f: (f.start_date, f.pk), reverse=True)
    else:
        by_order = sorted(figures, key=lambda f: f.metrics.days_on_treatment, reverse=True)
    return [f.pk for f in (by_order if limit is None else by_order[:limit])]


def _add_grade3_events(shown: list[CohortCourse], *, limit: int | None, courses_qs) -> None:
    """Each shown course's grade >= 3 observations, in days from its start: one query
    for the shown courses (for all of them when nothing is left out)."""
    observations = Observation.objects.filter(final_grade__gte=3)
    if limit:
        observations = observations.filter(visit__course_id__in=[r.course.pk for r in shown])
    else:
        observations = observations.filter(visit__course__in=courses_qs.values("pk"))
    events: dict[int, list] = defaultdict(list)
    for course_id, term, grade, at in observations.order_by("visit__occurred_at").values_list(
        "visit__course_id", "term", "final_grade", "visit__occurred_at"
    ):
        events[course_id].append((term, grade, at))
    names: dict[str, str] = {}
    for row in shown:
        start = row.started_at
        for t, g, at in events.get(row.course.pk, ()):
            name = names.get(t)
            if name is None:
                name = names[t] = term_name(t)
            days = (at - start).total_seconds() / metrics.SECONDS_PER_DAY if start else 0.0
            row.grade3.append((days, name, g))


def swimmer_courses(rows: list[CohortCourse]) -> list[charts.SwimmerCourse]:
    ordered = sorted(rows, key=lambda r: r.metrics.days_on_treatment, reverse=True)
    out = []
    day = metrics.SECONDS_PER_DAY
    segment, swimmer = charts.SwimmerSegment, charts.SwimmerCourse
    discontinued = dosing.Status.DISCONTINUED
    for row in ordered:
        segs = row.segments
        if segs:
            start = segs[0].start
            segs = tuple(
                [
                    segment(
                        (s.start - start).total_seconds() / day,
                        (s.end - start).total_seconds() / day,
                        s.dose_mg,
                        s.level,
                    )
                    for s in segs
                ]
            )
        else:
            segs = ()
        stopped = row.metrics.days_on_treatment if row.state.status == discontinued else None
        out.append(swimmer(row.label, row.course.drug, segs, tuple(row.grade3), stopped))
    return out


def worst_grade_counts(courses: QuerySet[TreatmentCourse]) -> dict[tuple[str, str], list[int]]:
    """(drug, term) -> courses whose worst grade was 0, 1, 2, 3, 4 (4 includes 5).

    The worst grade of each course and term is taken in SQL (one grouped query, a
    hash aggregate over the observations); the courses are counted here from those
    pairs. (One aggregate counting distinct courses per grade threshold gave the same
    counts in one row per drug and term, but sorted every observation once per grade:
    five seconds on the network benchmark's million visits, more than the whole page
    takes now.)"""
    pairs = (
        Observation.objects.filter(
            visit__course__in=courses.values("pk"), final_grade__isnull=False
        )
        .values("visit__course_id", "visit__course__drug", "term")
        .annotate(worst=Max("final_grade"))
        .values_list("visit__course__drug", "term", "worst")
    )
    counts: dict[tuple[str, str], list[int]] = {}
    names: dict[str, str] = {}
    for drug, term, worst in pairs:
        name = names.get(term)
        if name is None:
            name = names[term] = term_name(term)
        bucket = counts.get((drug, name))
        if bucket is None:
            bucket = counts[(drug, name)] = [0, 0, 0, 0, 0]
        bucket[min(worst, 4)] += 1
    return counts


def cohort_counts(courses: QuerySet[TreatmentCourse]) -> dict[str, dict[str, int]]:
    """drug -> courses by dose status ("active", "on_hold", "ended", "not_started") and
    the courses with a grade >= 3 ("grade3"), counted in SQL: two queries."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    ended = {dosing.Status.DISCONTINUED, dosing.Status.COMPLETED}
    for row in (
        courses.annotate(status=patient_selectors.status_of())
        .values("drug", "status")
        .annotate(n=Count("id"))
        .order_by()
    ):
        status = "ended" if row["status"] in ended else row["status"]
        out[row["drug"]][status] += row["n"]
    for row in (
        courses.filter(visits__observations__final_grade__gte=3)
        .values("drug")
        .annotate(n=Count("id", distinct=True))
        .order_by()
    ):
        out[row["drug"]]["grade3"] = row["n"]
    return {drug: dict(c) for drug, c in out.items()}


def rdi_by_drug(rows: list[CourseDose]) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for row in sorted(rows, key=lambda r: r.drug):
        if row.metrics.rdi_percent is not None:
            out.setdefault(row.drug, []).append(row.metrics.rdi_percent)
    return out


def reported_rdi_by_drug(rows: list[CohortCourse]) -> dict[str, list[charts.ReportedRdi]]:
    """drug -> the RDI taken as the patient reports it, for the courses with reported days."""
    out: dict[str, list[charts.ReportedRdi]] = {}
    point = charts.ReportedRdi
    for row in sorted(rows, key=lambda r: r.course.drug):
        reported = row.reported
        if reported is not None and reported.taken_rdi_percent is not None:
            out.setdefault(row.course.drug, []).append(
                point(reported.taken_rdi_percent, row.label, reported.days_reported)
            )
    return out


def reduction_durations(rows: list[CourseDose]) -> dict[str, list[tuple[float, bool]]]:
    out: dict[str, list[tuple[float, bool]]] = {}
    for row in sorted(rows, key=lambda r: r.drug):
        m = row.metrics
        item = (
            (m.days_to_first_reduction, True)
            if m.days_to_first_reduction is not None
            else (m.days_on_treatment, False)
        )
        out.setdefault(row.drug, []).append(item)
    return out

"""Reads of the disease course: the series as recist.py and thyroglobulin.py see it,
the progression window, the Tg doubling time, the molecular options and the flags."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Max, Min, QuerySet

from disease import flags, options, recist, surveillance, thyroglobulin
from disease.models import (
    BoardDecision,
    BoardEntry,
    DiseaseStatus,
    ImagingStudy,
    ThyroglobulinLab,
)
from patients.access import clinical_sites
from patients.models import MolecularFinding, Patient


def studies_of(patient: Patient) -> QuerySet[ImagingStudy]:
    return ImagingStudy.objects.filter(patient=patient).prefetch_related("targets")


def status_of(patient: Patient) -> DiseaseStatus | None:
    return DiseaseStatus.objects.filter(patient=patient).first()


def findings_of(patient: Patient) -> dict[str, str]:
    """marker key -> result key of the patient's stored molecular findings."""
    return dict(patient.molecular_findings.values_list("marker", "result"))


@dataclass(frozen=True)
class Progression:
    baseline_on: date | None
    progression_on: date | None  # the first follow-up assessed PD
    window: recist.ProgressionWindow


def progression(patient: Patient, *, today: date) -> Progression:
    """The latest baseline's series: when progression was first documented, and where
    that lies against Rec 63's 12–14 months before `today`."""
    base = ImagingStudy.objects.filter(patient=patient, baseline=None).order_by("-performed_on")
    baseline = base.first()
    if baseline is None:
        return Progression(None, None, recist.ProgressionWindow.NO_PROGRESSION)
    pd = (
        ImagingStudy.objects.filter(baseline=baseline, response=recist.Response.PD.value)
        .order_by("performed_on")
        .values_list("performed_on", flat=True)
        .first()
    )
    return Progression(baseline.performed_on, pd, recist.progression_window(pd, today))


def tg_measurements(
    patient: Patient, labs: Iterable[ThyroglobulinLab] | None = None
) -> list[thyroglobulin.TgMeasurement]:
    """The patient's Tg values as the doubling time reads them (`labs`: rows already read)."""
    if labs is None:
        labs = ThyroglobulinLab.objects.filter(patient=patient)
    return [
        thyroglobulin.TgMeasurement(
            lab.drawn_on,
            lab.tg_ng_ml,
            thyroglobulin.AntiTgAntibody(lab.anti_tg_antibody),
            lab.tsh_miu_l,
            lab.assay,
        )
        for lab in labs
    ]


def tg_doubling_time(
    patient: Patient,
    *,
    assay: str | None = None,
    labs: Iterable[ThyroglobulinLab] | None = None,
) -> thyroglobulin.TgDoublingTime:
    return thyroglobulin.doubling_time(tg_measurements(patient, labs), assay=assay or None)


@dataclass(frozen=True)
class ImagingDue:
    """Rec 60A's interval for a patient on active surveillance: when the next study is due."""

    interval_months: int
    last_imaging_on: date | None
    due_on: date  # the last study (else the start of surveillance) plus the interval
    overdue: bool  # due before `today`
    source: str


def imaging_due(
    patient: Patient, *, today: date, status: DiseaseStatus | None = None
) -> ImagingDue | None:
    """None unless the patient is on active surveillance with an interval."""
    status = status if status is not None else status_of(patient)
    if status is None or not status.on_active_surveillance or not status.imaging_interval_months:
        return None
    last = (
        ImagingStudy.objects.filter(patient=patient)
        .order_by("-performed_on")
        .values_list("performed_on", flat=True)
        .first()
    )
    start = last or status.surveillance_since
    assert start is not None  # the service requires the start of surveillance
    due = surveillance.imaging_due(start, status.imaging_interval_months)
    return ImagingDue(
        status.imaging_interval_months, last, due, due < today, surveillance.REC60A.source
    )


@dataclass(frozen=True)
class CourseSummary:
    status: DiseaseStatus | None
    imaging_due: ImagingDue | None
    progression: Progression
    tg: thyroglobulin.TgDoublingTime
    options: tuple[options.Option, ...]
    flags: tuple[flags.Flag, ...]


def course_summary(patient: Patient, *, today: date, assay: str | None = None) -> CourseSummary:
    status = status_of(patient)
    found = findings_of(patient)
    prog = progression(patient, today=today)
    tg = tg_doubling_time(patient, assay=assay)
    return CourseSummary(
        status=status,
        imaging_due=imaging_due(patient, today=today, status=status),
        progression=prog,
        tg=tg,
        options=options.options_for(found),
        flags=_flags(prog, status, tg, found),
    )


def _flags(
    prog: Progression,
    status: DiseaseStatus | None,
    tg: thyroglobulin.TgDoublingTime,
    found: dict[str, str],
) -> tuple[flags.Flag, ...]:
    return flags.flags_for(
        window=prog.window,
        progression_on=prog.progression_on.isoformat() if prog.progression_on else None,
        symptomatic=bool(status and status.symptomatic),
        tg_category=tg.category,
        tg_doubling_time_years=tg.doubling_time_years,
        findings=found,
    )


# Imaging counts as due from this many days before its date: time to book the scan.
IMAGING_DUE_WITHIN_DAYS = 30


@dataclass(frozen=True)
class CourseNeeds:
    """A patient of the disease course who needs the team: imaging due or overdue
    (Rec 60A's interval), or a timing flag that fired."""

    patient: Patient
    imaging_due: ImagingDue | None  # only when due within IMAGING_DUE_WITHIN_DAYS
    flags: tuple[flags.Flag, ...]


def course_needs(site_ids: Iterable[int], *, now: datetime) -> list[CourseNeeds]:
    """The worklist's disease-course patients at these sites: those with a disease
    status recorded, whose imaging is due or overdue or who have a flag, by the same
    rules as course_summary, each on the day it is at the patient's clinic. Six
    queries whatever the number of patients."""
    statuses = list(
        DiseaseStatus.objects.filter(patient__site_id__in=list(site_ids)).select_related(
            "patient__site"
        )
    )
    ids = [s.patient_id for s in statuses]
    last_imaging = dict(
        ImagingStudy.objects.filter(patient_id__in=ids)
        .values("patient_id")
        .annotate(on=Max("performed_on"))
        .values_list("patient_id", "on")
    )
    latest_baseline: dict[int, tuple[date, int]] = {}
    for patient_id, on, pk in ImagingStudy.objects.filter(
        patient_id__in=ids, baseline=None
    ).values_list("patient_id", "performed_on", "pk"):
        if patient_id not in latest_baseline or on > latest_baseline[patient_id][0]:
            latest_baseline[patient_id] = (on, pk)
    first_pd = dict(
        ImagingStudy.objects.filter(
            baseline_id__in=[pk for _on, pk in latest_baseline.values()],
            response=recist.Response.PD.value,
        )
        .values("baseline_id")
        .annotate(on=Min("performed_on"))
        .values_list("baseline_id", "on")
    )
    labs: dict[int, list[ThyroglobulinLab]] = defaultdict(list)
    for lab in ThyroglobulinLab.objects.filter(patient_id__in=ids):
        labs[lab.patient_id].append(lab)
    found: dict[int, dict[str, str]] = defaultdict(dict)
    for patient_id, marker, result in MolecularFinding.objects.filter(
        patient_id__in=ids
    ).values_list("patient_id", "marker", "result"):
        found[patient_id][marker] = result
    out = []
    for status in statuses:
        patient = status.patient
        today = now.astimezone(patient.site.zone).date()
        due = None
        if status.on_active_surveillance and status.imaging_interval_months:
            last = last_imaging.get(patient.pk)
            start = last or status.surveillance_since
            assert start is not None  # the service requires the start of surveillance
            due_on = surveillance.imaging_due(start, status.imaging_interval_months)
            if due_on <= today + timedelta(days=IMAGING_DUE_WITHIN_DAYS):
                due = ImagingDue(
                    status.imaging_interval_months,
                    last,
                    due_on,
                    due_on < today,
                    surveillance.REC60A.source,
                )
        baseline = latest_baseline.get(patient.pk)
        pd = first_pd.get(baseline[1]) if baseline else None
        # A study dated by the server's calendar may be a day ahead of the clinic's.
        on = today if pd is None or pd <= today else pd
        prog = Progression(baseline[0] if baseline else None, pd, recist.progression_window(pd, on))
        tg = tg_doubling_time(patient, labs=labs[patient.pk])
        fired = _flags(prog, status, tg, found[patient.pk])
        if due is not None or fired:
            out.append(CourseNeeds(patient, due, fired))
    return out


def board_entries_visible_to(user) -> QuerySet[BoardEntry]:
    return (
        BoardEntry.objects.filter(site_id__in=clinical_sites(user))
        .select_related("patient", "added_by", "decision")
        .order_by("status", "added_at", "id")
    )


# --- the patient timeline (tracker's patient page): one query per kind ----------------
class TimelineStudy(NamedTuple):
    performed_on: date
    baseline_on: date | None  # None: the study is a baseline
    sum_mm: Decimal | None
    response: str  # "" on a baseline
    change_from_baseline_pct: Decimal | None
    change_from_nadir_pct: Decimal | None


def timeline_studies(patient: Patient) -> list[TimelineStudy]:
    """The patient's studies in date order, with the figures recist.py stored on them:
    one query, the targets not read (the sum is stored with the study)."""
    rows = (
        ImagingStudy.objects.filter(patient=patient)
        .order_by("performed_on", "id")
        .values_list(
            "performed_on",
            "baseline__performed_on",
            "sum_mm",
            "response",
            "change_from_baseline_pct",
            "change_from_nadir_pct",
        )
    )
    return list(map(TimelineStudy._make, rows))


def tg_labs(patient: Patient) -> list[ThyroglobulinLab]:
    """The patient's Tg labs in date order, in one query (for `tg_doubling_time(labs=)`)."""
    return list(ThyroglobulinLab.objects.filter(patient=patient).order_by("drawn_on", "id"))


class SignedDecision(NamedTuple):
    meeting_on: date
    outcome: str  # BoardOutcome value
    drug: str  # DecisionDrug value, or ""
    detail: str
    reason: str
    signer_name: str


def signed_decisions(patient: Patient) -> list[SignedDecision]:
    """The tumour board's signed decisions for the patient, by meeting date: one query.
    (A decision is stored only when signed.)"""
    rows = (
        BoardDecision.objects.filter(entry__patient=patient)
        .order_by("meeting_on", "id")
        .values_list("meeting_on", "outcome", "drug", "detail", "reason", "signer_name")
    )
    return list(map(SignedDecision._make, rows))

"""Reads a patient's (or a site's) record for export, as plain values.

A fixed number of queries however many patients: courses, ledger and graded
observations are read per batch of patients, not per patient.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from interop.episodes import Episode, GradedVisit, LedgerChange, episodes
from patients.models import DoseChange, Patient, TreatmentCourse
from toxicity.models import Observation


@dataclass(frozen=True)
class LedgerRow:
    id: int
    kind: str
    effective_at: datetime
    dose_before_mg: float | None
    dose_after_mg: float
    reason: str
    reason_terms: tuple[str, ...]


@dataclass(frozen=True)
class ObservationRow:
    id: int
    visit_id: int
    at: datetime
    term: str
    measurements: dict
    final_grade: int | None
    source: str


@dataclass
class CourseRecord:
    course: TreatmentCourse
    ledger: list[LedgerRow] = field(default_factory=list)
    observations: list[ObservationRow] = field(default_factory=list)

    def episodes(self) -> list[Episode]:
        graded = [
            GradedVisit(o.at, o.term, o.final_grade)
            for o in self.observations
            if o.final_grade is not None
        ]
        changes = [LedgerChange(c.id, c.kind, c.effective_at, c.reason_terms) for c in self.ledger]
        return episodes(graded, changes)


@dataclass
class PatientRecord:
    patient: Patient
    courses: list[CourseRecord] = field(default_factory=list)


def patient_records(patients: list[Patient]) -> list[PatientRecord]:
    ids = [p.pk for p in patients]
    courses = list(TreatmentCourse.objects.filter(patient_id__in=ids).order_by("start_date", "id"))
    by_course = {c.pk: CourseRecord(c) for c in courses}
    for change in DoseChange.objects.filter(course_id__in=by_course).order_by("effective_at", "id"):
        by_course[change.course_id].ledger.append(
            LedgerRow(
                change.pk,
                change.kind,
                change.effective_at,
                float(change.dose_before_mg) if change.dose_before_mg is not None else None,
                float(change.dose_after_mg),
                change.reason,
                tuple(change.reason_terms or ()),
            )
        )
    observations = (
        Observation.objects.filter(visit__course_id__in=by_course)
        .order_by("visit__occurred_at", "visit_id", "term")
        .values_list(
            "id",
            "visit_id",
            "visit__course_id",
            "visit__occurred_at",
            "term",
            "measurements",
            "final_grade",
            "source",
        )
    )
    for oid, visit_id, course_id, at, term, measurements, grade, source in observations:
        by_course[course_id].observations.append(
            ObservationRow(oid, visit_id, at, term, measurements or {}, grade, source)
        )
    per_patient: dict[int, list[CourseRecord]] = defaultdict(list)
    for course in courses:
        per_patient[course.patient_id].append(by_course[course.pk])
    return [PatientRecord(p, per_patient[p.pk]) for p in patients]

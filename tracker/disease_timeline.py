"""The disease course on the patient page's timeline: the sum of target diameters with
each study's RECIST response, thyroglobulin with its doubling time, the lines of
therapy and the tumour board's signed decisions, above the toxicity tracks.

`read` issues the three queries (imaging, Tg, board decisions; one each, whatever the
length of the history) beside the page's other queries; `draw` turns their rows and
the courses the page has already read into the chart's inputs. The figures are those
the disease app stored or computes (disease/recist.py, disease/thyroglobulin.py):
nothing is judged again here, only put into the reader's words.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import NamedTuple

from django.utils.translation import gettext, ngettext

from disease import options, thyroglobulin
from disease import selectors as disease_reads
from disease.models import BoardOutcome, ThyroglobulinLab
from patients.models import Patient, TreatmentCourse
from toxicity import names
from tracker import charts, metrics

AntiTg = thyroglobulin.AntiTgAntibody
# The targeted drugs' names as reference.md 3.2 writes them (generic, in English: no
# reviewed rendering in another language yet); the MKIs are named as everywhere else.
TARGETED_NAMES = {drug.key: drug.name for drug in options.DRUGS}


class DiseaseRows(NamedTuple):
    studies: list[disease_reads.TimelineStudy]
    tg_labs: list[ThyroglobulinLab]
    decisions: list[disease_reads.SignedDecision]


def read(patient: Patient) -> DiseaseRows:
    """Three queries: the imaging studies, the Tg labs, the signed board decisions."""
    return DiseaseRows(
        disease_reads.timeline_studies(patient),
        disease_reads.tg_labs(patient),
        disease_reads.signed_decisions(patient),
    )


def drug_name(drug: str) -> str:
    """A course's or a decision's drug for the chart: MKI or targeted drug."""
    return TARGETED_NAMES.get(drug) or names.generic_drug_name(drug)


def quality_problem(m: thyroglobulin.TgMeasurement) -> str | None:
    """Why a value does not qualify for the doubling time, in the reader's words, or
    None when it qualifies. The checks and their order are disease/thyroglobulin.py's
    (whose reasons are English sentences)."""
    if m.anti_tg_antibody is AntiTg.POSITIVE:
        return gettext("anti-Tg antibody positive")
    if m.anti_tg_antibody is AntiTg.NOT_RECORDED:
        return gettext("no anti-Tg antibody result")
    if m.tsh_miu_l is None:
        return gettext("no TSH with this Tg")
    if m.tsh_miu_l >= thyroglobulin.TSH_SUPPRESSED_BELOW_MIU_L:
        return gettext("TSH %(tsh)s mIU/L is not suppressed (below %(limit)s required)") % {
            "tsh": f"{float(m.tsh_miu_l):g}",
            "limit": f"{float(thyroglobulin.TSH_SUPPRESSED_BELOW_MIU_L):g}",
        }
    return None


def _not_computed_because(tg: thyroglobulin.TgDoublingTime, several_assays: bool) -> str:
    if several_assays and not tg.used:
        return gettext("the values come from more than one assay; choose the assay to follow")
    if len(tg.used) >= thyroglobulin.MIN_VALUES:
        return gettext("all qualifying values are from one date")
    return ngettext(
        "%(count)s qualifying value; at least %(needed)s are needed",
        "%(count)s qualifying values; at least %(needed)s are needed",
        len(tg.used),
    ) % {"count": len(tg.used), "needed": thyroglobulin.MIN_VALUES}


def _tg(patient: Patient, labs: list[ThyroglobulinLab], timeline: charts.PatientTimeline) -> None:
    measurements = disease_reads.tg_measurements(patient, labs)
    tg = thyroglobulin.doubling_time(measurements)
    used = set(tg.used)
    several_assays = False
    for lab, m in zip(labs, measurements, strict=True):
        why = ""
        if m not in used:
            problem = quality_problem(m)
            # A value that qualifies and was not used was left out for its assay.
            several_assays = several_assays or problem is None
            why = problem or gettext("another assay: Tg is compared only within one assay")
        point = charts.TgPoint(lab.drawn_on, float(lab.tg_ng_ml), lab.assay, not why, why)
        timeline.tg.append(point)
    timeline.tg_summary = charts.TgSummary(
        status=tg.status.value,
        doubling_time_years=tg.doubling_time_years,
        category=tg.category.value if tg.category is not None else "",
        reason=_not_computed_because(tg, several_assays)
        if tg.status is thyroglobulin.TgDtStatus.NOT_COMPUTED
        else "",
    )


def _therapy(courses: Sequence[TreatmentCourse], today: date, tz) -> list[charts.TherapyLine]:
    lines = []
    for course in sorted(courses, key=lambda c: (c.start_date, c.pk)):
        ended: datetime | None = metrics.course_end(
            [change.as_entry() for change in course.prefetched_ledger]
        )
        end = ended.astimezone(tz).date() if ended is not None else max(today, course.start_date)
        lines.append(
            charts.TherapyLine(
                line=course.line_of_therapy,
                drug=drug_name(course.drug),
                start=course.start_date,
                end=end,
                ongoing=ended is None,
                targeted=course.drug in TARGETED_NAMES,
            )
        )
    return lines


def draw(
    timeline: charts.PatientTimeline,
    patient: Patient,
    rows: DiseaseRows,
    courses: Sequence[TreatmentCourse],
    *,
    today: date,
    tz,
) -> None:
    """The disease tracks' inputs onto `timeline`. With no imaging, Tg or decision the
    timeline gets none (not even the lines of therapy: the dose track shows them)."""
    for study in rows.studies:
        timeline.imaging.append(
            charts.ImagingPoint(
                on=study.performed_on,
                sum_mm=float(study.sum_mm) if study.sum_mm is not None else None,
                response=study.response if study.baseline_on is not None else "",
                baseline_on=study.baseline_on or study.performed_on,
                change_from_baseline_pct=_float(study.change_from_baseline_pct),
                change_from_nadir_pct=_float(study.change_from_nadir_pct),
            )
        )
    if rows.tg_labs:
        _tg(patient, rows.tg_labs, timeline)
    for decision in rows.decisions:
        outcome = str(BoardOutcome(decision.outcome).label)
        if decision.outcome == BoardOutcome.OTHER and decision.detail:
            outcome = f"{outcome} ({decision.detail})"
        timeline.board.append(
            charts.BoardMark(
                on=decision.meeting_on,
                outcome=outcome,
                drug=drug_name(decision.drug) if decision.drug else "",
                reason=decision.reason,
                signer=decision.signer_name,
            )
        )
    if timeline.has_disease:
        timeline.therapy = _therapy(courses, today, tz)


def _float(value) -> float | None:
    return None if value is None else float(value)

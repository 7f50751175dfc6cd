"""The disease course of the demonstration cohort (after patients.demo, toxicity.demo
and reports.demo). Invented data only.

Each site gains four patients on active surveillance, RAI-refractory by a criterion
in the clinician's words, each with years of CT imaging, thyroglobulin and molecular
results that make the timing flags and the options read differently:

- "progressing": stable for a year, then RECIST progression two months ago (PD
  within 12 months, ATA 2025 Rec 63); Tg doubling in 1–3 years; BRAF V600E and the
  three fusions tested negative (Rec 62); listed for the tumour board.
- "stable": stable disease over three CTs, the last 14 months ago on a 12-month
  interval (imaging overdue); Tg not doubling, one value without an antibody result
  left out; nothing tested (Rec 61).
- "tg_fast": measurable disease creeping up (stable disease by RECIST) but Tg
  doubling in under a year; RET fusion positive (Recs 67–69); listed for the board.
- "braf": progression 13 months ago (between 12 and 14 months), symptomatic cough;
  BRAF V600E positive (Rec 70); listed for the board.

And Northgate's first lenvatinib patient whose course has run four months or more
gets the disease course before and under it: the board's decision to start
lenvatinib, signed by the site's oncologist a fortnight before the first dose, the
baseline CT and its follow-ups every eight weeks, and a falling Tg.

Everything goes through the disease and patients services with the clock moved to
the day each thing happened (toxicity.demo.clinic_clock), so each study is assessed
by recist.py, each write is audited and dated as it would have been, and the flags
are computed on reading as in production. The same seed gives the same names.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from disease.services import board, imaging, labs, status
from patients import services as patient_services
from patients.demo import FAMILY, GIVEN, DemoUser
from patients.models import (
    Histology,
    Marker,
    MarkerResult,
    Patient,
    Role,
    Sex,
    Site,
    SiteMembership,
    TreatmentCourse,
)
from patients.selectors import dose_state, with_ledger
from toxicity.demo import clinic_clock

ASSAY = "Site laboratory Tg immunoassay"
TSH_SUPPRESSED = "0.04"  # mIU/L: below reference.md 3.3's 0.1
FUSIONS = (Marker.RET_FUSION, Marker.NTRK_FUSION, Marker.ALK_FUSION)
CRITERION = (
    "No radioiodine uptake in known structural disease on the post-therapy scan after "
    "5.5 GBq, with structural progression since"
)


@dataclass
class Seeded:
    patients: int = 0
    studies: int = 0
    tg_labs: int = 0
    open_entries: int = 0
    decisions: int = 0
    names: list[str] = field(default_factory=list)


def months_ago(today: date, months: float) -> date:
    return today - timedelta(days=round(30.44 * months))


def _at(day: date, hour: int = 11) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _lesion(label: str, mm: str | float, organ: str, *, node: bool = False) -> dict:
    return {"label": label, "organ": organ, "is_lymph_node": node, "diameter_mm": Decimal(str(mm))}


def _study(nurse, patient, on: date, lesions: Sequence[dict], *, baseline=False, **fields):
    with clinic_clock(_at(on, 15)):
        return imaging.record_imaging_study(
            actor=nurse,
            patient=patient,
            performed_on=on,
            modality="ct",
            targets=list(lesions),
            non_target=fields.pop("non_target", "present"),
            baseline=baseline,
            **fields,
        )


def _series(nurse, patient, today, seeded, studies) -> None:
    """(months ago, [(label, mm, organ, node)]) in date order; the first is the baseline."""
    for index, (ago, lesions) in enumerate(studies):
        targets = [_lesion(label, mm, organ, node=node) for label, mm, organ, node in lesions]
        _study(nurse, patient, months_ago(today, ago), targets, baseline=index == 0)
        seeded.studies += 1


def _tg(nurse, patient, seeded, values) -> None:
    """(date, Tg ng/mL, anti-Tg antibody) in date order, TSH suppressed, one assay."""
    for on, tg, antibody in values:
        with clinic_clock(_at(on, 9)):
            labs.record_tg_lab(
                actor=nurse,
                patient=patient,
                drawn_on=on,
                tg_ng_ml=Decimal(str(tg)),
                anti_tg_antibody=antibody,
                tsh_miu_l=Decimal(TSH_SUPPRESSED),
                assay=ASSAY,
            )
        seeded.tg_labs += 1


def _findings(nurse, patient, on: date, results: dict[str, str]) -> None:
    with clinic_clock(_at(on, 14)):
        for marker, result in results.items():
            patient_services.record_molecular_finding(
                actor=nurse,
                patient=patient,
                marker=marker,
                result=result,
                tested_on=on,
                method="NGS panel (tumour tissue)",
            )


def _list(nurse, patient, on: date, question: str, seeded) -> board.BoardEntry:
    with clinic_clock(_at(on, 16)):
        entry = board.add_board_entry(actor=nurse, patient=patient, question=question)
    seeded.open_entries += 1
    return entry


def _surveillance_patient(nurse, oncologist, site, today, rng, number, *, since, interval, **extra):
    diagnosed = months_ago(today, rng.randint(62, 96))
    rai_dose = diagnosed + timedelta(days=rng.randint(70, 120))
    refractory = months_ago(today, since + rng.randint(1, 3))
    # Registered in the tracker the day before surveillance began.
    with clinic_clock(_at(months_ago(today, since) - timedelta(days=1), 10)):
        patient = patient_services.create_patient(
            actor=nurse,
            site=site,
            mrn=f"{site.code.upper()}9{number:05d}",
            family_name=rng.choice(FAMILY),
            given_name=rng.choice(GIVEN),
            date_of_birth=today - timedelta(days=rng.randint(45 * 365, 78 * 365)),
            sex=rng.choice([Sex.FEMALE, Sex.FEMALE, Sex.MALE]),
            histology=rng.choice([Histology.PAPILLARY] * 3 + [Histology.FOLLICULAR]),
            diagnosis_date=diagnosed,
            rai_refractory_date=refractory,
            baseline_weight_kg=Decimal(f"{rng.uniform(55, 95):.1f}"),
        )
    with clinic_clock(_at(months_ago(today, since), 12)):
        status.record_disease_status(
            actor=oncologist,
            patient=patient,
            reason="RAI-refractory, asymptomatic: active surveillance agreed with the patient",
            prior_rai_dose_on=rai_dose,
            rai_refractory_on=refractory,
            rai_refractory_criterion=CRITERION,
            on_active_surveillance=True,
            surveillance_since=months_ago(today, since),
            imaging_interval_months=interval,
            **extra,
        )
    return patient


def _became_symptomatic(oncologist, patient, on: date, symptoms: str) -> None:
    current = patient.disease_status
    with clinic_clock(_at(on, 12)):
        status.record_disease_status(
            actor=oncologist,
            patient=patient,
            reason="New symptoms reported at clinic",
            version=current.version,
            prior_rai_dose_on=current.prior_rai_dose_on,
            rai_refractory_on=patient.rai_refractory_date,
            rai_refractory_criterion=current.rai_refractory_criterion,
            on_active_surveillance=True,
            surveillance_since=current.surveillance_since,
            imaging_interval_months=current.imaging_interval_months,
            symptomatic=True,
            symptoms=symptoms,
        )


def _every(today: date, start_months: float, step_months: float, values) -> list[tuple]:
    """Tg values `step_months` apart from `start_months` ago: (date, tg, antibody)."""
    out = []
    for index, value in enumerate(values):
        tg, antibody = value if isinstance(value, tuple) else (value, "negative")
        out.append((months_ago(today, start_months - index * step_months), tg, antibody))
    return out


def _progressing(nurse, oncologist, site, today, rng, number, seeded) -> Patient:
    patient = _surveillance_patient(
        nurse, oncologist, site, today, rng, number, since=26, interval=6
    )
    lung, node = "lung", "mediastinal lymph nodes"
    _series(
        nurse,
        patient,
        today,
        seeded,
        [
            (24, [("T1", 18, lung, False), ("T2", 14, lung, False), ("N1", 16, node, True)]),
            (18, [("T1", 18.5, lung, False), ("T2", 14, lung, False), ("N1", 16, node, True)]),
            (8, [("T1", 20, lung, False), ("T2", 15, lung, False), ("N1", 17, node, True)]),
            # +29 % and +14 mm from the nadir (the baseline): PD.
            (2, [("T1", 25, lung, False), ("T2", 18, lung, False), ("N1", 19, node, True)]),
        ],
    )
    _tg(nurse, patient, seeded, _every(today, 24, 4, [3.1, 3.7, 4.4, 5.3, 6.3, 7.6]))
    _findings(
        nurse,
        patient,
        months_ago(today, 20),
        {Marker.BRAF_V600E: MarkerResult.NEGATIVE} | {m: MarkerResult.NEGATIVE for m in FUSIONS},
    )
    _list(
        nurse,
        patient,
        months_ago(today, 1.5),
        "RECIST progression within 12 months, asymptomatic, no actionable alteration: start "
        "lenvatinib now (Rec 63) or keep watching?",
        seeded,
    )
    return patient


def _stable(nurse, oncologist, site, today, rng, number, seeded) -> Patient:
    patient = _surveillance_patient(
        nurse, oncologist, site, today, rng, number, since=40, interval=12
    )
    lung, node = "lung", "cervical lymph nodes"
    _series(
        nurse,
        patient,
        today,
        seeded,
        [
            (38, [("T1", 14, lung, False), ("N1", 15, node, True)]),
            (26, [("T1", 14.5, lung, False), ("N1", 15, node, True)]),
            (14, [("T1", 14, lung, False), ("N1", 16, node, True)]),
        ],
    )
    _tg(
        nurse,
        patient,
        seeded,
        _every(today, 38, 6, [1.9, 1.8, (2.6, "not_recorded"), 1.9, 1.7, 1.8, 1.7]),
    )
    return patient


def _tg_fast(nurse, oncologist, site, today, rng, number, seeded) -> Patient:
    patient = _surveillance_patient(
        nurse, oncologist, site, today, rng, number, since=15, interval=3
    )
    lung, node = "lung", "cervical lymph nodes"
    _series(
        nurse,
        patient,
        today,
        seeded,
        [
            (14, [("T1", 12, lung, False), ("N1", 18, node, True)]),
            (11, [("T1", 12.5, lung, False), ("N1", 18.5, node, True)]),
            (8, [("T1", 13, lung, False), ("N1", 19, node, True)]),
            (5, [("T1", 14, lung, False), ("N1", 19.5, node, True)]),
            # +16.7 % and +5 mm from the nadir: not yet PD (20 % and 5 mm both needed).
            (2, [("T1", 15, lung, False), ("N1", 20, node, True)]),
        ],
    )
    # About 26 % a quarter: a doubling time of some 9 months (< 1 year).
    _tg(nurse, patient, seeded, _every(today, 14, 3, [4.0, 5.0, 6.3, 8.0, 10.1]))
    _findings(
        nurse,
        patient,
        months_ago(today, 13),
        {
            Marker.BRAF_V600E: MarkerResult.NEGATIVE,
            Marker.RET_FUSION: MarkerResult.POSITIVE,
            Marker.NTRK_FUSION: MarkerResult.NEGATIVE,
            Marker.ALK_FUSION: MarkerResult.NEGATIVE,
        },
    )
    _list(
        nurse,
        patient,
        months_ago(today, 1),
        "RET fusion positive, Tg doubling time under a year, stable by RECIST: "
        "selpercatinib first line (Recs 67–69) now, or image again in three months?",
        seeded,
    )
    return patient


def _braf(nurse, oncologist, site, today, rng, number, seeded) -> Patient:
    patient = _surveillance_patient(
        nurse, oncologist, site, today, rng, number, since=21, interval=6
    )
    _series(
        nurse,
        patient,
        today,
        seeded,
        [
            (19, [("T1", 25, "lung", False), ("T2", 15, "pleura", False)]),
            # +25 % and +10 mm: PD, 13 months ago (between 12 and 14 months).
            (13, [("T1", 31, "lung", False), ("T2", 19, "pleura", False)]),
            (7, [("T1", 32, "lung", False), ("T2", 19, "pleura", False)]),
        ],
    )
    _tg(
        nurse,
        patient,
        seeded,
        _every(today, 19, 4, [(18.0, "negative"), (24.0, "positive"), 21.0, 23.0, 26.0]),
    )
    _findings(
        nurse,
        patient,
        months_ago(today, 17),
        {Marker.BRAF_V600E: MarkerResult.POSITIVE} | {m: MarkerResult.NEGATIVE for m in FUSIONS},
    )
    _became_symptomatic(
        oncologist, patient, months_ago(today, 2), "Dry cough and breathlessness on stairs"
    )
    _list(
        nurse,
        patient,
        months_ago(today, 0.5),
        "Now symptomatic, BRAF V600E: lenvatinib first line, with BRAF-directed therapy "
        "kept for progression or intolerance (Rec 70)?",
        seeded,
    )
    return patient


PROFILES = (_progressing, _stable, _tg_fast, _braf)


def _treated(nurse, oncologist, site, password: str | None, today, seeded) -> Patient | None:
    """Northgate's first lenvatinib patient on a course of four months or more: the
    board's signed decision before the first dose, the baseline CT and follow-ups
    every eight weeks, and a falling Tg."""
    courses = with_ledger(
        TreatmentCourse.objects.filter(
            patient__site=site,
            drug="lenvatinib",
            start_date__lte=today - timedelta(days=120),
        ).order_by("patient_id", "id")
    )
    course = next((c for c in courses if not dose_state(c).ended), None)
    if course is None:
        return None
    patient, start = course.patient, course.start_date
    _findings(
        nurse,
        patient,
        start - timedelta(days=40),
        {m: MarkerResult.NEGATIVE for m in FUSIONS},
    )
    with clinic_clock(_at(max(start - timedelta(days=35), patient.rai_refractory_date), 12)):
        status.record_disease_status(
            actor=oncologist,
            patient=patient,
            reason="RAI-refractory with progression: for the tumour board",
            prior_rai_dose_on=patient.rai_refractory_date - timedelta(days=150),
            rai_refractory_on=patient.rai_refractory_date,
            rai_refractory_criterion=CRITERION,
        )
    baseline = [("T1", 22, "lung", False), ("T2", 17, "lung", False), ("T3", 19, "liver", False)]
    _study(
        nurse,
        patient,
        start - timedelta(days=28),
        [_lesion(label, mm, organ) for label, mm, organ, _ in baseline],
        baseline=True,
    )
    seeded.studies += 1
    shrink = (0.78, 0.66, 0.62, 0.6, 0.6, 0.61, 0.62, 0.64, 0.65, 0.66, 0.68, 0.7)
    day = start + timedelta(days=56)
    for factor in shrink:
        if day > today - timedelta(days=3):
            break
        lesions = [_lesion(label, round(mm * factor, 1), organ) for label, mm, organ, _ in baseline]
        _study(nurse, patient, day, lesions)
        seeded.studies += 1
        day += timedelta(days=56)
    tg_values = []
    on, tg = start - timedelta(days=60), 14.0
    while on <= today:
        tg_values.append((on, round(tg, 1), "negative"))
        on += timedelta(days=61)
        tg *= 0.8 if on > start else 1.15
    _tg(nurse, patient, seeded, tg_values)
    entry = _list(
        nurse,
        patient,
        start - timedelta(days=21),
        "Progressive RAI-refractory disease, no actionable alteration: start lenvatinib?",
        seeded,
    )
    if password is not None:
        with clinic_clock(_at(start - timedelta(days=14), 17)):
            board.decide_board_entry(
                actor=oncologist,
                entry=entry,
                meeting_on=start - timedelta(days=14),
                outcome="start_mki",
                drug="lenvatinib",
                attendees="Medical oncologist, endocrinologist, thyroid surgeon, radiologist, "
                "nuclear medicine physician, clinical nurse specialist",
                reason="RECIST progression within 12 months (Rec 63), no actionable alteration "
                "(Rec 62): lenvatinib preferred first line; the patient chose efficacy first.",
                password=password,
            )
        seeded.open_entries -= 1
        seeded.decisions += 1
    return patient


def seed_disease(*, users: Sequence[DemoUser] = (), seed_value: int = 2026) -> Seeded:
    """Four surveillance patients a site, and the treated Northgate patient's course;
    `users` (with the passwords patients.demo printed) sign the board's decision."""
    rng = random.Random(f"{seed_value}-disease")
    today = timezone.localdate()
    passwords = {user.username: user.password for user in users}
    seeded = Seeded()
    staff = {
        (m.site_id, m.role): m.user
        for m in SiteMembership.objects.filter(role__in=[Role.NURSE, Role.ONCOLOGIST])
        .select_related("user")
        .order_by("id")
    }
    for site in Site.objects.order_by("id"):
        nurse, oncologist = staff[(site.pk, Role.NURSE)], staff[(site.pk, Role.ONCOLOGIST)]
        for number, profile in enumerate(PROFILES, start=1):
            patient = profile(nurse, oncologist, site, today, rng, number, seeded)
            seeded.patients += 1
            seeded.names.append(f"{patient.reference_code} ({profile.__name__.strip('_')})")
        if site.code == "ngt":
            password = passwords.get(oncologist.get_username())
            _treated(nurse, oncologist, site, password, today, seeded)
    return seeded

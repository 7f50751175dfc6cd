"""A Chinese-speaking clinic for the Chinese page checks: a site in zh-hans, a nurse,
an oncologist and a patient on lenvatinib with weekly visits, a patient account with
one weekly report; and the names and codes that may appear in Latin letters."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from disease.services.board import add_board_entry
from disease.services.imaging import record_imaging_study
from disease.services.labs import record_tg_lab
from disease.services.status import record_disease_status
from patients.models import Role
from tests.factories import PatientFactory, SiteFactory, member
from tests.reports.factories import patient_account, weekly_report
from tests.tracker import data

ASSAY = "Roche Elecsys"  # the laboratory's name for its Tg assay, as it writes it


def chinese_clinic(*, weeks: int) -> dict:
    site = SiteFactory(name="Huashan Thyroid Clinic", code="hs", language="zh-hans")
    nurse = member(site, Role.NURSE, username="nurse.wang", first_name="Li", last_name="Wang")
    oncologist = member(
        site, Role.ONCOLOGIST, username="dr.zhang", first_name="Wei", last_name="Zhang"
    )
    patient = PatientFactory(site=site, family_name="Chen", given_name="Mei")
    course = data.start_course(oncologist, patient, days_ago=7 * weeks + 5)
    for week in range(weeks):
        data.log_visit(
            nurse,
            course,
            days_ago=7 * (weeks - week),
            observations=[
                data.hypertension([[126 + 2 * week, 80 + week % 3], [124 + 2 * week, 79]]),
                {"term": "weight_loss", "weight_kg": 70 - 0.3 * week},
                {"term": "fatigue", "grade": 1},
            ],
        )
    disease_history(nurse, patient)
    entry = add_board_entry(actor=nurse, patient=patient, question="是否开始靶向治疗？")
    account = patient_account(nurse, patient, username="chen.mei")
    weekly_report(account)
    names = {site.name, site.code, patient.family_name, patient.given_name, patient.mrn, ASSAY}
    names |= {*patient.reference_code.split("-"), account.user.get_username()}
    for user in (nurse, oncologist):
        names |= {user.username, user.first_name, user.last_name}
    return {
        "nurse": nurse,
        "oncologist": oncologist,
        "patient": patient,
        "course": course,
        "account": account,
        "board_entry": entry,
        "names": {word for name in names for word in name.replace(".", " ").split()},
    }


def disease_history(nurse, patient) -> None:
    """RAI-refractory a year ago; a baseline CT and a progressing follow-up; four Tg
    results that qualify for the doubling time."""
    today = timezone.localdate()
    record_disease_status(
        actor=nurse,
        patient=patient,
        reason="核医学科转诊",
        prior_rai_dose_on=today - timedelta(days=700),
        rai_refractory_on=today - timedelta(days=365),
        rai_refractory_criterion="RAI 后出现不摄碘的肺部新病灶",
    )
    for days_ago, lung, node, baseline in ((300, "30", "20", True), (60, "38", "22", False)):
        record_imaging_study(
            actor=nurse,
            patient=patient,
            performed_on=today - timedelta(days=days_ago),
            modality="ct",
            targets=[
                {"label": "T1", "organ": "lung", "is_lymph_node": False, "diameter_mm": lung},
                {"label": "T2", "organ": "neck", "is_lymph_node": True, "diameter_mm": node},
            ],
            non_target="present",
            baseline=baseline,
        )
    for days_ago, value in ((360, "2.0"), (240, "2.9"), (120, "4.2"), (10, "6.1")):
        record_tg_lab(
            actor=nurse,
            patient=patient,
            drawn_on=today - timedelta(days=days_ago),
            tg_ng_ml=Decimal(value),
            anti_tg_antibody="negative",
            tsh_miu_l=Decimal("0.05"),
            assay=ASSAY,
        )

"""A Chinese-speaking clinic for the Chinese page checks: a site in zh-hans, a nurse,
an oncologist and a patient on lenvatinib with weekly visits, a patient account with
one weekly report; and the names and codes that may appear in Latin letters."""

from __future__ import annotations

from patients.models import Role
from tests.factories import PatientFactory, SiteFactory, member
from tests.reports.factories import patient_account, weekly_report
from tests.tracker import data


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
    account = patient_account(nurse, patient, username="chen.mei")
    weekly_report(account)
    names = {site.name, site.code, patient.family_name, patient.given_name, patient.mrn}
    names |= {*patient.reference_code.split("-"), account.user.get_username()}
    for user in (nurse, oncologist):
        names |= {user.username, user.first_name, user.last_name}
    return {
        "nurse": nurse,
        "oncologist": oncologist,
        "patient": patient,
        "course": course,
        "account": account,
        "names": {word for name in names for word in name.replace(".", " ").split()},
    }

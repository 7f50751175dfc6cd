"""Patient accounts and reports, made through the services as a nurse and a patient would."""

from __future__ import annotations

from itertools import count

from reports import services

PATIENT_PASSWORD = "a long patient password 42"
_names = count(1)


def patient_account(nurse, patient, *, carer_name: str = "", username: str | None = None):
    """An account opened from a printed invitation, as the patient opens it."""
    new = services.invite(actor=nurse, patient=patient, channel="printed", carer_name=carer_name)
    return services.accept_invitation(
        code=new.code,
        username=username or f"patient{next(_names)}",
        password=PATIENT_PASSWORD,
        password2=PATIENT_PASSWORD,
    )


def weekly_report(account, answers=None, **kwargs):
    return services.submit_weekly_report(
        account=account,
        answers=answers or {"fatigue": {"severity": 1, "interference": 1}},
        **kwargs,
    )

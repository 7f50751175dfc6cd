"""Every write of the patient-reports app goes through here.

Enrolment (a nurse invites; the patient sets a password), and what a patient
reports: the weekly PRO-CTCAE survey, home blood pressure, missed or lower doses.
Each function checks who acts, validates the whole change before writing anything,
and records who and why in the audit history within the same transaction.

A patient report never changes a dose or a grade of the clinic's (policy.md
point 8): it stores what the patient said and what the grading tables make of it.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patients import limits
from patients.access import has_role
from patients.models import Patient, Role, TreatmentCourse
from reports import items, monitor_csv, selectors, triage
from reports.models import (
    BpPeriod,
    BpSource,
    DoseReport,
    DoseStatus,
    HomeBloodPressure,
    Invitation,
    InvitationChannel,
    PatientAccount,
    SymptomAnswer,
    SymptomReport,
)
from toxicity.ctcae import grading, pro
from toxicity.rules.bounds import PLAUSIBLE

INVITERS = (Role.NURSE, Role.ONCOLOGIST)
# Unambiguous capitals and digits (no 0/O, 1/I/L): a code read off paper is typed right.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_CHARS = 16  # 16 x log2(31) = 79 bits: as unguessable as a long password
# A time "now" on a phone a little ahead of the server's clock is still now.
CLOCK_SKEW = timedelta(minutes=5)
# How far back a patient may report: the survey's recall and a little more.
BACKDATE_DAYS = 14


# --- enrolment ----------------------------------------------------------------------


def normalise_code(code: str) -> str:
    """The code as stored: capitals, without the spaces and dashes it is printed with."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def digest_of(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def printable(code: str) -> str:
    """XXXX-XXXX-XXXX-XXXX: easier to read out and type."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


@dataclass(frozen=True)
class NewInvitation:
    record: Invitation
    code: str  # the only time it is known: email or print it, keep it nowhere

    @property
    def printed_code(self) -> str:
        return printable(self.code)

    @property
    def link(self) -> str:
        return settings.SITE_URL.rstrip("/") + reverse("reports:accept", args=[self.code])


@transaction.atomic
def invite(
    *,
    actor,
    patient: Patient,
    channel: str,
    email: str = "",
    carer_name: str = "",
) -> NewInvitation:
    """A one-time code for the patient (or a named carer) to set a password with.

    An earlier unused invitation for the same person stops working: only the
    newest code a nurse handed out opens an account.
    """
    if not has_role(actor, patient.site_id, *INVITERS):
        raise PermissionDenied(_("Only the site's nurses and oncologists invite patients."))
    email = (email or "").strip()
    carer_name = (carer_name or "").strip()
    errors = limits.text_errors(carer_name=(carer_name, limits.NAME_CHARS))
    if channel not in InvitationChannel.values:
        errors["channel"] = _("Choose an email or a printed code.")
    if channel == InvitationChannel.EMAIL:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = _("Type the email address the patient reads.")
    elif email:
        errors["email"] = _("A printed code is not emailed: leave the address empty.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    for older in Invitation.objects.filter(
        patient=patient, carer_name=carer_name, used_at=None, revoked_at=None
    ):
        older.revoked_at = now
        older._history_user = actor
        older._change_reason = "Replaced by a newer invitation"
        older.save(update_fields=["revoked_at"])
    code = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_CHARS))
    record = Invitation(
        patient=patient,
        channel=channel,
        email=email,
        carer_name=carer_name,
        digest=digest_of(code),
        created_by=actor,
        created_at=now,
        expires_at=now + timedelta(hours=settings.PATIENT_INVITATION_HOURS),
    )
    record._history_user = actor
    record._change_reason = (
        f"Invited {'a carer' if carer_name else 'the patient'} to report from home "
        f"({record.get_channel_display()})"
    )
    record.save()
    return NewInvitation(record=record, code=code)


def send_invitation(new: NewInvitation) -> None:
    """Emails the link. Raises the mail backend's error for the nurse to see.

    The email names neither the patient nor their record: the link and the
    clinic's name are enough, and the link works once.
    """
    record = new.record
    context = {
        "link": new.link,
        "site": record.patient.site.name,
        "expires_at": record.expires_at,
        "hours": settings.PATIENT_INVITATION_HOURS,
        "carer": bool(record.carer_name),
    }
    # In the clinic's language: the patient has no account, so no choice, yet.
    with translation.override(record.patient.site.language or settings.LANGUAGE_CODE):
        subject = render_to_string("reports/email/invitation-subject.txt", context)
        subject = " ".join(subject.split())
        body = render_to_string("reports/email/invitation-body.txt", context)
    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [record.email]).send()
    record.sent_at = timezone.now()
    record._change_reason = "Invitation email sent"
    record.save(update_fields=["sent_at"])


def find_invitation(code: str) -> Invitation | None:
    """The invitation a code opens, if it is unused, unrevoked and unexpired."""
    if len(normalise_code(code)) != CODE_CHARS:
        return None
    return (
        Invitation.objects.select_related("patient__site")
        .filter(
            digest=digest_of(code),
            used_at=None,
            revoked_at=None,
            expires_at__gt=timezone.now(),
        )
        .first()
    )


INVALID_CODE = gettext_lazy(
    "This code does not work: it may be mistyped, used already or out of date. "
    "Ask your clinic for a new one."
)


@transaction.atomic
def accept_invitation(*, code: str, username: str, password: str, password2: str) -> PatientAccount:
    """Opens the patient's account: a new sign-in with the password they chose."""
    found = find_invitation(code)
    if found is None:
        raise ValidationError({"code": INVALID_CODE})
    # Locked: two taps on the same link open one account.
    invitation = Invitation.objects.select_for_update().get(pk=found.pk)
    if invitation.used_at is not None:
        raise ValidationError({"code": INVALID_CODE})
    user_model = get_user_model()
    username = (username or "").strip()
    errors: dict[str, list[str]] = {}
    if not username:
        errors["username"] = [_("Choose a sign-in name.")]
    elif len(username) > 150:
        errors["username"] = [_("Keep the sign-in name to 150 characters.")]
    elif user_model.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("This sign-in name is taken: choose another.")]
    if password != password2:
        errors["password2"] = [_("The two passwords are not the same.")]
    candidate = user_model(username=username, email=invitation.email)
    try:
        password_validation.validate_password(password, candidate)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    try:
        with transaction.atomic():
            user = user_model.objects.create_user(
                username=username, email=invitation.email, password=password
            )
    except IntegrityError:
        raise ValidationError(
            {"username": [_("This sign-in name is taken: choose another.")]}
        ) from None
    account = PatientAccount(
        user=user, patient=invitation.patient, carer_name=invitation.carer_name, created_at=now
    )
    account._history_user = user
    account._change_reason = f"Account opened from invitation {invitation.pk}"
    account.save()
    invitation.used_at = now
    invitation.account = account
    invitation._history_user = user
    invitation._change_reason = "Used to open an account"
    invitation.save(update_fields=["used_at", "account"])
    return account


# --- what the patient reports ---------------------------------------------------------


def _audit(instance, account: PatientAccount, reason: str) -> None:
    instance._history_user = account.user
    instance._change_reason = reason


def _check_when(
    value: datetime | None, field: str, errors: dict, oldest: int | None = BACKDATE_DAYS
) -> None:
    now = timezone.now()
    if value is None:
        errors[field] = _("Say when you took it.")
    elif value > now + CLOCK_SKEW:
        errors[field] = _("This time is in the future.")
    elif oldest is not None and value < now - timedelta(days=oldest):
        errors[field] = _("Report readings from the last %(days)s days only.") % {"days": oldest}


def _bp_errors(session: dict, prefix: str, oldest: int | None = BACKDATE_DAYS) -> dict[str, str]:
    errors: dict[str, str] = {}
    _check_when(session.get("taken_at"), f"{prefix}_taken_at", errors, oldest)
    pairs = [("sbp1", "dbp1"), ("sbp2", "dbp2")]
    for number, (s, d) in enumerate(pairs, start=1):
        sbp, dbp = session.get(s), session.get(d)
        if sbp is None and dbp is None:
            if number == 1:
                errors[f"{prefix}_{s}"] = _("Type the top and bottom numbers of the reading.")
            continue
        for key, value, bound in ((s, sbp, PLAUSIBLE["sbp"]), (d, dbp, PLAUSIBLE["dbp"])):
            if value is None:
                errors[f"{prefix}_{key}"] = _("Type both numbers of the reading.")
            elif not bound.contains(value):
                errors[f"{prefix}_{key}"] = _(
                    "This number should be between %(low)s and %(high)s. Please check it."
                ) % {"low": f"{bound.low:g}", "high": f"{bound.high:g}"}
        if sbp is not None and dbp is not None and dbp > sbp:
            errors[f"{prefix}_{d}"] = _("The bottom number is higher than the top one.")
    return errors


def _new_bp(
    account: PatientAccount, session: dict, *, report: SymptomReport | None, source: str
) -> HomeBloodPressure:
    readings = [(session["sbp1"], session["dbp1"])]
    if session.get("sbp2") is not None:
        readings.append((session["sbp2"], session["dbp2"]))
    # The clinic's own function for a visit's readings (the engine calls it too).
    graded = grading.grade_hypertension(readings)
    bp = HomeBloodPressure(
        patient=account.patient,
        account=account,
        report=report,
        period=session["period"],
        taken_at=session["taken_at"],
        sbp1=session["sbp1"],
        dbp1=session["dbp1"],
        sbp2=session.get("sbp2"),
        dbp2=session.get("dbp2"),
        ctcae_grade=graded.grade,
        provisional=graded.provisional,
        basis=f"home reading: {graded.basis}"[:200],
        source=source,
        recorded_at=timezone.now(),
    )
    _audit(bp, account, "Home blood pressure reported by the patient")
    bp.save()
    return bp


def grade_answers(answers: dict[str, dict[str, int | None]]) -> dict[str, int]:
    """item -> composite grade, checking each item's answers; errors per question field.

    An item left wholly unanswered is not graded (it is not stored either). An item
    answered in part is graded when pro.py's zero rules make the rest irrelevant
    ("Never" had diarrhoea); otherwise the missing question is named.
    """
    grades: dict[str, int] = {}
    errors: dict[str, str] = {}
    for key, given in answers.items():
        item = items.ITEMS.get(key)
        if item is None:
            errors[key] = _("Unknown question.")
            continue
        values = {attr: given.get(attr) for attr in item.attributes}
        if all(v is None for v in values.values()):
            continue
        try:
            grades[key] = pro.composite_grade_for_item(key, **values)
        except ValueError:
            missing = next(
                attr for attr in items.ATTRIBUTE_ORDER if attr in values and values[attr] is None
            )
            errors[f"{key}__{missing}"] = _("Please answer this question too.")
    if errors:
        raise ValidationError(errors)
    return grades


@transaction.atomic
def submit_weekly_report(
    *,
    account: PatientAccount,
    answers: dict[str, dict[str, int | None]],
    anything_else: str = "",
    blood_pressure: list[dict] | None = None,
    submission: uuid.UUID | None = None,
) -> SymptomReport:
    """Stores the survey, each item's composite grade, and any home BP sent with it.

    `submission` is the survey form's id: sent again (a second tap, a re-sent request),
    the report already stored under it is returned and nothing new is stored.
    """
    already = selectors.sent_with(account, submission)
    if already is not None:
        return already
    anything_else = (anything_else or "").strip()
    errors: dict[str, str] = {}
    try:
        grades = grade_answers(answers)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        grades = {}
    problem = limits.text_problem(anything_else, items.ANYTHING_ELSE_CHARS)
    if problem:
        errors["anything_else"] = problem
    sessions = blood_pressure or []
    for session in sessions:
        errors.update(_bp_errors(session, session["period"]))
    if not errors and not grades and not anything_else and not sessions:
        errors["__all__"] = _("Answer at least one question before sending.")
    if errors:
        raise ValidationError(errors)
    report = SymptomReport(
        patient=account.patient,
        account=account,
        submitted_at=timezone.now(),
        recall_days=items.RECALL_DAYS,
        anything_else=anything_else,
        submission=submission,
    )
    _audit(report, account, "Weekly symptom report sent by the patient")
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        # The same form's other request stored it a moment ago.
        return SymptomReport.objects.get(account=account, submission=submission)
    for key, grade in grades.items():
        given = answers[key]
        answer = SymptomAnswer(
            report=report,
            item=key,
            frequency=given.get(pro.FREQUENCY),
            severity=given.get(pro.SEVERITY),
            interference=given.get(pro.INTERFERENCE),
            composite_grade=grade,
            wording_confirmed=items.ITEMS[key].wording_confirmed,
        )
        _audit(answer, account, "Weekly symptom report sent by the patient")
        answer.save()
    for session in sessions:
        _new_bp(account, session, report=report, source=BpSource.FORM)
    # A report that meets the site's triage criteria waits for a nurse's grading.
    triage.raise_for_report(report)
    return report


@transaction.atomic
def record_home_bp(
    *, account: PatientAccount, sessions: list[dict], source: str = BpSource.FORM
) -> list[HomeBloodPressure]:
    """Home readings on their own (between weekly reports)."""
    errors: dict[str, str] = {}
    if not sessions:
        errors["__all__"] = _("Type at least one reading.")
    for session in sessions:
        if session.get("period") not in BpPeriod.values:
            errors[f"{session.get('period')}_period"] = _("Choose morning or evening.")
            continue
        errors.update(_bp_errors(session, session["period"]))
    if errors:
        raise ValidationError(errors)
    stored = [_new_bp(account, session, report=None, source=source) for session in sessions]
    triage.raise_for_home_bp(stored)
    return stored


def _course_on(patient: Patient, day: date) -> TreatmentCourse | None:
    # The latest course started by that day; an ended course's end is the ledger's business.
    return (
        TreatmentCourse.objects.filter(patient=patient, start_date__lte=day)
        .order_by("-start_date", "-id")
        .first()
    )


@transaction.atomic
def record_dose(
    *,
    account: PatientAccount,
    day: date | None,
    status: str,
    dose_mg: Decimal | None = None,
    reason: str = "",
) -> DoseReport:
    """A day the patient took their dose, missed it, or took less (and why)."""
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if day is None:
        errors["date"] = _("Say which day.")
    elif day > today:
        errors["date"] = _("This day is in the future.")
    elif day < today - timedelta(days=BACKDATE_DAYS):
        errors["date"] = _("Report days from the last %(days)s days only.") % {
            "days": BACKDATE_DAYS
        }
    if status not in DoseStatus.values:
        errors["status"] = _("Choose what you took.")
    if status == DoseStatus.REDUCED:
        if dose_mg is None:
            errors["dose_mg"] = _("Say how many mg you took.")
        elif not Decimal(0) < dose_mg < Decimal(1000):
            errors["dose_mg"] = _("Type the dose in mg, as on the box.")
    elif dose_mg is not None:
        errors["dose_mg"] = _("Leave the dose empty unless you took a lower dose.")
    problem = limits.text_problem(reason, limits.REASON_CHARS)
    if problem:
        errors["reason"] = problem
    if errors:
        raise ValidationError(errors)
    report = DoseReport(
        patient=account.patient,
        account=account,
        course=_course_on(account.patient, day),
        date=day,
        status=status,
        dose_mg=dose_mg,
        reason=reason,
        recorded_at=timezone.now(),
    )
    _audit(report, account, "Dose taken, missed or lowered, as the patient reported it")
    report.save()
    return report


@transaction.atomic
def import_home_bp_csv(*, account: PatientAccount, text: str) -> list[HomeBloodPressure]:
    """A home monitor's export: each sitting stored once, graded like typed readings.

    Importing the same file again stores nothing new (a sitting already stored, same
    time and readings, is skipped), so a patient may send the whole history each time.
    """
    zone = account.patient.site.zone
    try:
        readings = monitor_csv.parse(text, zone)
    except monitor_csv.CsvProblem as problem:
        lines = [
            _("Row %(row)s: %(problem)s.") % {"row": row, "problem": what} if row else what
            for row, what in problem.problems[:10]
        ]
        raise ValidationError({"file": lines}) from None
    if not readings:
        raise ValidationError({"file": [_("The file has no readings.")]})
    sessions = []
    for sitting in monitor_csv.sittings(readings):
        first = sitting[0]
        session = {
            # Before noon on the patient's clock is the morning reading.
            "period": BpPeriod.MORNING if first.taken_at.hour < 12 else BpPeriod.EVENING,
            "taken_at": first.taken_at,
            "sbp1": first.sbp,
            "dbp1": first.dbp,
            "sbp2": sitting[1].sbp if len(sitting) > 1 else None,
            "dbp2": sitting[1].dbp if len(sitting) > 1 else None,
        }
        # A monitor keeps months of readings: older ones are real history, kept.
        problems = _bp_errors(session, "file", oldest=None)
        if problems:
            raise ValidationError(
                {
                    "file": [
                        _("Row %(row)s: %(problem)s") % {"row": first.row, "problem": text}
                        for text in problems.values()
                    ]
                }
            )
        sessions.append(session)
    stored = []
    for session in sessions:
        exists = HomeBloodPressure.objects.filter(
            patient=account.patient,
            taken_at=session["taken_at"],
            sbp1=session["sbp1"],
            dbp1=session["dbp1"],
        ).exists()
        if not exists:
            stored.append(_new_bp(account, session, report=None, source=BpSource.CSV))
    triage.raise_for_home_bp(stored)
    return stored

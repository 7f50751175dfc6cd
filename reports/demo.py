"""Months of reports from home for the demonstration cohort (after patients.demo and
toxicity.demo have seeded the patients, courses and visits). Invented data only.

About a third of the patients on a running course are invited by their site's nurse
some three months ago (one account is a carer's) and then report as patients do:
the weekly symptom survey on their own day of the week, mostly mild, a few
worsening, one with severe diarrhoea in the last days, a few with words in the
"anything else" box; twice-daily home blood pressure for some over the last four
weeks (one reaching CTCAE grade 3); a few missed or lower doses; two who stopped
reporting three weeks ago, so the worklist asks about them.

Everything goes through reports.services with the clock moved to the time of each
report (toxicity.demo.clinic_clock), one transaction per report as a patient's
phone would send it: whatever a report causes when it is stored or committed (its
grades, its audit rows, a triage alert) is dated when it happened. The same seed
gives the same reports (drawn from a generator of their own, so the cohort's draws
are unchanged).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.test.utils import override_settings
from django.utils import timezone

from patients import dosing
from patients import selectors as patient_selectors
from patients.demo import DemoUser, _password
from patients.models import Role, SiteMembership, TreatmentCourse
from reports import items, services
from reports.models import BpPeriod, DoseStatus, PatientAccount
from toxicity.demo import clinic_clock

DEMO_PATIENT = "patient.ngt"  # the one patient sign-in the demo prints
WEEKS = 13  # about three months of weekly surveys
BP_DAYS = 28  # twice-daily home readings over the last four weeks
SHARE = 3  # every third patient on a running course reports from home
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# What each reporting patient's months look like, in the order they are enrolled
# (Northgate's first); the rest report mild symptoms.
PROFILES = (
    "bp_grade3",  # the demo patient: twice-daily home BP, grade 3 in the last days
    "severe_diarrhoea",  # reported by a carer
    "worsening",
    "mild",
    "lapsed",
    "mild_bp",
    "worsening",
    "mild",
    "lapsed",
    "mild_bp",
)
# The survey's symptoms a demo patient answers each week (the others left blank).
ANSWERED = (
    "diarrhea",
    "nausea",
    "decreased_appetite",
    "fatigue",
    "mouth_throat_sores",
    "hand_foot_syndrome",
    "hoarse_voice",
    "headache",
)
WORSENING = ("hand_foot_syndrome", "fatigue", "decreased_appetite")
# The level (0-4) of a worsening symptom's answers in its last report: composite 2.
WORSE_LEVEL = {"hand_foot_syndrome": 2, "fatigue": 3, "decreased_appetite": 3}
LOWER_DOSE_REASON = {
    "hand_foot_syndrome": "Feet too sore",
    "fatigue": "Too tired for the full dose",
    "decreased_appetite": "Could not face the full dose",
}
WORDS = {
    "severe_diarrhoea": "Watery diarrhoea seven or eight times a day since the weekend. "
    "She is drinking what she can but feels weak.",
    "hand_foot_syndrome": "The soles of my feet are red and peeling, it hurts to walk.",
    "fatigue": "So tired this week I have stayed in bed most afternoons.",
    "decreased_appetite": "I have hardly eaten this week, food tastes of nothing.",
    "mild": "Feeling fairly well. A bit of a sore mouth after the weekend.",
}


@dataclass
class Seeded:
    patient_user: DemoUser | None = None
    patients: int = 0
    reports: int = 0
    bp_sittings: int = 0
    doses: int = 0
    accounts: list[PatientAccount] = field(default_factory=list)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _running_courses() -> list[TreatmentCourse]:
    courses = patient_selectors.with_ledger(
        TreatmentCourse.objects.select_related("patient__site").order_by(
            "patient__site_id", "patient_id", "id"
        )
    )
    return [c for c in courses if not patient_selectors.dose_state(c).ended]


def seed_reports(*, seed_value: int = 2026, password_source: random.Random | None = None) -> Seeded:
    """Enrols every third patient on a running course and replays their months of
    reports; returns the demo patient's sign-in and what was stored."""
    rng = random.Random(f"{seed_value}-reports")
    passwords = password_source or random.SystemRandom()
    nurses = {
        m.site_id: m.user
        for m in SiteMembership.objects.filter(role=Role.NURSE).select_related("user")
    }
    now = timezone.now()
    seeded = Seeded()
    courses = _running_courses()
    chosen = [c for index, c in enumerate(courses) if index % SHARE == 0]
    for number, course in enumerate(chosen):
        profile = PROFILES[number] if number < len(PROFILES) else "mild"
        demo_patient = number == 0 and course.patient.site.code == "ngt"
        password = _password(passwords)
        with timezone.override(course.patient.site.zone):
            account = _enrol(rng, course, nurses[course.patient.site_id], now, number, password)
            if demo_patient:
                seeded.patient_user = DemoUser(
                    DEMO_PATIENT, password, "Patient (reports from home)", course.patient.site.name
                )
            seeded.reports += _weekly(rng, account, profile, now, number)
            if profile in ("bp_grade3", "mild_bp"):
                seeded.bp_sittings += _home_bp(rng, account, now, high=profile == "bp_grade3")
            seeded.doses += _doses(rng, account, course, profile, now, number)
        seeded.accounts.append(account)
        seeded.patients += 1
    return seeded


def _enrol(rng, course, nurse, now, number, password) -> PatientAccount:
    """The nurse hands out a printed code; the patient opens the account that evening."""
    patient = course.patient
    day = max(
        course.start_date + timedelta(days=3),
        timezone.localdate(now) - timedelta(weeks=WEEKS, days=4),
    )
    invited = _at(day, rng.choice([9, 10, 11, 14]), rng.randrange(60))
    carer = f"Robin {patient.family_name}" if number == 1 else ""
    with clinic_clock(invited):
        new = services.invite(actor=nurse, patient=patient, channel="printed", carer_name=carer)
    demo_patient = number == 0 and patient.site.code == "ngt"
    opened = invited + timedelta(hours=rng.randint(4, 9))
    if demo_patient:
        with clinic_clock(opened):
            return services.accept_invitation(
                code=new.code, username=DEMO_PATIENT, password=password, password2=password
            )
    # The other patients' passwords are shown to nobody: hashed fast, then made
    # unusable (nobody signs in with them), which spares the demo a second of
    # Argon2 each.
    with clinic_clock(opened), override_settings(PASSWORD_HASHERS=FAST_HASHER):
        account = services.accept_invitation(
            code=new.code,
            username=f"home{number + 1}.{patient.site.code}",
            password=password,
            password2=password,
        )
    account.user.set_unusable_password()
    account.user.save(update_fields=["password"])
    return account


def _level(rng, base: int) -> int:
    """A mild symptom's week: its usual level, now and then one more (never a jump of
    two from one week to the next: that is the worsening a nurse is alerted to)."""
    return base + (1 if rng.random() < 0.2 else 0)


def _answers(levels: dict[str, int], rng) -> dict[str, dict[str, int | None]]:
    """Each symptom's level (0-4) as the answers to its questions."""
    out: dict[str, dict[str, int | None]] = {}
    for key in ANSWERED:
        level = levels.get(key, 0)
        given: dict[str, int | None] = {}
        for question in items.ITEMS[key].questions:
            value = level if question.attribute != "interference" else max(0, level - 1)
            given[question.attribute] = value
        out[key] = given
    return out


def _weekly(rng, account, profile, now, number) -> int:
    """The weekly surveys from the week after enrolment until now."""
    opened = account.created_at
    weekday, hour = rng.randrange(7), rng.choice([8, 9, 12, 18, 19, 20])
    first = timezone.localdate(opened) + timedelta(
        days=(weekday - timezone.localdate(opened).weekday()) % 7 or 7
    )
    days = []
    day = first
    while True:
        at = _at(day, hour, rng.randrange(60))
        if at >= now - timedelta(hours=2):
            break
        days.append(at)
        day += timedelta(days=7)
    if profile == "lapsed":  # stopped reporting three weeks ago
        days = [at for at in days if at < now - timedelta(days=21)]
    if profile == "severe_diarrhoea":  # the last report came in yesterday
        days = [at for at in days if at < now - timedelta(days=3)]
        days.append(_at(timezone.localdate(now) - timedelta(days=1), 19, 40))
    base = {key: rng.choice((0, 0, 1)) for key in ANSWERED}
    base["fatigue"] = rng.choice((1, 1, 2))
    worsening = WORSENING[number % len(WORSENING)]
    count = 0
    for index, at in enumerate(days):
        last = index == len(days) - 1
        if profile in ("mild", "mild_bp") and not last and rng.random() < 0.1:
            continue  # a week forgotten now and then
        levels = {key: _level(rng, value) for key, value in base.items()}
        words = ""
        if profile == "worsening":
            # Steady weeks, then a climb: composite 0 to 2 in the last report.
            weeks_left = len(days) - 1 - index
            if weeks_left == 0:
                levels[worsening] = WORSE_LEVEL[worsening]
                words = WORDS[worsening]
            else:
                levels[worsening] = 0 if weeks_left == 1 else rng.choice((0, 0, 1))
        elif profile == "severe_diarrhoea":
            levels["diarrhea"] = 4 if last else rng.choice((1, 1, 2))
            if last:
                levels["decreased_appetite"] = 3
                words = WORDS["severe_diarrhoea"]
        elif profile == "mild" and number % 4 == 3 and index == len(days) - 2:
            words = WORDS["mild"]
        blood_pressure = None
        if profile == "mild" and number % 2:  # a morning reading typed with the survey
            sbp, dbp = rng.randint(122, 142), rng.randint(76, 90)
            blood_pressure = [
                {
                    "period": BpPeriod.MORNING,
                    "taken_at": at.replace(hour=7, minute=rng.randrange(30)),
                    "sbp1": sbp,
                    "dbp1": dbp,
                    "sbp2": sbp - rng.randint(0, 4),
                    "dbp2": dbp - rng.randint(0, 3),
                }
            ]
        with clinic_clock(at):
            services.submit_weekly_report(
                account=account,
                answers=_answers(levels, rng),
                anything_else=words,
                blood_pressure=blood_pressure,
            )
        count += 1
    return count


def _home_bp(rng, account, now, *, high: bool) -> int:
    """Morning and evening readings, two each, sent each evening for four weeks."""
    sbp, dbp = rng.randint(126, 136), rng.randint(80, 86)
    count = 0
    for back in range(BP_DAYS, 0, -1):
        day = timezone.localdate(now) - timedelta(days=back)
        # The last week climbs; the last two days are CTCAE grade 3 (SBP >= 160).
        rise = max(0, 7 - back) * 4 if high else 0
        sessions = []
        for period, hour in ((BpPeriod.MORNING, 7), (BpPeriod.EVENING, 21)):
            s = sbp + rise + rng.randint(-5, 5)
            d = dbp + rise // 2 + rng.randint(-3, 3)
            if high and back <= 2:
                s, d = rng.randint(164, 170), rng.randint(100, 104)
            sessions.append(
                {
                    "period": period,
                    "taken_at": _at(day, hour, rng.randrange(40)),
                    "sbp1": s,
                    "dbp1": d,
                    "sbp2": s - rng.randint(0, 5),
                    "dbp2": d - rng.randint(0, 3),
                }
            )
        with clinic_clock(_at(day, 21, 50)):
            services.record_home_bp(account=account, sessions=sessions)
        count += len(sessions)
    return count


DOSE_REASONS = (
    "Forgot: away for the weekend",
    "Felt sick that morning",
    "Ran out before the pharmacy opened",
)


def _doses(rng, account, course, profile, now, number) -> int:
    """A few days the patient did not take the dose, or took less (and why)."""
    plan: list[tuple[date, str, str]] = []
    if profile == "severe_diarrhoea":
        plan = [
            (
                timezone.localdate(now) - timedelta(days=2),
                DoseStatus.MISSED,
                "Too unwell with diarrhoea",
            ),
            (
                timezone.localdate(now) - timedelta(days=1),
                DoseStatus.MISSED,
                "Too unwell with diarrhoea",
            ),
        ]
    elif profile == "worsening":
        why = LOWER_DOSE_REASON[WORSENING[number % len(WORSENING)]]
        plan = [(timezone.localdate(now) - timedelta(days=3), DoseStatus.REDUCED, why)]
    elif number % 3 == 0:
        plan = [
            (timezone.localdate(now) - timedelta(days=rng.randint(4, 12)), DoseStatus.MISSED, "")
        ]
    count = 0
    for day, status, reason in plan:
        recorded = _at(day, 21, 15)
        if recorded >= now:
            continue
        state = patient_selectors.dose_state(course, at=recorded)
        if state.status != dosing.Status.ACTIVE:
            continue  # nothing to take while the drug is held
        dose_mg = None
        if status == DoseStatus.REDUCED:
            lower = [d for d in dosing.DOSE_LADDERS[course.drug] if d < state.dose_mg_per_day]
            if not lower:
                continue
            dose_mg = Decimal(lower[0])
        with clinic_clock(recorded):
            services.record_dose(
                account=account,
                day=day,
                status=status,
                dose_mg=dose_mg,
                reason=reason or rng.choice(DOSE_REASONS),
            )
        count += 1
    return count

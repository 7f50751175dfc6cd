"""A deterministic synthetic cohort for demonstrations and benchmarks.

Every name and number here is invented. The same seed gives the same cohort
(dates are laid out backwards from the day it is seeded).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from patients import dosing, services
from patients.admin import grant_site_admin_permissions
from patients.models import Histology, Marker, MarkerResult, Role, Sex, Site, SiteMembership

SITES = (
    ("Northgate Thyroid Clinic", "ngt"),
    ("Riverside Cancer Centre", "rcc"),
    ("St Brigid's Endocrine Oncology", "sbe"),
)
FAMILY = [
    "Ashworth",
    "Baines",
    "Carrow",
    "Dunmore",
    "Ellery",
    "Fenwick",
    "Garside",
    "Holroyd",
    "Ingram",
    "Jessop",
    "Kershaw",
    "Lister",
    "Marsden",
    "Nuttall",
    "Oldroyd",
    "Pickles",
    "Quarmby",
    "Rawlings",
    "Sutcliffe",
    "Thwaite",
    "Umpleby",
    "Varley",
    "Whitaker",
    "Yeadon",
]
GIVEN = [
    "Ada",
    "Bram",
    "Cora",
    "Dev",
    "Edie",
    "Finn",
    "Gwen",
    "Hal",
    "Iris",
    "Jude",
    "Kit",
    "Lena",
    "Milo",
    "Nell",
    "Otto",
    "Pia",
    "Quinn",
    "Rhea",
    "Sol",
    "Tess",
    "Uma",
    "Vic",
    "Wren",
    "Zia",
]
# The staff's names, none shared with a patient's: a nurse called like the patient in
# front of her is a wrong-patient error waiting in the demo. As long as the patients'
# lists, so the seeded generator draws the same cohort.
STAFF_FAMILY = [
    "Abbott",
    "Bellamy",
    "Crowther",
    "Dalby",
    "Eastwood",
    "Fairbairn",
    "Gilchrist",
    "Hartley",
    "Iveson",
    "Jowett",
    "Kitching",
    "Lumb",
    "Mellor",
    "Northrop",
    "Ormerod",
    "Priestley",
    "Redfern",
    "Shackleton",
    "Tattersall",
    "Ullathorne",
    "Verity",
    "Wadsworth",
    "Yarwood",
    "Zetland",
]
STAFF_GIVEN = [
    "Alma",
    "Basil",
    "Clem",
    "Dora",
    "Elsa",
    "Fred",
    "Greta",
    "Hugo",
    "Ines",
    "Joel",
    "Kara",
    "Leon",
    "Mae",
    "Noel",
    "Opal",
    "Percy",
    "Rosa",
    "Saul",
    "Thea",
    "Ugo",
    "Vera",
    "Walt",
    "Yara",
    "Zeb",
]
DRUG_MIX = ("lenvatinib",) * 10 + ("sorafenib",) * 5 + ("cabozantinib",) * 5
ROLES = (Role.NURSE, Role.ONCOLOGIST, Role.SITE_ADMIN)
# Roles whose users draw their names from a generator of their own, so that the
# cohort (drawn from the seeded one) is the same with them as without them.
OWN_DRAW_ROLES = (Role.PHARMACIST,)


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str
    site: str


def ensure_groups() -> None:
    for role in ROLES + OWN_DRAW_ROLES:
        Group.objects.get_or_create(name=role.value)
    grant_site_admin_permissions()


def _user(username: str, full_name: str, site: Site, role: str, password: str):
    user_model = get_user_model()
    given, family = full_name.split(" ", 1)
    user = user_model.objects.create_user(
        username=username,
        password=password,
        first_name=given,
        last_name=family,
        email=f"{username}@example.org",
        # A site administrator works in the admin (patients.admin: their site only).
        is_staff=role == Role.SITE_ADMIN,
    )
    SiteMembership.objects.create(user=user, site=site, role=role)
    user.groups.add(Group.objects.get(name=role))
    return user


def _password(rng: random.Random) -> str:
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "-".join("".join(rng.choice(alphabet) for _ in range(5)) for _ in range(3))


@transaction.atomic
def seed(
    *,
    patients_per_site: int = 20,
    seed_value: int = 2026,
    password_source: random.Random | None = None,
) -> list[DemoUser]:
    """Creates sites, users and the cohort. Returns the users with their passwords."""
    rng = random.Random(seed_value)
    passwords = password_source or random.SystemRandom()
    ensure_groups()
    today = timezone.localdate()
    created: list[DemoUser] = []
    for site_index, (site_name, code) in enumerate(SITES):
        site = Site.objects.create(name=site_name, code=code)
        users = {}
        for role in ROLES:
            username = f"{role.value.split('_')[0]}.{code}"
            if role == Role.SITE_ADMIN:
                username = f"admin.{code}"
            password = _password(passwords)
            full = f"{rng.choice(STAFF_GIVEN)} {rng.choice(STAFF_FAMILY)}"
            users[role] = _user(username, full, site, role, password)
            created.append(DemoUser(username, password, role.label, site_name))
        for role in OWN_DRAW_ROLES:
            names = random.Random(f"{seed_value}-{role.value}-{code}")
            username = f"{role.value}.{code}"
            password = _password(passwords)
            full = f"{names.choice(STAFF_GIVEN)} {names.choice(STAFF_FAMILY)}"
            users[role] = _user(username, full, site, role, password)
            created.append(DemoUser(username, password, role.label, site_name))
        for index in range(patients_per_site):
            _seed_patient(rng, site, site_index, index, users, today)
    return created


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def _seed_patient(rng, site, site_index, index, users, today) -> None:
    nurse, oncologist = users[Role.NURSE], users[Role.ONCOLOGIST]
    age_days = rng.randint(35 * 365, 82 * 365)
    dob = today - timedelta(days=age_days)
    diagnosed = today - timedelta(days=rng.randint(700, 3000))
    patient = services.create_patient(
        actor=nurse,
        site=site,
        mrn=f"{site.code.upper()}{100000 + index * 37 + site_index}",
        family_name=rng.choice(FAMILY),
        given_name=rng.choice(GIVEN),
        date_of_birth=dob,
        sex=rng.choice([Sex.FEMALE, Sex.FEMALE, Sex.MALE]),
        histology=rng.choice(
            [Histology.PAPILLARY] * 5
            + [Histology.FOLLICULAR] * 2
            + [Histology.ONCOCYTIC, Histology.POORLY_DIFFERENTIATED]
        ),
        diagnosis_date=diagnosed,
        rai_refractory_date=diagnosed + timedelta(days=rng.randint(200, 600)),
        baseline_weight_kg=Decimal(f"{rng.uniform(52, 98):.1f}"),
        baseline_stools_per_day=rng.choice([1, 1, 1, 2, 2, 3]),
        baseline_alt_u_l=rng.choice([18, 22, 25, 31, 38]),
        baseline_ast_u_l=rng.choice([17, 21, 26, 30]),
        baseline_creatinine_mg_dl=Decimal(rng.choice(["0.7", "0.8", "0.9", "1.0"])),
        baseline_qtc_ms=rng.randint(405, 445),
    )
    services.record_molecular_finding(
        actor=nurse,
        patient=patient,
        marker=Marker.BRAF_V600E,
        result=rng.choice([MarkerResult.POSITIVE, MarkerResult.NEGATIVE]),
        tested_on=diagnosed + timedelta(days=30),
        method="NGS panel",
    )
    drug = DRUG_MIX[(index + site_index) % len(DRUG_MIX)]
    ladder = dosing.DOSE_LADDERS[drug]
    start = today - timedelta(days=rng.randint(60, 720))
    start = max(start, patient.rai_refractory_date + timedelta(days=14))
    if start >= today:
        start = today - timedelta(days=30)
    course = services.start_course(
        actor=oncologist,
        patient=patient,
        drug=drug,
        start_date=start,
        starting_dose_mg=ladder[0],
        line_of_therapy=2 if drug == "cabozantinib" else 1,
        reason="Progressive RAI-refractory disease",
    )
    _seed_dose_history(rng, course, oncologist, ladder, start, today)


# Why a demo course is held: (reason, CTCAE term), chosen among what each drug's label acts on.
HOLD_REASONS = {
    "lenvatinib": (
        ("Grade 3 hypertension despite optimal antihypertensive therapy", "hypertension"),
        ("Grade 3 diarrhoea", "diarrhea"),
        ("Proteinuria 2.4 g/24 h", "proteinuria"),
        ("Intolerable grade 2 fatigue", "fatigue"),
    ),
    "sorafenib": (
        ("Grade 3 hand-foot skin reaction", "palmar_plantar_erythrodysesthesia_syndrome"),
        ("Grade 3 diarrhoea", "diarrhea"),
        ("Grade 3 hypertension", "hypertension"),
    ),
    "cabozantinib": (
        ("Grade 3 diarrhoea", "diarrhea"),
        ("Intolerable grade 2 fatigue", "fatigue"),
        ("Grade 3 palmar-plantar erythrodysesthesia", "palmar_plantar_erythrodysesthesia_syndrome"),
    ),
}


def _seed_dose_history(rng, course, oncologist, ladder, start, today) -> None:
    """A few months of holds, reduced resumptions and the odd discontinuation."""
    day = start + timedelta(days=rng.randint(21, 70))
    level = 0
    while day < today - timedelta(days=14):
        if rng.random() < 0.35:
            break
        reason, term = rng.choice(HOLD_REASONS[course.drug])
        services.apply_dose_change(
            actor=oncologist,
            course=course,
            kind=dosing.Kind.HOLD,
            dose_after_mg=0,
            effective_at=_at(day),
            reason=reason,
            reason_terms=[term],
        )
        day += timedelta(days=rng.randint(5, 14))
        if day >= today:
            return
        if level + 1 >= len(ladder):
            services.apply_dose_change(
                actor=oncologist,
                course=course,
                kind=dosing.Kind.DISCONTINUE,
                dose_after_mg=0,
                effective_at=_at(day),
                reason="Toxicity at the lowest dose level",
            )
            return
        level += 1
        services.apply_dose_change(
            actor=oncologist,
            course=course,
            kind=dosing.Kind.RESUME,
            dose_after_mg=ladder[level],
            effective_at=_at(day),
            reason=f"Recovered; resume one level lower after: {reason.lower()}",
        )
        day += timedelta(days=rng.randint(28, 120))

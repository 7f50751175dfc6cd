"""A network-sized clinic in PostgreSQL, generated straight into COPY, the same from a seed.

    .venv/bin/python -m bench.network --patients 10000 --sites 40 --visits 1000000 \\
        --seed 20261203 --database tracker_network

builds (or, with the same spec already there, reuses) database ``tracker_network``:
sites with an oncologist, a nurse and a pharmacist each, one treatment course per
patient with its dose ledger, fortnightly visits with 2-5 graded observations each,
the engine's evaluation of every visit, the recommendations, alerts and due checks
that follow. The database is kept for other benchmarks, which call
``ensure_network(spec)``; ``populate(connection, spec)`` fills an already migrated
database (the tests build a tiny network in the pytest database with it).

Rows are stored as the app stores them: each visit's observations go through the
same request builders as ``toxicity.services.visits.log_visit`` (patient baselines,
the visit's antihypertensive therapy), are graded and evaluated by the engine
(``toxicity.rules.evaluate.validate`` and ``engine.decide``, which is ``evaluate``),
on the dose state ``toxicity.services.request.dose_state_fields`` reads from the
ledger as of the visit; an oncologist follows most recommendations, and the ledger
rows their signed decisions append are the ones ``dosing.check_entry`` accepts.

Not written: the audit history tables (django-simple-history), alert occurrences and
deliveries, rule-set sign-offs. Bench-only; never imported by the app.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE = "tracker_network"
# Every generated time is at or before this instant: no clock is read.
BASE = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
# Bumped whenever the generated content changes: a kept database of another
# format is rebuilt, not reused.
FORMAT = 2
MARKER_TABLE = "bench_network"
VISIT_EVERY = timedelta(days=14)
BATCH_PATIENTS = 250


@dataclass(frozen=True)
class NetworkSpec:
    patients: int = 10_000
    sites: int = 40
    visits: int = 1_000_000
    seed: int = 20261203

    def as_dict(self) -> dict[str, int]:
        return {**asdict(self), "format": FORMAT}


# --- COPY text format -----------------------------------------------------------

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value: str) -> str:
    return value.translate(_ESCAPES)


def _json(value: Any) -> str:
    return _text(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def _cell(value: Any) -> str:
    if value is None:
        return "\\N"
    kind = type(value)
    if kind is str:
        return _text(value)
    if kind is bool:
        return "t" if value else "f"
    if kind is int or kind is float or kind is Decimal:
        return str(value)
    if kind is datetime or kind is date:
        return value.isoformat()
    if kind is dict or kind is list:
        return _json(value)
    return _text(str(value))


def _line(values: Iterable[Any]) -> str:
    return "\t".join(map(_cell, values)) + "\n"


# Tables in the order their foreign keys allow, with the columns written.
TABLES: dict[str, tuple[str, ...]] = {
    "patients_site": ("id", "name", "code", "time_zone", "language"),
    "auth_user": (
        "id",
        "password",
        "last_login",
        "is_superuser",
        "username",
        "first_name",
        "last_name",
        "email",
        "is_staff",
        "is_active",
        "date_joined",
    ),
    "patients_sitemembership": ("id", "role", "site_id", "user_id"),
    "patients_patient": (
        "id",
        "site_id",
        "mrn",
        "reference_code",
        "family_name",
        "given_name",
        "date_of_birth",
        "sex",
        "histology",
        "diagnosis_date",
        "rai_refractory_date",
        "baseline_weight_kg",
        "baseline_stools_per_day",
        "baseline_alt_u_l",
        "baseline_ast_u_l",
        "baseline_bilirubin_mg_dl",
        "baseline_creatinine_mg_dl",
        "baseline_qtc_ms",
        "created_at",
        "version",
    ),
    "patients_treatmentcourse": (
        "id",
        "patient_id",
        "drug",
        "line_of_therapy",
        "rule_set",
        "start_date",
        "starting_dose_mg",
        "concurrent_course_reason",
        "created_at",
    ),
    "patients_dosechange": (
        "id",
        "course_id",
        "kind",
        "effective_at",
        "dose_before_mg",
        "dose_after_mg",
        "reason",
        "off_ladder_justification",
        "recorded_by_id",
        "recorded_at",
        "reason_terms",
    ),
    "toxicity_visit": (
        "id",
        "course_id",
        "occurred_at",
        "recorded_by_id",
        "recorded_at",
        "updated_at",
        "antihypertensive_therapy",
        "antihypertensive_stable_since",
        "note",
        "revision",
        "evaluated_at",
        "evaluated_revision",
        "evaluation",
    ),
    "toxicity_observation": (
        "id",
        "visit_id",
        "term",
        "measurements",
        "computed_grade",
        "clinician_grade",
        "final_grade",
        "provisional",
        "basis",
        "source",
        "ctcae_version",
        "lowering_reason",
    ),
    "toxicity_recommendation": (
        "id",
        "visit_id",
        "course_id",
        "visit_revision",
        "rule_key",
        "created_at",
        "decision",
        "engine_request",
        "action",
        "severity",
        "dose_mg_per_day",
        "resume_dose_mg_per_day",
        "needs_review",
        "reason_terms",
        "rule_set",
        "engine_version",
        "policy",
        "status",
        "superseded_by_visit_id",
        "decided_by_id",
        "decided_at",
        "decision_reason",
        "approved_dose_mg",
        "approved_resume_dose_mg",
        "resume_plan_id",
        "dose_change_id",
        "signature_meaning",
        "signer_name",
        "signature_sha256",
        "rule_set_signoff_id",
    ),
    "notifications_alert": (
        "id",
        "kind",
        "severity",
        "grade",
        "course_id",
        "about_type_id",
        "about_id",
        "dedupe_key",
        "summary",
        "recommended_action",
        "episode_term",
        "episode_ended_at",
        "occurrences",
        "last_seen_at",
        "previous_id",
        "created_at",
        "acknowledged_at",
        "acknowledged_by_id",
        "acknowledgement",
        "escalation_level",
        "escalate_at",
    ),
    "toxicity_duecheck": (
        "id",
        "course_id",
        "kind",
        "due_at",
        "overdue_after",
        "source",
        "confirmed",
        "created_at",
        "satisfied_at",
        "overdue_marked_at",
    ),
}


def _index(table: str) -> dict[str, int]:
    return {column: i for i, column in enumerate(TABLES[table])}


# Where each column sits in the rows kept as lists (changed until they are written).
REC = _index("toxicity_recommendation")
ALERT = _index("notifications_alert")


class _Sink:
    """Rows per table, sent by COPY in foreign-key order; ids handed out from the
    table's current maximum, sequences set past them at the end."""

    def __init__(self, connection) -> None:
        self.connection = connection
        self.lines: dict[str, list[str]] = {table: [] for table in TABLES}
        self.rows = dict.fromkeys(TABLES, 0)
        self.seconds = dict.fromkeys(TABLES, 0.0)
        self.next_id: dict[str, int] = {}
        with connection.cursor() as cur:
            for table in TABLES:
                cur.execute(f"SELECT coalesce(max(id), 0) FROM {table}")  # noqa: S608 (table names are constants)
                self.next_id[table] = cur.fetchone()[0] + 1

    def new_id(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    def add(self, table: str, values: Iterable[Any]) -> None:
        self.lines[table].append(_line(values))

    def flush(self) -> None:
        with self.connection.cursor() as cur:
            for table, columns in TABLES.items():
                lines = self.lines[table]
                if not lines:
                    continue
                started = time.perf_counter()
                with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for start in range(0, len(lines), 20_000):
                        copy.write("".join(lines[start : start + 20_000]))
                self.seconds[table] += time.perf_counter() - started
                self.rows[table] += len(lines)
                lines.clear()

    def finish(self) -> None:
        self.flush()
        with self.connection.cursor() as cur:
            for table in TABLES:
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 (table names are constants)
                    f"greatest(coalesce(max(id), 0), 1), max(id) IS NOT NULL) FROM {table}"
                )


# --- Who and where --------------------------------------------------------------

# (city, IANA zone, language of the site's pages)
CITIES = (
    ("London", "Europe/London", "en-gb"),
    ("Manchester", "Europe/London", "en-gb"),
    ("Leeds", "Europe/London", "en-gb"),
    ("Glasgow", "Europe/London", "en-gb"),
    ("Dublin", "Europe/Dublin", "en-gb"),
    ("Amsterdam", "Europe/Amsterdam", "en-gb"),
    ("Berlin", "Europe/Berlin", "en-gb"),
    ("Boston", "America/New_York", "en-gb"),
    ("Toronto", "America/Toronto", "en-gb"),
    ("Sydney", "Australia/Sydney", "en-gb"),
    ("Shanghai", "Asia/Shanghai", "zh-hans"),
    ("Beijing", "Asia/Shanghai", "zh-hans"),
    ("Singapore", "Asia/Singapore", "en-gb"),
)
FAMILY_NAMES = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Patel",
    "Khan",
    "Lewis",
    "Harris",
    "Martin",
    "Cooper",
    "King",
    "Lee",
    "Murphy",
    "Kelly",
    "OBrien",
    "Byrne",
    "Muller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "deVries",
    "Jansen",
    "Bakker",
    "Visser",
    "Wang",
    "Li",
    "Zhang",
    "Liu",
    "Chen",
    "Yang",
    "Huang",
    "Zhao",
    "Wu",
    "Zhou",
    "Xu",
    "Sun",
    "Ma",
    "Zhu",
]
GIVEN_NAMES = [
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Mia",
    "Ivy",
    "Lily",
    "Grace",
    "Freya",
    "Emily",
    "Oliver",
    "George",
    "Noah",
    "Arthur",
    "Leo",
    "Harry",
    "Oscar",
    "Jack",
    "Charlie",
    "Thomas",
    "Aoife",
    "Ciara",
    "Sean",
    "Liam",
    "Anna",
    "Lena",
    "Jonas",
    "Lukas",
    "Sanne",
    "Daan",
    "Wei",
    "Fang",
    "Min",
    "Jing",
    "Lei",
    "Yan",
    "Hui",
    "Ying",
    "Jun",
    "Hao",
    "Priya",
    "Aisha",
    "Omar",
    "Ravi",
    "Sofia",
    "Marco",
]
ROLES = ("oncologist", "nurse", "pharmacist")
DRUGS = (("lenvatinib", 0.6), ("sorafenib", 0.25), ("cabozantinib", 0.15))
HISTOLOGIES = (
    ("papillary", 0.6),
    ("follicular", 0.2),
    ("oncocytic", 0.1),
    ("poorly_differentiated", 0.1),
)
HEX = "0123456789ABCDEF"


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([k for k, _ in weighted], weights=[w for _, w in weighted])[0]


def _unusable_password(rng: random.Random) -> str:
    # django.contrib.auth.hashers.make_password(None): "!" and 40 random characters.
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return "!" + "".join(rng.choice(letters) for _ in range(40))


@dataclass
class _Site:
    id: int
    code: str
    zone: str
    offset_hours: float
    users: dict[str, int] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)


@dataclass
class _PatientRow:
    id: int
    site: _Site
    baseline_weight_kg: float
    baseline_stools_per_day: int
    baseline_alt_u_l: float
    baseline_ast_u_l: float
    baseline_bilirubin_mg_dl: float
    baseline_creatinine_mg_dl: float
    baseline_qtc_ms: int
    sensitivity: float
    visits: int


@dataclass
class _Course:
    id: int
    drug: str
    rule_set: str
    start: datetime


@dataclass
class _Change:
    """One ledger row as the replay reads it (toxicity.services.request.ledger_facts)."""

    id: int
    kind: str
    effective_at: datetime
    dose_after_mg: float
    reason_terms: list[str]

    def as_entry(self):
        from patients import dosing

        return dosing.LedgerEntry(self.kind, self.effective_at, self.dose_after_mg)


def visit_counts(rng: random.Random, patients: int, visits: int) -> list[int]:
    """Visits per patient, varied around the mean, summing to exactly `visits`."""
    if patients == 0:
        return []
    mean = visits / patients
    counts = [max(0, round(mean * rng.uniform(0.4, 1.6))) for _ in range(patients)]
    difference = visits - sum(counts)
    order = list(range(patients))
    rng.shuffle(order)
    i = 0
    while difference:
        index = order[i % patients]
        if difference > 0:
            counts[index] += 1
            difference -= 1
        elif counts[index] > 0:
            counts[index] -= 1
            difference += 1
        i += 1
    return counts


# --- Observations: measurements for a target grade, graded by the engine -----------

# Centre of the two readings per target grade; CTCAE v5.0 Hypertension: grade 1
# SBP 120-139 or DBP 80-89, grade 2 140-159 or 90-99, grade 3 >=160 or >=100.
BP_CENTRE = {0: (112, 72), 1: (130, 82), 2: (148, 93), 3: (166, 103)}
DIPSTICK = {0: "negative", 1: "1+", 2: "2+", 3: "3+"}
LABS = {
    # term: (patient baseline field, ULN, unit decimals)
    "alanine_aminotransferase_increased": ("baseline_alt_u_l", 40.0, 1),
    "aspartate_aminotransferase_increased": ("baseline_ast_u_l", 40.0, 1),
    "blood_bilirubin_increased": ("baseline_bilirubin_mg_dl", 1.2, 2),
    "creatinine_increased": ("baseline_creatinine_mg_dl", 1.2, 2),
}
# CTCAE v5.0 with a normal baseline: grade 1 >ULN-3x, 2 >3-5x, 3 >5-20x (ALT/AST);
# bilirubin 1 >ULN-1.5x, 2 >1.5-3x, 3 >3-10x; creatinine 1 >ULN-1.5x, 2 >1.5-3x, 3 >3-6x.
LAB_FACTORS = {
    "alanine_aminotransferase_increased": ((0.4, 0.95), (1.1, 2.9), (3.1, 4.9), (5.2, 9.0)),
    "aspartate_aminotransferase_increased": ((0.4, 0.95), (1.1, 2.9), (3.1, 4.9), (5.2, 9.0)),
    "blood_bilirubin_increased": ((0.3, 0.95), (1.05, 1.45), (1.6, 2.9), (3.1, 5.0)),
    "creatinine_increased": ((0.5, 0.95), (1.05, 1.45), (1.6, 2.9), (3.1, 4.5)),
}
OPTIONAL_TERMS = ("diarrhea", "fatigue", "proteinuria", "weight_loss")
# Per-visit chance of each grade 0-3 for a patient of average sensitivity.
GRADE_WEIGHTS = {
    "hypertension": (30, 45, 21, 2),
    "diarrhea": (55, 30, 12, 1.5),
    "fatigue": (35, 40, 22, 1.5),
    "proteinuria": (60, 25, 13, 1),
    "weight_loss": (75, 18, 6, 0.5),
    "lab": (80, 16, 3.5, 0.3),
}


def _grade(
    rng: random.Random, kind: str, sensitivity: float, recovering: bool, exposure: float
) -> int:
    """A grade to aim the measurements at; `exposure` is the dose over the ladder's top:
    toxicity falls with the dose, so a reduced patient rarely needs the next level."""
    g0, g1, g2, g3 = GRADE_WEIGHTS[kind]
    if recovering:  # while held the toxicity settles
        g0, g1, g2, g3 = g0 + g2 + g3, g1, g2 * 0.03, 0
    risk = sensitivity * exposure**2
    return rng.choices((0, 1, 2, 3), weights=(g0, g1, g2 * risk, g3 * risk * exposure))[0]


def _raw_observation(
    rng: random.Random, term: str, grade: int, patient: _PatientRow, held_for: bool = False
) -> dict:
    """What a nurse would type for `term` at about `grade` (the engine grades it)."""
    if term == "hypertension":
        sbp, dbp = BP_CENTRE[grade]
        return {
            "term": term,
            "readings": [
                [sbp + rng.randint(-3, 3), dbp + rng.randint(-2, 2)],
                [sbp + rng.randint(-3, 3), dbp + rng.randint(-2, 2)],
            ],
        }
    if term == "diarrhea":
        increase = (0, rng.randint(1, 3), rng.randint(4, 6), rng.randint(7, 9))[grade]
        return {"term": term, "stools_per_day": patient.baseline_stools_per_day + increase}
    if term == "weight_loss":
        low, high = ((0.0, 0.04), (0.055, 0.09), (0.11, 0.18), (0.21, 0.25))[grade]
        loss = rng.uniform(low, high)
        return {"term": term, "weight_kg": round(patient.baseline_weight_kg * (1 - loss), 1)}
    if term == "fatigue":
        return {"term": term, "grade": grade}
    if term == "proteinuria":
        if held_for:  # the hold is lifted on a 24-h urine below 2 g (policy 6)
            grams = (rng.uniform(0.05, 0.14), rng.uniform(0.2, 0.9), rng.uniform(1.1, 1.9))
            return {"term": term, "urine_protein_g_24h": round(grams[min(grade, 2)], 2)}
        if grade >= 2 and rng.random() < 0.6:  # a 24-h urine once screening is positive
            grams = rng.uniform(1.1, 3.3) if grade == 2 else rng.uniform(3.6, 6.0)
            return {"term": term, "urine_protein_g_24h": round(grams, 2)}
        return {"term": term, "dipstick": DIPSTICK[grade]}
    baseline_field, uln, decimals = LABS[term]
    low, high = LAB_FACTORS[term][grade]
    value = round(uln * rng.uniform(low, high), decimals)
    return {"term": term, "value": value, "uln": uln}


# --- The network --------------------------------------------------------------------


def populate(connection, spec: NetworkSpec) -> dict[str, int]:
    """Fills an already migrated database with the network `spec` describes.

    `connection` is a psycopg 3 connection (Django's ``connection.connection`` in a
    test); nothing is committed here. Returns the rows written per table.
    """
    return _Builder(connection, spec).run()


class _Builder:
    def __init__(self, connection, spec: NetworkSpec) -> None:
        # Django is set up by the caller: the request builders read the models' choices.
        from patients import dosing
        from toxicity import alerts, monitoring
        from toxicity.ctcae.terms import CTCAE_VERSION, TERMS
        from toxicity.models import (
            REJECTION_MEANING,
            SEVERITY,
            SIGNATURE_MEANING,
            Recommendation,
        )
        from toxicity.rules.engine import DEFAULT_POLICY, ENGINE_VERSION, decide, policy_snapshot
        from toxicity.rules.evaluate import validate
        from toxicity.services import evaluation, request, signatures, visits

        self.connection = connection
        self.spec = spec
        self.rng = random.Random(spec.seed)
        self.sink = _Sink(connection)
        self.dosing = dosing
        self.alerts = alerts
        self.monitoring = monitoring
        self.terms = TERMS
        self.severity = SEVERITY
        self.recommendation_model = Recommendation
        self.decide = decide
        self.validate = validate
        self.evaluation = evaluation
        self.request = request
        self.signatures = signatures
        self.visits = visits
        self.signature_meaning = SIGNATURE_MEANING
        self.rejection_meaning = REJECTION_MEANING
        self.ctcae_version = CTCAE_VERSION
        self.engine_version = ENGINE_VERSION
        self.policy = DEFAULT_POLICY
        self.policy_json = policy_snapshot(DEFAULT_POLICY)
        with connection.cursor() as cur:
            cur.execute(
                "SELECT model, id FROM django_content_type WHERE app_label = 'toxicity' "
                "AND model IN ('observation', 'recommendation')"
            )
            self.content_type = dict(cur.fetchall())

    # -- sites, users, patients, courses

    def _sites(self) -> list[_Site]:
        rng, sink = self.rng, self.sink
        sites = []
        for number in range(1, self.spec.sites + 1):
            city, zone, language = CITIES[(number - 1) % len(CITIES)]
            site = _Site(
                sink.new_id("patients_site"),
                f"n{number:03d}",
                zone,
                ZoneInfo(zone).utcoffset(BASE.replace(tzinfo=None)).total_seconds() / 3600,
            )
            sink.add(
                "patients_site",
                (site.id, f"{city} thyroid clinic {number:03d}", site.code, zone, language),
            )
            for role in ROLES:
                user_id = sink.new_id("auth_user")
                given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
                username = f"{site.code}-{role}"
                sink.add(
                    "auth_user",
                    (
                        user_id,
                        _unusable_password(rng),
                        None,
                        False,
                        username,
                        given,
                        family,
                        f"{username}@network.example",
                        False,
                        True,
                        BASE - timedelta(days=2000),
                    ),
                )
                sink.add(
                    "patients_sitemembership",
                    (sink.new_id("patients_sitemembership"), role, site.id, user_id),
                )
                site.users[role] = user_id
                site.names[role] = f"{given} {family}"
            sites.append(site)
        return sites

    def _patient(
        self, site: _Site, number: int, visits: int, codes: set[str]
    ) -> tuple[_PatientRow, str]:
        rng, sink = self.rng, self.sink
        patient = _PatientRow(
            id=sink.new_id("patients_patient"),
            site=site,
            baseline_weight_kg=round(rng.uniform(48, 110), 1),
            baseline_stools_per_day=rng.choice((0, 1, 1, 1, 2, 2, 3)),
            baseline_alt_u_l=round(rng.uniform(12, 38), 1),
            baseline_ast_u_l=round(rng.uniform(12, 36), 1),
            baseline_bilirubin_mg_dl=round(rng.uniform(0.3, 1.1), 2),
            baseline_creatinine_mg_dl=round(rng.uniform(0.6, 1.15), 2),
            baseline_qtc_ms=rng.randint(380, 450),
            sensitivity=rng.lognormvariate(0, 0.5),
            visits=visits,
        )
        while True:
            code = f"{site.code.upper()}-" + "".join(rng.choice(HEX) for _ in range(6))
            if code not in codes:
                codes.add(code)
                break
        return patient, code

    # -- the run

    def run(self) -> dict[str, int]:
        rng, spec = self.rng, self.spec
        sites = self._sites()
        self.sink.flush()
        counts = visit_counts(rng, spec.patients, spec.visits)
        codes: set[str] = set()
        site_sizes = [rng.uniform(0.5, 1.5) for _ in sites]
        for number, visits in enumerate(counts, start=1):
            site = rng.choices(sites, weights=site_sizes)[0]
            patient, code = self._patient(site, number, visits, codes)
            self._write_patient(patient, code, number)
            if number % BATCH_PATIENTS == 0:
                self.sink.flush()
        self.sink.finish()
        return dict(self.sink.rows)

    def _write_patient(self, patient: _PatientRow, code: str, number: int) -> None:
        rng, sink = self.rng, self.sink
        site = patient.site
        if patient.visits:
            start_day = (BASE - timedelta(days=7) - VISIT_EVERY * (patient.visits - 1)).date()
            start_day -= timedelta(days=rng.randint(0, 12))
        else:
            start_day = BASE.date() - timedelta(days=rng.randint(1, 6))
        start = datetime.combine(start_day, datetime.min.time(), tzinfo=UTC)
        age_days = rng.randint(40 * 365, 85 * 365)
        diagnosis = start_day - timedelta(days=rng.randint(400, 3000))
        refractory = start_day - timedelta(days=rng.randint(30, 380))
        registered = start - timedelta(days=rng.randint(3, 30))
        sink.add(
            "patients_patient",
            (
                patient.id,
                site.id,
                f"{site.code.upper()}{number:07d}",
                code,
                rng.choice(FAMILY_NAMES),
                rng.choice(GIVEN_NAMES),
                start_day - timedelta(days=age_days),
                rng.choice(("female", "female", "male", "male", "male", "unknown")),
                _pick(rng, HISTOLOGIES),
                diagnosis,
                max(refractory, diagnosis),
                patient.baseline_weight_kg,
                patient.baseline_stools_per_day,
                patient.baseline_alt_u_l,
                patient.baseline_ast_u_l,
                patient.baseline_bilirubin_mg_dl,
                patient.baseline_creatinine_mg_dl,
                patient.baseline_qtc_ms,
                registered,
                1,
            ),
        )
        drug = _pick(rng, DRUGS)
        rule_set = "eu_smpc" if rng.random() < 0.15 else "us_pi"
        ladder = self.dosing.DOSE_LADDERS[drug]
        starting = ladder[1] if rng.random() < 0.08 else ladder[0]
        course = _Course(sink.new_id("patients_treatmentcourse"), drug, rule_set, start)
        sink.add(
            "patients_treatmentcourse",
            (
                course.id,
                patient.id,
                drug,
                2 if drug == "cabozantinib" else 1,
                rule_set,
                start_day,
                Decimal(starting),
                "",
                registered + timedelta(days=rng.randint(1, 3)),
            ),
        )
        ledger: list[_Change] = []
        self._change(
            ledger,
            course,
            site,
            "start",
            start,
            None,
            float(starting),
            "Treatment started",
            [],
            recorded_at=start + timedelta(hours=9),
        )
        self._visits(patient, course, ledger)

    def _change(
        self,
        ledger: list[_Change],
        course: _Course,
        site: _Site,
        kind: str,
        at: datetime,
        before: float | None,
        after: float,
        reason: str,
        terms: list[str],
        recorded_at: datetime | None = None,
    ) -> _Change:
        change = _Change(self.sink.new_id("patients_dosechange"), kind, at, after, terms)
        self.sink.add(
            "patients_dosechange",
            (
                change.id,
                course.id,
                kind,
                at,
                None if before is None else Decimal(str(before)).quantize(Decimal("0.1")),
                Decimal(str(after)).quantize(Decimal("0.1")),
                reason,
                "",
                site.users["oncologist"],
                recorded_at or at,
                terms,
            ),
        )
        ledger.append(change)
        return change

    def _visits(self, patient: _PatientRow, course: _Course, ledger: list[_Change]) -> None:
        rng, sink = self.rng, self.sink
        request, visits_service, evaluation = self.request, self.visits, self.evaluation
        site = patient.site
        course_ns = _CourseView(course.drug, course.rule_set)
        therapy, stable_since, therapy_visits = "none", None, 0
        therapy_next: tuple[str, datetime] | None = None
        pending: list[list[Any]] = []  # recommendation rows left to wait (superseded later)
        open_alerts: dict[str, list[Any]] = {}  # term -> alert row, episode open
        alert_rows: list[list[Any]] = []
        last_by_term: dict[str, datetime] = {}
        previous: dict[str, int | None] = {}
        top_dose = self.dosing.DOSE_LADDERS[course.drug][0]
        local_start = 9 - site.offset_hours  # the clinic's 09:00 in UTC hours
        for index in range(patient.visits):
            last = index == patient.visits - 1
            occurred = (
                course.start
                + timedelta(days=7)
                + VISIT_EVERY * index
                + timedelta(hours=local_start + rng.uniform(0, 7.5))
            )
            occurred = occurred.replace(microsecond=0)
            if occurred > BASE:
                occurred = BASE - timedelta(minutes=rng.randint(30, 600))
            if therapy_next is not None:
                therapy, stable_since = therapy_next
                therapy_next = None
                therapy_visits = 0
            therapy_visits += 1
            visit_id = sink.new_id("toxicity_visit")
            as_of = [c for c in ledger if c.effective_at <= occurred]
            fields, why_not, state = request.dose_state_fields(course_ns, as_of)
            recovering = state.on_hold
            exposure = state.reference_dose_mg / top_dose
            # 2-5 observations: blood pressure always, then some of the others, a lab sometimes.
            terms = ["hypertension", *rng.sample(OPTIONAL_TERMS, rng.randint(1, 3))]
            if len(terms) < 5 and rng.random() < 0.25:
                terms.append(rng.choice(tuple(LABS)))
            # While held, the nurse checks what the drug is held for.
            held = fields["hold_reason_terms"]
            for held_for in held:
                if held_for in terms or not (held_for in GRADE_WEIGHTS or held_for in LABS):
                    continue
                if len(terms) >= 5:
                    terms.remove(next(t for t in reversed(terms) if t not in held))
                terms.append(held_for)
            # In the order the evaluation reads stored observations (Observation.Meta).
            terms.sort()
            values = {
                "occurred_at": occurred,
                "antihypertensive_therapy": therapy,
                "stable_since": stable_since,
            }
            contract_obs, own_fields = [], []
            for term in terms:
                kind = "lab" if term in LABS else term
                grade = _grade(rng, kind, patient.sensitivity, recovering, exposure)
                if term in ("hypertension",) and therapy == "optimal" and grade == 3:
                    grade = 3 if rng.random() < 0.5 else 2
                contract, own = request.split_observation(
                    _raw_observation(rng, term, grade, patient, term in held)
                )
                contract = request.with_therapy(values, request.with_baselines(patient, contract))
                contract_obs.append(contract)
                own_fields.append(own)
            full = [
                {**c, "grade": o["grade"]} if "grade" in o else c
                for c, o in zip(contract_obs, own_fields, strict=True)
            ]
            # The same request engine_request builds from the stored rows (the tests check).
            validated = self.validate({**fields, "observations": full}, policy=self.policy)
            response = self.decide(validated.state, validated.findings, self.policy)
            recorded = occurred + timedelta(minutes=rng.randint(5, 90))
            evaluated = recorded + timedelta(seconds=rng.randint(2, 40))
            observation_ids: dict[str, int] = {}
            grades: dict[str, int | None] = {}
            for contract, own, finding in zip(
                contract_obs, own_fields, validated.findings, strict=True
            ):
                computed, computed_provisional = (
                    (finding.computed_grade, finding.computed_provisional)
                    if request.GRADING_FIELDS & contract.keys()
                    else (None, False)
                )
                clinician = own.get("grade")
                obs_id = sink.new_id("toxicity_observation")
                observation_ids[contract["term"]] = obs_id
                grades[contract["term"]] = finding.grade
                last_by_term[contract["term"]] = occurred
                sink.add(
                    "toxicity_observation",
                    (
                        obs_id,
                        visit_id,
                        contract["term"],
                        {k: v for k, v in contract.items() if k != "term"},
                        computed,
                        clinician,
                        finding.grade,
                        finding.provisional,
                        visits_service._basis(computed, computed_provisional, clinician, False),
                        "nurse",
                        self.ctcae_version,
                        "",
                    ),
                )
            sink.add(
                "toxicity_visit",
                (
                    visit_id,
                    course.id,
                    occurred,
                    site.users["nurse"],
                    recorded,
                    recorded,
                    therapy,
                    stable_since,
                    "",
                    1,
                    evaluated,
                    1,
                    response if not why_not else {"skipped": why_not},
                ),
            )
            # Every later evaluated visit supersedes what was still pending.
            for row in pending:
                if row[REC["status"]] == "pending":
                    row[REC["status"]], row[REC["superseded_by_visit_id"]] = "superseded", visit_id
            recommendation = None
            if not why_not and evaluation._needs_recommendation(
                response, fields["hold_reason_terms"], fields["on_hold"]
            ):
                recommendation = self._recommendation(
                    visit_id, course, course_ns, fields, full, response, evaluated
                )
            new_high_grade = self._alerts(
                course,
                site,
                occurred,
                evaluated,
                grades,
                observation_ids,
                recommendation,
                open_alerts,
                alert_rows,
            )
            if recommendation is not None:
                self._recommendation_alert(
                    course, occurred, evaluated, recommendation, new_high_grade, alert_rows
                )
                if not self._decide(
                    recommendation, course, site, ledger, state, evaluated, last, alert_rows
                ):
                    pending.append(recommendation)
            elif not state.on_hold:
                self._reduce_if_persistent(course, site, ledger, occurred, grades, previous)
            previous = grades
            # A blood pressure of grade 2 or more starts antihypertensives; two visits
            # later they are optimal.
            bp = grades.get("hypertension") or 0
            if therapy == "none" and bp >= 2:
                therapy_next = ("started", occurred + timedelta(days=1))
            elif therapy == "started" and therapy_visits >= 2:
                therapy_next = ("optimal", occurred + timedelta(days=1))
        waiting = any(row[REC["status"]] == "pending" for row in pending)
        last_visit = max(last_by_term.values(), default=course.start)
        self._end_course(patient, course, site, ledger, alert_rows, waiting, last_visit)
        for row in pending:
            sink.add("toxicity_recommendation", row)
        for row in alert_rows:
            sink.add("notifications_alert", row)
        self._due_checks(course, ledger, last_by_term)

    def _reduce_if_persistent(self, course, site, ledger, occurred, grades, previous) -> None:
        """A grade 2 that persists over two visits and is not tolerated: the oncologist
        reduces one level on the ledger (the labels' "persistent or intolerable")."""
        dosing, names = self.dosing, self.terms
        persistent = sorted(
            term
            for term in ("diarrhea", "fatigue")
            if grades.get(term) == 2 and previous.get(term) == 2
        )
        if not persistent or self.rng.random() > 0.5:
            return
        state = dosing.derive_dose_state(c.as_entry() for c in ledger)
        lower = [d for d in dosing.DOSE_LADDERS[course.drug] if d < state.dose_mg_per_day]
        at = occurred + timedelta(hours=self.rng.randint(2, 30))
        if not lower or at > BASE or dosing.check_entry(state, dosing.Kind.REDUCE, lower[0]):
            return
        what = " and ".join(f"grade 2 {names[t].name.lower()}" for t in persistent)
        self._change(
            ledger,
            course,
            site,
            dosing.Kind.REDUCE,
            at,
            state.dose_mg_per_day,
            float(lower[0]),
            f"Persistent {what}, not tolerated: one dose level down",
            persistent,
        )

    def _recommendation(self, visit_id, course, course_ns, fields, full, response, evaluated):
        rule_key, terms = self.evaluation._governing(response, course_ns)
        action = response["action"]
        resume = response.get("resume_dose_mg_per_day")
        row: list[Any] = [
            self.sink.new_id("toxicity_recommendation"),
            visit_id,
            course.id,
            1,
            rule_key,
            evaluated,
            response,
            {**fields, "observations": full},
            action,
            self.severity[action],
            Decimal(str(response["dose_mg_per_day"])).quantize(Decimal("0.1")),
            None if resume is None else Decimal(str(resume)).quantize(Decimal("0.1")),
            bool(response["needs_review"]),
            terms,
            response["rule_set"],
            self.engine_version,
            self.policy_json,
            "pending",
            None,  # superseded_by_visit
            None,  # decided_by
            None,  # decided_at
            "",  # decision_reason
            None,  # approved_dose_mg
            None,  # approved_resume_dose_mg
            None,  # resume_plan
            None,  # dose_change
            "",
            "",
            "",
            None,  # rule_set_signoff: no pharmacist sign-offs in the network
        ]
        return row

    def _decide(self, row, course, site, ledger, state, evaluated, last, alert_rows) -> bool:
        """An oncologist signs most recommendations within a day or so; returns False
        when it is left to wait (then the next visit supersedes it)."""
        rng = self.rng
        dosing = self.dosing
        action = row[REC["action"]]
        decided_at = (evaluated + timedelta(minutes=rng.randint(40, 1800))).replace(microsecond=0)
        if decided_at > BASE or (last and rng.random() < 0.5):
            return False
        if action == "continue" and rng.random() < 0.5:
            return False
        if action != "continue" and rng.random() < 0.1:
            return False
        status, meaning, reason, kind = "approved", self.signature_meaning, "", None
        dose_after = Decimal(str(state.dose_mg_per_day))
        if action == "withhold":
            kind = None if state.on_hold else dosing.Kind.HOLD
            dose_after = Decimal(0)
        elif action == "reduce":
            kind, dose_after = dosing.Kind.REDUCE, row[REC["dose_mg_per_day"]]
        elif action == "resume":
            kind, dose_after = dosing.Kind.RESUME, row[REC["dose_mg_per_day"]]
        elif action == "discontinue" and not last and state.on_hold:
            # Recovered on the lowest level: resumed at it rather than stopped (an
            # approval with another dose, which the decision service accepts).
            status, kind = "approved_modified", dosing.Kind.RESUME
            dose_after = Decimal(str(state.reference_dose_mg))
            reason = "Recovered and tolerating the lowest dose: resumed at it, not stopped"
        elif action == "discontinue" and not last:
            status, meaning, kind = "rejected", self.rejection_meaning, None
            reason = "Tolerating treatment otherwise; continue with closer monitoring"
            dose_after = None
        elif action == "discontinue":
            kind, dose_after = dosing.Kind.DISCONTINUE, Decimal(0)
        if kind is not None:
            now_state = dosing.derive_dose_state(c.as_entry() for c in ledger)
            if dosing.check_entry(now_state, kind, float(dose_after)) or (
                ledger and decided_at < ledger[-1].effective_at
            ):
                return False
            terms = row[REC["reason_terms"]] if kind in self.request.LEDGER_ACTIONS else []
            if kind == dosing.Kind.HOLD and not terms:
                return False  # a hold names the terms it is for, or the next visit cannot be read
            names = ", ".join(
                self.terms[t].name if t in self.terms else t for t in row[REC["reason_terms"]]
            )
            other = " with another dose" if status == "approved_modified" else ""
            text = f"Recommendation {row[REC['id']]} approved{other} ({names or action})"
            change = self._change(
                ledger,
                course,
                site,
                kind,
                decided_at,
                now_state.reference_dose_mg,
                float(dose_after),
                text,
                sorted(set(terms)),
            )
            row[REC["dose_change_id"]] = change.id
        row[REC["status"]] = status
        row[REC["decided_by_id"]] = site.users["oncologist"]
        row[REC["decided_at"]] = decided_at
        row[REC["decision_reason"]] = reason
        row[REC["approved_dose_mg"]] = (
            None if dose_after is None else Decimal(dose_after).quantize(Decimal("0.1"))
        )
        row[REC["signature_meaning"]] = meaning
        row[REC["signer_name"]] = site.names["oncologist"]
        row[REC["signature_sha256"]] = self._signature(row)
        self.sink.add("toxicity_recommendation", row)
        # The decision answers the visit's alerts (toxicity.alerts.acknowledge_alerts_answered_by).
        text = f"Signed decision on recommendation R{row[REC['id']]}: {status} ({meaning})"
        for alert in alert_rows:
            if (
                alert[ALERT["acknowledged_at"]] is None
                and alert[ALERT["created_at"]] <= decided_at
                and alert[ALERT["kind"]]
                in (
                    "high_grade",
                    "recommendation",
                )
            ):
                (
                    alert[ALERT["acknowledged_at"]],
                    alert[ALERT["acknowledged_by_id"]],
                    alert[ALERT["acknowledgement"]],
                    alert[ALERT["escalate_at"]],
                ) = (
                    decided_at,
                    site.users["oncologist"],
                    text,
                    None,
                )
        return True

    def _signature(self, row) -> str:
        recommendation = self.recommendation_model(
            pk=row[REC["id"]],
            visit_id=row[REC["visit_id"]],
            course_id=row[REC["course_id"]],
            visit_revision=row[REC["visit_revision"]],
            decision=row[REC["decision"]],
            action=row[REC["action"]],
            dose_mg_per_day=row[REC["dose_mg_per_day"]],
            status=row[REC["status"]],
            approved_dose_mg=row[REC["approved_dose_mg"]],
            decision_reason=row[REC["decision_reason"]],
            decided_by_id=row[REC["decided_by_id"]],
            signer_name=row[REC["signer_name"]],
            decided_at=row[REC["decided_at"]],
            signature_meaning=row[REC["signature_meaning"]],
        )
        signatures = self.signatures
        return signatures.sha256_hex(signatures.signed_content(recommendation))

    def _advice(self, row, drug: str) -> str:
        if row is None:
            return ""
        recommendation = self.recommendation_model(
            action=row[REC["action"]],
            dose_mg_per_day=row[REC["dose_mg_per_day"]],
            resume_dose_mg_per_day=row[REC["resume_dose_mg_per_day"]],
        )
        return str(self.alerts._advice(recommendation, drug))

    def _alerts(
        self,
        course,
        site,
        occurred,
        evaluated,
        grades,
        observation_ids,
        recommendation,
        open_alerts,
        alert_rows,
    ) -> bool:
        """toxicity.alerts.alerts_for_evaluation: grade >= 3 opens (or repeats) the
        term's episode; grade <= 1 ends it."""
        when = occurred.strftime("%d %b %Y")
        new = False
        for term, grade in grades.items():
            if grade is None:
                continue
            if grade >= 3:
                if term in open_alerts:
                    alert = open_alerts[term]
                    alert[ALERT["occurrences"]] += 1
                    alert[ALERT["last_seen_at"]] = evaluated
                    continue
                obs_id = observation_ids[term]
                name = self.terms[term].name
                alert = [
                    self.sink.new_id("notifications_alert"),
                    "high_grade",
                    "urgent",
                    grade,
                    course.id,
                    self.content_type["observation"],
                    obs_id,
                    f"observation:{obs_id}:rev1:grade{grade}",
                    f"{name}: CTCAE grade {grade} at the visit of {when}.",
                    self._advice(recommendation, course.drug),
                    term,
                    None,
                    1,
                    evaluated,
                    None,
                    evaluated,
                    None,
                    None,
                    "",
                    0,
                    evaluated + timedelta(minutes=120),
                ]
                open_alerts[term] = alert
                alert_rows.append(alert)
                new = True
            elif grade <= 1 and term in open_alerts:
                open_alerts.pop(term)[11] = evaluated
        return new

    def _recommendation_alert(self, course, occurred, evaluated, row, new_high_grade, alert_rows):
        if row[REC["action"]] not in ("withhold", "discontinue") or new_high_grade:
            return
        verb = "withhold" if row[REC["action"]] == "withhold" else "discontinue"
        alert_rows.append(
            [
                self.sink.new_id("notifications_alert"),
                "recommendation",
                "urgent",
                None,
                course.id,
                self.content_type["recommendation"],
                row[REC["id"]],
                f"recommendation:{row[REC['id']]}",
                f"The tracker recommends to {verb} {course.drug} after the visit of "
                f"{occurred.strftime('%d %b %Y')}.",
                self._advice(row, course.drug),
                "",
                None,
                1,
                evaluated,
                None,
                evaluated,
                None,
                None,
                "",
                0,
                evaluated + timedelta(minutes=120),
            ]
        )

    def _end_course(
        self, patient, course, site, ledger, alert_rows, waiting: bool, last_visit: datetime
    ) -> None:
        """Some courses end after their last visit (progression); unanswered alerts a
        week old were acknowledged from the alert list."""
        rng, dosing = self.rng, self.dosing
        if patient.visits >= 4 and rng.random() < 0.06:
            state = dosing.derive_dose_state(c.as_entry() for c in ledger)
            at = max(ledger[-1].effective_at, last_visit) + timedelta(days=3)
            if not state.ended and at <= BASE and not waiting:
                self._change(
                    ledger,
                    course,
                    site,
                    dosing.Kind.DISCONTINUE,
                    at,
                    state.reference_dose_mg,
                    0.0,
                    "Disease progression on imaging",
                    [],
                )
        for alert in alert_rows:
            if alert[ALERT["acknowledged_at"]] is None and alert[
                ALERT["created_at"]
            ] < BASE - timedelta(days=7):
                alert[ALERT["acknowledged_at"]] = alert[ALERT["created_at"]] + timedelta(
                    hours=rng.randint(1, 20)
                )
                alert[ALERT["acknowledged_by_id"]] = site.users["oncologist"]
                alert[ALERT["escalate_at"]] = None

    def _due_checks(self, course, ledger, last_by_term) -> None:
        """The open checks refresh_due_checks leaves after the last visit; those past
        their grace were marked overdue by the sweep."""
        dosing, monitoring = self.dosing, self.monitoring
        state = dosing.derive_dose_state(c.as_entry() for c in ledger)
        if state.ended:
            return
        created = max(last_by_term.values(), default=course.start)
        last_done = monitoring.last_done_by_kind(last_by_term)
        for due in monitoring.checks_due(course.drug, start=course.start, last_done=last_done):
            overdue = due.overdue_after < BASE
            self.sink.add(
                "toxicity_duecheck",
                (
                    self.sink.new_id("toxicity_duecheck"),
                    course.id,
                    due.kind,
                    due.due_at,
                    due.overdue_after,
                    due.schedule.source[:300],
                    due.schedule.confirmed,
                    created,
                    None,
                    due.overdue_after + timedelta(minutes=15) if overdue else None,
                ),
            )


@dataclass(frozen=True)
class _CourseView:
    """What the request builders read of a course."""

    drug: str
    rule_set: str


# --- Checksums, the marker, the kept database ----------------------------------------


def checksum(connection) -> str:
    """One digest of every generated row, table by table in id order."""
    digest = hashlib.sha256()
    with connection.cursor() as cur:
        for table in TABLES:
            cur.execute(
                f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) FROM {table} t"  # noqa: S608
            )
            digest.update(f"{table}:{cur.fetchone()[0]};".encode())
    return digest.hexdigest()


def _migration_names() -> list[str]:
    """The project's own migrations on disk: a kept database older than these is rebuilt."""
    return sorted(
        f"{path.parent.parent.name}.{path.stem}" for path in ROOT.glob("*/migrations/[0-9]*.py")
    )


def _marker(spec: NetworkSpec, rows: dict[str, int], seconds: float) -> dict[str, Any]:
    return {
        "spec": spec.as_dict(),
        "rows": rows,
        "migrations": _migration_names(),
        "seconds": seconds,
    }


def write_marker(connection, spec: NetworkSpec, rows: dict[str, int], seconds: float) -> None:
    with connection.cursor() as cur:
        cur.execute(f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (id int PRIMARY KEY, built jsonb)")  # noqa: S608 (table names are constants)
        cur.execute(f"DELETE FROM {MARKER_TABLE}")  # noqa: S608 (table names are constants)
        cur.execute(
            f"INSERT INTO {MARKER_TABLE} VALUES (1, %s)",  # noqa: S608 (table names are constants)
            (json.dumps(_marker(spec, rows, seconds)),),
        )


def holds(database: str, spec: NetworkSpec) -> bool:
    """True when `database` exists and its marker says it holds exactly `spec` (same
    seed, format and migrations) with the row counts it was built with."""
    import psycopg

    from bench._support import PG

    try:
        connection = psycopg.connect(f"{PG}/{database}", autocommit=True)
    except psycopg.OperationalError:
        return False
    with connection, connection.cursor() as cur:
        cur.execute("SELECT to_regclass(%s)", (MARKER_TABLE,))
        if cur.fetchone()[0] is None:
            return False
        cur.execute(f"SELECT built FROM {MARKER_TABLE} WHERE id = 1")  # noqa: S608 (table names are constants)
        found = cur.fetchone()
        if found is None:
            return False
        built = found[0]
        if built["spec"] != spec.as_dict() or built["migrations"] != _migration_names():
            return False
        for table, count in built["rows"].items():
            cur.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (table names are constants)
            if cur.fetchone()[0] != count:
                return False
    return True


def build(database: str, spec: NetworkSpec) -> dict[str, Any]:
    """Drops and creates `database`, migrates it, fills it; kept afterwards."""
    import os
    import subprocess

    import psycopg

    from bench._support import BASE_ENV, PG, _admin

    started = time.perf_counter()
    _admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{database}"')
    env = {**os.environ, **BASE_ENV, "DATABASE_URL": f"{PG}/{database}"}
    subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [str(ROOT / ".venv/bin/python"), "manage.py", "migrate", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    migrated = time.perf_counter() - started
    _setup_django(database)
    with psycopg.connect(f"{PG}/{database}") as connection:
        builder = _Builder(connection, spec)
        rows = builder.run()
        filled = time.perf_counter() - started - migrated
        write_marker(connection, spec, rows, round(time.perf_counter() - started, 1))
        connection.commit()
    with psycopg.connect(f"{PG}/{database}", autocommit=True) as connection:
        analyzed = time.perf_counter()
        connection.execute("VACUUM (ANALYZE)")
        analyzed = time.perf_counter() - analyzed
        size = connection.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    return {
        "database": database,
        "spec": spec.as_dict(),
        "tables": {
            table: {
                "rows": rows[table],
                "copy_seconds": round(builder.sink.seconds[table], 2),
            }
            for table in TABLES
        },
        "seconds": {
            "migrate": round(migrated, 1),
            "generate_and_copy": round(filled, 1),
            "vacuum_analyze": round(analyzed, 1),
            "total": round(time.perf_counter() - started, 1),
        },
        "database_bytes": size,
        "database_size": f"{size / 2**30:.2f} GiB",
        "reused": False,
    }


def _setup_django(database: str) -> None:
    import os

    import django
    from django.conf import settings

    from bench._support import BASE_ENV, PG

    if settings.configured:
        return
    os.environ.update({**BASE_ENV, "DATABASE_URL": f"{PG}/{database}"})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()


def ensure_network(spec: NetworkSpec = NetworkSpec(), database: str = DEFAULT_DATABASE) -> str:
    """The name of a kept database holding exactly `spec`: reused when its marker says
    so, else (re)built. Other benchmarks call this, then point Django at the name."""
    if not holds(database, spec):
        build(database, spec)
    return database


def main(argv: list[str] | None = None) -> None:
    defaults = NetworkSpec()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=defaults.patients)
    parser.add_argument("--sites", type=int, default=defaults.sites)
    parser.add_argument("--visits", type=int, default=defaults.visits)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--database", default=DEFAULT_DATABASE)
    parser.add_argument(
        "--rebuild",
        action="store_true",
        help="build even when the database already holds this spec",
    )
    args = parser.parse_args(argv)
    spec = NetworkSpec(args.patients, args.sites, args.visits, args.seed)
    if not args.rebuild and holds(args.database, spec):
        print(json.dumps({"database": args.database, "spec": spec.as_dict(), "reused": True}))
        return
    print(json.dumps(build(args.database, spec), indent=2))


if __name__ == "__main__":
    main()

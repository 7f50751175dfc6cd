"""The labels' monitoring schedules as data, and when the next check falls due.

Pure Python, no Django. Facts from docs/sources/reference.md 2.1-2.3,
corrected by verification.md 1.4 and 2.3. `confirmed=False` marks schedules
that no primary text confirmed ([U] / STILL UNCONFIRMED, or a project default
where the label says only "periodically"): the pages show them as such, and a
pharmacist confirms them before go-live.

A schedule is a first check (days after the course start; 0 = before or at
initiation) and then phases: "every N days until day D". The next check is due
one interval after the last check done (or at the first check if none was done),
with the interval of the phase the last check fell in. `grace_days` is how long
after the due time a check counts as overdue, and also how early a check may be
done and still count for that due time.

Checks the labels ask for only in some patients (ECG in congenital long QT,
heart failure, bradyarrhythmias or QT-prolonging drugs) carry a `condition`
and are not scheduled automatically.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

BLOOD_PRESSURE = "blood_pressure"
LIVER = "liver"
URINE_PROTEIN = "urine_protein"
THYROID = "thyroid"
CALCIUM = "calcium"
ECG = "ecg"

# Which observation terms satisfy a check.
SATISFIED_BY: dict[str, tuple[str, ...]] = {
    BLOOD_PRESSURE: ("hypertension",),
    LIVER: (
        "alanine_aminotransferase_increased",
        "aspartate_aminotransferase_increased",
        "blood_bilirubin_increased",
    ),
    URINE_PROTEIN: ("proteinuria",),
    # No TSH field in the evaluation contract yet: a graded thyroid term counts.
    THYROID: ("hypothyroidism", "hyperthyroidism"),
    CALCIUM: ("hypocalcemia",),
    ECG: ("electrocardiogram_qt_corrected_interval_prolonged",),
}

MONTH = 30  # "monthly" / "at least monthly", in days


@dataclass(frozen=True)
class Phase:
    every_days: int
    until_day: int | None = None  # None: for the rest of the course


@dataclass(frozen=True)
class Schedule:
    kind: str
    text: str
    first_day: int
    phases: tuple[Phase, ...]
    source: str
    confirmed: bool
    grace_days: int = 3
    condition: str = ""  # non-empty: only for some patients, not scheduled automatically

    def interval_after(self, day: float) -> int:
        for phase in self.phases:
            if phase.until_day is None or day < phase.until_day:
                return phase.every_days
        return self.phases[-1].every_days


SCHEDULES: dict[str, tuple[Schedule, ...]] = {
    "lenvatinib": (
        Schedule(
            BLOOD_PRESSURE,
            "BP after 1 week, every 2 weeks for the first 2 months, then at least monthly",
            first_day=7,
            phases=(Phase(14, until_day=56), Phase(MONTH)),
            source="LENVIMA ISI (current) and 2016 PI 5.1; verification.md 1.4 CONFIRMED",
            confirmed=True,
            grace_days=2,
        ),
        Schedule(
            LIVER,
            "Liver tests before start, every 2 weeks for 2 months, then at least monthly",
            first_day=0,
            phases=(Phase(14, until_day=56), Phase(MONTH)),
            source="reference.md 2.1 [U]; verification.md 1.4: only 'before initiation and "
            "periodically' is confirmed (2016 Highlights)",
            confirmed=False,
        ),
        Schedule(
            URINE_PROTEIN,
            "Urine protein before start and periodically (monthly here); dipstick >= 2+ "
            "prompts a 24-h collection",
            first_day=0,
            phases=(Phase(MONTH),),
            source="reference.md 2.1 [U]; verification.md 1.4 STILL UNCONFIRMED; interval is a "
            "project default; policy.md 6",
            confirmed=False,
        ),
        Schedule(
            THYROID,
            "TSH monthly; adjust thyroid replacement",
            first_day=0,
            phases=(Phase(MONTH),),
            source="LENVIMA 2015 Highlights 5.12; verification.md 1.4 CONFIRMED-OLDER",
            confirmed=True,
        ),
        Schedule(
            CALCIUM,
            "Blood calcium at least monthly; replace as necessary",
            first_day=0,
            phases=(Phase(MONTH),),
            source="LENVIMA 2015 Highlights 5.9; verification.md 1.4 CONFIRMED-OLDER",
            confirmed=True,
        ),
        Schedule(
            ECG,
            "ECG in congenital long QT, heart failure, bradyarrhythmias or QT-prolonging drugs",
            first_day=0,
            phases=(Phase(MONTH),),
            source="LENVIMA 2016 PI 5.9; verification.md 1.4 CONFIRMED-OLDER",
            confirmed=True,
            condition="only in patients at risk of QT prolongation",
        ),
    ),
    "sorafenib": (
        Schedule(
            BLOOD_PRESSURE,
            "BP weekly for the first 6 weeks, then periodically (monthly here)",
            first_day=7,
            phases=(Phase(7, until_day=42), Phase(MONTH)),
            source="NEXAVAR HCP page [M]; verification.md 2.3 CONFIRMED (weekly x 6 weeks); "
            "the monthly interval afterwards is a project default",
            confirmed=True,
            grace_days=2,
        ),
        Schedule(
            THYROID,
            "TSH monthly in DTC; adjust thyroid replacement",
            first_day=0,
            phases=(Phase(MONTH),),
            source="reference.md 2.2 [U]; verification.md 2.3: partially confirmed, the "
            "monitoring sentence is STILL UNCONFIRMED",
            confirmed=False,
        ),
        Schedule(
            LIVER,
            "Liver tests regularly (monthly here)",
            first_day=0,
            phases=(Phase(MONTH),),
            source="reference.md 2.2 [U]; interval is a project default",
            confirmed=False,
        ),
        Schedule(
            ECG,
            "ECG and electrolytes in patients at risk of QT prolongation",
            first_day=0,
            phases=(Phase(MONTH),),
            source="reference.md 2.2 [U]",
            confirmed=False,
            condition="only in patients at risk of QT prolongation",
        ),
    ),
    "cabozantinib": (
        Schedule(
            BLOOD_PRESSURE,
            "BP every 2 weeks for the first 2 months, then every 1-2 months (monthly here)",
            first_day=14,
            phases=(Phase(14, until_day=56), Phase(MONTH)),
            source="ATA 2025 Rec 65 visit schedule for MKI patients [S] (reference.md 2.1); "
            "no CABOMETYX monitoring interval was read",
            confirmed=False,
        ),
        Schedule(
            URINE_PROTEIN,
            "Urine protein regularly (monthly here)",
            first_day=0,
            phases=(Phase(MONTH),),
            source="reference.md 2.3 [U] (EU text); verification.md 3: STILL UNCONFIRMED",
            confirmed=False,
        ),
        Schedule(
            CALCIUM,
            "Blood calcium; replace as needed (monthly here)",
            first_day=0,
            phases=(Phase(MONTH),),
            source="reference.md 2.3 [U]; verification.md 3: rule text STILL UNCONFIRMED",
            confirmed=False,
        ),
        Schedule(
            THYROID,
            "Thyroid function (monthly here)",
            first_day=0,
            phases=(Phase(MONTH),),
            source="reference.md 2.3 [U]; verification.md 3: STILL UNCONFIRMED",
            confirmed=False,
        ),
    ),
}


@dataclass(frozen=True)
class Due:
    kind: str
    due_at: datetime
    overdue_after: datetime
    schedule: Schedule


def scheduled(drug: str) -> tuple[Schedule, ...]:
    """The schedules that are due for every patient on `drug` (conditional ones left out)."""
    return tuple(s for s in SCHEDULES.get(drug, ()) if not s.condition)


def next_due(schedule: Schedule, *, start: datetime, last_done: datetime | None) -> Due:
    """When `schedule`'s next check falls due, given the last check done (or none)."""
    if last_done is None or last_done < start - timedelta(days=schedule.grace_days):
        due = start + timedelta(days=schedule.first_day)
    else:
        day = (last_done - start).total_seconds() / 86400
        due = last_done + timedelta(days=schedule.interval_after(max(day, 0)))
    return Due(schedule.kind, due, due + timedelta(days=schedule.grace_days), schedule)


def checks_due(drug: str, *, start: datetime, last_done: dict[str, datetime | None]) -> list[Due]:
    """The next due check of every scheduled kind for a course on `drug`."""
    return [next_due(s, start=start, last_done=last_done.get(s.kind)) for s in scheduled(drug)]


def last_done_by_kind(last_by_term: dict[str, datetime]) -> dict[str, datetime | None]:
    """The latest time each kind of check was done, from the latest time per observed term."""
    out: dict[str, datetime | None] = {}
    for kind, terms in SATISFIED_BY.items():
        times = [last_by_term[t] for t in terms if t in last_by_term]
        out[kind] = max(times) if times else None
    return out

"""Who was due to send the weekly report, who sent it, and who missed two weeks running.

A week is the clinic's: from Monday 00:00 to the next Monday 00:00 in the site's
zone. A patient is **due** for a week when, for the whole of it, both hold:

* an active patient account (the patient's or a carer's) was opened before the week
  began (enrolled during the week: due from the next week);
* a course was running: started on or before the week's first day, and not ended
  (discontinued or completed on the dose ledger) before the week's end.

A due patient **answered** when a weekly report of theirs (from any of their
accounts) was sent within the week. **Missed two weeks running**: due in both of
the last two full weeks (the current week is not over) and answered in neither:
a worklist reason (tracker.selectors.worklist).

The counts are a fixed number of queries whatever the number of patients: one per
site for the page, two for the worklist's reason over all the user's sites.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import reduce
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from patients import dosing
from patients.models import DoseChange, Patient, Site, TreatmentCourse
from reports.models import PatientAccount, SymptomReport

# The ledger kinds that end a course.
ENDS = (dosing.Kind.DISCONTINUE, dosing.Kind.COMPLETE)
# The page's figures: this week and the four full weeks before it.
WEEKS_SHOWN = 4


@dataclass(frozen=True)
class Week:
    """Monday 00:00 to the next Monday 00:00 in the clinic's zone (aware datetimes)."""

    start: datetime
    end: datetime

    @property
    def first_day(self) -> date:
        return self.start.date()

    @property
    def last_day(self) -> date:
        return self.end.date() - timedelta(days=1)


def week_starting(monday: date, zone: ZoneInfo) -> Week:
    return Week(
        start=datetime.combine(monday, time.min, tzinfo=zone),
        end=datetime.combine(monday + timedelta(days=7), time.min, tzinfo=zone),
    )


def week_of(moment: datetime, zone: ZoneInfo) -> Week:
    """The clinic's week that `moment` falls in."""
    day = moment.astimezone(zone).date()
    return week_starting(day - timedelta(days=day.weekday()), zone)


def weeks_back(moment: datetime, zone: ZoneInfo, full_weeks: int) -> list[Week]:
    """The week of `moment` (not over yet), then the `full_weeks` before it, newest first."""
    current = week_of(moment, zone)
    return [
        week_starting(current.first_day - timedelta(days=7 * n), zone)
        for n in range(full_weeks + 1)
    ]


def enrolled_before(week: Week) -> Exists:
    return Exists(
        PatientAccount.objects.filter(
            patient=OuterRef("pk"), user__is_active=True, created_at__lt=week.start
        )
    )


def on_course_all_week(week: Week) -> Exists:
    ended = DoseChange.objects.filter(
        course=OuterRef("pk"), kind__in=ENDS, effective_at__lt=week.end
    )
    return Exists(
        TreatmentCourse.objects.filter(patient=OuterRef("pk"), start_date__lte=week.first_day)
        .exclude(Exists(ended))
        .values("pk")
    )


def answered_in(week: Week) -> Exists:
    return Exists(
        SymptomReport.objects.filter(
            patient=OuterRef("pk"), submitted_at__gte=week.start, submitted_at__lt=week.end
        )
    )


def due_in(week: Week) -> Q:
    """A filter on Patient: due for the weekly report in `week`."""
    return Q(enrolled_before(week)) & Q(on_course_all_week(week))


def missed_both(last: Week, before: Week) -> Q:
    """A filter on Patient: due in both weeks and answered in neither."""
    return due_in(last) & due_in(before) & ~Q(answered_in(last)) & ~Q(answered_in(before))


# --- one site's page -------------------------------------------------------------------


@dataclass(frozen=True)
class WeekFigures:
    week: Week
    due: int
    answered: int
    current: bool  # the week is not over yet

    @property
    def share(self) -> int | None:
        """Answered, in per cent of due (rounded); None when nobody was due."""
        if not self.due:
            return None
        return round(100 * self.answered / self.due)


@dataclass(frozen=True)
class MissedPatient:
    pk: int
    reference_code: str
    family_name: str
    given_name: str


@dataclass
class SiteCompletion:
    site: Site
    weeks: list[WeekFigures]  # this week first, then the full weeks before it
    missed: list[MissedPatient] = field(default_factory=list)  # two full weeks running


def site_completion(
    site: Site, *, now: datetime | None = None, full_weeks: int = WEEKS_SHOWN
) -> SiteCompletion:
    """Due, answered and their share per week, and who missed the last two full weeks.

    One query: every patient of the site who has an account, with a yes/no per week
    for enrolled, on a course and answered; counted here.
    """
    now = now or timezone.now()
    weeks = weeks_back(now, site.zone, max(full_weeks, 2))
    flags = {}
    for n, week in enumerate(weeks):
        flags[f"enrolled{n}"] = enrolled_before(week)
        flags[f"running{n}"] = on_course_all_week(week)
        flags[f"answered{n}"] = answered_in(week)
    rows = list(
        Patient.objects.filter(site=site)
        .filter(Exists(PatientAccount.objects.filter(patient=OuterRef("pk"))))
        .annotate(**flags)
        .order_by("family_name", "given_name", "pk")
        .values("pk", "reference_code", "family_name", "given_name", *flags)
    )

    def due(row, n) -> bool:
        return row[f"enrolled{n}"] and row[f"running{n}"]

    figures = [
        WeekFigures(
            week=week,
            due=sum(1 for row in rows if due(row, n)),
            answered=sum(1 for row in rows if due(row, n) and row[f"answered{n}"]),
            current=n == 0,
        )
        for n, week in enumerate(weeks[: full_weeks + 1])
    ]
    missed = [
        MissedPatient(row["pk"], row["reference_code"], row["family_name"], row["given_name"])
        for row in rows
        if all(due(row, n) and not row[f"answered{n}"] for n in (1, 2))
    ]
    return SiteCompletion(site=site, weeks=figures, missed=missed)


def sites_completion(site_ids: list[int], *, now: datetime | None = None) -> list[SiteCompletion]:
    """The page's figures for each of the sites, by name."""
    now = now or timezone.now()
    return [
        site_completion(site, now=now)
        for site in Site.objects.filter(pk__in=site_ids).order_by("name")
    ]


# --- the worklist's reason ---------------------------------------------------------------


def missed_two_weeks(site_ids: list[int], *, now: datetime | None = None) -> set[int]:
    """Ids of the sites' patients who missed the last two full weeks' reports.

    Three queries for all the sites, whatever the number of patients: the patients
    who report from home, the sites' zones (each site's weeks are its own), then
    which of those patients missed both weeks. Asking only about the patients who
    report keeps the last query small on a network of 10,000 patients, most of whom
    have no account (docs/benchmarks.md, "Pages at network size").
    """
    now = now or timezone.now()
    reporting = list(
        PatientAccount.objects.filter(patient__site_id__in=site_ids, user__is_active=True)
        .values_list("patient_id", flat=True)
        .distinct()
    )
    if not reporting:
        return set()
    zones = dict(Site.objects.filter(pk__in=site_ids).values_list("pk", "time_zone"))
    if not zones:
        return set()
    by_zone: dict[str, list[int]] = {}
    for site_id, zone in zones.items():
        by_zone.setdefault(zone, []).append(site_id)
    conditions = []
    for zone, ids in by_zone.items():
        _current, last, before = weeks_back(now, ZoneInfo(zone), 2)
        conditions.append(Q(site_id__in=ids) & missed_both(last, before))
    condition = reduce(operator.or_, conditions)
    return set(Patient.objects.filter(condition, pk__in=reporting).values_list("pk", flat=True))

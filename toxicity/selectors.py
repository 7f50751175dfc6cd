"""Reads that the pages (visit form, recommendation inbox) and the API share.

Each reads a fixed number of queries whatever the number of rows or the length
of a patient's history.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from patients import dosing
from patients.access import clinical_sites
from patients.models import DoseChange
from toxicity import monitoring
from toxicity.access import impact_sites
from toxicity.models import (
    Action,
    DecisionCorrection,
    DueCheck,
    ImpactChunk,
    ImpactDifference,
    ImpactReport,
    Observation,
    Recommendation,
    RecommendationStatus,
    Visit,
)
from toxicity.services.signatures import correction_is_valid, signature_is_valid

TREND_VISITS = 6


def visits_visible_to(user) -> QuerySet[Visit]:
    return Visit.objects.filter(course__patient__site_id__in=clinical_sites(user))


def with_details(visits: QuerySet[Visit]) -> QuerySet[Visit]:
    """Visits with their course, patient, observations and recommendations in 3 queries."""
    return visits.select_related("course__patient", "recorded_by").prefetch_related(
        Prefetch("observations", queryset=Observation.objects.order_by("term")),
        Prefetch("recommendations", queryset=Recommendation.objects.order_by("-created_at")),
    )


@dataclass
class InboxItem:
    recommendation: Recommendation
    observations: list[Observation]  # the triggering visit's values and grades
    trend: dict[str, list[tuple[datetime, int | None]]]  # term -> (when, grade), oldest first

    @property
    def reasons(self) -> list[dict]:
        return self.recommendation.decision.get("reasons", [])


def pending_recommendations(user) -> QuerySet[Recommendation]:
    """Pending recommendations of the user's sites, most severe first (discontinue >
    withhold > reduce > resume > continue), then the worst grade of the visit (a grade 3
    before a grade 2 with the same action), then flagged for review, then oldest."""
    worst_grade = (
        Observation.objects.filter(visit=OuterRef("visit"))
        .order_by("-final_grade")
        .values("final_grade")[:1]
    )
    return (
        Recommendation.objects.filter(
            status=RecommendationStatus.PENDING,
            course__patient__site_id__in=clinical_sites(user),
        )
        .select_related("visit__recorded_by", "course__patient", "rule_set_signoff", "resume_plan")
        .prefetch_related(
            Prefetch("visit__observations", queryset=Observation.objects.order_by("term"))
        )
        .annotate(worst_grade=Subquery(worst_grade))
        .order_by("-severity", "-worst_grade", "-needs_review", "created_at", "id")
    )


def recently_signed(user, *, limit: int = 20) -> list[Recommendation]:
    """The inbox's history: the latest signed decisions at the user's sites, newest first."""
    return list(
        Recommendation.objects.filter(course__patient__site_id__in=clinical_sites(user))
        .exclude(signature_sha256="")
        .select_related("course__patient")
        .order_by("-decided_at", "-id")[:limit]
    )


def recent_trends(
    course_ids, *, visits: int = TREND_VISITS
) -> dict[int, dict[str, list[tuple[datetime, int | None]]]]:
    """course id -> term -> the final grades of its last `visits` visits, oldest first.

    Two queries for any number of courses: the last visits per course (a window
    function), then their observations.
    """
    course_ids = list(set(course_ids))
    if not course_ids:
        return {}
    latest = (
        Visit.objects.filter(course_id__in=course_ids)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("course_id")],
                order_by=[F("occurred_at").desc(), F("id").desc()],
            )
        )
        .filter(rank__lte=visits)
        .values_list("pk", flat=True)
    )
    rows = (
        Observation.objects.filter(visit_id__in=list(latest))
        .order_by("visit__occurred_at", "visit_id")
        .values_list("visit__course_id", "term", "visit__occurred_at", "final_grade")
    )
    trends: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for course_id, term, when, grade in rows:
        trends[course_id][term].append((when, grade))
    return {cid: dict(terms) for cid, terms in trends.items()}


def inbox(user, *, limit: int = 100, trend_visits: int = TREND_VISITS) -> list[InboxItem]:
    """The oncologist's inbox: each pending recommendation with its triggering values,
    grades, reasons with label sources and the patient's recent trend (5 queries)."""
    recommendations = list(pending_recommendations(user)[:limit])
    trends = recent_trends([r.course_id for r in recommendations], visits=trend_visits)
    return [
        InboxItem(r, list(r.visit.observations.all()), trends.get(r.course_id, {}))
        for r in recommendations
    ]


def inbox_item(recommendation: Recommendation, *, trend_visits: int = TREND_VISITS) -> InboxItem:
    trends = recent_trends([recommendation.course_id], visits=trend_visits)
    observations = list(recommendation.visit.observations.order_by("term"))
    return InboxItem(recommendation, observations, trends.get(recommendation.course_id, {}))


@dataclass
class CheckStatus:
    kind: str
    label: str
    due_at: datetime
    overdue: bool
    text: str
    source: str
    confirmed: bool


def due_checks(course, *, now: datetime | None = None) -> list[CheckStatus]:
    """What monitoring falls due when for a course (open checks, soonest first)."""
    now = now or timezone.now()
    schedules = {s.kind: s for s in monitoring.SCHEDULES.get(course.drug, ())}
    out = []
    for check in DueCheck.objects.filter(course=course, satisfied_at__isnull=True):
        schedule = schedules.get(check.kind)
        out.append(
            CheckStatus(
                kind=check.kind,
                label=check.get_kind_display(),
                due_at=check.due_at,
                overdue=check.overdue_after <= now,
                text=schedule.text if schedule else "",
                source=check.source,
                confirmed=check.confirmed,
            )
        )
    return out


@dataclass
class SignedDecision:
    """A signed decision as the record shows it: who, when (UTC), what it meant, its hash."""

    recommendation: Recommendation
    signature_valid: bool
    corrections: list  # DecisionCorrection rows, oldest first, each with .signature_valid

    @property
    def signed_revision(self) -> int:
        return self.recommendation.visit_revision

    @property
    def visit_revised_since(self) -> bool:
        """The visit was corrected after this decision was signed: the signature still
        holds, but for an earlier revision of the visit than the one on file."""
        return self.recommendation.visit.revision > self.recommendation.visit_revision


def signed_decisions(patient) -> list[SignedDecision]:
    """Every signed decision of a patient's courses, newest first, with their corrections.

    Two queries whatever the number of decisions. The hashes are recomputed here,
    so the record shows whether each signed row still matches what was signed.
    """
    decided = list(
        Recommendation.objects.filter(course__patient=patient)
        .exclude(signature_sha256="")
        .select_related("course", "visit")
        .prefetch_related(
            Prefetch(
                "corrections",
                queryset=DecisionCorrection.objects.order_by("corrected_at", "id"),
            )
        )
        .order_by("-decided_at", "-id")
    )
    out = []
    for recommendation in decided:
        corrections = list(recommendation.corrections.all())
        for correction in corrections:
            correction.recommendation = recommendation  # the hash covers its signature
            correction.signature_valid = correction_is_valid(correction)
        out.append(SignedDecision(recommendation, signature_is_valid(recommendation), corrections))
    return out


# --- holds as plans ------------------------------------------------------------------------
APPROVED = (RecommendationStatus.APPROVED, RecommendationStatus.APPROVED_MODIFIED)


@dataclass(frozen=True)
class HoldPlan:
    """A drug on hold as the oncologist signed it: since when, for which terms, and
    when and at what dose it resumes ("resume at 20 mg/day when hypertension <= grade 2")."""

    held_since: datetime
    terms: list[str]  # CTCAE term keys
    resume_when: str  # the engine's recovery criterion, as signed; "" when not recorded
    resume_dose_mg: Decimal | None  # None: to be decided at resumption
    signed: Recommendation | None  # the signed withhold behind the plan (signer, reason, time)
    hold: DoseChange

    @property
    def resume_dose_chosen(self) -> bool:
        """The oncologist set the resume dose instead of the label's next level."""
        return self.signed is not None and self.signed.approved_resume_dose_mg is not None


def signed_hold_plans(holds: Iterable[DoseChange]) -> dict[int, Recommendation]:
    """course id -> the signed withhold that sets each hold's plan, in one query.

    That is the latest approved withhold since the hold began (a "stay on hold"
    signed later may set another resume dose), else the one the hold carries out.
    """
    holds = list(holds)
    if not holds:
        return {}
    # The withhold a hold carries out is linked to it; later ones are found by time.
    match = Q(dose_change_id__in=[hold.pk for hold in holds])
    for hold in holds:
        match |= Q(course_id=hold.course_id, decided_at__gte=hold.recorded_at)
    plans: dict[int, Recommendation] = {}
    for recommendation in (
        Recommendation.objects.filter(match, action=Action.WITHHOLD, status__in=APPROVED)
        .select_related("decided_by")
        .order_by("decided_at", "id")
    ):
        plans[recommendation.course_id] = recommendation  # the latest wins
    return plans


def hold_plans(course_ids: Iterable[int]) -> dict[int, HoldPlan]:
    """course id -> its hold plan, for the courses among these that are on hold now.

    Three queries whatever the number of courses.
    """
    by_course: dict[int, list[DoseChange]] = defaultdict(list)
    for change in DoseChange.objects.filter(course_id__in=list(course_ids)).order_by(
        "effective_at", "id"
    ):
        by_course[change.course_id].append(change)
    return hold_plans_from_ledgers(by_course)


def hold_plans_from_ledgers(ledgers: Mapping[int, Iterable[DoseChange]]) -> dict[int, HoldPlan]:
    """The same from ledgers already read (course id -> DoseChange rows, oldest first):
    one query, none when no course is on hold."""
    holds = {}
    for course_id, changes in ledgers.items():
        changes = list(changes)
        state = dosing.derive_dose_state(c.as_entry() for c in changes)
        if state.on_hold:
            holds[course_id] = next(c for c in reversed(changes) if c.kind == dosing.Kind.HOLD)
    signed = signed_hold_plans(holds.values())
    plans = {}
    for course_id, hold in holds.items():
        recommendation = signed.get(course_id)
        resume_dose = None
        resume_when = ""
        if recommendation is not None:
            resume_dose = (
                recommendation.approved_resume_dose_mg
                if recommendation.approved_resume_dose_mg is not None
                else recommendation.resume_dose_mg_per_day
            )
            resume_when = str(recommendation.decision.get("resume_when") or "")
        plans[course_id] = HoldPlan(
            held_since=hold.effective_at,
            terms=list(hold.reason_terms or ()),
            resume_when=resume_when,
            resume_dose_mg=resume_dose,
            signed=recommendation,
            hold=hold,
        )
    return plans


# --- impact reports -------------------------------------------------------------------------


def impact_reports_visible_to(user, *, limit: int = 200) -> list[ImpactReport]:
    """The latest reports over sites where the user could run them, newest first."""
    allowed = set(impact_sites(user))
    if not allowed:
        return []
    reports = ImpactReport.objects.select_related("requested_by").order_by("-requested_at", "-id")
    return [r for r in reports[:limit] if set(r.site_ids) <= allowed]


def impact_reports_for_version(
    user, drug: str, rule_set: str, fingerprint: str
) -> list[ImpactReport]:
    """Reports whose candidate is this version of the rule set (a change before it went
    live), among those the user may read."""
    key = f"{drug}:{rule_set}"
    return [
        r
        for r in impact_reports_visible_to(user)
        if r.fingerprints.get(key, {}).get("candidate") == fingerprint
        and r.fingerprints[key].get("current") != fingerprint
    ]


def impact_differences(report: ImpactReport) -> QuerySet[ImpactDifference]:
    """The visits the candidate decides differently, in visit order."""
    return (
        ImpactDifference.objects.filter(report=report)
        .select_related("patient__site")
        .order_by("occurred_at", "visit_id")
    )


@dataclass(frozen=True)
class ImpactProgress:
    chunks_done: int
    chunk_count: int
    visits_done: int
    visits_in_scope: int
    visits_per_second: float | None
    seconds_left: float | None

    @property
    def percent(self) -> int:
        if not self.chunk_count:
            return 100
        return round(100 * self.chunks_done / self.chunk_count)


def impact_progress(report: ImpactReport, *, now: datetime) -> ImpactProgress:
    """Chunks done of the total, the rate since the report started, and the time left."""
    done = ImpactChunk.objects.filter(report=report, done_at__isnull=False).aggregate(
        chunks=Count("id"), visits=Sum("planned_visits")
    )
    visits_done = done["visits"] or 0
    rate = left = None
    if report.started_at is not None and visits_done:
        elapsed = ((report.finished_at or now) - report.started_at).total_seconds()
        if elapsed > 0:
            rate = visits_done / elapsed
            left = max(0, report.visits_in_scope - visits_done) / rate
    return ImpactProgress(
        chunks_done=done["chunks"],
        chunk_count=report.chunk_count,
        visits_done=visits_done,
        visits_in_scope=report.visits_in_scope,
        visits_per_second=rate,
        seconds_left=left if report.is_running else None,
    )

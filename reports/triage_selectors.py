"""Reads of the triage: the nurses' queue, one item's page, and the alert-noise figures.

Re-exported by reports.selectors (the worklist reads `triage_queue` there).
Times are given in the clinic's zone, with the zone's name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from patients.models import Patient, Site
from reports import criteria, items
from reports.models import (
    HomeBloodPressure,
    ReportPolicy,
    SymptomReport,
    TriageItem,
    TriageStatus,
)

QUEUE_TREND = 3  # earlier reports shown beside each composite on the queue
PAGE_TREND = 6  # and on the item's page
BP_WINDOW = timedelta(days=14)
# How far back the queue looks for a patient's earlier reports (weekly: about 12).
QUEUE_WINDOW = timedelta(weeks=12)


@dataclass
class SymptomTrend:
    key: str
    title: str
    composite: int
    earlier: list[int | None]  # oldest first; None: not answered that week
    raised: bool  # this symptom is a reason of the item
    term: str = ""  # the CTCAE term a nurse grades it with


@dataclass
class TriageRow:
    item: TriageItem
    patient: Patient
    received: datetime  # in the clinic's zone
    zone: str
    reasons: list[str]
    words: str  # the patient's own "anything else"
    symptoms: list[SymptomTrend] = field(default_factory=list)
    home_bp: list[HomeBloodPressure] = field(default_factory=list)
    earlier_dates: list[datetime] = field(default_factory=list)

    @property
    def no_course(self) -> bool:
        return self.item.course_id is None

    @property
    def received_text(self) -> str:
        """'2 Dec 2026, 09:30 GMT (Europe/London)': the clinic's time in the reader's
        words, with its zone; the zone's name once when it is its own abbreviation."""
        return when(self.received, self.zone)

    @property
    def earlier_text(self) -> list[str]:
        return [date_format(d, "SHORT_DATE_FORMAT") for d in self.earlier_dates]


def when(moment: datetime, zone: str) -> str:
    text = date_format(moment, "DATETIME_FORMAT")
    return text if moment.tzname() == zone else f"{text} ({zone})"


def _trend(
    item: TriageItem, depth: int, history: list[SymptomReport] | None = None
) -> tuple[list[SymptomTrend], list[datetime]]:
    """The report's composites beside the patient's `depth` earlier reports.

    `history`: the patient's reports, newest first, answers prefetched (the queue reads
    them for all its items at once); else they are read here.
    """
    report = item.report
    if report is None:
        return [], []
    zone = item.patient.site.zone
    if history is None:
        history = list(
            SymptomReport.objects.filter(
                patient_id=report.patient_id, submitted_at__lt=report.submitted_at
            )
            .order_by("-submitted_at", "-id")
            .prefetch_related("answers")[:depth]
        )
    earlier = [r for r in history if r.submitted_at < report.submitted_at][:depth][::-1]
    by_report = [{a.item: a.composite_grade for a in r.answers.all()} for r in earlier]
    raised = {r["item"] for r in item.reasons if r.get("item")}
    now = {a.item: a.composite_grade for a in report.answers.all()}
    rows = [
        SymptomTrend(
            key=i.key,
            title=i.title,
            composite=now[i.key],
            earlier=[week.get(i.key) for week in by_report],
            raised=i.key in raised,
            term=items.CTCAE_TERM.get(i.key, ""),
        )
        for i in items.SURVEY
        if i.key in now
    ]
    return rows, [timezone.localtime(r.submitted_at, zone) for r in earlier]


def _readings(item: TriageItem, *, window: bool) -> list[HomeBloodPressure]:
    if window:
        # The page: every home reading of the two weeks before the item, newest first.
        return list(
            HomeBloodPressure.objects.filter(
                patient_id=item.patient_id,
                taken_at__gte=item.raised_at - BP_WINDOW,
                taken_at__lte=item.raised_at,
            )
        )
    if item.home_bp_id is not None:
        return [item.home_bp]
    return list(item.report.home_bp.all()) if item.report_id else []


def reason_words(reason: dict) -> str:
    """A stored reason in the reader's language (the alert keeps the English)."""
    title = reason.get("title")
    # gettext("") would answer the catalogue's header, not an empty word.
    symptom = _(title).lower() if title else reason.get("item", "")
    values = {"symptom": symptom, "grade": reason.get("grade"), "previous": reason.get("previous")}
    criterion = reason.get("criterion")
    if criterion == criteria.COMPOSITE:
        return _("%(symptom)s composite %(grade)s (not CTCAE)") % values
    if criterion == criteria.WORSENING:
        return _("%(symptom)s composite up from %(previous)s to %(grade)s") % values
    if criterion == criteria.HOME_BP:
        return _("home BP grade %(grade)s") % values
    if criterion == criteria.ANYTHING_ELSE:
        return _("text in 'anything else'")
    return reason.get("text", "")


def row_for(
    item: TriageItem,
    *,
    depth: int = QUEUE_TREND,
    window: bool = False,
    history: list[SymptomReport] | None = None,
) -> TriageRow:
    zone = item.patient.site.zone
    symptoms, dates = _trend(item, depth, history)
    return TriageRow(
        item=item,
        patient=item.patient,
        received=timezone.localtime(item.raised_at, zone),
        zone=item.patient.site.time_zone,
        reasons=[reason_words(r) for r in item.reasons],
        words=item.report.anything_else if item.report_id else "",
        symptoms=symptoms,
        home_bp=_readings(item, window=window),
        earlier_dates=dates,
    )


def item_page(item: TriageItem) -> TriageRow:
    return row_for(item, depth=PAGE_TREND, window=True)


def triage_queue(site_ids, *, limit: int | None = None) -> list[TriageRow]:
    """Open items of these sites: urgent first, then the oldest first (`limit`: the first
    so many). The earlier reports of every patient on it are read in one query, from the
    QUEUE_WINDOW before the oldest item."""
    open_items = (
        TriageItem.objects.filter(patient__site_id__in=list(site_ids), status=TriageStatus.OPEN)
        .select_related("patient__site", "report", "home_bp", "course")
        .prefetch_related("report__answers", "report__home_bp")
        .order_by("-urgent", "raised_at", "id")
    )
    chosen = list(open_items if limit is None else open_items[:limit])
    with_reports = [item for item in chosen if item.report_id is not None]
    histories: dict[int, list[SymptomReport]] = {}
    if with_reports:
        since = min(item.raised_at for item in with_reports) - QUEUE_WINDOW
        earlier = (
            SymptomReport.objects.filter(
                patient_id__in={item.patient_id for item in with_reports},
                submitted_at__gte=since,
            )
            .order_by("-submitted_at", "-id")
            .prefetch_related("answers")
        )
        for report in earlier:
            histories.setdefault(report.patient_id, []).append(report)
    return [row_for(item, history=histories.get(item.patient_id, [])) for item in chosen]


def open_count(site_ids) -> int:
    return TriageItem.objects.filter(
        patient__site_id__in=list(site_ids), status=TriageStatus.OPEN
    ).count()


@dataclass
class SiteShare:
    site: Site
    thresholds: criteria.Thresholds
    own_policy: bool  # False: the defaults
    received: int  # weekly reports received since
    raised: int  # of them, reports that raised a triage item
    urgent: int  # of those, urgent items

    @property
    def share(self) -> float | None:
        return self.raised / self.received if self.received else None

    @property
    def percent(self) -> str:
        return "–" if self.share is None else f"{self.share:.0%}"


def alert_share_by_site(site_ids, since: datetime) -> list[SiteShare]:
    """Per site: weekly reports received since `since`, how many raised an item, the share.

    PRO-TECT's figure is about one survey in three raising an alert, most not urgent;
    a site far above it may tune its policy (ReportPolicy).
    """
    site_ids = list(site_ids)
    received = dict(
        SymptomReport.objects.filter(patient__site_id__in=site_ids, submitted_at__gte=since)
        .order_by()
        .values("patient__site_id")
        .annotate(n=Count("id"))
        .values_list("patient__site_id", "n")
    )
    items_since = TriageItem.objects.filter(
        patient__site_id__in=site_ids, report__isnull=False, report__submitted_at__gte=since
    )
    raised = dict(
        items_since.order_by()
        .values("patient__site_id")
        .annotate(n=Count("id"))
        .values_list("patient__site_id", "n")
    )
    urgent = dict(
        items_since.filter(urgent=True)
        .order_by()
        .values("patient__site_id")
        .annotate(n=Count("id"))
        .values_list("patient__site_id", "n")
    )
    policies = {p.site_id: p for p in ReportPolicy.objects.filter(site_id__in=site_ids)}
    out = []
    for site in Site.objects.filter(pk__in=site_ids).order_by("name"):
        policy = policies.get(site.pk)
        out.append(
            SiteShare(
                site=site,
                thresholds=policy.thresholds if policy else criteria.DEFAULTS,
                own_policy=policy is not None,
                received=received.get(site.pk, 0),
                raised=raised.get(site.pk, 0),
                urgent=urgent.get(site.pk, 0),
            )
        )
    return out

"""The clinicians' pages. Views stay thin: access, selectors, charts, template."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from disease import selectors as disease_selectors
from disease import wording as disease_wording
from patients import dosing, limits
from patients import selectors as patient_selectors
from patients.access import (
    access_patient,
    administered_sites,
    clinical_page,
    clinical_sites,
    site_roles,
)
from patients.dosing import levels_at_or_below
from patients.models import Drug, Site, TreatmentCourse
from patients.passwords import SigningLocked
from reports import selectors as report_selectors
from toxicity import selectors as toxicity_selectors
from toxicity.access import access_recommendation
from toxicity.services.decisions import (
    Decision,
    RecommendationAlreadyDecided,
    decide_recommendation,
)
from tracker import charts, selectors, tables, wording
from tracker.templatetags.course_words import course_status

STATUS_CHOICES = (("active", gettext_lazy("Active")), ("on_hold", gettext_lazy("On hold")))
WORKLIST_SORTS = {
    "urgency": lambda r: r.urgency,
    "patient": lambda r: (r.course.family_name.lower(), r.course.given_name.lower()),
    "drug": lambda r: r.course.drug,
    "dose": lambda r: r.state.reference_dose_mg or 0,
    "pending": lambda r: (r.worst_severity, r.pending),
    "grade": lambda r: r.worst_grade,
    "overdue": lambda r: r.overdue,
    "alerts": lambda r: r.alerts,
}
# A first click sorts high-to-low, except names and drugs (A-Z); "-" means descending.
ASCENDING_BY_DEFAULT = {"patient", "drug"}
WORKLIST_COLUMNS = (
    ("patient", gettext_lazy("Patient")),
    ("drug", gettext_lazy("Drug")),
    ("dose", gettext_lazy("Dose (mg/day)")),
    ("pending", gettext_lazy("To sign")),
    (
        "grade",
        format_lazy(gettext_lazy("Grade ≥3 (last {days} days)"), days=selectors.RECENT_GRADE3_DAYS),
    ),
    ("overdue", gettext_lazy("Monitoring overdue")),
    # Words that fit a tablet's column whole ("Unacknowledged" alone was wider).
    ("alerts", gettext_lazy("Open alerts")),
)


WORKLIST_TRIAGE_ITEMS = 15  # patient reports to grade shown on the worklist
WORKLIST_PER_PAGE = 25  # patients who need a clinician, most urgent first, per page
WORKLIST_DISEASE_ITEMS = 15  # disease-course needs shown before "show all"


def _site_names(user) -> list[str]:
    return list(
        Site.objects.filter(pk__in=clinical_sites(user))
        .order_by("name")
        .values_list("name", flat=True)
    )


@login_required
def home(request):
    """The worklist: patients at the user's sites who need a clinician now.

    A site administrator's work is in the site administration: they are sent there.
    """
    if not clinical_sites(request.user) and administered_sites(request.user):
        return redirect("admin:index")
    return _worklist(request)


@clinical_page
def _worklist(request):
    # A filter may name the drug in either language (乐伐替尼 or 仑伐替尼 too).
    drug = dosing.drug_from_text(request.GET.get("drug", "")) or ""
    status = request.GET.get("status", "")
    status = status if status in dict(STATUS_CHOICES) else ""
    need = request.GET.get("need", "")
    need = need if need in selectors.NEED_LABELS else ""
    rows = selectors.worklist(request.user, drug=drug, status=status, need=need, plans=False)
    sort = request.GET.get("sort", "-urgency")
    key = sort.lstrip("-")
    if key not in WORKLIST_SORTS:
        sort, key = "-urgency", "urgency"
    descending = sort.startswith("-")
    rows.sort(key=WORKLIST_SORTS[key], reverse=descending)
    headers = []
    for name, label in WORKLIST_COLUMNS:
        if name == key:
            link = name if descending else f"-{name}"
        else:
            link = name if name in ASCENDING_BY_DEFAULT else f"-{name}"
        headers.append(
            {"label": label, "sort": link, "active": name == key, "descending": descending}
        )
    page = Paginator(rows, WORKLIST_PER_PAGE).get_page(request.GET.get("page"))
    selectors.add_hold_plans(page.object_list)  # the page's held rows, not every one
    disease_rows = selectors.disease_worklist(request.user)
    all_disease = request.GET.get("disease") == "all"
    return render(
        request,
        "tracker/worklist.html",
        {
            "rows": page.object_list,
            "page": page,
            "more": page.paginator.count - page.end_index(),
            "page_query": _page_query(request),
            "rows_html": tables.worklist_rows_html(
                page.object_list,
                inbox_url=reverse("tracker:inbox"),
                alerts_url=reverse("notifications:alerts"),
            ),
            "sites": _site_names(request.user),
            "headers": headers,
            "filters": {"drug": drug, "status": status, "need": need, "sort": sort},
            "drugs": Drug.choices,
            "statuses": STATUS_CHOICES,
            "needs": selectors.NEED_LABELS.items(),
            # Patient reports waiting for a nurse's CTCAE grading (reports.triage): the
            # first few here, all of them on the triage page.
            "triage_rows": report_selectors.triage_queue(
                clinical_sites(request.user), limit=WORKLIST_TRIAGE_ITEMS
            ),
            "triage_waiting": report_selectors.open_count(clinical_sites(request.user)),
            # The disease course: surveillance imaging due and the team's timing flags,
            # the first few unless all are asked for.
            "disease_rows": disease_rows if all_disease else disease_rows[:WORKLIST_DISEASE_ITEMS],
            "disease_more": 0
            if all_disease
            else max(len(disease_rows) - WORKLIST_DISEASE_ITEMS, 0),
        },
    )


PATIENTS_PER_PAGE = 50
# The patient list's status filter: a latest course's status, ended ones together,
# or no course yet.
PATIENT_STATUSES = (
    ("active", gettext_lazy("Active")),
    ("on_hold", gettext_lazy("On hold")),
    ("ended", gettext_lazy("Discontinued or completed")),
    ("none", gettext_lazy("No treatment course")),
)


def _site_id(value: str) -> int | None:
    # str.isdigit() is true for "²" and "٣", which int() refuses or reads: ASCII digits
    # only, and no more than an id can have.
    is_id = value.isascii() and value.isdigit() and len(value) <= 18
    return int(value) if is_id else None


def _page_query(request) -> str:
    """The request's filters without its page: what each page link carries."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
@clinical_page
def patient_list(request):
    """The patients at the user's sites, a page at a time, each with the current
    course and dose; searched by name, MRN or reference and filtered by site, drug
    and status in SQL, so a page costs the same few queries at any network size."""
    user_sites = list(Site.objects.filter(pk__in=clinical_sites(request.user)).order_by("name"))
    search = request.GET.get("q", "").strip()[:100]
    site_id = _site_id(request.GET.get("site", ""))
    if site_id not in {s.pk for s in user_sites}:
        site_id = None
    # A filter may name the drug in either language (乐伐替尼 or 仑伐替尼 too).
    drug = dosing.drug_from_text(request.GET.get("drug", "")) or ""
    status = request.GET.get("status", "")
    status = status if status in dict(PATIENT_STATUSES) else ""
    patients = selectors.patient_list(
        request.user, search=search, site_id=site_id, drug=drug, status=status
    )
    page = Paginator(selectors.patient_rows(patients), PATIENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    listed = list(page)
    courses = selectors.listed_courses([p.latest_course_id for p in listed if p.latest_course_id])
    rows = [(patient, courses.get(patient.latest_course_id)) for patient in listed]
    filtered = bool(search or site_id or drug or status)
    return render(
        request,
        "tracker/home.html",
        {
            "rows": rows,
            "rows_html": tables.patient_rows_html(rows),
            "page": page,
            "page_query": _page_query(request),
            "sites": [s.name for s in user_sites],
            "site_choices": user_sites,
            "drugs": Drug.choices,
            "statuses": PATIENT_STATUSES,
            "filters": {"q": search, "site": site_id, "drug": drug, "status": status},
            "filtered": filtered,
        },
    )


RECENT_VISITS = 12


@login_required
def patient_detail(request, patient_id: int):
    patient = access_patient(request.user, patient_id)
    # The patient's times are the clinic's: shown in its zone, named on the page.
    timezone.activate(patient.site.zone)
    page = selectors.patient_page(patient)
    wanted = request.GET.get("csv")
    if wanted == "visits":
        return _csv_response(f"{patient.reference_code}-visits.csv", _visits_table(page))
    if wanted == "dose":
        return _csv_response(f"{patient.reference_code}-dose.csv", _dose_table(page))
    if wanted:
        raise Http404(_("No such table."))
    recent = page.visits[:RECENT_VISITS]
    terms = sorted({term for visit in recent for term in visit["grades"]})
    visit_table = {
        "columns": [{"name": term, "heading": wording.term_heading(term)} for term in terms],
        "rows_html": tables.visit_rows_html(terms, recent),
    }
    reasons = selectors.decision_reasons(page.courses)
    ledgers = [
        {
            "course": cf.course,
            "rows_html": tables.ledger_rows_html(
                cf.course.prefetched_ledger, decision_reasons=reasons
            ),
        }
        for cf in page.courses
    ]
    # Serialised once, here; the template writes it into its <script> as it is.
    figure_json = charts.to_json(charts.patient_figure(page.timeline))
    # The disease course in brief: a fixed handful of queries, whatever the history.
    disease = disease_selectors.course_summary(patient, today=timezone.localdate())
    return render(
        request,
        "tracker/patient.html",
        {
            "patient": patient,
            "page": page,
            "figure_json": mark_safe(figure_json),  # noqa: S308 - to_json escapes <, > and &
            "findings": page.findings,
            "role": site_roles(request.user).get(patient.site_id),
            # Visits are logged on a course being taken (or held): the same test as the form's.
            "has_active_course": any(
                not cf.state.ended and cf.state.status != "not_started" for cf in page.courses
            ),
            "visit_table": visit_table,
            "ledgers": ledgers,
            "zone_name": patient.site.time_zone,
            "can_sign": selectors.can_sign(request.user, patient.site_id),
            "disease": disease,
            "disease_flags": [
                {"flag": f, "label": disease_wording.flag_label(f)} for f in disease.flags
            ],
        },
    )


def _visits_table(page: selectors.PatientPage) -> dict:
    return {
        "header": ["Visit", "Term", "Grade", "Provisional"],
        "rows": [
            [v["at"].strftime("%Y-%m-%d %H:%M"), term, grade, "yes" if provisional else "no"]
            for v in reversed(page.visits)
            for term, (grade, provisional) in sorted(v["grades"].items())
        ],
    }


def _dose_table(page: selectors.PatientPage) -> dict:
    return {
        "header": [
            "Course",
            "Drug",
            "Effective",
            "Change",
            "From (mg/day)",
            "To (mg/day)",
            "Reason",
            "Recommendation",
        ],
        "rows": [
            [
                cf.course.pk,
                cf.course.drug,
                timezone.localtime(change.effective_at).strftime("%Y-%m-%d %H:%M"),
                change.kind,
                "" if change.dose_before_mg is None else f"{float(change.dose_before_mg):g}",
                f"{float(change.dose_after_mg):g}",
                change.reason,
                change.recommendation_id or "",
            ]
            for cf in page.courses
            for change in cf.course.prefetched_ledger
        ],
    }


# --- cohort dashboard -------------------------------------------------------------------------
def _parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _cohort_tables(
    rows: list[selectors.CohortCourse], counts: dict[tuple[str, str], list[int]]
) -> dict[str, dict]:
    """The tables behind the charts (also their CSV): one row per course of the swimmer
    plot (every course the filters keep in the CSV); one per drug and term for the
    worst grades."""
    courses = {
        "title": _("Courses in the swimmer plot"),
        "header": [
            _("Reference"),
            _("Drug"),
            _("Course"),
            _("Start"),
            _("Days on treatment"),
            _("Status"),
            _("Dose now (mg/day)"),
            _("Planned (mg/day)"),
            "RDI (%)",
            _("Average daily dose while dosing (mg)"),
            _("Days held (%)"),
            _("Reductions"),
            _("Days to first reduction"),
            _("Grade >=3 events"),
            _("RDI taken, as reported by the patient (%)"),
            _("Days reported by the patient"),
        ],
        "rows": [
            [
                r.course.reference_code,
                r.course.drug,
                r.course.pk,
                r.course.start_date.isoformat(),
                round(r.metrics.days_on_treatment),
                r.state.status,
                f"{r.state.reference_dose_mg:g}",
                f"{r.metrics.planned_daily_dose_mg:g}",
                _round(r.metrics.rdi_percent),
                _round(r.metrics.average_daily_dose_mg),
                _round(r.metrics.percent_days_held),
                r.metrics.reductions,
                ""
                if r.metrics.days_to_first_reduction is None
                else round(r.metrics.days_to_first_reduction),
                "; ".join(
                    _("%(term)s G%(grade)s (day %(day)s)")
                    % {"term": t, "grade": g, "day": f"{d:.0f}"}
                    for d, t, g in r.grade3
                ),
                "" if r.reported is None else _round(r.reported.taken_rdi_percent),
                "" if r.reported is None else r.reported.days_reported,
            ]
            for r in sorted(rows, key=lambda r: r.metrics.days_on_treatment, reverse=True)
        ],
    }
    worst = {
        "title": _("Worst grade per term, by drug (courses)"),
        "header": [_("Drug"), _("Term"), "G0", "G1", "G2", "G3", "G4+"],
        "rows": [[drug, term, *counts[(drug, term)]] for drug, term in sorted(counts)],
    }
    # On the page the codes of the CSV (drug, status) are shown in the clinic's words.
    courses["shown"] = [
        [row[0], _drug_label(row[1]), *row[2:5], str(course_status(row[5])), *row[6:]]
        for row in courses["rows"]
    ]
    worst["shown"] = [[_drug_label(row[0]), *row[1:]] for row in worst["rows"]]
    return {"courses": courses, "worst": worst}


def _drug_label(drug: str) -> str:
    return str(Drug(drug).label) if drug in Drug.values else drug


def _round(value: float | None) -> float | str:
    return "" if value is None else round(value, 1)


def _drug_summary(
    rows: list[selectors.CourseDose],
    rdi: dict[str, list[float]],
    ttr: dict[str, list[tuple[float, bool]]],
    reported: dict[str, list[charts.ReportedRdi]],
    counts: dict[str, dict[str, int]],
) -> list[dict]:
    out = []
    courses = Counter(r.drug for r in rows)
    for drug in sorted(courses):
        reduced = [d for d, event in ttr.get(drug, []) if event]
        taken = [r.rdi_percent for r in reported.get(drug, [])]
        counted = counts.get(drug, {})
        out.append(
            {
                "drug": drug,
                "drug_label": _drug_label(drug),
                "courses": courses[drug],
                "active": counted.get("active", 0),
                "on_hold": counted.get("on_hold", 0),
                "ended": counted.get("ended", 0),
                "grade3": counted.get("grade3", 0),
                "median_rdi": charts.median(rdi.get(drug, [])),
                "reported_courses": len(taken),
                "median_reported_rdi": charts.median(taken),
                "reduced": len(reduced),
                "median_days_to_reduction": charts.median(reduced),
            }
        )
    return out


@login_required
@clinical_page
def cohort(request):
    """Swimmer plot, worst grades, RDI and time to first reduction for the user's sites.

    The swimmer plot and its table draw at most COHORT_CHART_COURSES courses, chosen by
    the order the user picks; the summary, the worst grades (counted in SQL) and the
    RDI and time-to-reduction charts cover every course the filters keep."""
    user_sites = list(Site.objects.filter(pk__in=clinical_sites(request.user)).order_by("name"))
    site_id = _site_id(request.GET.get("site", ""))
    if site_id is not None and site_id not in {s.pk for s in user_sites}:
        raise Http404(_("No such site."))
    # A filter may name the drug in either language (乐伐替尼 or 仑伐替尼 too).
    drug = dosing.drug_from_text(request.GET.get("drug", "")) or ""
    started_from = _parse_date(request.GET.get("from"))
    started_to = _parse_date(request.GET.get("to"))
    order = request.GET.get("order", "")
    order = order if order in selectors.COHORT_ORDERS else "longest"
    wanted = request.GET.get("csv")
    if wanted and wanted not in ("courses", "worst"):
        raise Http404(_("No such table."))
    found = selectors.cohort(
        request.user,
        site_id=site_id,
        drug=drug,
        started_from=started_from,
        started_to=started_to,
        order=order,
        # The CSV of the courses has every course the filters keep.
        limit=None if wanted == "courses" else selectors.COHORT_CHART_COURSES,
    )
    rows, shown = found.figures, found.shown
    counts = selectors.worst_grade_counts(found.courses)
    tables_ = _cohort_tables(shown, counts)
    if wanted:
        return _csv_response(f"cohort-{wanted}.csv", tables_[wanted])
    rdi = selectors.rdi_by_drug(rows)
    reported = selectors.reported_rdi_by_drug(found.reported)
    ttr = selectors.reduction_durations(rows)
    figures = {
        "swimmer": charts.swimmer_figure(selectors.swimmer_courses(shown)),
        "worst": charts.worst_grade_figure(counts),
        "rdi": charts.rdi_figure(
            rdi,
            reported,
            labels=charts.RdiLabels(
                reported=_("{drug}: taken, as reported"),
                hover=_("{course}: {days} days reported by the patient"),
            ),
        ),
        "ttr": charts.time_to_reduction_figure(ttr),
    }
    # Each figure serialised once, here; the template writes it into its <script> as it is.
    figures_json = {
        name: mark_safe(charts.to_json(figure))  # noqa: S308 - to_json escapes <, > and &
        for name, figure in figures.items()
    }
    query = request.GET.copy()
    query.pop("csv", None)
    html_tables = {
        name: {**table, "html": tables.table_html(f"table-{name}", table["header"], table["shown"])}
        for name, table in tables_.items()
    }
    return render(
        request,
        "tracker/cohort.html",
        {
            "rows": rows,
            "shown": shown,
            "reported": found.reported,
            "order_label": selectors.COHORT_ORDERS[order],
            "orders": selectors.COHORT_ORDERS.items(),
            "figures": figures_json,
            "tables": html_tables,
            "summary": _drug_summary(
                rows, rdi, ttr, reported, selectors.cohort_counts(found.courses)
            ),
            "sites": user_sites,
            "drugs": Drug.choices,
            "filters": {
                "site": site_id,
                "drug": drug,
                "from": started_from.isoformat() if started_from else "",
                "to": started_to.isoformat() if started_to else "",
                "order": order,
            },
            "query": query.urlencode(),
            "now": timezone.now(),
        },
    )


def _csv_response(filename: str, table: dict) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(table["header"])
    for row in table["rows"]:
        writer.writerow([_csv_safe(cell) for cell in row])
    return response


def _csv_safe(cell):
    """Spreadsheets run cells that start with = + - @ as formulas: quote them out."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@"):
        return "'" + cell
    return cell


# --- recommendation inbox ---------------------------------------------------------------------
@login_required
@clinical_page
def inbox(request):
    """Pending recommendations at the user's sites, most severe first."""
    items = toxicity_selectors.inbox(request.user)
    context = _inbox_context(request.user, items)
    context["signed"] = toxicity_selectors.recently_signed(request.user)
    return render(request, "tracker/inbox.html", context)


def _inbox_context(user, items, *, errors=None, failed_id=None, posted=None) -> dict:
    cards = []
    courses = patient_selectors.with_ledger(
        TreatmentCourse.objects.filter(pk__in={i.recommendation.course_id for i in items})
    )
    states = {c.pk: patient_selectors.dose_state(c) for c in courses}
    for item in items:
        rec = item.recommendation
        cards.append(
            {
                "item": item,
                "rec": rec,
                "dose_now": _dose_now_text(states[rec.course_id]),
                "patient": rec.course.patient,
                "can_sign": selectors.can_sign(user, rec.course.patient.site_id),
                # The decision service's own choices: no dose above the one counted from.
                "ladder": levels_at_or_below(
                    rec.course.drug, states[rec.course_id].reference_dose_mg
                ),
                "trend": [
                    (selectors.term_name(term), points) for term, points in item.trend.items()
                ],
                "observations": [
                    {
                        "name": selectors.term_name(o.term),
                        "obs": o,
                        "values": _values_text(o.term, o.measurements),
                    }
                    for o in item.observations
                ],
                "reasons": [_reason_words(reason) for reason in item.reasons],
                "errors": errors if rec.pk == failed_id else None,
                "posted": posted if rec.pk == failed_id else None,
            }
        )
    failed = None
    if failed_id is not None and errors:
        # Said at the top as well as on the card: the card may be a long way down, and
        # a refused signature must never pass for a signed one.
        failed = {"id": failed_id, "messages": [m for msgs in errors.values() for m in msgs]}
    return {
        "cards": cards,
        "decisions": Decision,
        "any_signer": any(c["can_sign"] for c in cards),
        "reason_limit": limits.REASON_CHARS,
        "failed": failed,
    }


def _reason_words(reason: dict) -> dict:
    """One engine reason for the card: what fired, in the reader's words, then the rule
    row (its id, text and citation), as the signed rule set prints it."""
    term, grade = selectors.term_name(reason["term"]), reason.get("grade")
    return {
        "action": selectors.action_word(reason["action"]),
        "fired": term
        if grade is None
        else _("%(term)s, grade %(grade)s")
        % {
            "term": term,
            "grade": grade,
        },
        "rule": reason["rule"],
        "text": reason["text"],
        "source": reason["source"],
    }


def _values_text(term: str, measurements: dict) -> str:
    """The triggering values as a clinician reads them (tracker.wording)."""
    return wording.measurement_text(term, measurements)


def _dose_now_text(state) -> str:
    if state.on_hold:
        return _("on hold (was %(dose)s mg/day)") % {"dose": f"{state.held_at_dose_mg:g}"}
    if state.ended:
        return str(course_status(state.status))
    return _("%(dose)s mg/day") % {"dose": f"{state.dose_mg_per_day:g}"}


@login_required
@require_POST
def decide(request, recommendation_id: int):
    """Approve, approve with another dose, or reject; the password is the signature."""
    # Same 404 for another site's recommendation as for one that does not exist.
    recommendation = access_recommendation(request.user, recommendation_id)
    if not selectors.can_sign(request.user, recommendation.course.patient.site_id):
        raise PermissionDenied(_("Only an oncologist at this site can sign a recommendation."))
    decision = request.POST.get("decision", "")
    dose = request.POST.get("dose_mg") or None
    reason = request.POST.get("reason", "")
    try:
        decide_recommendation(
            actor=request.user,
            recommendation=recommendation,
            decision=decision,
            password=request.POST.get("password", ""),
            reason=reason,
            dose_mg=dose if decision == Decision.APPROVE_MODIFIED else None,
            origin=request,
        )
    except RecommendationAlreadyDecided as first:
        messages.warning(request, str(first))
        return redirect("tracker:inbox")
    except (ValidationError, SigningLocked) as refused:
        locked = isinstance(refused, SigningLocked)
        if locked:
            errors = {"password": [str(refused)]}
        else:
            errors = getattr(refused, "message_dict", {"decision": refused.messages})
        items = toxicity_selectors.inbox(request.user)
        context = _inbox_context(
            request.user,
            items,
            errors=errors,
            failed_id=recommendation.pk,
            posted={"decision": decision, "dose_mg": dose or "", "reason": reason},
        )
        return render(request, "tracker/inbox.html", context, status=429 if locked else 400)
    patient = recommendation.course.patient
    recommendation.refresh_from_db(fields=["status"])
    messages.success(
        request,
        _("Signed: recommendation R%(id)s for %(patient)s (%(decision)s).")
        % {
            "id": recommendation.pk,
            "patient": patient.reference_code,
            "decision": recommendation.get_status_display(),
        },
    )
    return redirect("tracker:inbox")

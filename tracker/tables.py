"""HTML table rows built in Python.

The worklist and the cohort's per-course table run to thousands of rows; the
template engine costs about half a millisecond per row there, which made those
pages several times slower than their queries (bench/dashboards.py). The
patient page's visit grid and dose ledger are smaller but had a tag or filter
per cell, and cost more than the rest of that page's template. These functions
escape every value with the standard library and hand the template one safe
string; the templates keep the tables' headers and simple loops.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.formats import date_format, get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from patients.services import START_REASON
from tracker.selectors import WorklistRow, action_word
from tracker.templatetags.course_words import COURSE_STATUS


def _text(value) -> str:
    """A cell's escaped text: numbers as they are, nothing for None."""
    if value is None:
        return ""
    cls = value.__class__
    if cls is int or cls is float:  # nothing to escape in a number's digits
        return str(value)
    return escape(value if cls is str else str(value))


SEP = "\x1f"  # between a row's cells while the row is escaped at once; html.escape keeps it


def _row(row: Sequence) -> str:
    # One escape() per row instead of one per cell: a third faster on the cohort's table.
    text = SEP.join(["" if v is None else v if v.__class__ is str else str(v) for v in row])
    if text.count(SEP) != len(row) - 1:  # a cell holds the separator itself: cell by cell
        return "<tr><td>" + "</td><td>".join(map(_text, row)) + "</td></tr>"
    return "<tr><td>" + escape(text).replace(SEP, "</td><td>") + "</td></tr>"


def table_html(table_id: str, header: Sequence[str], rows: Iterable[Sequence]) -> SafeString:
    """A plain <table class="grid compact"> of escaped cells."""
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "\n".join(_row(row) if row else "<tr></tr>" for row in rows)
    return mark_safe(  # noqa: S308 - every value above went through html.escape
        f'<table class="grid compact" id="{escape(table_id)}">'
        f"<thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>"
    )


DASH = '<span class="muted">—</span>'


def _dose(row: WorklistRow) -> str:
    state = row.state
    if state.on_hold:
        return f'<span class="status on_hold">{escape(gettext("held"))}</span> ' + escape(
            gettext("was %(dose)s") % {"dose": f"{state.held_at_dose_mg:g}"}
        )
    if state.ended:
        label = escape(str(COURSE_STATUS.get(state.status, state.status.replace("_", " ").title())))
        return f'<span class="status {escape(state.status)}">{label}</span>'
    return f"{state.dose_mg_per_day:g}"


def worklist_rows_html(rows: Sequence[WorklistRow], *, inbox_url: str, alerts_url: str) -> str:
    """The worklist's <tbody> rows."""
    patient_url = reverse("tracker:patient", args=[0])[: -len("0/")]
    # Looked up once: the rows run to thousands.
    overdue_word = gettext("%(check)s overdue")
    since_word = gettext("since %(date)s")
    alerts_title = gettext("Alerts to acknowledge for this patient")
    out = []
    for row in rows:
        c = row.course
        urgent = ' class="urgent"' if row.worst_severity >= 3 or row.worst_grade >= 3 else ""
        if row.pending:
            more = f" +{row.pending - 1}" if row.pending > 1 else ""
            action = escape(row.worst_action)
            pending = (
                f'<a href="{inbox_url}#course-{c.pk}" class="action-badge {action}">'
                f"{escape(action_word(row.worst_action))}</a>{more}"
            )
        else:
            pending = DASH
        grade3 = (
            "<br>".join(
                f'<span class="g{grade}">{escape(term)} G{grade}</span> '
                f'<span class="muted small">{date_format(at, "SHORT_DATE_FORMAT")}</span>'
                for term, grade, at in row.grade3
            )
            or DASH
        )
        overdue = (
            "<br>".join(
                f'<span class="bad">{escape(overdue_word % {"check": check.label})}</span> '
                f'<span class="muted small">'
                f"{escape(since_word % {'date': date_format(check.due_at, 'DATE_FORMAT')})}</span>"
                for check in row.overdue_checks
            )
            or DASH
        )
        alerts = (
            f'<a href="{alerts_url}?patient={c.patient_id}&amp;needs_action=1" class="bad" '
            f'title="{escape(alerts_title)}">{row.alerts}</a>'
            if row.alerts
            else DASH
        )
        why = "".join(f"<li>{escape(reason)}</li>" for reason in row.why)
        out.append(
            f"<tr{urgent}>"
            f'<td><a class="patient-link" href="{patient_url}{c.patient_id}/">'
            f"{escape(c.family_name)}, {escape(c.given_name)}</a><br>"
            f'<span class="muted small">{escape(c.reference_code)} · {escape(c.site_name)}'
            f'</span><ul class="why small">{why}</ul></td>'
            f"<td>{escape(c.drug_label)}</td><td>{_dose(row)}</td><td>{pending}</td>"
            f"<td>{grade3}</td><td>{overdue}</td><td>{alerts}</td></tr>"
        )
    return mark_safe("\n".join(out))  # noqa: S308 - values escaped above


def patient_rows_html(rows: Sequence[tuple]) -> SafeString:
    """The patient list's <tbody> rows: (ListedPatient, ListedCourse or None) pairs."""
    patient_url = reverse("tracker:patient", args=[0])[: -len("0/")]
    no_course = escape(gettext("No treatment course"))
    held = gettext("held (was %(dose)s)")  # looked up once for the page
    out = []
    for patient, course in rows:
        cells = (
            f'<td><a href="{patient_url}{patient.pk}/">'
            f"{escape(patient.family_name)}, {escape(patient.given_name)}</a></td>"
            f"<td>{escape(patient.mrn)}</td><td>{escape(patient.reference_code)}</td>"
        )
        if course is None:
            cells += f'<td colspan="3" class="muted">{no_course}</td>'
        else:
            state = course.state
            # Doses have one decimal at most: "24", "4.5", as the template's floatformat:"-1".
            if state.on_hold:
                dose = held % {"dose": f"{state.held_at_dose_mg:g}"}
            else:
                dose = f"{state.dose_mg_per_day:g}"
            status = escape(state.status)
            label = escape(str(COURSE_STATUS.get(state.status, state.status)))
            cells += (
                f"<td>{escape(course.drug_label)}</td><td>{escape(dose)}</td>"
                f'<td><span class="status {status}">{label}</span></td>'
            )
        out.append(f"<tr>{cells}</tr>")
    return mark_safe("\n".join(out))  # noqa: S308 - values escaped above


def _time_in_zone_column(at) -> str:
    """The reader's date and time without the zone: the column's heading names it once."""
    return dateformat.format(at, get_format("DATETIME_FORMAT").removesuffix(" T"))


def _provisional() -> str:
    return f' <abbr title="{escape(gettext("provisional"))}">P</abbr>'


def visit_rows_html(terms: Sequence[str], visits: Iterable[dict]) -> SafeString:
    """The patient page's recent visits: when, then each term's grade (P: provisional).

    ``visits`` as ``PatientPage.visits``: ``{"at": local datetime, "grades": {term:
    (grade, provisional)}}``.
    """
    out = []
    for visit in visits:
        grades = visit["grades"]
        cells = []
        for term in terms:
            cell = grades.get(term)
            if cell is None:
                cells.append('<td class="g"></td>')
            else:
                grade, provisional = cell
                mark = _provisional() if provisional else ""
                cells.append(f'<td class="g{int(grade)}">G{int(grade)}{mark}</td>')
        # The table's header names the zone once.
        out.append(f"<tr><td>{_time_in_zone_column(visit['at'])}</td>{''.join(cells)}</tr>")
    return mark_safe("".join(out))  # noqa: S308 - no text but the fixed markup and numbers


def _mg(value) -> str:
    """mg/day as the template's ``floatformat:"-1"`` writes it; nothing for None."""
    return "" if value is None else floatformat(value, "-1")


def ledger_rows_html(changes: Iterable, *, decision_reasons: dict | None = None) -> SafeString:
    """A course's dose ledger (``DoseChange`` rows with ``recorded_by``), oldest first.

    ``decision_reasons``: recommendation id -> the oncologist's written reason, shown
    with the row that carries the decision out.
    """
    decision_reasons = decision_reasons or {}
    out = []
    for change in changes:
        at = timezone.localtime(change.effective_at)
        # The ledger's default reason reads in the reader's language; a written one as written.
        reason = escape(gettext(START_REASON) if change.reason == START_REASON else change.reason)
        if change.off_ladder_justification:
            off_ladder = escape(gettext("off-ladder:"))
            reason += f" <em>({off_ladder} {escape(change.off_ladder_justification)})</em>"
        written = decision_reasons.get(change.recommendation_id)
        if written:
            said = escape(gettext("Oncologist's reason:"))
            reason += f'<br><span class="decision-reason">{said} {escape(written)}</span>'
        recommendation = f"R{int(change.recommendation_id)}" if change.recommendation_id else "—"
        who = change.recorded_by
        when = _time_in_zone_column(at)
        out.append(
            "\n      "
            f"<tr><td>{when}</td><td>{escape(change.get_kind_display())}</td>\n"
            f"        <td>{_mg(change.dose_before_mg)}</td><td>{_mg(change.dose_after_mg)}</td>\n"
            f"        <td>{reason}</td>\n"
            f"        <td>{recommendation}</td>\n"
            f"        <td>{escape(who.get_full_name() or who.get_username())}</td></tr>"
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above went through html.escape

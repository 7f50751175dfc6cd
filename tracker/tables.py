"""Large HTML tables built in Python.

The worklist and the cohort's per-course table run to thousands of rows; the
template engine costs about half a millisecond per row there, which made those
pages several times slower than their queries (bench/dashboards.py). These
functions escape every value with the standard library and hand the template
one safe string. Small tables stay in the templates.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from tracker.selectors import WorklistRow


def _cell(value) -> str:
    if value is None:
        return "<td></td>"
    return f"<td>{escape(str(value))}</td>"


def table_html(table_id: str, header: Sequence[str], rows: Iterable[Sequence]) -> SafeString:
    """A plain <table class="grid compact"> of escaped cells."""
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "\n".join("<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in rows)
    return mark_safe(  # noqa: S308 - every value above went through html.escape
        f'<table class="grid compact" id="{escape(table_id)}">'
        f"<thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>"
    )


DASH = '<span class="muted">—</span>'


def _dose(row: WorklistRow) -> str:
    state = row.state
    if state.on_hold:
        return f'<span class="status on_hold">held</span> was {state.held_at_dose_mg:g}'
    if state.ended:
        label = escape(state.status.replace("_", " ").title())
        return f'<span class="status {escape(state.status)}">{label}</span>'
    return f"{state.dose_mg_per_day:g}"


def worklist_rows_html(rows: Sequence[WorklistRow], *, inbox_url: str, alerts_url: str) -> str:
    """The worklist's <tbody> rows."""
    patient_url = reverse("tracker:patient", args=[0])[: -len("0/")]
    out = []
    for row in rows:
        c = row.course
        urgent = ' class="urgent"' if row.worst_severity >= 3 or row.worst_grade >= 3 else ""
        if row.pending:
            more = f" +{row.pending - 1}" if row.pending > 1 else ""
            action = escape(row.worst_action)
            pending = (
                f'<a href="{inbox_url}#course-{c.pk}" class="action-badge {action}">'
                f"{action.capitalize()}</a>{more}"
            )
        else:
            pending = DASH
        grade3 = (
            "<br>".join(
                f'<span class="g{grade}">{escape(term)} G{grade}</span> '
                f'<span class="muted small">{at:%-d %b}</span>'
                for term, grade, at in row.grade3
            )
            or DASH
        )
        overdue = (
            f'<span class="bad">{row.overdue} overdue</span> '
            f'<span class="muted small">since {row.oldest_overdue:%-d %b}</span>'
            if row.overdue
            else DASH
        )
        alerts = f'<a href="{alerts_url}" class="bad">{row.alerts}</a>' if row.alerts else DASH
        out.append(
            f"<tr{urgent}>"
            f'<td><a class="patient-link" href="{patient_url}{c.patient_id}/">'
            f"{escape(c.family_name)}, {escape(c.given_name)}</a><br>"
            f'<span class="muted small">{escape(c.reference_code)} · {escape(c.site_name)}'
            f"</span></td>"
            f"<td>{escape(c.drug_label)}</td><td>{_dose(row)}</td><td>{pending}</td>"
            f"<td>{grade3}</td><td>{overdue}</td><td>{alerts}</td></tr>"
        )
    return mark_safe("\n".join(out))  # noqa: S308 - values escaped above

"""The rule-set impact report's pages: ask what a candidate would change, follow it
while the workers run it, read and export the visits it decides differently.

The work is toxicity/services/impact.py's; these pages only ask, show and cancel.
"""

from __future__ import annotations

import csv
import dataclasses
from datetime import datetime, time, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.forms import SummaryForm
from patients import limits
from patients.models import Drug, RuleSet, Site
from toxicity import rules
from toxicity import selectors as toxicity_selectors
from toxicity.access import access_impact_report, impact_sites
from toxicity.models import ImpactReport
from toxicity.rules import candidate as candidates
from toxicity.rules.engine import (
    DEFAULT_POLICY,
    LOWEST_DOSE_CHOICES,
    MISSING_BASELINE_CHOICES,
    PolicySettings,
)
from toxicity.services import impact, impact_requests

DIFFERENCES_PER_PAGE = 100
OWN_LABEL = ""


def _policy_field(name: str, default):
    label = name  # the setting's own name, shown as code: the rule-set pages list it so
    if isinstance(default, bool):
        return forms.TypedChoiceField(
            label=label,
            choices=[("true", _("yes")), ("false", _("no"))],
            coerce=lambda v: v == "true",
            initial="true" if default else "false",
        )
    if isinstance(default, int):
        return forms.IntegerField(label=label, initial=default)
    if isinstance(default, float):
        return forms.FloatField(label=label, initial=default)
    choices = {
        "lowest_dose": LOWEST_DOSE_CHOICES,
        "missing_baseline": MISSING_BASELINE_CHOICES,
        "default_rule_set": tuple(rules.RULE_SET_NAMES),
    }[name]
    return forms.ChoiceField(label=label, choices=[(c, c) for c in choices], initial=default)


POLICY_NAMES = tuple(f.name for f in dataclasses.fields(PolicySettings))


class ImpactForm(SummaryForm):
    reason = forms.CharField(
        label=gettext_lazy("What the candidate is for"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=limits.REASON_CHARS,
    )
    sites = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Sites"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    drug = forms.ChoiceField(label=gettext_lazy("Drug"), required=False)
    occurred_from = forms.DateField(
        label=gettext_lazy("Visits from (date)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    occurred_to = forms.DateField(
        label=gettext_lazy("Visits up to (date)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    label = forms.ChoiceField(label=gettext_lazy("Label the candidate judges by"), required=False)
    rule_id = forms.ChoiceField(label=gettext_lazy("Row to change"), required=False)
    field = forms.ChoiceField(label=gettext_lazy("Field of the row"), required=False)
    value = forms.CharField(label=gettext_lazy("New value"), required=False, max_length=40)

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sites"].choices = [(s.pk, s.name) for s in sites]
        self.fields["drug"].choices = [("", _("Every drug"))] + list(Drug.choices)
        self.fields["label"].choices = [(OWN_LABEL, _("Each course's own label"))] + list(
            RuleSet.choices
        )
        self.fields["rule_id"].choices = [("", _("No row changed"))] + [
            (rule.rule_id, rule.rule_id) for rs in rules.RULE_SETS.values() for rule in rs.rules
        ]
        self.fields["field"].choices = [("", "—")] + [(p, p) for p in candidates.EDITABLE_FIELDS]
        for name in POLICY_NAMES:
            self.fields[f"policy_{name}"] = _policy_field(name, getattr(DEFAULT_POLICY, name))
        # Rule ids, field names and the settings' values are the rule data's own codes.
        for name in ("rule_id", "field", *(f"policy_{n}" for n in POLICY_NAMES)):
            self.fields[name].widget.attrs["lang"] = "en"

    def policy_fields(self):
        return [self[f"policy_{name}"] for name in POLICY_NAMES]

    def candidate(self) -> dict:
        data = self.cleaned_data
        changed = {
            name: data[f"policy_{name}"]
            for name in POLICY_NAMES
            if data.get(f"policy_{name}") is not None
            and data[f"policy_{name}"] != getattr(DEFAULT_POLICY, name)
        }
        row_changes = []
        if data.get("rule_id"):
            row_changes.append(
                {"rule_id": data["rule_id"], "field": data["field"], "value": self._value()}
            )
        return {"row_changes": row_changes, "policy": changed, "label": data.get("label") or None}

    def _value(self):
        """The typed value, as the row's field takes it; the candidate checks its range."""
        spec = candidates.EDITABLE_FIELDS.get(self.cleaned_data.get("field"))
        raw = (self.cleaned_data.get("value") or "").strip()
        if spec is None or spec.kind is str:
            return raw
        if spec.kind is bool:
            return {"true": True, "yes": True, "false": False, "no": False}.get(raw.lower(), raw)
        try:
            return spec.kind(raw)
        except ValueError:
            return raw  # refused by the candidate, on this field


# Where a service error about the candidate goes on the form.
ERROR_FIELDS = {
    "site_ids": "sites",
    "occurred_before": "occurred_to",
    "candidate.label": "label",
    "candidate.row_changes[0].rule_id": "rule_id",
    "candidate.row_changes[0].field": "field",
    "candidate.row_changes[0].value": "value",
}


def _error_field(path: str, form: forms.Form) -> str | None:
    if path in ERROR_FIELDS:
        return ERROR_FIELDS[path]
    if path.startswith("candidate.policy."):
        name = f"policy_{path.removeprefix('candidate.policy.')}"
        return name if name in form.fields else None
    return path if path in form.fields else None


def _start_of(day, zone) -> datetime | None:
    return None if day is None else timezone.make_aware(datetime.combine(day, time.min), zone)


@login_required
@require_GET
def impact_reports(request):
    reports = toxicity_selectors.impact_reports_visible_to(request.user)[:50]
    return render(
        request,
        "tracker/impact_reports.html",
        {"reports": reports, "can_run": bool(impact_sites(request.user))},
    )


@login_required
@require_http_methods(["GET", "POST"])
def impact_new(request):
    sites = list(Site.objects.filter(pk__in=impact_sites(request.user)).order_by("name"))
    if not sites:
        raise PermissionDenied(_("Only a pharmacist or an oncologist can run an impact report."))
    initial = {"sites": [s.pk for s in sites], "drug": request.GET.get("drug", "")}
    form = ImpactForm(request.POST or None, sites=sites, initial=initial)
    if request.method == "POST" and form.is_valid():
        zone = timezone.get_current_timezone()
        data = form.cleaned_data
        to = data.get("occurred_to")
        try:
            report = impact_requests.request_report(
                actor=request.user,
                reason=data["reason"],
                candidate=form.candidate(),
                site_ids=data["sites"],
                drug=data.get("drug") or "",
                occurred_from=_start_of(data.get("occurred_from"), zone),
                occurred_before=_start_of(to + timedelta(days=1), zone) if to else None,
            )
        except ValidationError as refused:
            for path, errors in refused.message_dict.items():
                for error in errors:
                    form.add_error(_error_field(path, form), error)
        else:
            done = _("The report is asked for: this page shows how far the workers have got.")
            messages.success(request, done)
            return redirect("tracker:impact-report", report.pk)
    context = {"form": form, "summary": form.error_summary()}
    status = 400 if form.errors else 200
    return render(request, "tracker/impact_new.html", context, status=status)


def _report(request, report_id) -> ImpactReport:
    return access_impact_report(request.user, report_id)


@login_required
@require_GET
def impact_report(request, report_id: int):
    report = _report(request, report_id)
    differences = Paginator(
        toxicity_selectors.impact_differences(report), DIFFERENCES_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "tracker/impact_report.html",
        {
            "report": report,
            "progress": toxicity_selectors.impact_progress(report, now=timezone.now()),
            "differences": differences,
            "sites": Site.objects.filter(pk__in=report.site_ids).order_by("name"),
        },
    )


@login_required
@require_POST
def impact_cancel(request, report_id: int):
    report = _report(request, report_id)
    try:
        impact.cancel_report(actor=request.user, report=report)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, _("The report is cancelled: no further chunk is evaluated."))
    return redirect("tracker:impact-report", report.pk)


class _Echo:
    def write(self, value):
        return value


CSV_HEADER = (
    "visit_id",
    "patient_reference",
    "site",
    "drug",
    "visit_at_utc",
    "change",
    "current_action",
    "current_dose_mg_per_day",
    "current_resume_dose_mg_per_day",
    "current_needs_review",
    "current_rules",
    "candidate_action",
    "candidate_dose_mg_per_day",
    "candidate_resume_dose_mg_per_day",
    "candidate_needs_review",
    "candidate_rules",
)


def _csv_rows(report):
    yield CSV_HEADER
    for d in toxicity_selectors.impact_differences(report).iterator(chunk_size=2000):
        yield (
            d.visit_id,
            d.patient.reference_code,
            d.patient.site.code,
            d.drug,
            d.occurred_at.isoformat(),
            d.kind,
            *_outcome_columns(d.current),
            *_outcome_columns(d.proposed),
        )


def _outcome_columns(outcome: dict):
    return (
        outcome["action"],
        outcome["dose_mg_per_day"],
        outcome["resume_dose_mg_per_day"],
        outcome["needs_review"],
        " ".join(outcome["rule_ids"]),
    )


@login_required
@require_GET
def impact_csv(request, report_id: int):
    report = _report(request, report_id)
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in _csv_rows(report)), content_type="text/csv"
    )
    response["Content-Disposition"] = f'attachment; filename="impact-report-{report.pk}.csv"'
    return response

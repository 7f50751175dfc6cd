"""The clinic's triage pages: the queue with the alert-noise figures, and grading one item.

Thin: the form reads, reports.triage writes, reports.triage_selectors read.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from config.forms import SummaryForm
from patients import limits
from patients.access import access_record, clinical_page, clinical_sites, has_role
from reports import items, selectors, triage
from reports.forms import put_errors
from reports.models import GradedHow, TriageItem
from toxicity.ctcae.terms import TERMS
from toxicity.models import AntihypertensiveTherapy
from toxicity.names import term_name

PERIODS = (28, 90, 365)  # days the alert-noise figures count back


def _descriptor(text: str) -> str:
    return " ".join(text.split())


def grade_choices(term: str, blank: str) -> list[tuple[str, str]]:
    """0, then each grade the CTCAE v5.0 term defines, with the dictionary's words."""
    descriptors = TERMS[term].descriptors
    return [("", blank), ("0", "0 · " + _("None"))] + [
        (str(g), f"{g} · {_descriptor(text)}") for g, text in sorted(descriptors.items())
    ]


class GradeForm(SummaryForm):
    graded_how = forms.ChoiceField(
        label=gettext_lazy("How you graded it"),
        choices=GradedHow.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    lowering_reason = forms.CharField(
        label=gettext_lazy("Why the grade is below the readings' grade (only then)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=limits.REASON_CHARS,
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=limits.NOTE_CHARS,
    )

    def __init__(self, *args, item: TriageItem, page, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        self.symptom_fields: list[tuple[str, object]] = []
        can_visit = item.course_id is not None
        if can_visit:
            for trend in page.symptoms:
                name = f"grade_{trend.key}"
                term = TERMS[trend.term]
                self.fields[name] = forms.ChoiceField(
                    label=f"{_(items.ITEMS[trend.key].title)} → {term_name(term.key)}",
                    choices=grade_choices(
                        trend.term,
                        _("Choose the CTCAE grade") if trend.raised else _("Not graded (optional)"),
                    ),
                    required=False,
                )
                self.symptom_fields.append((name, trend))
        self.sitting = triage.worst_sitting(item) if can_visit else None
        if self.sitting is None:
            del self.fields["lowering_reason"]
        else:
            self.fields["grade_hypertension"] = forms.ChoiceField(
                label=_("Hypertension (from the home readings %(readings)s)")
                % {"readings": ", ".join(f"{s}/{d}" for s, d in self.sitting.readings)},
                choices=grade_choices(
                    triage.HYPERTENSION,
                    _("As the readings give: grade %(grade)s")
                    % {"grade": self.sitting.ctcae_grade},
                ),
                required=False,
            )
            # The engine's hypertension rules ask for it (lenvatinib: a hold only when
            # grade 3 persists on optimal therapy, policy.md point 5).
            self.fields["antihypertensive_therapy"] = forms.ChoiceField(
                label=_("Antihypertensive therapy now"),
                choices=AntihypertensiveTherapy.choices,
                initial=triage.current_therapy(item),
            )

    def grades(self) -> dict[str, str]:
        return {
            name.removeprefix("grade_"): self.cleaned_data.get(name, "")
            for name, _trend in self.symptom_fields
        }


def _access_item(user, item_id) -> TriageItem:
    """Another site's item and a missing one: the same 404; a site admin 403; a
    pharmacist reads the clinical pages but grades nothing: 403."""
    item = access_record(
        user,
        TriageItem.objects.select_related(
            "patient__site", "report", "home_bp", "course", "closed_by", "visit", "alert"
        ),
        item_id,
        site="patient.site_id",
        noun="triage item",
    )
    if not has_role(user, item.patient.site_id, *triage.GRADERS):
        raise PermissionDenied(_("Only the site's nurses and oncologists grade patient reports."))
    return item


@login_required
@require_http_methods(["GET", "POST"])
def grade(request, item_id: int):
    """One report to grade: the patient's words, composites with their trend, home BP,
    and the CTCAE grading form; submitting records a visit and closes the item."""
    item = _access_item(request.user, item_id)
    timezone.activate(item.patient.site.zone)
    page = selectors.item_page(item)
    form = GradeForm(request.POST or None, item=item, page=page)
    status = 200
    if request.method == "POST":
        if not item.is_open:
            messages.warning(request, str(triage.ItemClosed(item)))
            return redirect("patient-reports:triage-item", item.pk)
        if form.is_valid():
            data = form.cleaned_data
            try:
                triage.grade_item(
                    actor=request.user,
                    item=item,
                    grades=form.grades(),
                    hypertension_grade=data.get("grade_hypertension"),
                    lowering_reason=data.get("lowering_reason", ""),
                    antihypertensive_therapy=data.get(
                        "antihypertensive_therapy", AntihypertensiveTherapy.NONE
                    ),
                    graded_how=data["graded_how"],
                    note=data["note"],
                )
            except triage.ItemClosed as closed:
                messages.warning(request, str(closed))
                return redirect("patient-reports:triage-item", item.pk)
            except ValidationError as error:
                put_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Graded. The visit is being evaluated like any visit.")
                    if item.course_id
                    else _("Closed with your note."),
                )
                return redirect("patient-reports:triage")
        status = 400
    return render(
        request,
        "reports/clinic/triage_item.html",
        {
            "item": item,
            "page": page,
            "form": form,
            "summary": form.error_summary(),
            "term_note": items.CTCAE_TERM_NOTE,
            "term_confirmed": items.CTCAE_TERM_CONFIRMED,
        },
        status=status,
    )


@login_required
@require_GET
@clinical_page
def queue(request):
    """The reports waiting for grading at the user's sites, and how often reports alert."""
    sites = clinical_sites(request.user)
    try:
        days = int(request.GET.get("days", 90))
    except ValueError:
        days = 90
    days = days if days in PERIODS else 90
    since = timezone.now() - timedelta(days=days)
    return render(
        request,
        "reports/clinic/triage.html",
        {
            "rows": selectors.triage_queue(sites),
            "shares": selectors.alert_share_by_site(sites, since),
            "days": days,
            "periods": PERIODS,
        },
    )

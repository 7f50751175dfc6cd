"""The tumour board's pages: the site's list of patients to discuss, adding one with a
question, the meeting's decision signed by an oncologist, and the course a "start MKI"
decision leads to.

Thin: the forms read, disease.services.board writes (through
patients.services.start_course for the course), disease.selectors reads, and
disease.access / patients.access decide who may.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from config.forms import SummaryForm
from disease import selectors
from disease.access import access_board_entry
from disease.models import BoardEntryStatus, BoardOutcome, DecisionDrug
from disease.services import board
from disease.services.common import RECORDERS
from patients import limits
from patients.access import clinical_page, has_role, site_roles
from patients.models import Drug, Patient, RuleSet
from patients.passwords import SigningLocked

DECIDED_SHOWN = 50  # the latest decisions listed under the open questions


# --- forms ----------------------------------------------------------------------------


def put_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's field errors onto the form's fields (unknown ones to the top)."""
    for field, messages_ in error.message_dict.items():
        target = field if field in form.fields else None
        for message in messages_:
            form.add_error(target, message)


class EntryForm(SummaryForm):
    patient = forms.TypedChoiceField(label=gettext_lazy("Patient"), coerce=int)
    question = forms.CharField(
        label=gettext_lazy("Question for the board"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=limits.REASON_CHARS,
    )

    def __init__(self, *args, patients, **kwargs):
        super().__init__(*args, **kwargs)
        self.patients = {p.pk: p for p in patients}
        self.fields["patient"].choices = [("", _("Choose the patient"))] + [
            (p.pk, f"{p.family_name}, {p.given_name} · {p.reference_code}")
            for p in self.patients.values()
        ]


class DecisionForm(SummaryForm):
    meeting_on = forms.DateField(
        label=gettext_lazy("Meeting date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    outcome = forms.ChoiceField(
        label=gettext_lazy("Decision"), choices=BoardOutcome.choices, widget=forms.RadioSelect
    )
    drug = forms.ChoiceField(
        label=gettext_lazy("Drug (when the decision starts an MKI or a targeted drug)"),
        choices=[("", "—")] + list(DecisionDrug.choices),
        required=False,
    )
    detail = forms.CharField(
        label=gettext_lazy("Detail (what was decided, when 'other')"),
        required=False,
        max_length=limits.NAME_CHARS,
    )
    attendees = forms.CharField(
        label=gettext_lazy("Attendees"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=limits.REASON_CHARS,
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=limits.REASON_CHARS,
    )
    password = forms.CharField(
        label=gettext_lazy("Your password (your signature)"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        strip=False,
    )


class StartCourseForm(SummaryForm):
    start_date = forms.DateField(
        label=gettext_lazy("Start date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    starting_dose_mg = forms.DecimalField(
        label=gettext_lazy("Starting dose (mg/day)"), max_digits=6, decimal_places=1
    )
    line_of_therapy = forms.IntegerField(label=gettext_lazy("Line of therapy"), min_value=1)
    rule_set = forms.ChoiceField(label=gettext_lazy("Rule set"), choices=RuleSet.choices)
    off_ladder_justification = forms.CharField(
        label=gettext_lazy("Why a dose off the label's ladder (only then)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=limits.REASON_CHARS,
    )
    concurrent_course_reason = forms.CharField(
        label=gettext_lazy("Why while another course is open (only then)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=limits.REASON_CHARS,
    )


# --- the list and adding to it -----------------------------------------------------------


@login_required
@require_GET
@clinical_page
def board_list(request):
    """Open questions oldest first (the meeting's agenda), then the latest decisions."""
    entries = selectors.board_entries_visible_to(request.user).select_related(
        "site", "decision__course"
    )
    open_entries = list(entries.filter(status=BoardEntryStatus.OPEN))
    decided = list(
        entries.exclude(status=BoardEntryStatus.OPEN).order_by("-decision__decided_at", "-id")[
            :DECIDED_SHOWN
        ]
    )
    roles = site_roles(request.user)
    return render(
        request,
        "disease/board/list.html",
        {
            "open_entries": open_entries,
            "decided": decided,
            "can_add": any(role in RECORDERS for role in roles.values()),
        },
    )


def _recording_sites(user) -> list[int]:
    return [site for site, role in site_roles(user).items() if role in RECORDERS]


@login_required
@require_http_methods(["GET", "POST"])
def add_entry(request):
    """Any nurse or oncologist puts a patient of their site on the list, with a question."""
    sites = _recording_sites(request.user)
    if not sites:
        raise PermissionDenied(_("Only the site's nurses and oncologists add to the tumour board."))
    patients = Patient.objects.filter(site_id__in=sites).order_by("family_name", "given_name", "id")
    initial = {}
    wanted = request.GET.get("patient", "")
    if wanted.isascii() and wanted.isdigit() and len(wanted) <= 18:
        initial["patient"] = int(wanted)
    form = EntryForm(request.POST or None, patients=patients, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            patient = form.patients[form.cleaned_data["patient"]]
            try:
                board.add_board_entry(
                    actor=request.user, patient=patient, question=form.cleaned_data["question"]
                )
            except ValidationError as error:
                put_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(patient)s is on the tumour-board list.")
                    % {"patient": patient.reference_code},
                )
                return redirect("board:list")
        status = 400
    return render(
        request,
        "disease/board/add.html",
        {"form": form, "summary": form.error_summary()},
        status=status,
    )


# --- one entry: its decision, and the course started from it ---------------------------


def _entry_context(user, entry, form=None) -> dict:
    decision = getattr(entry, "decision", None)
    oncologist = has_role(user, entry.site_id, *board.SIGNERS)
    drug = board.course_drug(decision) if decision is not None else ""
    return {
        "entry": entry,
        "patient": entry.patient,
        "decision": decision,
        "signature_ok": decision is not None and board.signature_is_valid(decision),
        "can_decide": oncologist and entry.status == BoardEntryStatus.OPEN,
        "form": form,
        "summary": form.error_summary() if form is not None else [],
        "course_drug": Drug(drug).label if drug else "",
        "can_start": oncologist and bool(drug) and decision.course_id is None,
    }


def _access_entry(user, entry_id):
    entry = access_board_entry(user, entry_id)
    # The meeting's times are the clinic's: shown in its zone, named on the page.
    timezone.activate(entry.patient.site.zone)
    return entry


@login_required
@require_http_methods(["GET", "POST"])
def entry_detail(request, entry_id: int):
    """The question, and the signed decision or (for an oncologist) the form to sign it."""
    entry = _access_entry(request.user, entry_id)
    if request.method == "GET":
        form = DecisionForm(initial={"meeting_on": timezone.localdate()})
        return render(
            request, "disease/board/entry.html", _entry_context(request.user, entry, form)
        )
    if not has_role(request.user, entry.site_id, *board.SIGNERS):
        raise PermissionDenied(_("Only an oncologist at this site signs the board's decision."))
    if entry.status != BoardEntryStatus.OPEN:
        messages.warning(
            request, _("The tumour board's decision for this patient is already signed.")
        )
        return redirect("board:entry", entry.pk)
    form = DecisionForm(request.POST)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            board.decide_board_entry(
                actor=request.user,
                entry=entry,
                meeting_on=data["meeting_on"],
                outcome=data["outcome"],
                drug=data["drug"],
                detail=data["detail"],
                attendees=data["attendees"],
                reason=data["reason"],
                password=data["password"],
                origin=request,
            )
        except board.AlreadyDecided as first:
            messages.warning(request, str(first))
            return redirect("board:entry", entry.pk)
        except SigningLocked as locked:
            form.add_error("password", str(locked))
            status = 429
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(
                request,
                _("Signed: the tumour board's decision for %(patient)s.")
                % {"patient": entry.patient.reference_code},
            )
            return redirect("board:entry", entry.pk)
    return render(
        request,
        "disease/board/entry.html",
        _entry_context(request.user, entry, form),
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def start_course(request, entry_id: int):
    """The course a signed "start MKI" decision names, prefilled from the label."""
    entry = _access_entry(request.user, entry_id)
    if not has_role(request.user, entry.site_id, *board.SIGNERS):
        raise PermissionDenied(_("Only an oncologist at this site starts a treatment course."))
    decision = getattr(entry, "decision", None)
    drug = board.course_drug(decision) if decision is not None else ""
    if not drug:
        messages.warning(
            request,
            _(
                "Only a signed decision to start lenvatinib, sorafenib or cabozantinib "
                "starts a course here."
            ),
        )
        return redirect("board:entry", entry.pk)
    if decision.course_id is not None:
        messages.warning(request, _already_started(decision))
        return redirect("board:entry", entry.pk)
    initial = {
        "start_date": timezone.localdate(),
        "starting_dose_mg": board.label_starting_dose_mg(drug),
        "line_of_therapy": board.next_line_of_therapy(entry.patient),
        "rule_set": RuleSet.US_PI,
    }
    form = StartCourseForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                course = board.start_course_from_decision(
                    actor=request.user, decision=decision, **form.cleaned_data
                )
            except board.CourseAlreadyStarted as started:
                messages.warning(request, _already_started(started.decision))
                return redirect("board:entry", entry.pk)
            except ValidationError as error:
                put_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(drug)s started for %(patient)s on the board's decision.")
                    % {"drug": course.get_drug_display(), "patient": entry.patient.reference_code},
                )
                return redirect("tracker:patient", entry.patient_id)
    return render(
        request,
        "disease/board/start_course.html",
        {
            "entry": entry,
            "decision": decision,
            "patient": entry.patient,
            "drug_label": Drug(drug).label,
            "form": form,
            "summary": form.error_summary(),
        },
        status=status,
    )


def _already_started(decision) -> str:
    course = decision.course
    return _("A course was already started from this decision: %(drug)s on %(date)s.") % {
        "drug": course.get_drug_display(),
        "date": date_format(course.start_date, "DATE_FORMAT"),
    }

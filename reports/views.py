"""Pages of the patient-reports app: the patients' own (under /me/) and the clinic's
invitation and read-only report pages. Thin: forms read, services write,
selectors read."""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from patients import languages as patient_languages
from patients.access import access_patient, has_role
from patients.models import UserPreference
from reports import items, selectors, services
from reports import languages as report_languages
from reports.access import patient_view
from reports.forms import (
    AcceptForm,
    BloodPressureForm,
    CodeForm,
    DoseForm,
    InviteForm,
    MonitorCsvForm,
    PatientLanguageForm,
    PatientSignInForm,
    WeeklyReportForm,
    put_errors,
)
from reports.models import InvitationChannel

# --- the patient's pages ------------------------------------------------------------


class SignInView(LoginView):
    template_name = "reports/sign_in.html"
    authentication_form = PatientSignInForm
    redirect_authenticated_user = False

    def get_default_redirect_url(self):
        return reverse("reports:home")


@require_http_methods(["GET", "POST"])
def enter_code(request):
    """For a printed code: the patient types it, then sets a password."""
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = services.normalise_code(form.cleaned_data["code"])
        if services.find_invitation(code) is not None:
            return redirect("reports:accept", code=code)
        form.add_error("code", services.INVALID_CODE)
    return render(request, "reports/enter_code.html", {"form": form})


@require_http_methods(["GET", "POST"])
def accept(request, code: str):
    """From the emailed link (or a typed code): choose a sign-in name and password."""
    invitation = services.find_invitation(code)
    if invitation is None:
        return render(request, "reports/code_invalid.html", status=404)
    initial = {"username": invitation.email}
    form = AcceptForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.accept_invitation(code=code, **form.cleaned_data)
        except ValidationError as error:
            if "code" in error.message_dict:
                return render(request, "reports/code_invalid.html", status=404)
            put_errors(form, error)
        else:
            login(request, account.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Your account is ready. Thank you for reporting."))
            return redirect("reports:home")
    return render(
        request,
        "reports/accept.html",
        {"form": form, "site": invitation.patient.site, "carer": invitation.carer_name},
    )


@require_GET
@patient_view
def home(request, account):
    return render(
        request,
        "reports/home.html",
        {"account": account, "recent": selectors.own_recent(account)},
    )


@require_http_methods(["GET", "POST"])
@patient_view
def weekly(request, account):
    form = WeeklyReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        already = selectors.sent_with(account, form.cleaned_data["submission"])
        if already is not None:
            when = date_format(timezone.localtime(already.submitted_at), "DATETIME_FORMAT")
            messages.info(
                request,
                _(
                    "This report was already sent, on %(when)s; nothing was sent twice. "
                    "To tell your care team more, send a new report."
                )
                % {"when": when},
            )
            return redirect("reports:home")
        try:
            services.submit_weekly_report(
                account=account,
                answers=form.answers(),
                anything_else=form.cleaned_data["anything_else"],
                blood_pressure=form.sessions(),
                submission=form.cleaned_data["submission"],
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, _("Thank you. Your report was sent to your care team."))
            return redirect("reports:home")
    return render(
        request,
        "reports/weekly.html",
        {"form": form, "recall_days": items.RECALL_DAYS, "account": account},
    )


@require_http_methods(["GET", "POST"])
@patient_view
def blood_pressure(request, account):
    form = BloodPressureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_home_bp(account=account, sessions=form.sessions())
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, _("Thank you. Your readings were saved."))
            return redirect("reports:home")
    return render(request, "reports/blood_pressure.html", {"form": form, "account": account})


@require_http_methods(["GET", "POST"])
@patient_view
def bp_import(request, account):
    """A home monitor's CSV export, uploaded as a plain form (no JavaScript)."""
    form = MonitorCsvForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            stored = services.import_home_bp_csv(account=account, text=form.cleaned_data["file"])
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(
                request,
                _("Thank you. %(count)s new sittings were saved.") % {"count": len(stored)},
            )
            return redirect("reports:home")
    return render(request, "reports/bp_import.html", {"form": form, "account": account})


@require_http_methods(["GET", "POST"])
@patient_view
def doses(request, account):
    form = DoseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_dose(
                account=account,
                day=data["date"],
                status=data["status"],
                dose_mg=data["dose_mg"],
                reason=data["reason"],
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, _("Thank you. We have noted it."))
            return redirect("reports:home")
    return render(request, "reports/doses.html", {"form": form, "account": account})


@require_GET
@patient_view
def report_detail(request, account, report_id: int):
    report = selectors.own_report(account, report_id)
    if report is None:
        raise Http404(_("No such report."))
    return render(
        request,
        "reports/report_detail.html",
        {"report": report, "answers": selectors.answers_for_patient(report), "account": account},
    )


# --- the clinic's pages -------------------------------------------------------------


def _printed(new, patient) -> dict:
    start = settings.SITE_URL.rstrip("/") + reverse("reports:enter-code")
    return {"new": new, "patient": patient, "start_url": start}


@login_required
@require_http_methods(["GET", "POST"])
def invite(request, patient_id: int):
    """A nurse invites the patient (or a carer) to report from home."""
    patient = access_patient(request.user, patient_id)
    if not has_role(request.user, patient.site_id, *services.INVITERS):
        raise PermissionDenied(_("Only the site's nurses and oncologists invite patients."))
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.invite(actor=request.user, patient=patient, **form.cleaned_data)
        except ValidationError as error:
            put_errors(form, error)
        else:
            if new.record.channel == InvitationChannel.EMAIL:
                try:
                    services.send_invitation(new)
                except (smtplib.SMTPException, OSError):
                    # The code still works: print it instead.
                    messages.error(
                        request,
                        _("The email could not be sent. Print this page and give it instead."),
                    )
                    return render(
                        request, "reports/invitation_printed.html", _printed(new, patient)
                    )
                messages.success(request, _("Invitation emailed."))
                return redirect("tracker:patient", patient.pk)
            return render(request, "reports/invitation_printed.html", _printed(new, patient))
    return render(request, "reports/invite.html", {"form": form, "patient": patient})


@login_required
@require_GET
def clinic_reports(request, patient_id: int):
    """What the patient reported, read-only: composites marked as not CTCAE grades."""
    patient = access_patient(request.user, patient_id)
    return render(
        request,
        "reports/clinic_reports.html",
        {
            "patient": patient,
            "reports": selectors.clinic_reports(patient),
            "home_bp": selectors.home_bp(patient),
            "doses": selectors.dose_reports(patient),
            "accounts": selectors.accounts(patient),
        },
    )


@require_http_methods(["GET", "POST"])
@patient_view
def language(request, account):
    """The patient's own language for their pages and reminder emails."""
    current = UserPreference.objects.filter(user=request.user).values_list("language", flat=True)
    form = PatientLanguageForm(request.POST or None, initial={"language": current.first() or ""})
    if request.method == "POST" and form.is_valid():
        try:
            patient_languages.set_language(
                actor=request.user, language=form.cleaned_data["language"]
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            report_languages.remember_in_session(request.session, account)
            translation.activate(report_languages.patient_language(account))
            messages.success(request, _("Your language is saved."))
            return redirect("reports:language")
    status = 400 if form.errors else 200
    return render(
        request, "reports/language.html", {"form": form, "account": account}, status=status
    )

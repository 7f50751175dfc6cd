"""The clinician's pages of the disease course: the course page and the forms that
record the status, an imaging study and a thyroglobulin lab.

Thin: patients.access gives the patient (the same 404 for missing and another
site's; 403 for a role that may not record), the selectors read, the services write
and decide what is acceptable. Decision support: the page shows what the tracker
computes and flags; nothing on it starts, stops or chooses a therapy.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from disease import options, selectors, surveillance, wording
from disease.forms import DiseaseStatusForm, ImagingStudyForm, TgLabForm
from disease.models import ImagingStudy, ThyroglobulinLab
from disease.services.common import RECORDERS
from disease.services.imaging import record_imaging_study
from disease.services.labs import record_tg_lab
from disease.services.status import record_disease_status
from patients.access import access_patient, has_role
from patients.services import StaleRecord


def _patient(request, patient_id: int, *, write: bool = False):
    patient = access_patient(
        request.user, patient_id, write=write
    )  # 404 for another site's; 403 for a role that may not record
    # The patient's dates and times are the clinic's: shown in its zone, named on the page.
    timezone.activate(patient.site.zone)
    return patient


@login_required
@require_GET
def course(request, patient_id: int):
    patient = _patient(request, patient_id)
    today = timezone.localdate()
    assay = request.GET.get("assay") or None
    summary = selectors.course_summary(patient, today=today, assay=assay)
    studies = list(selectors.studies_of(patient).select_related("recorded_by"))
    labs = list(
        ThyroglobulinLab.objects.filter(patient=patient)
        .select_related("recorded_by")
        .order_by("drawn_on", "id")
    )
    tg = summary.tg
    excluded = {(e.measurement.date, e.measurement.assay): e.reason for e in tg.excluded}
    used = {(m.date, m.assay) for m in tg.used}
    lab_rows = [
        {
            "lab": lab,
            "antibody": wording.words(wording.ANTIBODY_WORDS, lab.anti_tg_antibody),
            "used": (lab.drawn_on, lab.assay) in used,
            "excluded_because": excluded.get((lab.drawn_on, lab.assay), ""),
        }
        for lab in labs
    ]
    return render(
        request,
        "disease/course.html",
        {
            "patient": patient,
            "summary": summary,
            "status": summary.status,
            "flags": [{"flag": f, "label": wording.flag_label(f)} for f in summary.flags],
            "window": wording.words(wording.WINDOW_WORDS, summary.progression.window.value),
            "options": [_option_words(o) for o in summary.options],
            "studies": [_study_words(s) for s in studies],
            "tg": tg,
            "tg_status": wording.words(wording.TG_STATUS_WORDS, tg.status.value),
            "lab_rows": lab_rows,
            "assays": sorted({lab.assay for lab in labs}),
            "chosen_assay": assay or "",
            "can_record": has_role(request.user, patient.site_id, *RECORDERS),
            "today": today,
        },
    )


def _option_words(option: options.Option) -> dict:
    return {
        "option": option,
        "drugs": option.drugs,
        "unconfirmed": option.unconfirmed,
    }


def _study_words(study: ImagingStudy) -> dict:
    return {
        "study": study,
        "modality": wording.words(wording.MODALITY_WORDS, study.modality),
        "non_target": wording.words(wording.NON_TARGET_WORDS, study.non_target),
        "response": wording.words(wording.RESPONSE_WORDS, study.response),
        "target_response": wording.words(wording.RESPONSE_WORDS, study.target_response),
        "targets": [
            {"lesion": t, "kind": _("node") if t.is_lymph_node else _("lesion")}
            for t in study.targets.all()
        ],
    }


def _form_page(request, template: str, form, patient, **context):
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        template,
        {"form": form, "patient": patient, "summary_errors": form.error_summary(), **context},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def status_form(request, patient_id: int):
    """Records the whole disease status, or changes it with a reason."""
    patient = _patient(request, patient_id, write=True)
    current = selectors.status_of(patient)
    if request.method == "POST":
        form = DiseaseStatusForm(request.POST)
        if form.is_valid():
            try:
                record_disease_status(actor=request.user, patient=patient, **form.values())
            except StaleRecord as stale:
                form.add_error(None, str(stale))
            except ValidationError as error:
                form.put_errors(error)
            else:
                messages.success(request, _("The disease status is recorded."))
                return redirect("disease:course", patient.pk)
    else:
        initial = {"rai_refractory_on": patient.rai_refractory_date}
        if current is not None:
            initial |= {
                "prior_rai_dose_on": current.prior_rai_dose_on,
                "rai_refractory_criterion": current.rai_refractory_criterion,
                "on_active_surveillance": current.on_active_surveillance,
                "surveillance_since": current.surveillance_since,
                "imaging_interval_months": current.imaging_interval_months,
                "symptomatic": current.symptomatic,
                "symptoms": current.symptoms,
                "version": current.version,
            }
        form = DiseaseStatusForm(initial=initial)
    return _form_page(
        request,
        "disease/status_form.html",
        form,
        patient,
        current=current,
        interval=surveillance.IMAGING_INTERVAL_MONTHS,
    )


@login_required
@require_http_methods(["GET", "POST"])
def imaging_form(request, patient_id: int):
    """Records a baseline or a follow-up with up to five target lesions."""
    patient = _patient(request, patient_id, write=True)
    studies = list(selectors.studies_of(patient).order_by("performed_on", "id"))
    baseline = next((s for s in reversed(studies) if s.is_baseline), None)
    if request.method == "POST":
        form = ImagingStudyForm(request.POST)
        if form.is_valid():
            try:
                study = record_imaging_study(actor=request.user, patient=patient, **form.values())
            except ValidationError as error:
                form.put_errors(error)
            else:
                if study.is_baseline:
                    messages.success(request, _("The baseline study is recorded."))
                else:
                    messages.success(
                        request,
                        _("The follow-up study is recorded: %(response)s.")
                        % {"response": wording.words(wording.RESPONSE_WORDS, study.response)},
                    )
                return redirect("disease:course", patient.pk)
    else:
        form = ImagingStudyForm(initial=_imaging_initial(baseline))
    return _form_page(request, "disease/imaging_form.html", form, patient, baseline=baseline)


def _imaging_initial(baseline: ImagingStudy | None) -> dict:
    """A follow-up lists the baseline's targets: their rows come filled but the sizes."""
    initial: dict = {
        "performed_on": timezone.localdate(),
        "kind": "baseline" if baseline is None else "follow_up",
        "non_target": "absent",
        "new_lesions": 0,
    }
    if baseline is not None:
        initial["modality"] = baseline.modality
        for n, target in enumerate(baseline.targets.all(), start=1):
            initial[f"t{n}_label"] = target.label
            initial[f"t{n}_organ"] = target.organ
            initial[f"t{n}_kind"] = "node" if target.is_lymph_node else "lesion"
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def tg_form(request, patient_id: int):
    """Records a thyroglobulin result with the anti-Tg antibody and TSH drawn with it."""
    patient = _patient(request, patient_id, write=True)
    assays = list(
        ThyroglobulinLab.objects.filter(patient=patient)
        .order_by("-drawn_on", "-id")
        .values_list("assay", flat=True)
    )
    if request.method == "POST":
        form = TgLabForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                record_tg_lab(
                    actor=request.user,
                    patient=patient,
                    drawn_on=data["drawn_on"],
                    tg_ng_ml=data["tg_ng_ml"],
                    anti_tg_antibody=data["anti_tg_antibody"],
                    tsh_miu_l=data["tsh_miu_l"],
                    assay=data["assay"],
                )
            except ValidationError as error:
                form.put_errors(error)
            else:
                messages.success(request, _("The thyroglobulin result is recorded."))
                return redirect("disease:course", patient.pk)
    else:
        form = TgLabForm(
            initial={
                "drawn_on": timezone.localdate(),
                "assay": assays[0] if assays else "",
            }
        )
    return _form_page(request, "disease/tg_form.html", form, patient, assays=sorted(set(assays)))

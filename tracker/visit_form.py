"""The nurse's visit form: every field a routine visit needs, keyboard only.

The form turns what the nurse typed into the observations of
shared/clinical/evaluate-contract.md and hands them to toxicity.services, so the
page, the API and the engine refuse exactly the same things. While the nurse
types, static/js/visit-form.js posts the form to `preview` and shows the grades
and the recommendation the engine would make, before anything is saved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from patients import limits
from patients import selectors as patient_selectors
from patients.access import access_patient, role_at
from patients.models import Role
from toxicity import services
from toxicity.ctcae.terms import TERMS
from toxicity.models import AntihypertensiveTherapy, Visit

# Symptoms graded by choosing the CTCAE sentence, in the order nurses ask about them.
SYMPTOM_TERMS = (
    "fatigue",
    "nausea",
    "vomiting",
    "anorexia",
    "mucositis_oral",
    "palmar_plantar_erythrodysesthesia_syndrome",
    "hoarseness",
    "hypothyroidism",
)
# Terms graded from numbers, where a clinician may still raise the grade (or, with a
# written reason, lower it: policy 7).
MEASURED_TERMS_WITH_JUDGEMENT = ("hypertension", "diarrhea")
LABS = (
    ("alanine_aminotransferase_increased", "alt", "ALT (U/L)"),
    ("aspartate_aminotransferase_increased", "ast", "AST (U/L)"),
    ("blood_bilirubin_increased", "bilirubin", "Bilirubin (mg/dL)"),
    ("creatinine_increased", "creatinine", "Creatinine (mg/dL)"),
)
DIPSTICK = ("negative", "trace", "1+", "2+", "3+", "4+")
BP_ROWS = 3
# Rows for any other CTCAE v5.0 term (hemorrhage, thromboembolism, perforation,
# fistula, cardiac dysfunction, ...): the term is picked from the whole dictionary.
EVENT_ROWS = 3


def _descriptor(text: str) -> str:
    return " ".join(text.split())  # the dictionary's text on one line (adult / pediatric parts)


def grade_choices(term: str, *, blank: str) -> list[tuple[str, str]]:
    descriptors = TERMS[term].descriptors
    choices = [("", blank), ("0", "0 · None")]
    choices += [(str(g), f"{g} · {_descriptor(text)}") for g, text in sorted(descriptors.items())]
    return choices


def _terms_on_their_own_fields() -> frozenset[str]:
    return frozenset(
        (
            *SYMPTOM_TERMS,
            *MEASURED_TERMS_WITH_JUDGEMENT,
            *(term for term, _key, _label in LABS),
            "weight_loss",
            "proteinuria",
            "electrocardiogram_qt_corrected_interval_prolonged",
            "hypocalcemia",
        )
    )


def event_term_choices() -> list:
    """Every other CTCAE v5.0 term, grouped by system organ class, each with its grades."""
    own = _terms_on_their_own_fields()
    groups: dict[str, list[tuple[str, str]]] = {}
    for key, term in sorted(TERMS.items(), key=lambda kv: kv[1].name):
        if key not in own:
            groups.setdefault(term.system_organ_class, []).append(
                (key, f"{term.name} (grades {term.grades_text})")
            )
    return [("", _("none"))] + sorted(groups.items())


EVENT_GRADE_CHOICES = [("", "-")] + [(str(g), str(g)) for g in range(6)]


def _number(label: str, *, decimals: int = 0, minimum=0, maximum=None, **attrs):
    widget_attrs = {"inputmode": "decimal" if decimals else "numeric", **attrs}
    if decimals:
        return forms.DecimalField(
            label=label,
            required=False,
            min_value=minimum,
            max_value=maximum,
            decimal_places=decimals,
            max_digits=7,
            widget=forms.NumberInput(attrs={"step": 10**-decimals, **widget_attrs}),
        )
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=minimum,
        max_value=maximum,
        widget=forms.NumberInput(attrs=widget_attrs),
    )


class VisitForm(forms.Form):
    occurred_at = forms.DateTimeField(
        label="Visit time", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    antihypertensive_therapy = forms.ChoiceField(
        label="Antihypertensive therapy", choices=AntihypertensiveTherapy.choices
    )
    antihypertensive_stable_since = forms.DateTimeField(
        label="Dose unchanged since",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    weight_kg = _number("Weight (kg)", decimals=1, minimum=1, maximum=400)
    stools_per_day = _number("Stools per day", maximum=50)
    urine_protein_g_24h = _number("24-h urine protein (g)", decimals=2, maximum=50)
    dipstick = forms.ChoiceField(
        label="Urine dipstick",
        required=False,
        choices=[("", "not done")] + [(d, d) for d in DIPSTICK],
    )
    qtc_ms = _number("Average QTc (ms)", minimum=200, maximum=800)
    calcium_mg_dl = _number("Calcium (mg/dL)", decimals=2, maximum=20)
    albumin_g_dl = _number("Albumin (g/dL)", decimals=1, maximum=10)
    calcium_lln = _number("Calcium LLN (mg/dL)", decimals=2, maximum=20)
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=limits.NOTE_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for row in range(1, BP_ROWS + 1):
            self.fields[f"bp{row}_sbp"] = _number(
                f"BP {row} systolic", maximum=400, placeholder="SBP", autocomplete="off"
            )
            self.fields[f"bp{row}_dbp"] = _number(
                f"BP {row} diastolic", maximum=300, placeholder="DBP", autocomplete="off"
            )
        for term in MEASURED_TERMS_WITH_JUDGEMENT:
            self.fields[f"grade_{term}"] = forms.ChoiceField(
                label=f"{TERMS[term].name}: clinician grade",
                required=False,
                choices=grade_choices(term, blank="from the numbers"),
            )
            self.fields[f"lowering_reason_{term}"] = forms.CharField(
                label="Why lower than the computed grade",
                required=False,
                max_length=limits.REASON_CHARS,
            )
        for term in SYMPTOM_TERMS:
            self.fields[f"grade_{term}"] = forms.ChoiceField(
                label=TERMS[term].name,
                required=False,
                choices=grade_choices(term, blank="not assessed"),
            )
            self.fields[f"intolerable_{term}"] = forms.BooleanField(
                label="intolerable to the patient", required=False
            )
        term_choices = event_term_choices()
        for row in range(1, EVENT_ROWS + 1):
            self.fields[f"event{row}_term"] = forms.ChoiceField(
                label=_("CTCAE term"), required=False, choices=term_choices
            )
            self.fields[f"event{row}_grade"] = forms.ChoiceField(
                label=_("Grade"), required=False, choices=EVENT_GRADE_CHOICES
            )
            self.fields[f"event{row}_intolerable"] = forms.BooleanField(
                label=_("intolerable to the patient"), required=False
            )
        for _unused, key, label in LABS:
            self.fields[f"{key}_value"] = _number(label, decimals=2, maximum=100000)
            self.fields[f"{key}_uln"] = _number("ULN", decimals=2, maximum=100000)

    def bp_rows(self):
        return [(self[f"bp{r}_sbp"], self[f"bp{r}_dbp"]) for r in range(1, BP_ROWS + 1)]

    def symptom_rows(self):
        return [(self[f"grade_{t}"], self[f"intolerable_{t}"]) for t in SYMPTOM_TERMS]

    def event_rows(self):
        return [
            (self[f"event{r}_term"], self[f"event{r}_grade"], self[f"event{r}_intolerable"])
            for r in range(1, EVENT_ROWS + 1)
        ]

    def clean(self):
        data = super().clean()
        for row in range(1, EVENT_ROWS + 1):
            term, grade = data.get(f"event{row}_term"), data.get(f"event{row}_grade")
            if term and grade in (None, ""):
                self.add_error(f"event{row}_grade", _("Choose the grade of this event."))
            elif grade not in (None, "") and not term:
                self.add_error(f"event{row}_term", _("Choose the CTCAE term of this grade."))
        return data

    def lab_rows(self):
        return [(self[f"{key}_value"], self[f"{key}_uln"]) for _, key, _ in LABS]


@dataclass
class Observations:
    """The contract's observations, and which form field each part came from."""

    items: list[dict] = field(default_factory=list)
    sources: list[dict[str, str]] = field(default_factory=list)

    def add(self, observation: dict, source: dict[str, str]) -> None:
        self.items.append(observation)
        self.sources.append(source)


def _num(value):
    if value is None:
        return None
    return int(value) if float(value).is_integer() else float(value)


def build_observations(data: dict) -> Observations:
    out = Observations()
    readings, reading_fields = [], {}
    for row in range(1, BP_ROWS + 1):
        sbp, dbp = data.get(f"bp{row}_sbp"), data.get(f"bp{row}_dbp")
        if sbp is None and dbp is None:
            continue
        reading_fields[f"readings[{len(readings)}]"] = f"bp{row}_sbp"
        readings.append([sbp, dbp])
    _with_judgement(
        out,
        data,
        "hypertension",
        {"readings": readings} if readings else {},
        {"readings": "bp1_sbp", **reading_fields},
    )
    stools = data.get("stools_per_day")
    _with_judgement(
        out,
        data,
        "diarrhea",
        {"stools_per_day": stools} if stools is not None else {},
        {"stools_per_day": "stools_per_day", "baseline_stools_per_day": "stools_per_day"},
    )
    if data.get("weight_kg") is not None:
        out.add(
            {"term": "weight_loss", "weight_kg": _num(data["weight_kg"])},
            {"weight_kg": "weight_kg", "baseline_weight_kg": "weight_kg"},
        )
    for term in SYMPTOM_TERMS:
        grade = data.get(f"grade_{term}")
        if grade not in (None, ""):
            observation = {"term": term, "grade": int(grade)}
            if data.get(f"intolerable_{term}"):
                observation["intolerable"] = True
            out.add(observation, {"grade": f"grade_{term}"})
    for row in range(1, EVENT_ROWS + 1):
        term, grade = data.get(f"event{row}_term"), data.get(f"event{row}_grade")
        if term and grade not in (None, ""):
            observation = {"term": term, "grade": int(grade)}
            if data.get(f"event{row}_intolerable"):
                observation["intolerable"] = True
            out.add(observation, {"term": f"event{row}_term", "grade": f"event{row}_grade"})
    for term, key, _label in LABS:
        value, uln = data.get(f"{key}_value"), data.get(f"{key}_uln")
        if value is None and uln is None:
            continue
        observation = {"term": term}
        if value is not None:
            observation["value"] = _num(value)
        if uln is not None:
            observation["uln"] = _num(uln)
        out.add(
            observation, {"value": f"{key}_value", "uln": f"{key}_uln", "baseline": f"{key}_value"}
        )
    protein = {}
    if data.get("urine_protein_g_24h") is not None:
        protein["urine_protein_g_24h"] = _num(data["urine_protein_g_24h"])
    if data.get("dipstick"):
        protein["dipstick"] = data["dipstick"]
    if protein:
        out.add(
            {"term": "proteinuria", **protein},
            {"urine_protein_g_24h": "urine_protein_g_24h", "dipstick": "dipstick"},
        )
    if data.get("qtc_ms") is not None:
        out.add(
            {"term": "electrocardiogram_qt_corrected_interval_prolonged", "qtc_ms": data["qtc_ms"]},
            {"qtc_ms": "qtc_ms"},
        )
    if data.get("calcium_mg_dl") is not None or data.get("albumin_g_dl") is not None:
        calcium = {"term": "hypocalcemia"}
        for name, key in (
            ("calcium_mg_dl", "calcium_mg_dl"),
            ("albumin_g_dl", "albumin_g_dl"),
            ("calcium_lln", "lln"),
        ):
            if data.get(name) is not None:
                calcium[key] = _num(data[name])
        out.add(
            calcium,
            {
                "calcium_mg_dl": "calcium_mg_dl",
                "albumin_g_dl": "albumin_g_dl",
                "lln": "calcium_lln",
            },
        )
    return out


def _with_judgement(
    out: Observations, data: dict, term: str, measured: dict, sources: dict[str, str]
) -> None:
    grade = data.get(f"grade_{term}")
    if not measured and grade in (None, ""):
        return
    observation = {"term": term, **measured}
    if grade not in (None, ""):
        observation["grade"] = int(grade)
    reason = (data.get(f"lowering_reason_{term}") or "").strip()
    if reason:
        observation["lowering_reason"] = reason
    out.add(
        observation,
        {**sources, "grade": f"grade_{term}", "lowering_reason": f"lowering_reason_{term}"},
    )


PATH = re.compile(r"^observations\[(\d+)\](?:\.(\w+)(\[\d+\])?)?")


def attach_errors(
    form: VisitForm, errors: dict[str, list[str] | str], observations: Observations
) -> None:
    """Puts each service error next to the form field the nurse has to correct."""
    for key, messages_ in errors.items():
        text = " ".join(messages_) if isinstance(messages_, list) else str(messages_)
        match = PATH.match(key)
        target = key if key in form.fields else None
        if match:
            index, name, item = int(match[1]), match[2], match[3]
            sources = observations.sources[index] if index < len(observations.sources) else {}
            target = sources.get(f"{name}{item or ''}") or sources.get(name or "")
            if target is None:
                term = (
                    observations.items[index].get("term", "")
                    if index < len(observations.items)
                    else ""
                )
                text = f"{TERMS[term].name if term in TERMS else term}: {text}"
        form.add_error(target, text)


def _course_for(patient):
    courses = list(patient_selectors.with_ledger(patient.courses.all()))
    for course in courses:
        state = patient_selectors.dose_state(course)
        if not state.ended and state.status != "not_started":
            return course
    raise Http404("This patient has no active treatment course.")


def _initial(course) -> dict:
    """Defaults from the last visit: the things that rarely change between visits."""
    initial = {
        "occurred_at": timezone.localtime().replace(second=0, microsecond=0, tzinfo=None),
        "antihypertensive_therapy": AntihypertensiveTherapy.NONE,
    }
    last = (
        Visit.objects.filter(course=course)
        .prefetch_related("observations")
        .order_by("-occurred_at")
        .first()
    )
    if last is None:
        return initial
    initial["antihypertensive_therapy"] = last.antihypertensive_therapy
    if last.antihypertensive_stable_since:
        initial["antihypertensive_stable_since"] = timezone.localtime(
            last.antihypertensive_stable_since
        ).replace(tzinfo=None)
    for observation in last.observations.all():
        for term, key, _label in LABS:
            if observation.term == term and "uln" in observation.measurements:
                initial[f"{key}_uln"] = observation.measurements["uln"]
        if observation.term == "hypocalcemia" and "lln" in observation.measurements:
            initial["calcium_lln"] = observation.measurements["lln"]
    return initial


def _visit_arguments(form: VisitForm, observations: Observations) -> dict:
    data = form.cleaned_data
    return {
        "occurred_at": data["occurred_at"],
        "observations": [dict(o) for o in observations.items],
        "antihypertensive_therapy": data["antihypertensive_therapy"],
        "antihypertensive_stable_since": data.get("antihypertensive_stable_since"),
        "note": data.get("note") or "",
    }


@login_required
def new_visit(request, patient_id: int):
    patient = access_patient(request.user, patient_id)
    if role_at(request.user, patient.site_id) not in (Role.NURSE, Role.ONCOLOGIST):
        raise PermissionDenied("Only nurses and oncologists record visits.")
    course = _course_for(patient)
    form = VisitForm(request.POST or None, initial=_initial(course))
    if request.method == "POST" and form.is_valid():
        observations = build_observations(form.cleaned_data)
        try:
            services.log_visit(
                actor=request.user, course=course, **_visit_arguments(form, observations)
            )
        except ValidationError as refused:
            attach_errors(form, refused.message_dict, observations)
        else:
            messages.success(request, "Visit saved. The recommendation follows in a moment.")
            return redirect("tracker:patient", patient_id=patient.pk)
    state = patient_selectors.dose_state(course)
    return render(
        request,
        "tracker/visit_form.html",
        {
            "patient": patient,
            "course": course,
            "state": state,
            "form": form,
            "baseline_weight": patient.baseline_weight_kg,
            "baseline_stools": patient.baseline_stools_per_day,
        },
    )


@login_required
@require_POST
def preview_visit(request, patient_id: int):
    """The grades and the recommendation this visit would get, without saving it."""
    patient = access_patient(request.user, patient_id)
    # Who may record visits is settled before the form is read (the same gate as new_visit).
    if role_at(request.user, patient.site_id) not in (Role.NURSE, Role.ONCOLOGIST):
        raise PermissionDenied("Only nurses and oncologists record visits.")
    course = _course_for(patient)
    form = VisitForm(request.POST)
    if not form.is_valid():
        return JsonResponse(
            {"errors": {k: " ".join(v) for k, v in form.errors.items()}}, status=400
        )
    observations = build_observations(form.cleaned_data)
    try:
        answer = services.preview_visit(
            actor=request.user, course=course, **_visit_arguments(form, observations)
        )
    except ValidationError as refused:
        attach_errors(form, refused.message_dict, observations)
        return JsonResponse(
            {"errors": {k: " ".join(v) for k, v in form.errors.items()}}, status=400
        )
    return JsonResponse(answer)

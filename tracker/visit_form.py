"""The nurse's visit form: every field a routine visit needs, keyboard only.

The form turns what the nurse typed into the observations of
docs/sources/evaluate-contract.md and hands them to toxicity.services, so the
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
from django.utils import formats, timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from patients import limits
from patients import selectors as patient_selectors
from patients.access import access_patient, role_at
from patients.models import Role
from toxicity.ctcae.terms import TERMS
from toxicity.models import Action, AntihypertensiveTherapy, Visit
from toxicity.names import has_translation, language, term_name
from toxicity.rules.bounds import PLAUSIBLE, POSITIVE_MAX, Bound
from toxicity.services import visits
from tracker import wording

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
    ("blood_bilirubin_increased", "bilirubin", gettext_lazy("Bilirubin (mg/dL)")),
    ("creatinine_increased", "creatinine", gettext_lazy("Creatinine (mg/dL)")),
)
DIPSTICK = ("negative", "trace", "1+", "2+", "3+", "4+")
DIPSTICK_WORDS = {"negative": gettext_lazy("negative"), "trace": gettext_lazy("trace")}
BP_ROWS = 3
# Rows for any other CTCAE v5.0 term (hemorrhage, thromboembolism, perforation,
# fistula, cardiac dysfunction, ...): the term is picked from the whole dictionary.
EVENT_ROWS = 3


def _descriptor(text: str) -> str:
    return " ".join(text.split())  # the dictionary's text on one line (adult / pediatric parts)


class EnglishMarkedSelect(forms.Select):
    """A select whose options named in ``english`` are marked lang="en".

    Their text is shown in English on purpose: CTCAE's own grade descriptors, and term
    names with no translation yet (English with the MedDRA code). The mark tells a
    screen reader how to read them, and the Chinese-page check that they are meant."""

    def __init__(self, *args, english: frozenset[str] = frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.english = english

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if str(value) in self.english:
            option["attrs"] = {"lang": "en", **option["attrs"]}
        return option


def grade_choices(term: str, *, blank: str) -> list[tuple[str, str]]:
    descriptors = TERMS[term].descriptors
    choices = [("", blank), ("0", f"0 · {_('None')}")]
    choices += [(str(g), f"{g} · {_descriptor(text)}") for g, text in sorted(descriptors.items())]
    return choices


def grade_field(term: str, *, label, blank: str) -> forms.ChoiceField:
    """A grade picked by CTCAE's sentence; the sentences stay as CTCAE prints them."""
    return forms.ChoiceField(
        label=label,
        required=False,
        choices=grade_choices(term, blank=blank),
        widget=EnglishMarkedSelect(english=frozenset(str(g) for g in TERMS[term].descriptors)),
    )


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
    """Every other CTCAE v5.0 term, grouped by system organ class, each with its grades,
    in the reader's language (a term without a translation: English with its MedDRA code)."""
    own = _terms_on_their_own_fields()
    groups: dict[str, list[tuple[str, str]]] = {}
    for key, term in sorted(TERMS.items(), key=lambda kv: kv[1].name):
        if key not in own:
            label = _("%(term)s (grades %(grades)s)") % {
                "term": term_name(key),
                "grades": term.grades_text,
            }
            groups.setdefault(term.system_organ_class, []).append((key, label))
    return [("", _("none"))] + [
        (str(wording.system_organ_class(soc)), options) for soc, options in sorted(groups.items())
    ]


def untranslated_terms() -> frozenset[str]:
    """The picker's terms shown in English for this reader (marked lang="en")."""
    return frozenset(key for key in TERMS if not has_translation(key, language()))


EVENT_GRADE_CHOICES = [("", "-")] + [(str(g), str(g)) for g in range(6)]


def event_grade_choices(term: str | None) -> list[tuple[str, str]]:
    """The grade choices of an "other event" row, with the dictionary's descriptors.

    Every grade 0-5 stays a choice, so a grade the term lacks is refused by the
    engine's own message (which names the term's grades), not by the form; it is
    labelled as such. Without a term (or an unknown one) the grades are numbers.
    """
    info = TERMS.get(term) if term else None
    if info is None:
        return EVENT_GRADE_CHOICES
    choices = [("", "-"), ("0", f"0 · {_('None')}")]
    for g in range(1, 6):
        text = info.descriptors.get(g)
        if text is None:
            label = _("%(grade)s · not a grade of %(term)s") % {"grade": g, "term": term_name(term)}
        else:
            label = f"{g} · {_descriptor(text)}"
        choices.append((str(g), label))
    return choices


def _g(x: float) -> str:
    return f"{x:g}"


def _bound_for(name: str) -> Bound:
    """The plausibility bound of one measured field (toxicity/rules/bounds.py)."""
    if name in PLAUSIBLE:
        return PLAUSIBLE[name]
    high, unit = POSITIVE_MAX[name]
    return Bound(0, high, unit, name)


def range_text(label, bound: str):
    """'Weight must be between 20 and 400 kg.', from the engine's bound."""
    spec = _bound_for(bound)
    unit = f" {spec.unit}" if spec.unit else ""
    if bound in POSITIVE_MAX:  # a reference limit or baseline is above 0
        return format_lazy(
            gettext_lazy("{label} must be above 0 and at most {high}{unit}."),
            label=label,
            high=_g(spec.high),
            unit=unit,
        )
    return format_lazy(
        gettext_lazy("{label} must be between {low} and {high}{unit}."),
        label=label,
        low=_g(spec.low),
        high=_g(spec.high),
        unit=unit,
    )


def _number(label, bound: str, *, decimals: int = 0, **attrs):
    """A number box whose limits and messages come from the engine's own bounds.

    It is a text box with a numeric keyboard, not <input type=number>: a browser
    silently empties a number box holding "7e" or "14O" and the server would see
    nothing; here the server sees what was typed and says what is wrong with it.
    """
    spec = _bound_for(bound)
    exclusive_low = bound in POSITIVE_MAX
    within = range_text(label, bound)
    digits = (
        gettext_lazy("type digits and a decimal point only")
        if decimals
        else gettext_lazy("type digits only")
    )
    messages_ = {
        "invalid": format_lazy(
            gettext_lazy("{label} is not a number: {digits}."), label=label, digits=digits
        ),
        "min_value": within,
        "max_value": within,
        "max_digits": within,
        "max_whole_digits": within,
        "max_decimal_places": format_lazy(
            gettext_lazy("{label} takes at most {n} decimal places."), label=label, n=decimals
        ),
    }
    widget_attrs = {
        "inputmode": "decimal" if decimals else "numeric",
        "autocomplete": "off",
        "data-min": _g(spec.low),
        "data-max": _g(spec.high),
        **attrs,
    }
    low = None if exclusive_low else spec.low
    if decimals:
        field = forms.DecimalField(
            label=label,
            required=False,
            min_value=low,
            max_value=spec.high,
            decimal_places=decimals,
            max_digits=9,
            error_messages=messages_,
            widget=forms.TextInput(attrs=widget_attrs),
        )
    else:
        field = forms.IntegerField(
            label=label,
            required=False,
            min_value=low,
            max_value=spec.high,
            error_messages=messages_,
            widget=forms.TextInput(attrs=widget_attrs),
        )
    field.bound = bound
    field.range_text = within
    return field


DATETIME_FORMAT = "%Y-%m-%d %H:%M"


def _moment(label, *, required: bool):
    """One text box for date and time (one Tab stop, not seven), in the clinic's zone."""
    return forms.DateTimeField(
        label=label,
        required=required,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%d"],
        error_messages={
            "required": gettext_lazy("Say when the visit took place."),
            "invalid": gettext_lazy("Write the date and time as 2026-03-14 09:30."),
        },
        widget=forms.DateTimeInput(
            format=DATETIME_FORMAT,
            attrs={
                "placeholder": gettext_lazy("YYYY-MM-DD HH:MM"),
                "autocomplete": "off",
                "class": "moment",
            },
        ),
    )


class VisitForm(forms.Form):
    occurred_at = _moment(gettext_lazy("Visit time"), required=True)
    antihypertensive_therapy = forms.ChoiceField(
        label=gettext_lazy("Antihypertensive therapy"), choices=AntihypertensiveTherapy.choices
    )
    antihypertensive_stable_since = _moment(gettext_lazy("Dose unchanged since"), required=False)
    weight_kg = _number(gettext_lazy("Weight (kg)"), "weight_kg", decimals=1)
    stools_per_day = _number(gettext_lazy("Stools per day"), "stools_per_day")
    urine_protein_g_24h = _number(
        gettext_lazy("24-h urine protein (g)"), "urine_protein_g_24h", decimals=2
    )
    dipstick = forms.ChoiceField(
        label=gettext_lazy("Urine dipstick"),
        required=False,
        choices=[("", gettext_lazy("not done"))]
        + [(d, DIPSTICK_WORDS.get(d, d)) for d in DIPSTICK],
    )
    qtc_ms = _number(gettext_lazy("Average QTc (ms)"), "qtc_ms")
    calcium_mg_dl = _number(gettext_lazy("Calcium (mg/dL)"), "calcium_mg_dl", decimals=2)
    albumin_g_dl = _number(gettext_lazy("Albumin (g/dL)"), "albumin_g_dl", decimals=1)
    calcium_lln = _number(gettext_lazy("Calcium LLN (mg/dL)"), "lln", decimals=2)
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=limits.NOTE_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for row in range(1, BP_ROWS + 1):
            self.fields[f"bp{row}_sbp"] = _number(
                format_lazy(gettext_lazy("Reading {row} systolic"), row=row),
                "sbp",
                placeholder="SBP",
            )
            self.fields[f"bp{row}_dbp"] = _number(
                format_lazy(gettext_lazy("Reading {row} diastolic"), row=row),
                "dbp",
                placeholder="DBP",
            )
        # The nurse starts with the blood pressure: the first box has the cursor.
        self.fields["bp1_sbp"].widget.attrs["autofocus"] = True
        for term in MEASURED_TERMS_WITH_JUDGEMENT:
            self.fields[f"grade_{term}"] = grade_field(
                term,
                label=_("%(term)s: clinician grade") % {"term": term_name(term)},
                blank=_("from the numbers"),
            )
            self.fields[f"lowering_reason_{term}"] = forms.CharField(
                label=_("Why lower than the computed grade"),
                required=False,
                max_length=limits.REASON_CHARS,
            )
        for term in SYMPTOM_TERMS:
            self.fields[f"grade_{term}"] = grade_field(
                term, label=term_name(term), blank=_("not assessed")
            )
            self.fields[f"intolerable_{term}"] = forms.BooleanField(
                label=_("intolerable to the patient"), required=False
            )
        term_choices = event_term_choices()
        in_english = untranslated_terms()
        for row in range(1, EVENT_ROWS + 1):
            self.fields[f"event{row}_term"] = forms.ChoiceField(
                label=_("CTCAE term"),
                required=False,
                choices=term_choices,
                widget=EnglishMarkedSelect(english=in_english),
            )
            # A form shown again (after a refused save) names the chosen term's grades.
            chosen = self.data.get(f"event{row}_term") if self.is_bound else None
            descriptors = TERMS[chosen].descriptors if chosen in TERMS else {}
            self.fields[f"event{row}_grade"] = forms.ChoiceField(
                label=_("Grade"),
                required=False,
                choices=event_grade_choices(chosen),
                widget=EnglishMarkedSelect(english=frozenset(str(g) for g in descriptors)),
            )
            self.fields[f"event{row}_intolerable"] = forms.BooleanField(
                label=_("intolerable to the patient"), required=False
            )
        for _term, key, label in LABS:
            self.fields[f"{key}_value"] = _number(label, "value", decimals=2)
            self.fields[f"{key}_uln"] = _number(
                format_lazy(gettext_lazy("{lab}: ULN"), lab=label), "uln", decimals=2
            )
        if self.is_bound:
            # An error moves the cursor to the summary at the top, not to the first box.
            self.fields["bp1_sbp"].widget.attrs.pop("autofocus", None)

    def clean(self):
        """The checks that need two boxes, in the nurse's words, in the same round as the
        single-box checks (what the engine would refuse, said before it is asked)."""
        data = super().clean()
        for row in range(1, BP_ROWS + 1):
            sbp, dbp = f"bp{row}_sbp", f"bp{row}_dbp"
            if sbp in self.errors or dbp in self.errors:
                continue
            s, d = data.get(sbp), data.get(dbp)
            if s is not None and d is None:
                self.add_error(
                    dbp, _("Reading %(row)s: enter the diastolic pressure too.") % {"row": row}
                )
            elif d is not None and s is None:
                self.add_error(
                    sbp, _("Reading %(row)s: enter the systolic pressure too.") % {"row": row}
                )
            elif s is not None and d is not None and d > s:
                self.add_error(
                    sbp,
                    _("Reading %(row)s: the diastolic %(d)s is above the systolic %(s)s.")
                    % {"row": row, "d": d, "s": s},
                )
        for _term, key, label in LABS:
            value, uln = f"{key}_value", f"{key}_uln"
            if value in self.errors or uln in self.errors:
                continue
            if data.get(value) is not None and data.get(uln) is None:
                self.add_error(
                    uln,
                    _("%(lab)s: enter the laboratory's upper limit of normal (ULN) too.")
                    % {"lab": label},
                )
        if "calcium_mg_dl" not in self.errors and "albumin_g_dl" not in self.errors:
            calcium, albumin = data.get("calcium_mg_dl"), data.get("albumin_g_dl")
            if calcium is not None and albumin is None:
                self.add_error(
                    "albumin_g_dl",
                    _("Calcium is graded corrected for albumin: enter the albumin too."),
                )
            elif albumin is not None and calcium is None:
                self.add_error(
                    "calcium_mg_dl", _("Albumin is only used with calcium: enter the calcium too.")
                )
        for row in range(1, EVENT_ROWS + 1):
            term, grade = data.get(f"event{row}_term"), data.get(f"event{row}_grade")
            if term and grade in (None, ""):
                self.add_error(f"event{row}_grade", _("Choose the grade of this event."))
            elif grade not in (None, "") and not term:
                self.add_error(f"event{row}_term", _("Choose the CTCAE term of this grade."))
        return data

    def bp_rows(self):
        return [(self[f"bp{r}_sbp"], self[f"bp{r}_dbp"]) for r in range(1, BP_ROWS + 1)]

    def symptom_rows(self):
        return [(self[f"grade_{t}"], self[f"intolerable_{t}"]) for t in SYMPTOM_TERMS]

    def event_rows(self):
        return [
            (
                self[f"event{r}_term"],
                self[f"event{r}_grade"],
                self[f"event{r}_intolerable"],
                self._event_descriptor(r),
            )
            for r in range(1, EVENT_ROWS + 1)
        ]

    def _event_descriptor(self, row: int) -> str:
        """The chosen grade's CTCAE descriptor, for a form shown again."""
        if not self.is_bound:
            return ""
        grade = self.data.get(f"event{row}_grade")
        labels = dict(self.fields[f"event{row}_grade"].choices)
        if grade in (None, "") or self.data.get(f"event{row}_term") not in TERMS:
            return ""
        return labels.get(grade, "")

    def lab_rows(self):
        """(value box, ULN box, the last value) per lab; ``last`` is set by the view."""
        last = getattr(self, "last", {})
        return [
            (self[f"{key}_value"], self[f"{key}_uln"], last.get(f"{key}_value"))
            for _term, key, _label in LABS
        ]

    def page_order(self) -> list[str]:
        """The fields in the order the page shows them."""
        order = ["occurred_at"]
        order += [f"bp{r}_{p}" for r in range(1, BP_ROWS + 1) for p in ("sbp", "dbp")]
        order += ["antihypertensive_therapy", "antihypertensive_stable_since"]
        order += ["grade_hypertension", "lowering_reason_hypertension", "weight_kg"]
        order += ["stools_per_day", "grade_diarrhea", "lowering_reason_diarrhea"]
        order += [name for name in self.fields if name not in order]
        return order

    def error_summary(self) -> list[tuple[str, str]]:
        """(field id, message) for every error, in the order of the page; '' for the form."""
        out = [("", str(e)) for e in self.non_field_errors()]
        for name in self.page_order():
            for message in self.errors.get(name, ()):
                out.append((self[name].id_for_label, str(message)))
        return out


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
        if sbp is None or dbp is None:
            continue  # half a reading is the form's error to name (VisitForm.clean)
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
        if value is None:
            # The ULN alone is the laboratory's range carried over from the last visit,
            # not a measurement: without a value there is no lab observation.
            continue
        observation = {"term": term, "value": _num(value)}
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
BELOW_COMPUTED = re.compile(r"^Grade (\d) is below the computed grade (\d)")
BASELINE_WORDS = {
    "baseline_weight_kg": gettext_lazy("baseline weight"),
    "baseline_stools_per_day": gettext_lazy("baseline stools per day"),
    "baseline_qtc_ms": gettext_lazy("baseline QTc"),
    "baseline": gettext_lazy("baseline value"),
}


def in_nurses_words(name: str, text: str, term: str, label) -> str:
    """The engine speaks to programs (field names, contract words); the form to a nurse.

    The form's own checks already say most things first; what is left for the engine
    is what needs the patient's record (baselines) or the whole visit.
    """
    term_name = TERMS[term].name if term in TERMS else term
    if name in BASELINE_WORDS and "missing baseline" in text:
        return _(
            "The patient's record has no %(what)s, so %(term)s cannot be graded from it. "
            "Record the baseline on the patient first, or leave this box empty."
        ) % {"what": BASELINE_WORDS[name], "term": term_name}
    if name == "value" and "1000 x ULN" in text:
        return _("%(label)s is more than 1000 times its ULN: check the value and its unit.") % {
            "label": label
        }
    below = BELOW_COMPUTED.match(text)
    if name == "grade" and below:
        return _(
            "Grade %(given)s is below the grade %(computed)s the numbers give: write why in "
            "the box below it, or keep the computed grade."
        ) % {"given": below[1], "computed": below[2]}
    if name == "lowering_reason":
        return _("A reason is only written when the clinician grade is below the computed one.")
    return f"{label or term_name}: {text}" if label or term_name else text


def attach_errors(
    form: VisitForm, errors: dict[str, list[str] | str], observations: Observations
) -> None:
    """Puts each service error next to the form field the nurse has to correct, in the
    nurse's words; a field that already shows an error keeps that one (one message each)."""
    for key, messages_ in errors.items():
        text = " ".join(messages_) if isinstance(messages_, list) else str(messages_)
        match = PATH.match(key)
        target = key if key in form.fields else None
        if match:
            index, name, item = int(match[1]), match[2], match[3]
            sources = observations.sources[index] if index < len(observations.sources) else {}
            term = (
                observations.items[index].get("term", "") if index < len(observations.items) else ""
            )
            target = sources.get(f"{name}{item or ''}") or sources.get(name or "")
            label = form.fields[target].label if target in form.fields else None
            text = in_nurses_words(name or "", text, term, label)
        if target is not None and target in form.errors:
            continue
        form.add_error(target, text)


def _course_for(patient):
    courses = list(patient_selectors.with_ledger(patient.courses.all()))
    for course in courses:
        state = patient_selectors.dose_state(course)
        if not state.ended and state.status != "not_started":
            return course
    raise Http404(_("This patient has no active treatment course."))


def _initial(recent: list[Visit]) -> dict:
    """Defaults from the last visits: the things that rarely change between visits.

    The visit time is now in the clinic's zone (the view has activated it); the
    therapy comes from the last visit; each laboratory limit (ULN, LLN) from the last
    visit that measured it, as a visit without labs does not change the lab's range."""
    initial = {
        "occurred_at": timezone.localtime().replace(second=0, microsecond=0, tzinfo=None),
        "antihypertensive_therapy": AntihypertensiveTherapy.NONE,
    }
    if not recent:
        return initial
    last = recent[0]
    initial["antihypertensive_therapy"] = last.antihypertensive_therapy
    if last.antihypertensive_stable_since:
        initial["antihypertensive_stable_since"] = timezone.localtime(
            last.antihypertensive_stable_since
        ).replace(tzinfo=None)
    uln_fields = {term: f"{key}_uln" for term, key, _label in LABS}
    for visit in recent:
        for observation in visit.observations.all():
            m = observation.measurements
            name = uln_fields.get(observation.term)
            if name and "uln" in m:
                initial.setdefault(name, m["uln"])
            if observation.term == "hypocalcemia" and "lln" in m:
                initial.setdefault("calcium_lln", m["lln"])
    return initial


# Where the last value of each box is read from: field -> (term, measurement, unit).
LAST_VALUE_SOURCES: dict[str, tuple[str, str, str]] = {
    "weight_kg": ("weight_loss", "weight_kg", "kg"),
    "stools_per_day": ("diarrhea", "stools_per_day", ""),
    "urine_protein_g_24h": ("proteinuria", "urine_protein_g_24h", "g/24 h"),
    "dipstick": ("proteinuria", "dipstick", ""),
    "qtc_ms": ("electrocardiogram_qt_corrected_interval_prolonged", "qtc_ms", "ms"),
    "calcium_mg_dl": ("hypocalcemia", "calcium_mg_dl", "mg/dL"),
    "albumin_g_dl": ("hypocalcemia", "albumin_g_dl", "g/dL"),
    **{f"{key}_value": (term, "value", "") for term, key, _label in LABS},
}
RECENT_VISITS_FOR_LAST_VALUES = 20


def _figure(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def recent_visits(course) -> list[Visit]:
    """The course's last visits with their observations, newest first (one read for the
    form's defaults and the last values beside its boxes)."""
    return list(
        Visit.objects.filter(course=course)
        .prefetch_related("observations")
        .order_by("-occurred_at")[:RECENT_VISITS_FOR_LAST_VALUES]
    )


def last_values(recent: list[Visit]) -> dict[str, str]:
    """'last 68.2 kg on 3 Nov 2026' beside each box: the newest recorded value of each.

    Read from the course's recent visits, newest first; a box with no earlier value
    shows nothing."""
    out: dict[str, str] = {}
    for visit in recent:
        when = formats.date_format(timezone.localtime(visit.occurred_at), "DATE_FORMAT")
        by_term = {o.term: o.measurements for o in visit.observations.all()}
        if "bp" not in out and "hypertension" in by_term:
            readings = by_term["hypertension"].get("readings") or []
            if not readings and by_term["hypertension"].get("sbp") is not None:
                readings = [[by_term["hypertension"]["sbp"], by_term["hypertension"]["dbp"]]]
            if readings:
                shown = ", ".join(f"{_figure(s)}/{_figure(d)}" for s, d in readings)
                out["bp"] = _("last %(readings)s mm Hg on %(date)s") % {
                    "readings": shown,
                    "date": when,
                }
        for name, (term, measurement, unit) in LAST_VALUE_SOURCES.items():
            if name in out or term not in by_term:
                continue
            value = by_term[term].get(measurement)
            if value is None:
                continue
            if name.endswith("_value"):
                uln = by_term[term].get("uln")
                unit = f"(ULN {_figure(uln)})" if uln is not None else ""
            out[name] = _("last %(value)s on %(date)s") % {
                "value": f"{_figure(value)} {unit}".strip(),
                "date": when,
            }
    return out


def _visit_arguments(form: VisitForm, observations: Observations) -> dict:
    data = form.cleaned_data
    return {
        "occurred_at": data["occurred_at"],
        "observations": [dict(o) for o in observations.items],
        "antihypertensive_therapy": data["antihypertensive_therapy"],
        "antihypertensive_stable_since": data.get("antihypertensive_stable_since"),
        "note": data.get("note") or "",
    }


def _check_and_save(request, form: VisitForm, course) -> bool:
    """Validates the whole visit in one round and saves it when nothing is wrong.

    When a box is already wrong the engine still checks the rest (nothing saved), so
    the nurse sees every problem at once, not one batch per press of Save."""
    valid = form.is_valid()
    cleaned = getattr(form, "cleaned_data", None)  # absent when nothing at all was posted
    if not cleaned or cleaned.get("occurred_at") is None:
        return False
    observations = build_observations(cleaned)
    arguments = _visit_arguments(form, observations)
    try:
        if valid:
            visits.log_visit(actor=request.user, course=course, **arguments)
            return True
        visits.preview_visit(actor=request.user, course=course, **arguments)
    except ValidationError as refused:
        attach_errors(form, refused.message_dict, observations)
    return False


def preview_words() -> dict:
    """The live preview's words in the reader's language, for static/js/visit-form.js
    (it fills in the %(...)s placeholders)."""
    return {
        "grade_of": _("%(term)s: grade %(grade)s"),
        "grade": _("grade %(grade)s"),
        "provisional": _("(provisional)"),
        "resume_at": _("resume at %(dose)s mg/day when recovered"),
        "dose": _("%(dose)s mg/day"),
        "needs_review": _("Needs the oncologist's judgement."),
        "actions": {action.value: str(action.label) for action in Action},
    }


@login_required
def new_visit(request, patient_id: int):
    patient = access_patient(request.user, patient_id)
    if role_at(request.user, patient.site_id) not in (Role.NURSE, Role.ONCOLOGIST):
        raise PermissionDenied(_("Only nurses and oncologists record visits."))
    course = _course_for(patient)
    # The visit happens at the clinic: its time is read and shown in the clinic's zone.
    timezone.activate(patient.site.zone)
    recent = recent_visits(course)
    form = VisitForm(request.POST if request.method == "POST" else None, initial=_initial(recent))
    form.last = last_values(recent)
    if request.method == "POST" and _check_and_save(request, form, course):
        messages.success(request, _("Visit saved. The recommendation follows in a moment."))
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
            "last": form.last,
            "zone_label": wording.zone_label(patient.site.time_zone, timezone.localtime()),
            "baseline_weight": patient.baseline_weight_kg,
            "baseline_stools": patient.baseline_stools_per_day,
            "preview_words": preview_words(),
        },
    )


@login_required
@require_POST
def preview_visit(request, patient_id: int):
    """The grades and the recommendation this visit would get, without saving it."""
    patient = access_patient(request.user, patient_id)
    # Who may record visits is settled before the form is read (the same gate as new_visit).
    if role_at(request.user, patient.site_id) not in (Role.NURSE, Role.ONCOLOGIST):
        raise PermissionDenied(_("Only nurses and oncologists record visits."))
    course = _course_for(patient)
    timezone.activate(patient.site.zone)
    form = VisitForm(request.POST)
    valid = form.is_valid()
    observations = build_observations(form.cleaned_data)
    answer = None
    if form.cleaned_data.get("occurred_at") is not None:
        try:
            answer = visits.preview_visit(
                actor=request.user, course=course, **_visit_arguments(form, observations)
            )
        except ValidationError as refused:
            attach_errors(form, refused.message_dict, observations)
    if not valid or form.errors:
        return JsonResponse(
            {"errors": {k: " ".join(v) for k, v in form.errors.items()}}, status=400
        )
    return JsonResponse(answer)


@login_required
@require_GET
def term_grades(request, term: str):
    """The grade choices of one CTCAE v5.0 term, for the visit form's "other event" rows.

    Dictionary data only (no patient), so any signed-in user may read it.
    """
    if term not in TERMS:
        raise Http404(_("No CTCAE v5.0 term of that name."))
    info = TERMS[term]
    defined = {"0", *(str(g) for g in info.descriptors)}
    return JsonResponse(
        {
            "term": term,
            "name": info.name,
            "choices": [
                {
                    "value": value,
                    "label": label,
                    "defined": value in defined,
                    # CTCAE's own descriptor, shown in English as it prints it.
                    "english": value in defined and value != "0",
                }
                for value, label in event_grade_choices(term)
                if value
            ],
        }
    )

"""The disease course's forms: they read what was typed and hand it to the services,
which decide what is acceptable; the services' field errors come back onto the fields.
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from disease import surveillance
from disease.models import AntiTg, NonTarget
from disease.wording import ANTIBODY_WORDS, MODALITY_WORDS, NON_TARGET_WORDS
from patients import limits

MAX_TARGET_ROWS = 5  # RECIST 1.1: at most 5 target lesions in all
LOW, HIGH = surveillance.IMAGING_INTERVAL_MONTHS


def _date(label) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Type the date as YYYY-MM-DD.")},
    )


def _millimetres(label) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        error_messages={"invalid": _("Type the size in mm, e.g. 12.5.")},
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )


class DiseaseForm(forms.Form):
    """The services' errors on the fields, and a summary for the top of the page."""

    # The service's key -> the form's field, where they differ.
    field_of: dict[str, str] = {}

    def put_errors(self, error: ValidationError) -> None:
        for key, messages in error.message_dict.items():
            name = self.field_for(key)
            for message in messages:
                self.add_error(name, message)

    def field_for(self, key: str) -> str | None:
        key = self.field_of.get(key, key)
        return key if key in self.fields else None

    def error_summary(self) -> list[tuple[str, str]]:
        """(field id, message) for every error in the order of the form; '' for the form."""
        out = [("", str(e)) for e in self.non_field_errors()]
        for name in self.fields:
            for message in self.errors.get(name, ()):
                out.append((self[name].id_for_label, str(message)))
        return out


class DiseaseStatusForm(DiseaseForm):
    prior_rai_dose_on = _date(_("Date of the prior ablative or treatment dose of RAI"))
    rai_refractory_on = _date(_("Date declared RAI-refractory"))
    rai_refractory_criterion = forms.CharField(
        label=_("Criterion met (in your words)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": limits.REASON_CHARS}),
    )
    on_active_surveillance = forms.BooleanField(label=_("On active surveillance"), required=False)
    surveillance_since = _date(_("Active surveillance since"))
    imaging_interval_months = forms.IntegerField(
        label=_("Imaging every (months)"),
        required=False,
        error_messages={"invalid": _("Type a whole number of months.")},
        widget=forms.NumberInput(attrs={"min": LOW, "max": HIGH, "inputmode": "numeric"}),
    )
    symptomatic = forms.BooleanField(label=_("Symptomatic"), required=False)
    symptoms = forms.CharField(
        label=_("Symptoms"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": limits.REASON_CHARS}),
    )
    reason = forms.CharField(
        label=_("Reason for recording or changing the status"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": limits.REASON_CHARS}),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def values(self) -> dict:
        """The service's keyword arguments (text stripped by the service)."""
        return dict(self.cleaned_data)


class TgLabForm(DiseaseForm):
    drawn_on = _date(_("Date drawn"))
    tg_ng_ml = forms.DecimalField(
        label=_("Tg (ng/mL)"),
        required=False,
        error_messages={"invalid": _("Type the Tg in ng/mL, e.g. 2.8.")},
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    anti_tg_antibody = forms.ChoiceField(
        label=_("Anti-Tg antibody"),
        choices=[(value, ANTIBODY_WORDS.get(value, label)) for value, label in AntiTg.choices],
        widget=forms.RadioSelect,
    )
    tsh_miu_l = forms.DecimalField(
        label=_("TSH (mIU/L), blank if not measured"),
        required=False,
        error_messages={"invalid": _("Type the TSH in mIU/L, e.g. 0.05.")},
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    assay = forms.CharField(
        label=_("Assay"),
        required=False,
        max_length=limits.NAME_CHARS,
        widget=forms.TextInput(attrs={"list": "assays"}),
    )

    def clean(self):
        data = super().clean()
        # Required by the service; said here only when the field was left empty, so the
        # service's own checks see a value.
        for name, message in (
            ("drawn_on", _("Give the date the sample was drawn.")),
            ("tg_ng_ml", _("Give the Tg result in ng/mL.")),
        ):
            if data.get(name) is None and name not in self.errors:
                self.add_error(name, message)
        return data


TARGET_PARTS = (
    "label",
    "organ",
    "kind",
    "diameter_mm",
    "not_measured",
    "in_treated_field",
    "progressed_since_treatment",
)
TARGET_ROW = re.compile(r"^targets\[(\d+)\](?:\.(\w+))?$")


class ImagingStudyForm(DiseaseForm):
    """A study with up to five target-lesion rows; an empty row is not a target."""

    KIND_CHOICES = (("baseline", _("Baseline")), ("follow_up", _("Follow-up")))
    NODE_CHOICES = (("lesion", _("Lesion")), ("node", _("Lymph node")))

    performed_on = _date(_("Date of the study"))
    kind = forms.ChoiceField(label=_("Baseline or follow-up"), choices=KIND_CHOICES)
    modality = forms.ChoiceField(
        label=_("Modality"), choices=[(k, v) for k, v in MODALITY_WORDS.items()]
    )
    non_target = forms.ChoiceField(
        label=_("Non-target disease"),
        choices=[(value, NON_TARGET_WORDS.get(value, label)) for value, label in NonTarget.choices],
    )
    new_lesions = forms.IntegerField(
        label=_("Number of new lesions"),
        min_value=0,
        initial=0,
        error_messages={"invalid": _("Type a whole number (0 for none).")},
        widget=forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
    )
    new_lesion_sites = forms.CharField(
        label=_("Where the new lesions are"), required=False, max_length=limits.NAME_CHARS
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": limits.NOTE_CHARS}),
    )

    field_of = {"performed_on": "performed_on", "baseline": "kind", "date": "performed_on"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.target_errors: list[str] = []
        self.rows_used: list[int] = []
        for n in range(1, MAX_TARGET_ROWS + 1):
            self.fields[f"t{n}_label"] = forms.CharField(
                label=_("Label"), required=False, max_length=40, initial=f"T{n}"
            )
            self.fields[f"t{n}_organ"] = forms.CharField(
                label=_("Organ"), required=False, max_length=limits.NAME_CHARS
            )
            self.fields[f"t{n}_kind"] = forms.ChoiceField(
                label=_("Lesion or node"), choices=self.NODE_CHOICES, required=False
            )
            self.fields[f"t{n}_diameter_mm"] = _millimetres(_("Diameter or short axis (mm)"))
            self.fields[f"t{n}_not_measured"] = forms.BooleanField(
                label=_("Not measured"), required=False
            )
            self.fields[f"t{n}_in_treated_field"] = forms.BooleanField(
                label=_("In a treated field"), required=False
            )
            self.fields[f"t{n}_progressed_since_treatment"] = forms.BooleanField(
                label=_("Progressed since"), required=False
            )
            # The row's cells sit under the table's headings: each says which row it is.
            for part in TARGET_PARTS:
                field = self.fields[f"t{n}_{part}"]
                field.widget.attrs["aria-label"] = format_lazy(
                    _("{what}, row {n}"), what=field.label, n=n
                )

    def target_rows(self) -> list[dict]:
        """The rows as the template lays them out: the bound fields of each."""
        return [
            {"n": n, "cells": [self[f"t{n}_{part}"] for part in TARGET_PARTS]}
            for n in range(1, MAX_TARGET_ROWS + 1)
        ]

    def clean(self):
        data = super().clean()
        if data.get("performed_on") is None and "performed_on" not in self.errors:
            self.add_error("performed_on", _("Give the date of the study."))
        self.rows_used = []
        for n in range(1, MAX_TARGET_ROWS + 1):
            organ = (data.get(f"t{n}_organ") or "").strip()
            size = data.get(f"t{n}_diameter_mm")
            not_measured = data.get(f"t{n}_not_measured")
            if not (
                organ or size is not None or not_measured or f"t{n}_diameter_mm" in self.errors
            ):
                continue  # an empty row (its label may be the preset one)
            self.rows_used.append(n)
            if size is None and not not_measured and f"t{n}_diameter_mm" not in self.errors:
                self.add_error(
                    f"t{n}_diameter_mm",
                    _("Give the size in mm (0 if the lesion has gone), or tick “Not measured”."),
                )
            if size is not None and not_measured:
                self.add_error(
                    f"t{n}_not_measured", _("A measured lesion is not “not measured”: untick one.")
                )
        return data

    def targets(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {
                "label": data.get(f"t{n}_label") or "",
                "organ": data.get(f"t{n}_organ") or "",
                "is_lymph_node": data.get(f"t{n}_kind") == "node",
                "diameter_mm": None
                if data.get(f"t{n}_not_measured")
                else data.get(f"t{n}_diameter_mm"),
                "in_treated_field": bool(data.get(f"t{n}_in_treated_field")),
                "progressed_since_treatment": bool(data.get(f"t{n}_progressed_since_treatment")),
            }
            for n in self.rows_used
        ]

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "performed_on": data["performed_on"],
            "modality": data["modality"],
            "baseline": data["kind"] == "baseline",
            "targets": self.targets(),
            "non_target": data["non_target"],
            "new_lesions": data["new_lesions"],
            "new_lesion_sites": data["new_lesion_sites"],
            "note": data["note"],
        }

    def field_for(self, key: str) -> str | None:
        match = TARGET_ROW.match(key)
        if match:
            index, part = int(match.group(1)), match.group(2) or "label"
            if index < len(self.rows_used):
                name = f"t{self.rows_used[index]}_{part}"
                return name if name in self.fields else f"t{self.rows_used[index]}_label"
            return None
        if key.startswith("targets."):
            # recist.py names a target by its label ("targets.T2"): that row's size.
            label = key.split(".", 1)[1]
            for n in self.rows_used:
                if (self.cleaned_data.get(f"t{n}_label") or "").strip() == label:
                    return f"t{n}_diameter_mm"
            return None
        return super().field_for(key)

    def put_errors(self, error: ValidationError) -> None:
        for key, messages in error.message_dict.items():
            name = self.field_for(key)
            for message in messages:
                if name is None and key.startswith("targets"):
                    self.target_errors.append(str(message))
                self.add_error(name, message)

"""The patient pages' forms: plain words, big radio buttons, no JavaScript needed.

The forms only read what was typed; the services decide what is acceptable and
their errors are put back on the fields here.
"""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from patients import limits
from reports import items, monitor_csv
from reports.access import is_patient_account
from reports.models import BpPeriod, DoseStatus, InvitationChannel


def put_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's field errors onto the form's fields (unknown ones to the top)."""
    for field, messages in error.message_dict.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)


class PatientSignInForm(AuthenticationForm):
    """The patients' sign-in: a clinician's account is turned away, kindly."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not is_patient_account(user):
            raise ValidationError(
                _("This sign-in is for patients. Clinic staff sign in on the clinic's page."),
                code="not_a_patient",
            )


class InviteForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("How the patient gets the code"),
        choices=InvitationChannel.choices,
        widget=forms.RadioSelect,
        initial=InvitationChannel.EMAIL,
    )
    email = forms.EmailField(label=_("Email address"), required=False)
    carer_name = forms.CharField(
        label=_("Carer's name (only if a carer reports for the patient)"),
        required=False,
        max_length=limits.NAME_CHARS,
    )


class AcceptForm(forms.Form):
    username = forms.CharField(
        label=_("Choose a sign-in name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Choose a password (at least 12 characters)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Type the password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("The code from your clinic's letter"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "characters"}
        ),
    )


def _reading(label) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        error_messages={"invalid": _("Type whole numbers only.")},
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "reading"}),
    )


class BloodPressureFields(forms.Form):
    """Morning and evening: when, and two readings (top / bottom numbers)."""

    PERIODS = (BpPeriod.MORNING, BpPeriod.EVENING)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for period in self.PERIODS:
            self.fields[f"{period}_taken_at"] = forms.DateTimeField(
                label=_("Date and time you measured"),
                required=False,
                input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                error_messages={"invalid": _("Type the date and time, e.g. 2026-03-01 08:15.")},
                widget=forms.DateTimeInput(
                    attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
                ),
            )
            for n in (1, 2):
                self.fields[f"{period}_sbp{n}"] = _reading(_("Top number (systolic)"))
                self.fields[f"{period}_dbp{n}"] = _reading(_("Bottom number (diastolic)"))

    def sessions(self) -> list[dict]:
        """The periods the patient filled anything in, as the service reads them."""
        out = []
        for period in self.PERIODS:
            keys = ("taken_at", "sbp1", "dbp1", "sbp2", "dbp2")
            values = {key: self.cleaned_data.get(f"{period}_{key}") for key in keys}
            if any(v is not None for v in values.values()):
                out.append({"period": period, **values})
        return out

    def periods(self):
        """(period name, taken_at field, [(sbp, dbp) bound fields]) for the template."""
        for period in self.PERIODS:
            yield (
                BpPeriod(period).label,
                self[f"{period}_taken_at"],
                [(self[f"{period}_sbp{n}"], self[f"{period}_dbp{n}"]) for n in (1, 2)],
            )


class WeeklyReportForm(BloodPressureFields):
    """Every survey item's questions (0-4 radio buttons), BP, and 'anything else'."""

    anything_else = forms.CharField(
        label=_("Anything else you want your care team to know?"),
        required=False,
        max_length=items.ANYTHING_ELSE_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    # Drawn afresh with each empty form; the report is stored once per value.
    submission = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission", uuid.uuid4())
        for item in items.SURVEY:
            for question in item.questions:
                self.fields[f"{item.key}__{question.attribute}"] = forms.TypedChoiceField(
                    label=question.text_in(gettext),
                    required=False,
                    coerce=int,
                    empty_value=None,
                    # Forms are built per request, so the answer words are in its language.
                    choices=[(value, gettext(words)) for value, words in question.choices],
                    widget=forms.RadioSelect,
                )

    def answers(self) -> dict[str, dict[str, int | None]]:
        return {
            item.key: {
                q.attribute: self.cleaned_data.get(f"{item.key}__{q.attribute}")
                for q in item.questions
            }
            for item in items.SURVEY
        }

    def survey(self):
        """(item, [bound question fields]) in the survey's order, for the template."""
        for item in items.SURVEY:
            yield item, [self[f"{item.key}__{q.attribute}"] for q in item.questions]


class BloodPressureForm(BloodPressureFields):
    pass


class DoseForm(forms.Form):
    date = forms.DateField(
        label=_("Which day?"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Say which day."), "invalid": _("Type a date.")},
    )
    status = forms.ChoiceField(
        label=_("What did you take that day?"),
        choices=DoseStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what you took.")},
    )
    dose_mg = forms.DecimalField(
        label=_("If you took a lower dose: how many mg?"),
        required=False,
        max_digits=6,
        decimal_places=1,
        error_messages={"invalid": _("Type the dose in mg, as on the box.")},
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.1"}),
    )
    reason = forms.CharField(
        label=_("Why? (optional)"),
        required=False,
        max_length=limits.REASON_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MonitorCsvForm(forms.Form):
    file = forms.FileField(
        label=_("Your blood pressure monitor's export (a CSV file)"),
        error_messages={"required": _("Choose the file to send.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > monitor_csv.MAX_BYTES:
            raise ValidationError(
                _("The file is larger than %(kib)s KiB."),
                params={"kib": monitor_csv.MAX_BYTES // 1024},
            )
        raw = upload.read()
        for encoding in ("utf-8-sig", "latin-1"):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise ValidationError(_("This file is not a CSV text file."))  # pragma: no cover


class PatientLanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language of your pages and reminder emails"),
        choices=[("", _("My clinic's language"))] + list(settings.LANGUAGES),
        required=False,
        widget=forms.RadioSelect,
    )

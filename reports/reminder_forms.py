"""The reminder page's form: it only reads what was chosen; reports.reminders decides."""

from __future__ import annotations

from datetime import time

from django import forms
from django.utils.translation import gettext_lazy as _

from reports.models import Weekday
from reports.reminders import TIME_CHOICES

ON, OFF = "on", "off"


def _label(at: time) -> str:
    return f"{at:%H:%M}"


class ReminderForm(forms.Form):
    enabled = forms.ChoiceField(
        label=_("Would you like a reminder email each week?"),
        choices=[(ON, _("Yes, email me a reminder")), (OFF, _("No reminders"))],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose yes or no."),
            "invalid_choice": _("Choose yes or no."),
        },
    )
    weekday = forms.TypedChoiceField(
        label=_("Which day?"),
        choices=Weekday.choices,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose the day of the week.")},
    )
    time_of_day = forms.TypedChoiceField(
        label=_("What time?"),
        choices=[("", _("Choose a time")), *((_label(t), _label(t)) for t in TIME_CHOICES)],
        coerce=time.fromisoformat,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": _("Choose a time from the list.")},
    )

    def choice(self) -> dict:
        data = self.cleaned_data
        return {
            "enabled": data["enabled"] == ON,
            "weekday": data.get("weekday"),
            "time_of_day": data.get("time_of_day"),
        }

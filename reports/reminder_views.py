"""The patient's reminder page (/me/reminders/) and the stop link in reminder emails.

The stop link works without signing in (its token is the proof) and asks before it
stops: mail scanners open every link in an email, so a GET only shows the button.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from reports import reminders
from reports.access import patient_view
from reports.forms import put_errors
from reports.reminder_forms import OFF, ON, ReminderForm


def _initial(schedule) -> dict:
    if schedule is None:
        return {"enabled": OFF, "time_of_day": f"{reminders.DEFAULT_TIME:%H:%M}"}
    return {
        "enabled": ON if schedule.enabled else OFF,
        "weekday": schedule.weekday,
        "time_of_day": f"{schedule.time_of_day:%H:%M}",
    }


@require_http_methods(["GET", "POST"])
@patient_view
def reminders_page(request, account):
    schedule = reminders.schedule_of(account)
    form = ReminderForm(request.POST or None, initial=_initial(schedule))
    if request.method == "POST" and form.is_valid():
        try:
            schedule = reminders.set_schedule(account=account, **form.choice())
        except ValidationError as error:
            put_errors(form, error)
        else:
            if schedule is not None and schedule.enabled:
                messages.success(request, _("Saved. We will email you a reminder each week."))
            else:
                messages.success(request, _("Saved. We will not send you reminders."))
            return redirect("reports:reminders")
    return render(
        request,
        "reports/reminders.html",
        {
            "form": form,
            "account": account,
            "schedule": schedule,
            "next_due": reminders.next_due(schedule) if schedule else None,
            "zone": account.patient.site.time_zone,
            "needs_email": reminders.needs_email(account),
            "follow_up_hours": settings.REMINDER_FOLLOW_UP_HOURS,
        },
    )


@require_http_methods(["GET", "POST"])
def reminders_stop(request, token: str):
    """GET: the question and a button; POST: reminders off. A bad token is 404."""
    reminder = reminders.find_by_stop_token(token)
    if reminder is None:
        return render(request, "reports/reminders_stop_invalid.html", status=404)
    schedule = reminders.schedule_of(reminder.account)
    stopped = schedule is None or not schedule.enabled
    if request.method == "POST":
        reminders.stop_by_link(reminder)
        stopped = True
    return render(
        request,
        "reports/reminders_stop.html",
        {"site": reminder.account.patient.site.name, "stopped": stopped},
    )

"""`{{ state.status|course_status }}`: a course's status in the clinic's words."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from patients.dosing import Status

register = template.Library()

COURSE_STATUS = {
    Status.NOT_STARTED: _("Not started"),
    Status.ACTIVE: _("Active"),
    Status.ON_HOLD: _("On hold"),
    Status.DISCONTINUED: _("Discontinued"),
    Status.COMPLETED: _("Completed"),
}


@register.filter
def course_status(status: str) -> str:
    return COURSE_STATUS.get(status, status)

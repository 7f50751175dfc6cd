"""`{{ cooloff_timedelta|minutes }}`: a duration in whole minutes, as pages say waits."""

from __future__ import annotations

from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def minutes(duration: timedelta | None) -> int | str:
    if duration is None:
        return ""
    return round(duration.total_seconds() / 60)

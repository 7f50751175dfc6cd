"""`{% signed_decisions patient %}`: the patient's signed decisions (name, UTC time, meaning).

For the patient page; the same rows as the printable record (tracker.record_views).
"""

from __future__ import annotations

from django import template

from toxicity import selectors

register = template.Library()


@register.inclusion_tag("tracker/_signed_decisions.html")
def signed_decisions(patient):
    return {"patient": patient, "decisions": selectors.signed_decisions(patient)}

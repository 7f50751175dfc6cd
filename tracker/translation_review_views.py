"""The list of Chinese wording waiting for review (tracker/translation_review.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from patients.access import site_roles
from tracker.translation_review import KINDS, review_items


@login_required
@require_GET
def translation_review(request):
    """For every clinician and site administrator: a bilingual reviewer is one of them."""
    if not site_roles(request.user):
        raise Http404(_("No such page."))
    items = review_items()
    sections = [
        (kind, label, [item for item in items if item.kind == kind])
        for kind, label in KINDS.items()
    ]
    return render(
        request,
        "tracker/translation_review.html",
        {"sections": sections, "total": len(items)},
    )

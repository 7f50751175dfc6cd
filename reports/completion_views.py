"""The clinic's page of who sends the weekly report: per site, this week and the four
before it, and who missed two weeks running. Thin: reports.completion counts."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from patients.access import clinical_page, clinical_sites
from reports import completion


@login_required
@clinical_page
@require_GET
def sites(request):
    """Nurses, oncologists and pharmacists see their own sites' figures."""
    return render(
        request,
        "reports/completion.html",
        {"sites": completion.sites_completion(clinical_sites(request.user))},
    )

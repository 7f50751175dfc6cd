"""The pharmacist's pages: each site's rule sets, the review of one, row confirmations
and the sign-off. Every member of the site may read them; only its pharmacist writes."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from patients.access import access_site, has_role, site_roles
from patients.models import Site
from patients.passwords import SigningLocked
from toxicity import selectors as toxicity_selectors
from toxicity import signoff


class RowConfirmationForm(forms.Form):
    rule_id = forms.CharField(max_length=160)
    label_section = forms.CharField(
        label=gettext_lazy("Label section checked"), max_length=signoff.LABEL_SECTION_MAX
    )
    checked_on = forms.DateField(
        label=gettext_lazy("Checked on"),
        error_messages={"invalid": gettext_lazy("Enter the date as YYYY-MM-DD.")},
    )


def _review(request, site_id, drug: str, rule_set: str, *, write: bool = False):
    """(site, review): 404 for a site the user does not work at or an unknown rule set,
    403 for a write by anyone but the site's pharmacist."""
    site = access_site(request.user, site_id)
    if write and not has_role(request.user, site.pk, *signoff.SIGNOFF_ROLES):
        raise PermissionDenied(_("Only a pharmacist at this site reviews and signs its rule sets."))
    try:
        return site, signoff.review(site, drug, rule_set)
    except LookupError:
        raise Http404(_("No such rule set.")) from None


def _context(request, review, **extra) -> dict:
    return {
        "review": review,
        "can_sign_off": has_role(request.user, review.site.pk, *signoff.SIGNOFF_ROLES),
        "confirm_errors": {},
        "confirm_posted": {},
        "confirm_row": None,
        "signoff_errors": {},
        # What this version would have decided differently, if someone asked before it
        # went live: the reports whose candidate is exactly this version.
        "impact_reports": toxicity_selectors.impact_reports_for_version(
            request.user, review.drug, review.rule_set, review.fingerprint
        ),
        **extra,
    }


@login_required
@require_GET
def rule_sets(request):
    """The rule sets of each of the user's sites, with their sign-off status."""
    sites = Site.objects.filter(pk__in=list(site_roles(request.user))).order_by("name")
    overview = [(site, signoff.site_rule_sets(site)) for site in sites]
    return render(request, "tracker/rule_sets.html", {"overview": overview})


@login_required
@require_GET
def rule_set(request, site_id: int, drug: str, rule_set: str):
    _site, review = _review(request, site_id, drug, rule_set)
    return render(request, "tracker/rule_set.html", _context(request, review))


@login_required
@require_POST
def confirm_row(request, site_id: int, drug: str, rule_set: str):
    site, review = _review(request, site_id, drug, rule_set, write=True)
    form = RowConfirmationForm(request.POST)
    if form.is_valid():
        try:
            signoff.confirm_rule_row(
                actor=request.user,
                site=site,
                drug=drug,
                rule_set=rule_set,
                rule_id=form.cleaned_data["rule_id"],
                label_section=form.cleaned_data["label_section"],
                checked_on=form.cleaned_data["checked_on"],
            )
        except ValidationError as refused:
            for field, errors in refused.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
    if form.errors:
        context = _context(
            request,
            review,
            confirm_errors={field: list(errors) for field, errors in form.errors.items()},
            confirm_posted=request.POST,
            confirm_row=request.POST.get("rule_id", ""),
        )
        return render(request, "tracker/rule_set.html", context, status=400)
    messages.success(
        request, _("Row %(rule_id)s confirmed.") % {"rule_id": form.cleaned_data["rule_id"]}
    )
    url = reverse("tracker:rule-set", args=[site.pk, drug, rule_set])
    return redirect(f"{url}#row-{form.cleaned_data['rule_id']}")


@login_required
@require_POST
def sign_off(request, site_id: int, drug: str, rule_set: str):
    site, review = _review(request, site_id, drug, rule_set, write=True)
    try:
        signed = signoff.sign_off_rule_set(
            actor=request.user,
            site=site,
            drug=drug,
            rule_set=rule_set,
            fingerprint=request.POST.get("fingerprint", ""),
            password=request.POST.get("password", ""),
            origin=request,
        )
    except SigningLocked as locked:
        context = _context(request, review, signoff_errors={"password": [str(locked)]})
        return render(request, "tracker/rule_set.html", context, status=429)
    except ValidationError as refused:
        context = _context(request, review, signoff_errors=refused.message_dict)
        return render(request, "tracker/rule_set.html", context, status=400)
    messages.success(
        request,
        _("Signed off: %(drug)s %(rule_set)s, version %(version)s, at %(site)s.")
        % {"drug": drug, "rule_set": rule_set, "version": signed.version, "site": site.name},
    )
    return redirect("tracker:rule-set", site.pk, drug, rule_set)

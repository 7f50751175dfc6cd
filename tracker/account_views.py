"""Accounts: a clinician's own password (Django's views, the tracker's templates) and
the site administrator's unlock of a colleague's locked sign-in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from patients import services
from patients.access import site_roles
from patients.models import Role, SiteMembership


def _require_site_admin(user) -> None:
    if Role.SITE_ADMIN not in site_roles(user).values():
        raise PermissionDenied(_("Only a site administrator unlocks sign-ins."))


@login_required
@require_safe
def locked_users(request):
    _require_site_admin(request.user)
    locked = [
        {"membership": membership, "failures": failures}
        for membership, failures in services.locked_sign_ins(request.user)
    ]
    return render(request, "registration/locked_users.html", {"locked": locked})


@login_required
@require_POST
def unlock_user(request, membership_id: int):
    _require_site_admin(request.user)
    membership = (
        SiteMembership.objects.select_related("user")
        .filter(pk=membership_id, site_id__in=list(site_roles(request.user)))
        .first()
    )
    if membership is None:  # another site's colleague looks like nobody
        raise Http404("No such colleague.")
    services.unlock_sign_in(actor=request.user, membership=membership)
    name = membership.user.get_full_name() or membership.user.get_username()
    messages.success(request, _("Sign-in unlocked for %(name)s.") % {"name": name})
    return redirect("locked-users")

"""Accounts: a clinician's own password (Django's views, the tracker's templates), their
language, and the site administrator's unlock of a colleague's locked sign-in."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render, resolve_url
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from patients import languages, services
from patients.access import site_roles
from patients.models import Role, SiteMembership, UserPreference
from reports.access import is_patient_account


class ClinicLoginView(LoginView):
    """The clinic's sign-in. A patient who signs in here by mistake is taken to their
    own pages (/me/), never to the clinic's, which stay closed to them."""

    redirect_authenticated_user = True

    def get_success_url(self):
        if is_patient_account(self.request.user):
            return resolve_url("reports:home")
        return super().get_success_url()


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
        raise Http404(_("No such colleague."))
    services.unlock_sign_in(actor=request.user, membership=membership)
    name = membership.user.get_full_name() or membership.user.get_username()
    messages.success(request, _("Sign-in unlocked for %(name)s.") % {"name": name})
    return redirect("locked-users")


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=gettext_lazy("Language of your pages and emails"),
        choices=[("", gettext_lazy("The language of my site"))] + list(settings.LANGUAGES),
        required=False,
    )


@login_required
@require_http_methods(["GET", "POST"])
def language(request):
    """A user's own language for their pages and the alert emails sent to them."""
    current = UserPreference.objects.filter(user=request.user).values_list("language", flat=True)
    form = LanguageForm(request.POST or None, initial={"language": current.first() or ""})
    if request.method == "POST" and form.is_valid():
        try:
            languages.set_language(
                actor=request.user, language=form.cleaned_data["language"], session=request.session
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            translation.activate(request.session[languages.SESSION_KEY] or settings.LANGUAGE_CODE)
            messages.success(request, _("Your language is saved."))
            return redirect("language")
    status = 400 if form.errors else 200
    return render(request, "registration/language.html", {"form": form}, status=status)

"""Admin pages for sites and who works there.

A superuser sets up sites and user accounts. A site administrator (staff, with the
permissions of the `site_admin` group, SITE_ADMIN_PERMISSIONS) manages the
memberships, alert routing and patient-report triage settings of the sites they
administer, and sees nothing of another site: every admin page below narrows its rows
and its choices to those sites (SiteScopedAdmin), so another site's row is absent from
the lists and its change page says it does not exist.

Patients, courses and the dose ledger have no admin pages: they change only
through patients.services, which checks roles and asks why.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from config.admin import HistoryAdmin
from patients.access import administered_sites
from patients.models import ApiToken, Role, Site, SiteMembership, TreatmentCourse
from patients.selectors import has_acted_on_clinical_data
from patients.tokens import revoke_token

# What the `site_admin` group may do in the admin, and nothing more.
SITE_ADMIN_PERMISSIONS = (
    "patients.view_site",
    "patients.view_sitemembership",
    "patients.add_sitemembership",
    "patients.change_sitemembership",
    "patients.delete_sitemembership",
    "notifications.view_siterouting",
    "notifications.add_siterouting",
    "notifications.change_siterouting",
    "notifications.view_courserouting",
    "notifications.add_courserouting",
    "notifications.change_courserouting",
    "notifications.view_route",
    "notifications.add_route",
    "notifications.change_route",
    "notifications.delete_route",
    # Each site's triage settings for patient reports (reports.models.ReportPolicy).
    "reports.view_reportpolicy",
    "reports.add_reportpolicy",
    "reports.change_reportpolicy",
)


def grant_site_admin_permissions() -> Group:
    """The `site_admin` group with exactly SITE_ADMIN_PERMISSIONS (after migrate)."""
    group, _ = Group.objects.get_or_create(name=Role.SITE_ADMIN)
    wanted = Q()
    for name in SITE_ADMIN_PERMISSIONS:
        app_label, codename = name.split(".")
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    permissions = list(Permission.objects.filter(wanted))
    if len(permissions) != len(SITE_ADMIN_PERMISSIONS):
        raise LookupError("Some site administrator permissions do not exist; run migrate.")
    group.permissions.set(permissions)
    return group


class SiteScopedAdmin:
    """Rows and choices limited to the sites the user administers (all for a superuser).

    `site_lookup` leads from the model to its Site ("site", "course__patient__site",
    or "pk" for Site itself).
    """

    site_lookup = "site"

    def _sites(self, request) -> list[int] | None:
        """None: no limit (a superuser)."""
        return None if request.user.is_superuser else administered_sites(request.user)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        sites = self._sites(request)
        if sites is None:
            return queryset
        return queryset.filter(**{f"{self.site_lookup}__in": sites})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        sites = self._sites(request)
        if sites is not None:
            model = db_field.related_model
            if model is Site:
                kwargs["queryset"] = Site.objects.filter(pk__in=sites)
            elif model is TreatmentCourse:
                kwargs["queryset"] = TreatmentCourse.objects.filter(patient__site_id__in=sites)
            elif model is get_user_model():
                # People of these sites, and accounts not yet given any site.
                kwargs["queryset"] = (
                    get_user_model()
                    .objects.filter(Q(memberships__site_id__in=sites) | Q(memberships__isnull=True))
                    .distinct()
                )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _404_unless_in_scope(self, request, object_id) -> None:
        """Another site's row is "not found", on its change, delete and history pages
        alike (simple-history would otherwise show its history from the audit rows)."""
        try:
            found = self.get_queryset(request).filter(pk=unquote(object_id)).exists()
        except (TypeError, ValueError, ValidationError):
            found = False
        if not found:
            raise Http404(_("No such record."))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._404_unless_in_scope(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._404_unless_in_scope(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._404_unless_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._404_unless_in_scope(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_autocomplete_fields(self, request):
        # The user search would list every account of every site.
        return super().get_autocomplete_fields(request) if request.user.is_superuser else ()


@admin.register(Site)
class SiteAdmin(SiteScopedAdmin, HistoryAdmin):
    site_lookup = "pk"
    list_display = ("name", "code", "time_zone", "language")
    search_fields = ("name", "code")

    def has_delete_permission(self, request, obj=None):
        return False  # a site's patients and their records stay where they were treated


@admin.register(SiteMembership)
class SiteMembershipAdmin(SiteScopedAdmin, HistoryAdmin):
    list_display = ("user", "site", "role")
    list_filter = (("site", admin.RelatedOnlyFieldListFilter), "role")
    search_fields = ("user__username", "user__last_name")
    autocomplete_fields = ("user",)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # The role is mirrored as a Django group, as everywhere else memberships are made.
        groups = Group.objects.filter(name__in=Role.values)
        obj.user.groups.remove(*groups.exclude(name=obj.role))
        obj.user.groups.add(Group.objects.get_or_create(name=obj.role)[0])


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Who has which token until when; the token itself is nowhere to be shown.

    Tokens are made with `manage.py create_api_token` (shown once); here they are
    only listed and revoked.
    """

    list_display = ("name", "user", "prefix", "created_at", "expires_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "user__username", "prefix")
    fields = ("name", "user", "prefix", "created_at", "expires_at", "revoked_at")
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Revoke the selected tokens", permissions=["delete"])
    def revoke(self, request, queryset):
        for record in queryset:
            revoke_token(record)


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class ClinicianAdmin(UserAdmin):
    """Someone who has acted on clinical data is deactivated, never deleted: deleting
    them would empty the "who" of every audit row they left."""

    actions = ["deactivate"]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and has_acted_on_clinical_data(obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # bulk delete would skip the check above
        return actions

    @admin.action(description="Deactivate the selected users (they keep their audit trail)")
    def deactivate(self, request, queryset):
        for user in queryset.filter(is_active=True):
            user.is_active = False
            user.save(update_fields=["is_active"])
        self.message_user(request, "Deactivated.", messages.SUCCESS)

"""Admin pages for sites and who works there (the superuser's set-up work).

Patients, courses and the dose ledger have no admin pages: they change only
through patients.services, which checks roles and asks why.
"""

from django.contrib import admin
from django.contrib.auth.models import Group

from config.admin import HistoryAdmin
from patients.models import ApiToken, Role, Site, SiteMembership
from patients.tokens import revoke_token


@admin.register(Site)
class SiteAdmin(HistoryAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")

    def has_delete_permission(self, request, obj=None):
        return False  # a site's patients and their records stay where they were treated


@admin.register(SiteMembership)
class SiteMembershipAdmin(HistoryAdmin):
    list_display = ("user", "site", "role")
    list_filter = ("site", "role")
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

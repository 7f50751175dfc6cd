"""Admin pages for sites and who works there (the superuser's set-up work).

Patients, courses and the dose ledger have no admin pages: they change only
through patients.services, which checks roles and asks why.
"""

from django.contrib import admin
from django.contrib.auth.models import Group

from config.admin import HistoryAdmin
from patients.models import Role, Site, SiteMembership


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

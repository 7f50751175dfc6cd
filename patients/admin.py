"""Admin pages for sites and who works there (the superuser's set-up work).

Patients, courses and the dose ledger have no admin pages: they change only
through patients.services, which checks roles and asks why.
"""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group

from config.admin import HistoryAdmin
from patients.models import Role, Site, SiteMembership
from patients.selectors import has_acted_on_clinical_data

User = get_user_model()


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

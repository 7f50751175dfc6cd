"""Admin pages for alerts and routing.

Alerts are changed only through notifications.services, and the delivery trail
(Delivery, Digest) is the record of who was told what: the admin shows them and
never adds, edits or deletes them. Routing pages are limited to the sites a site
administrator administers (patients.admin.SiteScopedAdmin). No admin page writes
an audit (history) row by hand: history pages show versions, and reverting to one is refused
(SIMPLE_HISTORY_REVERT_DISABLED hides the button; HistoryAdmin refuses the POST).
"""

from django.contrib import admin

from config.admin import HistoryAdmin
from notifications.models import (
    Alert,
    CourseRouting,
    Delivery,
    Digest,
    NotificationPreference,
    Route,
    SiteRouting,
)
from patients.admin import SiteScopedAdmin


class ReadOnlyMixin:
    """The admin shows these rows and never adds, edits or deletes them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Alert)
class AlertAdmin(ReadOnlyMixin, HistoryAdmin):
    list_display = ["id", "kind", "severity", "grade", "course", "created_at", "acknowledged_at"]
    list_filter = ["kind", "severity"]
    readonly_fields = [field.name for field in Alert._meta.fields]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["id", "alert", "address", "channel", "escalation_level", "status", "attempts"]
    list_filter = ["status", "channel"]
    readonly_fields = [field.name for field in Delivery._meta.fields]


@admin.register(Digest)
class DigestAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["id", "recipient", "local_date", "status", "attempts", "sent_at"]
    readonly_fields = [field.name for field in Digest._meta.fields]


@admin.register(SiteRouting)
class SiteRoutingAdmin(SiteScopedAdmin, HistoryAdmin):
    list_display = ["site", "on_call_oncologist", "escalate_after_minutes"]


@admin.register(CourseRouting)
class CourseRoutingAdmin(SiteScopedAdmin, HistoryAdmin):
    site_lookup = "course__patient__site"
    list_display = ["course", "treating_oncologist"]
    raw_id_fields = ["course"]


@admin.register(Route)
class RouteAdmin(SiteScopedAdmin, HistoryAdmin):
    list_display = ["site", "kind", "level", "audience"]
    list_filter = [("site", admin.RelatedOnlyFieldListFilter), "kind"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "digest_time"]

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from notifications.models import (
    Alert,
    CourseRouting,
    Delivery,
    Digest,
    NotificationPreference,
    Route,
    SiteRouting,
)


@admin.register(Alert)
class AlertAdmin(SimpleHistoryAdmin):
    list_display = ["id", "kind", "severity", "grade", "course", "created_at", "acknowledged_at"]
    list_filter = ["kind", "severity"]
    readonly_fields = [field.name for field in Alert._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "alert", "address", "channel", "escalation_level", "status", "attempts"]
    list_filter = ["status", "channel"]
    readonly_fields = [field.name for field in Delivery._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    list_display = ["id", "recipient", "local_date", "status", "attempts", "sent_at"]
    readonly_fields = [field.name for field in Digest._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(SiteRouting)
class SiteRoutingAdmin(SimpleHistoryAdmin):
    list_display = ["site", "on_call_oncologist", "escalate_after_minutes"]


@admin.register(CourseRouting)
class CourseRoutingAdmin(SimpleHistoryAdmin):
    list_display = ["course", "treating_oncologist"]
    raw_id_fields = ["course"]


@admin.register(Route)
class RouteAdmin(SimpleHistoryAdmin):
    list_display = ["site", "kind", "level", "audience"]
    list_filter = ["site", "kind"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "digest_time"]

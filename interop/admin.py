"""The exchange log, read-only: who imported or exported what, and when."""

from django.contrib import admin

from interop.models import ExchangeLog


@admin.register(ExchangeLog)
class ExchangeLogAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "action", "site", "patient", "with_identifiers")
    list_filter = ("action", "site", "with_identifiers")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

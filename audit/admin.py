"""The audit log in the admin: to read only. Nobody adds, changes or deletes an event."""

from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_label", "action", "target", "ip"]
    list_filter = ["action", "at"]
    search_fields = ["actor_label", "target"]
    date_hierarchy = "at"
    fields = ["at", "actor", "actor_label", "action", "target", "details", "ip"]
    readonly_fields = fields
    list_select_related = ["actor"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

from django.contrib import admin

from .models import FollowUp


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ("id", "reason", "customer", "score", "assignee", "status", "opened_at", "due_at")
    list_filter = ("reason", "status")
    search_fields = ("customer__name", "customer__external_id", "notes")
    raw_id_fields = ("customer", "response", "interaction", "assignee")
    # The status and outcome change on the case pages and the API only (``follow_up_progress``),
    # which keep the notes' history and publish ``followup.resolved``.
    readonly_fields = (
        "reason",
        "customer",
        "response",
        "interaction",
        "score",
        "opened_at",
        "status",
        "resolved_at",
        "outcome",
    )
    date_hierarchy = "opened_at"

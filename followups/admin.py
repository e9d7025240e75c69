from django.contrib import admin

from .models import FollowUp


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ("id", "reason", "customer", "score", "assignee", "status", "opened_at", "due_at")
    list_filter = ("reason", "status")
    search_fields = ("customer__name", "customer__external_id", "notes")
    raw_id_fields = ("customer", "response", "interaction", "assignee")
    readonly_fields = ("reason", "customer", "response", "interaction", "score", "opened_at")
    date_hierarchy = "opened_at"

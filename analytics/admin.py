from django.contrib import admin

from infra.admin_json import SafeJSONAdmin

from .models import (
    FollowUp,
    JourneyScore,
    RollupBucket,
    StaleMark,
    WebhookEndpoint,
    WebhookMessage,
    WorkerHeartbeat,
)
from .services import webhooks


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ("name", "seen_at", "worker")
    readonly_fields = ("name", "seen_at", "worker")


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ("id", "reason", "customer", "score", "assignee", "status", "opened_at", "due_at")
    list_filter = ("reason", "status")
    search_fields = ("customer__name", "customer__external_id", "notes")
    raw_id_fields = ("customer", "response", "interaction", "assignee")
    readonly_fields = ("reason", "customer", "response", "interaction", "score", "opened_at")
    date_hierarchy = "opened_at"


class ComputedAdmin(admin.ModelAdmin):
    """Computed by the workers: shown for inspection, never edited by hand."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(JourneyScore)
class JourneyScoreAdmin(ComputedAdmin):
    list_display = ("journey", "day", "moments", "peak", "end", "peak_end", "mean", "gap", "floor_breaches")
    list_filter = ("journey_map",)
    date_hierarchy = "day"


@admin.register(RollupBucket)
class RollupBucketAdmin(ComputedAdmin):
    list_display = ("kind", "day", "refreshed_at", "rows")
    list_filter = ("kind",)
    date_hierarchy = "day"


@admin.register(StaleMark)
class StaleMarkAdmin(ComputedAdmin):
    list_display = ("kind", "day", "journey_id", "marked_at")
    list_filter = ("kind",)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(SafeJSONAdmin, admin.ModelAdmin):
    """Endpoints are created through the API (which validates the URL and hands out the secret once);
    here they are inspected, described and switched back on. The secret is never shown."""

    list_display = ("id", "url", "events", "active", "consecutive_failures", "disabled_at", "created_at")
    list_filter = ("active",)
    search_fields = ("url", "description")
    exclude = ("secret",)
    readonly_fields = (
        "url",
        "events",
        "active",
        "disabled_at",
        "disabled_reason",
        "consecutive_failures",
        "created_at",
    )
    actions = ("enable",)

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Enable the selected endpoints again")
    def enable(self, request, queryset) -> None:
        for endpoint in queryset:
            webhooks.webhook_endpoint_enable(endpoint=endpoint)


@admin.register(WebhookMessage)
class WebhookMessageAdmin(ComputedAdmin):
    list_display = (
        "public_id",
        "event_type",
        "endpoint",
        "status",
        "attempts",
        "next_attempt_at",
        "last_status_code",
        "created_at",
    )
    list_filter = ("status", "event_type")
    search_fields = ("public_id",)
    list_select_related = ("endpoint",)
    date_hierarchy = "created_at"

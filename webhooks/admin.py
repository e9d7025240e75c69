from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from infra.admin_bases import ComputedAdmin
from infra.admin_json import SafeJSONAdmin

from . import services
from .models import WebhookEndpoint, WebhookMessage


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

    @admin.action(description=_("Enable the selected endpoints again"))
    def enable(self, request, queryset) -> None:
        for endpoint in queryset:
            services.webhook_endpoint_enable(endpoint=endpoint)


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

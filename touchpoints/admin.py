from django.contrib import admin

from infra.admin_json import SafeJSONAdmin

from .models import Customer, Interaction, Touchpoint
from .phones import phone_e164_or_none


@admin.register(Customer)
class CustomerAdmin(SafeJSONAdmin, admin.ModelAdmin):
    list_display = (
        "name",
        "external_id",
        "email",
        "segment",
        "value_tier",
        "locale",
        "email_opt_out",
        "created_at",
    )
    list_filter = ("segment", "value_tier", "locale", "email_opt_out")
    search_fields = ("name", "external_id", "email", "phone")
    readonly_fields = ("created_at", "updated_at", "email_opt_out_at")
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        """A phone number in any form finds its customer, stored in E.164, as the workspace does."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if e164 := phone_e164_or_none(search_term):
            results |= queryset.filter(phone=e164)
        return results, may_have_duplicates


@admin.register(Touchpoint)
class TouchpointAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "code",
        "stage",
        "channel",
        "floor_score",
        "measure_name",
        "active",
    )
    list_filter = ("stage", "channel", "active")
    search_fields = ("name", "code", "description")
    readonly_fields = ("created_at", "updated_at")
    prepopulated_fields = {"code": ("name",)}


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):
    list_display = (
        "occurred_at",
        "customer",
        "touchpoint",
        "channel",
        "outcome",
        "experience_score",
        "agent",
        "source",
    )
    list_filter = ("touchpoint__stage", "channel", "source", "outcome", "touchpoint")
    search_fields = (
        "customer__name",
        "customer__external_id",
        "external_id",
        "notes",
        "category",
    )
    date_hierarchy = "occurred_at"
    list_select_related = ("customer", "touchpoint", "agent")
    raw_id_fields = ("customer", "journey", "agent")
    readonly_fields = ("created_at",)
    show_full_result_count = False

from django.contrib import admin

from .models import Journey, JourneyMap, JourneyMapStep


class JourneyMapStepInline(admin.TabularInline):
    model = JourneyMapStep
    extra = 0
    ordering = ("position",)


@admin.register(JourneyMap)
class JourneyMapAdmin(admin.ModelAdmin):
    list_display = ("name", "active", "updated_at")
    list_filter = ("active",)
    search_fields = ("name", "description")
    readonly_fields = ("created_at", "updated_at")
    inlines = [JourneyMapStepInline]


@admin.register(Journey)
class JourneyAdmin(admin.ModelAdmin):
    list_display = ("id", "customer", "journey_map", "status", "started_at", "ended_at")
    list_filter = ("journey_map", "status")
    search_fields = ("customer__name", "customer__external_id")
    date_hierarchy = "started_at"
    list_select_related = ("customer", "journey_map")
    raw_id_fields = ("customer",)
    readonly_fields = ("created_at", "updated_at")
    show_full_result_count = False

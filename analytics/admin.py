from django.contrib import admin

from infra.admin_bases import ComputedAdmin

from .models import (
    JourneyScore,
    RollupBucket,
    StaleMark,
    WorkerHeartbeat,
)


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ("name", "seen_at", "worker")
    readonly_fields = ("name", "seen_at", "worker")


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

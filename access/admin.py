from django.contrib import admin

from access.models import StaffPreference


@admin.register(StaffPreference)
class StaffPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "language", "updated_at")
    list_filter = ("language",)
    search_fields = ("user__username", "user__email")
    raw_id_fields = ("user",)

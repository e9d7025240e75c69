"""Admin base classes shared by the apps."""

from django.contrib import admin


class ComputedAdmin(admin.ModelAdmin):
    """Computed by the workers: shown for inspection, never edited by hand."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

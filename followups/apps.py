from django.apps import AppConfig


class FollowupsConfig(AppConfig):
    name = "followups"
    verbose_name = "Follow-up cases"
    default_auto_field = "django.db.models.BigAutoField"

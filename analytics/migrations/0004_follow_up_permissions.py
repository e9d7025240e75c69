"""Grant the follow-up case rights: managers everything, agents to see and work cases."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MANAGER = (
    "view_followup",
    "add_followup",
    "change_followup",
    "delete_followup",
    "view_responserollup",
    "view_interactionrollup",
    "view_journeyscore",
)
AGENT = ("view_followup", "change_followup", "view_journeyscore")


def grant(apps, schema_editor):
    app_config = apps.get_app_config("analytics")
    # The migration state's app config has no models module; create_permissions needs one.
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in (("CX manager", MANAGER), ("Agent", AGENT)):
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="analytics", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=["CX manager", "Agent"]):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="analytics", codename__in=MANAGER)
        )


class Migration(migrations.Migration):
    dependencies = [("analytics", "0003_rollups_journey_scores_follow_ups")]

    operations = [migrations.RunPython(grant, revoke)]

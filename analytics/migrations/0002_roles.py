"""Create the two staff roles, "CX manager" and "Agent", with their permissions.

The permission lists are frozen here, as a migration must be; a later feature
that adds models or rights extends them in a migration of its own.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

APPS = ("touchpoints", "journeys", "surveys", "analytics")

# Everything on the domain models.
MANAGER_MODELS = {
    "touchpoints": ("customer", "touchpoint", "interaction"),
    "journeys": ("journeymap", "journeymapstep", "journey"),
    "surveys": ("survey", "question", "invitation", "response", "answer"),
}
MANAGER_EXTRA = (("analytics", "view_workerheartbeat"),)

# Agents look customers up, keep their details current and log interactions.
AGENT_PERMISSIONS = (
    ("touchpoints", "view_customer"),
    ("touchpoints", "add_customer"),
    ("touchpoints", "change_customer"),
    ("touchpoints", "view_touchpoint"),
    ("touchpoints", "view_interaction"),
    ("touchpoints", "add_interaction"),
    ("journeys", "view_journeymap"),
    ("journeys", "view_journey"),
    ("surveys", "view_survey"),
    ("surveys", "view_invitation"),
    ("surveys", "view_response"),
    ("surveys", "view_answer"),
)


def manager_permissions():
    for app_label, models in MANAGER_MODELS.items():
        for model in models:
            for action in ("view", "add", "change", "delete"):
                yield app_label, f"{action}_{model}"
    yield from MANAGER_EXTRA


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations ran; create them now.
    for label in APPS:
        app_config = apps.get_app_config(label)
        # The migration state's app config has no models module; create_permissions needs one.
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def grant(group_name, pairs):
        group, _ = Group.objects.get_or_create(name=group_name)
        for app_label, codename in pairs:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )

    grant("CX manager", manager_permissions())
    grant("Agent", AGENT_PERMISSIONS)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["CX manager", "Agent"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0001_worker_heartbeat"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("touchpoints", "0001_initial"),
        ("journeys", "0002_journey_links"),
        ("surveys", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]

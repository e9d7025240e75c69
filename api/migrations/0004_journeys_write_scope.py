"""The new ``journeys:write`` scope goes to every key that held every scope before it existed (keys
created with every scope keep holding every scope); other keys are left as they were: starting,
feeding and ending journeys is a new power, given on purpose. Reversed, the scope leaves every key."""

from django.db import migrations

SCOPE = "journeys:write"
# Every scope there was before this migration.
BEFORE = {
    "customers:read",
    "customers:write",
    "interactions:write",
    "surveys:read",
    "invitations:write",
    "invitations:read",
    "responses:read",
    "metrics:read",
    "followups:read",
    "followups:write",
    "webhooks:manage",
    "exports:read",
}


def grant(apps, schema_editor):
    ApiKey = apps.get_model("api", "ApiKey")
    for api_key in ApiKey.objects.only("id", "scopes").iterator():
        scopes = list(api_key.scopes or [])
        if set(scopes) >= BEFORE and SCOPE not in scopes:
            scopes.insert(scopes.index("interactions:write") + 1, SCOPE)
            ApiKey.objects.filter(id=api_key.id).update(scopes=scopes)


def revoke(apps, schema_editor):
    ApiKey = apps.get_model("api", "ApiKey")
    for api_key in ApiKey.objects.only("id", "scopes").iterator():
        scopes = list(api_key.scopes or [])
        if SCOPE in scopes:
            ApiKey.objects.filter(id=api_key.id).update(scopes=[scope for scope in scopes if scope != SCOPE])


class Migration(migrations.Migration):
    dependencies = [("api", "0003_translatable_labels")]

    operations = [migrations.RunPython(grant, revoke)]

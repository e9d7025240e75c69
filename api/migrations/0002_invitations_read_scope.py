"""The new ``invitations:read`` scope goes to every key that holds ``invitations:write``: a system
that invites customers may read back what became of its invitations (keys created with every scope
hold it too, so they keep holding every scope). Reversed, the scope leaves every key."""

from django.db import migrations

READ, WRITE = "invitations:read", "invitations:write"


def grant(apps, schema_editor):
    ApiKey = apps.get_model("api", "ApiKey")
    for api_key in ApiKey.objects.only("id", "scopes").iterator():
        scopes = list(api_key.scopes or [])
        if WRITE in scopes and READ not in scopes:
            scopes.insert(scopes.index(WRITE) + 1, READ)
            ApiKey.objects.filter(id=api_key.id).update(scopes=scopes)


def revoke(apps, schema_editor):
    ApiKey = apps.get_model("api", "ApiKey")
    for api_key in ApiKey.objects.only("id", "scopes").iterator():
        scopes = list(api_key.scopes or [])
        if READ in scopes:
            ApiKey.objects.filter(id=api_key.id).update(scopes=[scope for scope in scopes if scope != READ])


class Migration(migrations.Migration):
    dependencies = [("api", "0001_api_keys_idempotency")]

    operations = [migrations.RunPython(grant, revoke)]

"""Migration operations shared by the apps."""

from django.db import migrations


class RunSQLOnPostgreSQL(migrations.RunSQL):
    """RunSQL that runs only when the database is PostgreSQL, and is a no-op elsewhere."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def content_types_moved(*, old_app: str, new_app: str, models: tuple[str, ...]) -> migrations.RunPython:
    """Re-label the content types of ``models`` from ``old_app`` to ``new_app`` (and back on reverse).

    A model moved between apps keeps its table (``db_table``) and its rows; re-labelling its content
    type keeps its permissions, the groups that hold them and the admin's history pointing at it,
    instead of leaving them on a stale type while a fresh, unpermitted one is created.
    """

    def relabel(apps, from_app: str, to_app: str) -> None:
        ContentType = apps.get_model("contenttypes", "ContentType")
        for model in models:
            if not ContentType.objects.filter(app_label=to_app, model=model).exists():
                ContentType.objects.filter(app_label=from_app, model=model).update(app_label=to_app)

    return migrations.RunPython(
        lambda apps, schema_editor: relabel(apps, old_app, new_app),
        lambda apps, schema_editor: relabel(apps, new_app, old_app),
    )

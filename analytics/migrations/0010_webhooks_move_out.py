"""The webhook models now belong to the webhooks app (``webhooks/0001_move_from_analytics``): drop them
from this app's state only; the tables and rows stay where they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0009_driver_segment_rollup"),
        ("webhooks", "0001_move_from_analytics"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="webhookmessage", name="endpoint"),
                migrations.DeleteModel(name="WebhookEndpoint"),
                migrations.DeleteModel(name="WebhookMessage"),
            ],
            database_operations=[],
        )
    ]

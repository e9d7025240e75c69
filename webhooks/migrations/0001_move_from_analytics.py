"""The webhook tables move from the analytics app to their own: state only, the tables stay.

The tables keep their names (``db_table``), rows and indexes; the content types are re-labelled so
permissions follow. Paired with ``analytics/0010_webhooks_move_out``, which drops the models from
the analytics app's state once this one has taken them.
"""

import django.db.models.deletion
from django.db import migrations, models

import webhooks.models
from infra.migration_ops import content_types_moved


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("analytics", "0009_driver_segment_rollup"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    state_operations = [
        migrations.CreateModel(
            name="WebhookEndpoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("url", models.URLField(max_length=2000)),
                ("events", models.JSONField(default=list, help_text='Event types, e.g. ["response.created"].')),
                ("description", models.CharField(blank=True, max_length=200)),
                (
                    "secret",
                    models.CharField(editable=False, help_text="whsec_<base64 of 32 random bytes>", max_length=100),
                ),
                ("active", models.BooleanField(default=True)),
                ("disabled_at", models.DateTimeField(blank=True, null=True)),
                ("disabled_reason", models.CharField(blank=True, max_length=500)),
                (
                    "consecutive_failures",
                    models.PositiveIntegerField(
                        default=0, help_text="Failed delivery attempts since the last successful one."
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "db_table": "analytics_webhookendpoint",
                "ordering": ["id"],
                "indexes": [models.Index(fields=["active"], name="webhook_endpoint_active_idx")],
            },
        ),
        migrations.CreateModel(
            name="WebhookMessage",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "public_id",
                    models.CharField(
                        default=webhooks.models.webhook_message_id_new, editable=False, max_length=40, unique=True
                    ),
                ),
                (
                    "event_type",
                    models.CharField(
                        choices=[
                            ("response.created", "A survey response was submitted"),
                            ("response.detractor", "A response scored NPS 0–6"),
                            ("followup.created", "A follow-up case was opened"),
                            ("followup.resolved", "A follow-up case was resolved"),
                            ("invitation.bounced", "A survey invitation bounced"),
                        ],
                        max_length=40,
                    ),
                ),
                ("body", models.TextField(help_text='The signed JSON body: {"type", "timestamp", "data"}.')),
                ("created_at", models.DateTimeField()),
                (
                    "status",
                    models.CharField(
                        choices=[("pending", "Pending"), ("delivered", "Delivered"), ("failed", "Failed")],
                        default="pending",
                        max_length=10,
                    ),
                ),
                ("attempts", models.PositiveSmallIntegerField(default=0)),
                ("next_attempt_at", models.DateTimeField(blank=True, help_text="Pending only: when it is due.", null=True)),
                (
                    "enqueued_at",
                    models.DateTimeField(
                        blank=True, help_text="When a delivery task was last enqueued (the sweeper's lease).", null=True
                    ),
                ),
                ("last_attempt_at", models.DateTimeField(blank=True, null=True)),
                ("delivered_at", models.DateTimeField(blank=True, null=True)),
                ("last_status_code", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("last_error", models.CharField(blank=True, max_length=500)),
                (
                    "endpoint",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="messages",
                        to="webhooks.webhookendpoint",
                    ),
                ),
            ],
            options={
                "db_table": "analytics_webhookmessage",
                "ordering": ["-created_at", "-id"],
                "indexes": [
                    models.Index(fields=["status", "next_attempt_at"], name="webhook_message_due_idx"),
                    models.Index(fields=["endpoint", "status", "delivered_at"], name="webhook_message_endpoint_idx"),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["pending", "delivered", "failed"])),
                        name="webhook_message_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status", "pending"), _negated=True),
                            ("next_attempt_at__isnull", False),
                            _connector="OR",
                        ),
                        name="webhook_message_pending_has_due_time",
                    ),
                ],
            },
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations, database_operations=[]),
        content_types_moved(old_app="analytics", new_app="webhooks", models=("webhookendpoint", "webhookmessage")),
    ]

"""`invitation.suppressed` joins the choices of `WebhookMessage.event_type` (state only: no SQL)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0001_move_from_analytics"),
    ]

    operations = [
        migrations.AlterField(
            model_name="webhookmessage",
            name="event_type",
            field=models.CharField(
                choices=[
                    ("response.created", "A survey response was submitted"),
                    ("response.detractor", "A response scored NPS 0–6"),
                    ("followup.created", "A follow-up case was opened"),
                    ("followup.resolved", "A follow-up case was resolved"),
                    ("invitation.bounced", "A survey invitation bounced"),
                    ("invitation.suppressed", "A survey invitation was suppressed (never emailed)"),
                ],
                max_length=40,
            ),
        ),
    ]

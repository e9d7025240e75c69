"""Follow-up cases now belong to the followups app (``followups/0001_move_from_analytics``): drop the model
from this app's state only; the table and its rows stay."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('analytics', '0010_webhooks_move_out'),
        ('followups', '0001_move_from_analytics'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='FollowUp')], database_operations=[]
        )
    ]

"""Follow-up cases move from the analytics app to their own: state only, the table stays.

The table keeps its name (``db_table``), rows, indexes and constraints; the content type is re-labelled so
the case permissions (and the roles holding them) follow. Paired with ``analytics/0011_follow_ups_move_out``.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from infra.migration_ops import content_types_moved


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('analytics', '0010_webhooks_move_out'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('surveys', '0006_answer_text_trigram'),
        ('touchpoints', '0003_customer_search_trigram'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    state_operations = [
        migrations.CreateModel(
            name='FollowUp',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.CharField(choices=[('detractor', 'Detractor response'), ('floor_breach', 'Floor breach')], max_length=16)),
                ('score', models.FloatField(help_text='The score that opened the case (NPS 0–6, or the breaching experience).')),
                ('status', models.CharField(choices=[('open', 'Open'), ('in_progress', 'In progress'), ('contacted', 'Contacted'), ('resolved', 'Resolved')], default='open', max_length=16)),
                ('opened_at', models.DateTimeField()),
                ('due_at', models.DateTimeField()),
                ('resolved_at', models.DateTimeField(blank=True, null=True)),
                ('notes', models.TextField(blank=True)),
                ('outcome', models.CharField(blank=True, max_length=200)),
                ('assignee', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='follow_ups', to=settings.AUTH_USER_MODEL)),
                ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='follow_ups', to='touchpoints.customer')),
                ('interaction', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='follow_up', to='touchpoints.interaction')),
                ('response', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='follow_up', to='surveys.response')),
            ],
            options={
                'db_table': 'analytics_followup',
                'ordering': ['due_at', 'id'],
                'indexes': [models.Index(fields=['status', 'due_at'], name='follow_up_status_due_idx'), models.Index(fields=['assignee', 'status'], name='follow_up_assignee_idx'), models.Index(fields=['customer', 'opened_at'], name='follow_up_customer_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('reason', 'detractor'), ('response__isnull', False)), models.Q(('reason', 'floor_breach'), ('interaction__isnull', False)), _connector='OR'), name='follow_up_source_matches_reason'), models.CheckConstraint(condition=models.Q(('status__in', ['open', 'in_progress', 'contacted', 'resolved'])), name='follow_up_status_valid'), models.CheckConstraint(condition=models.Q(('due_at__gte', models.F('opened_at'))), name='follow_up_due_after_open')],
            },
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations, database_operations=[]),
        content_types_moved(old_app="analytics", new_app="followups", models=("followup",)),
    ]

"""A database laid out before webhooks and follow-up cases left the analytics app keeps every row.

The moves are state-only (``SeparateDatabaseAndState``, ``db_table`` kept): migrating an existing
database forward renames nothing and copies nothing, and the content types are re-labelled so the
roles' permissions on follow-up cases still apply.
"""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from followups.models import FollowUp
from webhooks.models import WebhookEndpoint, WebhookMessage

BEFORE = [("analytics", "0009_driver_segment_rollup")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_rows_written_under_the_old_layout_are_there_after_the_move():
    old = _migrate(BEFORE)
    customer = old.get_model("touchpoints", "Customer").objects.create(external_id="moved-1", name="Ada")
    interaction = old.get_model("touchpoints", "Interaction").objects.create(
        customer=customer,
        touchpoint=old.get_model("touchpoints", "Touchpoint").objects.create(
            code="moved-tp", name="Moved", stage="post_sale", channel="phone"
        ),
        channel="phone",
        occurred_at=timezone.now(),
        experience_score=1,
    )
    now = timezone.now()
    case = old.get_model("analytics", "FollowUp").objects.create(
        reason="floor_breach", customer=customer, interaction=interaction, score=1, opened_at=now, due_at=now
    )
    endpoint = old.get_model("analytics", "WebhookEndpoint").objects.create(
        url="https://crm.example.com/hook", events=["followup.created"], secret="whsec_x"
    )
    old.get_model("analytics", "WebhookMessage").objects.create(
        endpoint=endpoint, event_type="followup.created", body="{}", created_at=now, next_attempt_at=now
    )
    old_type = old.get_model("contenttypes", "ContentType").objects.get(
        app_label="analytics", model="followup"
    )

    executor = MigrationExecutor(connection)
    _migrate(executor.loader.graph.leaf_nodes())

    assert FollowUp.objects.get(id=case.id).interaction_id == interaction.id
    assert WebhookEndpoint.objects.get(id=endpoint.id).url == "https://crm.example.com/hook"
    assert WebhookMessage.objects.filter(endpoint_id=endpoint.id).count() == 1
    moved_type = ContentType.objects.get(app_label="followups", model="followup")
    assert moved_type.id == old_type.id  # the same row, so its permissions and their holders followed
    assert not ContentType.objects.filter(app_label="analytics", model="followup").exists()
    ContentType.objects.clear_cache()

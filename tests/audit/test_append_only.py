"""Audit events are written once: the model refuses changes, and so does PostgreSQL itself."""

import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import AuditAction, AuditEvent, AuditLogAppendOnly
from audit.services import audit_record
from tests.conftest import skip_or_fail
from tests.factories import UserFactory

TABLE = AuditEvent._meta.db_table


@pytest.fixture
def event(db):
    return audit_record(action=AuditAction.EXPORT, actor=UserFactory(username="erin"), target="customers.csv")


@pytest.fixture
def on_postgresql():
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL for the append-only trigger: set DATABASE_URL=postgres://…")


def test_saving_a_stored_event_again_is_refused(event):
    event.target = "something else"
    with pytest.raises(AuditLogAppendOnly):
        event.save()
    assert AuditEvent.objects.get().target == "customers.csv"


def test_deleting_an_event_is_refused(event):
    with pytest.raises(AuditLogAppendOnly):
        event.delete()
    assert AuditEvent.objects.count() == 1


def test_queryset_updates_and_deletes_are_refused(event):
    with pytest.raises(AuditLogAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(target="x")
    with pytest.raises(AuditLogAppendOnly):
        AuditEvent.objects.all().delete()
    with pytest.raises(AuditLogAppendOnly):
        AuditEvent.objects.bulk_update([event], ["target"])
    assert AuditEvent.objects.get().target == "customers.csv"


def test_postgresql_refuses_an_update_from_any_client(event, on_postgresql):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"UPDATE {TABLE} SET target = 'forged' WHERE id = %s", [event.pk])  # noqa: S608
    assert AuditEvent.objects.get().target == "customers.csv"


def test_postgresql_refuses_a_delete_from_any_client(event, on_postgresql):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608
    assert AuditEvent.objects.count() == 1


def test_postgresql_refuses_clearing_the_actor_together_with_another_change(event, on_postgresql):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"UPDATE {TABLE} SET actor_id = NULL, actor_label = '' WHERE id = %s", [event.pk])  # noqa: S608
    assert AuditEvent.objects.get().actor_label == "erin"


def test_deleting_the_user_keeps_the_event_and_the_name(event):
    """The one change allowed, on PostgreSQL too: on_delete=SET_NULL of the actor."""
    event.actor.delete()
    kept = AuditEvent.objects.get()
    assert kept.actor is None
    assert (kept.actor_label, kept.action, kept.target) == ("erin", AuditAction.EXPORT, "customers.csv")

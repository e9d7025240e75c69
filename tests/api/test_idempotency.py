"""Idempotency-Key on POST: replay, 422 for another body, 409 while running, 24 h per API key."""

import threading
from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections
from django.utils import timezone
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from api.idempotency import request_fingerprint
from api.models import IdempotencyRecord
from tests.conftest import skip_or_fail
from tests.factories import TouchpointFactory
from touchpoints.models import Customer, Interaction
from touchpoints.services.customers import customer_create

from .conftest import assert_error, client_with

pytestmark = pytest.mark.django_db

BODY = {"external_id": "C-1", "name": "Ada"}


def post(client, key: str, body=BODY, url="/api/v1/customers/"):
    return client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_same_key_and_body_replays_the_first_answer(api):
    first = post(api, "k-1")
    again = post(api, "k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Customer.objects.count() == 1


def test_a_replayed_bulk_does_not_run_again(api):
    TouchpointFactory(code="delivery")
    post(api, "c", {"external_id": "C-1", "name": "Ada"})
    bulk = {
        "items": [{"customer": "C-1", "touchpoint": "delivery"}]
    }  # no external_id: would be created twice
    first = post(api, "bulk-1", bulk, "/api/v1/interactions/bulk/")
    again = post(api, "bulk-1", bulk, "/api/v1/interactions/bulk/")
    assert again.json() == first.json() and Interaction.objects.count() == 1


def test_same_key_with_another_body_is_422(api):
    post(api, "k-1")
    response = post(api, "k-1", {"external_id": "C-2", "name": "Bob"})
    assert_error(response, 422, "idempotency_key_reused", None)
    assert not Customer.objects.filter(external_id="C-2").exists()


def test_same_key_on_another_path_is_422(api):
    post(api, "k-1")
    assert_error(post(api, "k-1", BODY, "/api/v1/customers/bulk/"), 422, "idempotency_key_reused")


def _claim(api_key, key: str = "k-1", body=BODY, url="/api/v1/customers/") -> IdempotencyRecord:
    """A committed ``in_progress`` claim of ``key`` for ``body``, as a request that began makes it."""
    request = APIRequestFactory().post(url, body, format="json")
    request_hash = request_fingerprint(Request(request, parsers=[JSONParser()]))
    return IdempotencyRecord.objects.create(
        api_key=api_key, key=key, request_hash=request_hash, created_at=timezone.now()
    )


@pytest.fixture
def row_locks():
    """The claim's holder is known by its row lock: PostgreSQL (``SELECT … FOR UPDATE SKIP LOCKED``)."""
    if not connection.features.has_select_for_update_skip_locked:
        skip_or_fail("needs row locks (SKIP LOCKED): set DATABASE_URL=postgres://…")


@pytest.fixture
def no_row_locks():
    if connection.features.has_select_for_update_skip_locked:
        pytest.skip("the fallback for databases without row locks (SQLite)")


@pytest.mark.django_db(transaction=True)
def test_same_key_while_the_first_still_runs_is_409(api, api_key, row_locks):
    """A second request with the key, sent (from another connection) while the first one runs."""
    second = {}

    def create_while_a_retry_arrives(**kwargs):
        def retry():
            try:
                second["response"] = post(client_with(api_key[1]), "k-1")
            finally:
                connections.close_all()

        thread = threading.Thread(target=retry)
        thread.start()
        thread.join(timeout=30)
        return customer_create(**kwargs)

    with mock.patch("touchpoints.api.customers.customer_create", side_effect=create_while_a_retry_arrives):
        first = post(api, "k-1")
    assert first.status_code == 201
    assert_error(second["response"], 409, "idempotency_in_progress", None)
    assert Customer.objects.count() == 1
    assert post(api, "k-1")["Idempotent-Replayed"] == "true"


@pytest.mark.django_db(transaction=True)
def test_a_claim_whose_holder_still_holds_its_lock_is_409(api, api_key, row_locks):
    record = _claim(api_key[0])
    holder = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        holder.set_autocommit(False)
        with holder.cursor() as cursor:
            cursor.execute("SELECT id FROM api_idempotencyrecord WHERE id = %s FOR UPDATE", [record.id])
        assert_error(post(api, "k-1"), 409, "idempotency_in_progress", None)
    finally:
        holder.rollback()
        holder.close()
    assert not Customer.objects.exists()
    assert post(api, "k-1").status_code == 201  # the holder has ended: the key is free at once


def test_a_claim_whose_holder_has_ended_is_taken_over_at_once(api, api_key, row_locks):
    """Its request died or lost the database before it could release the key: no 5 minutes' wait."""
    _claim(api_key[0])
    response = post(api, "k-1")
    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    assert IdempotencyRecord.objects.get().state == IdempotencyRecord.State.DONE


def test_without_row_locks_a_fresh_claim_counts_as_running(api, api_key, no_row_locks):
    _claim(api_key[0])
    assert_error(post(api, "k-1"), 409, "idempotency_in_progress", None)
    assert not Customer.objects.exists()


def _outage(**kwargs):
    raise OperationalError("server closed the connection unexpectedly")


def test_a_request_that_lost_the_database_leaves_its_key_free(api):
    with mock.patch("touchpoints.api.customers.customer_create", side_effect=_outage):
        response = post(api, "k-1")
    assert_error(response, 503, "service_unavailable", None)
    assert response["Retry-After"] == "30"
    assert not IdempotencyRecord.objects.exists()
    again = post(api, "k-1")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert Customer.objects.count() == 1


def test_the_key_is_free_after_an_outage_even_when_it_could_not_be_released(api, row_locks):
    """PostgreSQL is down: the write fails, and so does deleting the claim. The retry must run."""
    down = OperationalError("connection to server failed: Connection refused")
    with (
        mock.patch("touchpoints.api.customers.customer_create", side_effect=_outage),
        mock.patch("api.idempotency.idempotency_release", side_effect=down),
    ):
        response = post(api, "k-1")
    assert_error(response, 503, "service_unavailable", None)
    assert IdempotencyRecord.objects.get().state == IdempotencyRecord.State.IN_PROGRESS  # left behind
    again = post(api, "k-1")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert Customer.objects.count() == 1
    assert post(api, "k-1")["Idempotent-Replayed"] == "true"


def test_a_request_that_hit_a_bug_leaves_its_key_free(api):
    with mock.patch("touchpoints.api.customers.customer_create", side_effect=ValueError("a bug")):
        response = post(api, "k-1")
    assert_error(response, 500, "server_error", None)
    assert not IdempotencyRecord.objects.exists()
    assert post(api, "k-1").status_code == 201


def test_a_claim_abandoned_past_the_lock_time_is_taken_over(api, api_key, settings):
    settings.API_IDEMPOTENCY_LOCK_SECONDS = 60
    first = post(api, "k-1")
    IdempotencyRecord.objects.update(
        state="in_progress", status_code=None, body=None, created_at=timezone.now() - timedelta(minutes=5)
    )
    Customer.objects.all().delete()
    again = post(api, "k-1")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert first.json()["external_id"] == again.json()["external_id"]


def test_keys_are_per_api_key(api, make_key):
    other = client_with(make_key(name="other")[1])
    assert post(api, "shared").status_code == 201
    assert_error(post(other, "shared"), 400, "unique", "external_id")  # ran, not replayed


def test_a_failed_request_releases_its_key(api):
    assert post(api, "k-1", {"external_id": "C-1"}).status_code == 400
    assert not IdempotencyRecord.objects.exists()
    assert post(api, "k-1", BODY).status_code == 201


def test_a_record_older_than_24_hours_is_forgotten(api, api_key):
    post(api, "k-1")
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
    response = post(api, "k-1", {"external_id": "C-2", "name": "Bob"})
    assert response.status_code == 201 and IdempotencyRecord.objects.count() == 1


def test_records_are_kept_at_least_24_hours(api):
    post(api, "k-1")
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=23, minutes=59))
    assert post(api, "k-1")["Idempotent-Replayed"] == "true"


@pytest.mark.parametrize("key", ["", " ", "x" * 256])
def test_an_invalid_key_is_400(api, key):
    assert_error(post(api, key), 400, field="Idempotency-Key")


def test_requests_without_the_header_are_not_recorded(api):
    api.post("/api/v1/customers/", BODY, format="json")
    assert not IdempotencyRecord.objects.exists()


def test_purge_command_deletes_expired_records(api):
    post(api, "old")
    post(api, "new", {"external_id": "C-2", "name": "Bob"})
    IdempotencyRecord.objects.filter(key="old").update(created_at=timezone.now() - timedelta(days=2))
    out = StringIO()
    call_command("purge_idempotency_keys", stdout=out)
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
    assert "Deleted 1" in out.getvalue()

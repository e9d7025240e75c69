"""No cache keeps an API answer: every call with an API key is ``private, no-store``, errors too.

The schema and its docs are public (no key, no personal data) and keep ordinary caching.
"""

from unittest import mock

import pytest
from django.db import OperationalError
from django.utils.cache import has_vary_header

from .conftest import client_with
from .endpoints import ENDPOINTS, endpoint_id

pytestmark = pytest.mark.django_db


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def assert_private(response, label: str = "") -> None:
    assert {"private", "no-store"} <= cache_control(response), (label, response.get("Cache-Control"))
    assert has_vary_header(response, "Authorization"), (label, response.get("Vary"))


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=endpoint_id)
def test_every_call_with_a_key_is_private_and_never_stored(api, endpoint):
    method, path, _scope = endpoint
    response = getattr(api, method)(path, {}, format="json")
    assert response.status_code < 500, response.status_code
    assert_private(response, f"{method} {path} {response.status_code}")


def test_a_found_record_and_a_created_one_are_private(api):
    created = api.post("/api/v1/customers/", {"external_id": "C-1", "name": "Ada"}, format="json")
    assert created.status_code == 201
    assert_private(created)
    found = api.get("/api/v1/customers/C-1/")
    assert found.status_code == 200 and found.json()["name"] == "Ada"
    assert_private(found)


def test_a_replayed_answer_is_private(api):
    body = {"external_id": "C-1", "name": "Ada"}
    api.post("/api/v1/customers/", body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    replay = api.post("/api/v1/customers/", body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert replay["Idempotent-Replayed"] == "true"
    assert_private(replay)


def test_a_rejected_key_and_an_unknown_path_are_private(api):
    rejected = client_with("cem_not_a_key").get("/api/v1/customers/")
    assert rejected.status_code == 401
    assert_private(rejected, "401")
    unknown = api.get("/api/v1/nowhere/")
    assert unknown.status_code == 404
    assert_private(unknown, "404")


def test_a_missing_scope_a_bad_input_and_a_wrong_method_are_private(scoped, api):
    assert_private(scoped("surveys:read").get("/api/v1/customers/"), "403")
    bad = api.post("/api/v1/customers/", {"external_id": ""}, format="json")
    assert bad.status_code == 400
    assert_private(bad, "400")
    wrong = api.put("/api/v1/customers/", {}, format="json")
    assert wrong.status_code == 405
    assert_private(wrong, "405")


def test_an_outage_answer_is_private(api):
    down = OperationalError("server closed the connection unexpectedly")
    with mock.patch("touchpoints.api.customers.customer_create", side_effect=down):
        response = api.post("/api/v1/customers/", {"external_id": "C-1", "name": "Ada"}, format="json")
    assert response.status_code == 503
    assert_private(response)


@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/"])
def test_the_public_schema_and_docs_keep_ordinary_caching(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "no-store" not in cache_control(response)

"""/webhooks/: subscribe (secret shown once), list, delete; refused URLs and events are 400."""

import socket

import pytest

from webhooks.models import WebhookEndpoint

from .conftest import assert_error

pytestmark = pytest.mark.django_db

PUBLIC = "93.184.215.14"


@pytest.fixture(autouse=True)
def public_dns(monkeypatch):
    """Every host resolves to a public address: no network in tests."""

    def resolve(host, port, *args, **kwargs):
        if host in ("localhost", "127.0.0.1"):
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port or 443))]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC, port or 443))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)


def test_create_returns_the_secret_once(api):
    response = api.post(
        "/api/v1/webhooks/", {"url": "https://crm.example.com/hook", "events": ["response.created"]}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["secret"].startswith("whsec_")
    assert WebhookEndpoint.objects.get(id=body["id"]).secret == body["secret"]
    listed = api.get("/api/v1/webhooks/").json()["results"]
    assert [w["id"] for w in listed] == [body["id"]] and "secret" not in listed[0]
    assert "secret" not in api.get(f"/api/v1/webhooks/{body['id']}/").json()


def test_an_unknown_event_is_400(api):
    response = api.post(
        "/api/v1/webhooks/", {"url": "https://crm.example.com/hook", "events": ["customer.sneezed"]}
    )
    assert_error(response, 400, "invalid_choice", "events.0")


def test_a_private_address_is_refused(api):
    response = api.post(
        "/api/v1/webhooks/", {"url": "https://localhost/hook", "events": ["response.created"]}
    )
    assert_error(response, 400, field="url")
    assert not WebhookEndpoint.objects.exists()


def test_delete_removes_the_subscription(api):
    endpoint_id = api.post(
        "/api/v1/webhooks/", {"url": "https://crm.example.com/hook", "events": ["followup.created"]}
    ).json()["id"]
    assert api.delete(f"/api/v1/webhooks/{endpoint_id}/").status_code == 204
    assert not WebhookEndpoint.objects.exists()
    assert_error(api.delete(f"/api/v1/webhooks/{endpoint_id}/"), 404, "not_found")

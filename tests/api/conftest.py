"""API fixtures: keys with chosen scopes, a client holding an all-scopes key, the error shape."""

import pytest
from rest_framework.test import APIClient

from api.keys import api_key_create
from api.scopes import ALL_SCOPES


@pytest.fixture
def make_key(db):
    """``make_key("customers:read", ...)`` → (ApiKey, key); no scopes: every scope."""

    def make(*scopes: str, name: str = "CRM test"):
        return api_key_create(name=name, scopes=list(scopes) if scopes else None)

    return make


def client_with(key: str | None) -> APIClient:
    client = APIClient()
    if key:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def api_key(make_key):
    return make_key()


@pytest.fixture
def api(api_key):
    """A client sending an API key with every scope."""
    return client_with(api_key[1])


@pytest.fixture
def scoped(make_key):
    """``scoped("customers:read")`` → a client whose key holds only those scopes."""

    def make(*scopes: str) -> APIClient:
        return client_with(make_key(*scopes)[1])

    return make


@pytest.fixture
def all_scopes():
    return ALL_SCOPES


def assert_error(response, status: int, code: str | None = None, field: str | None = "__any__") -> list[dict]:
    """The response is ``status`` in the one error shape; returns its errors."""
    assert response.status_code == status, (response.status_code, getattr(response, "content", b"")[:500])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"errors"}
    assert body["errors"], body
    for entry in body["errors"]:
        assert set(entry) == {"field", "code", "message"}
        assert isinstance(entry["code"], str) and entry["code"]
        assert isinstance(entry["message"], str) and entry["message"]
    if code is not None:
        assert code in [entry["code"] for entry in body["errors"]], body
    if field != "__any__":
        assert field in [entry["field"] for entry in body["errors"]], body
    return body["errors"]

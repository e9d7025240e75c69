"""API keys: bearer authentication (401), scopes (403), revocation, last-used time, creation."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from api.keys import api_key_find, api_key_revoke, key_hash
from api.models import ApiKey
from api.scopes import ALL_SCOPES

from .conftest import assert_error, client_with
from .endpoints import ENDPOINTS, SCOPED, endpoint_id

pytestmark = pytest.mark.django_db


def call(client, method: str, url: str):
    return getattr(client, method)(url, {}, format="json") if method != "get" else client.get(url)


def test_endpoint_table_covers_every_operation_of_the_schema():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = {
        (method, re.sub(r"\{[^}]+\}", "{}", path))
        for path, item in schema["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }
    listed = {(method, re.sub(r"/(C-1|delivery|1)/", "/{}/", url)) for method, url, _scope in ENDPOINTS}
    assert listed == operations


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=endpoint_id)
def test_no_key_is_401(endpoint):
    method, url, _scope = endpoint
    response = call(client_with(None), method, url)
    assert_error(response, 401, "not_authenticated", field=None)
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=endpoint_id)
def test_revoked_key_is_401(endpoint, make_key):
    api_key, key = make_key()
    api_key_revoke(api_key=api_key)
    method, url, _scope = endpoint
    assert_error(call(client_with(key), method, url), 401, "revoked")


@pytest.mark.parametrize("endpoint", SCOPED, ids=endpoint_id)
def test_key_without_the_scope_is_403(endpoint, make_key):
    method, url, scope = endpoint
    _, key = make_key(*[other for other in ALL_SCOPES if other != scope])
    errors = assert_error(call(client_with(key), method, url), 403, "missing_scope", field=None)
    assert scope in errors[0]["message"]


@pytest.mark.parametrize("endpoint", SCOPED, ids=endpoint_id)
def test_key_with_only_the_scope_gets_past_authorization(endpoint, make_key):
    method, url, scope = endpoint
    _, key = make_key(scope)
    assert call(client_with(key), method, url).status_code not in (401, 403)


def test_the_catalogue_is_readable_with_any_valid_key(make_key):
    _, key = make_key("metrics:read")
    assert client_with(key).get("/api/v1/touchpoints/").status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer cem_nothing",
        "Token abc",
        "Basic dXNlcjpwYXNz",
        "Bearer a b",
        "Bearer cem_0000000000_x",
    ],
)
def test_a_header_that_is_not_a_live_key_is_401(header):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert_error(client.get("/api/v1/customers/"), 401, "authentication_failed")


def test_a_key_with_a_known_prefix_but_wrong_secret_is_401(make_key):
    _, key = make_key()
    forged = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    assert_error(client_with(forged).get("/api/v1/customers/"), 401, "authentication_failed")


def test_only_the_hash_of_the_key_is_stored(make_key):
    api_key, key = make_key()
    stored = ApiKey.objects.get(id=api_key.id)
    assert stored.key_hash == key_hash(key) and key not in str(stored.__dict__)
    assert key.startswith(f"cem_{stored.prefix}_")
    assert api_key_find(key=key) == stored


def test_last_used_time_is_written_at_most_once_a_minute(make_key, django_assert_num_queries):
    api_key, key = make_key()
    client = client_with(key)
    client.get("/api/v1/touchpoints/")
    first = ApiKey.objects.get(id=api_key.id).last_used_at
    assert first is not None
    client.get("/api/v1/touchpoints/")
    assert ApiKey.objects.get(id=api_key.id).last_used_at == first
    ApiKey.objects.filter(id=api_key.id).update(last_used_at=first - timedelta(minutes=2))
    client.get("/api/v1/touchpoints/")
    assert ApiKey.objects.get(id=api_key.id).last_used_at > first - timedelta(seconds=1)


def test_a_request_within_the_minute_writes_nothing_to_the_key(make_key, django_assert_num_queries):
    _, key = make_key()
    client = client_with(key)
    client.get("/api/v1/touchpoints/")
    # key lookup + page of touchpoints; no UPDATE of last_used_at
    with django_assert_num_queries(2):
        client.get("/api/v1/touchpoints/")


def test_create_api_key_prints_the_key_on_its_last_line():
    out = StringIO()
    call_command("create_api_key", "--name", "CRM", "--scopes", "customers:read,metrics:read", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    api_key = api_key_find(key=key)
    assert api_key.name == "CRM" and api_key.scopes == ["customers:read", "metrics:read"]
    assert client_with(key).get("/api/v1/customers/").status_code == 200


def test_create_api_key_without_scopes_grants_every_scope():
    out = StringIO()
    call_command("create_api_key", "--name", "All", stdout=out)
    assert api_key_find(key=out.getvalue().strip().splitlines()[-1]).scopes == list(ALL_SCOPES)


def test_create_api_key_refuses_an_unknown_scope():
    with pytest.raises(CommandError, match="customers:delete"):
        call_command("create_api_key", "--name", "X", "--scopes", "customers:delete", stdout=StringIO())
    assert not ApiKey.objects.exists()


@pytest.fixture
def admin_client_logged_in(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw-for-tests-only")
    client.force_login(admin)
    return client


def test_admin_add_form_shows_the_new_key_once(admin_client_logged_in):
    response = admin_client_logged_in.post(
        "/admin/api/apikey/add/", {"name": "CRM production", "scopes": ["customers:read", "metrics:read"]}
    )
    assert response.status_code == 200
    key = re.search(r'<code id="api-key"[^>]*>([^<]+)</code>', response.content.decode()).group(1)
    api_key = api_key_find(key=key)
    assert api_key.name == "CRM production" and api_key.scopes == ["customers:read", "metrics:read"]
    change_page = admin_client_logged_in.get(f"/admin/api/apikey/{api_key.id}/change/").content.decode()
    assert key not in change_page and api_key.prefix in change_page


def test_admin_revoke_action_revokes(admin_client_logged_in, make_key):
    api_key, key = make_key()
    admin_client_logged_in.post(
        "/admin/api/apikey/", {"action": "revoke", "_selected_action": [api_key.id]}, follow=True
    )
    assert ApiKey.objects.get(id=api_key.id).revoked_at is not None
    assert_error(client_with(key).get("/api/v1/customers/"), 401, "revoked")


def test_revoking_twice_keeps_the_first_time(make_key):
    api_key, _ = make_key()
    first = timezone.now() - timedelta(days=1)
    api_key_revoke(api_key=api_key, now=first)
    api_key_revoke(api_key=api_key)
    assert ApiKey.objects.get(id=api_key.id).revoked_at == first

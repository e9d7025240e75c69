"""A signed-in member of staff's pages are never stored by a cache: ``private, no-store``.

Customer 360, the follow-ups, exports and downloads hold personal data; every page a signed-in
user gets says so, unless the view sent its own stricter header. Anonymous pages and static
files keep ordinary caching.
"""

import pytest
from django.urls import get_resolver, reverse
from django.utils.cache import has_vary_header

from tests.factories import UserFactory
from tests.followups.test_work import case

from .test_security_headers import named_urls, url_for, world  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def test_every_page_a_signed_in_user_gets_is_never_stored(world, client):  # noqa: F811
    client.force_login(world["user"])
    for name, pattern in named_urls(get_resolver().url_patterns):
        url = url_for(name, pattern, world)
        response = client.get(url)
        assert "no-store" in cache_control(response), (name, url, response.get("Cache-Control"))


@pytest.mark.parametrize(
    "name", ["home", "customer-search", "customer-detail", "follow-up-list", "follow-up-detail", "audit-log"]
)
def test_staff_pages_with_personal_data_are_private(world, client, name):  # noqa: F811
    client.force_login(world["user"])
    kwargs = {
        "customer-detail": {"customer_id": world["customer_id"]},
        "follow-up-detail": {"follow_up_id": case().pk},
    }.get(name, {})
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200, response.status_code
    assert cache_control(response) == {"private", "no-store"}
    assert has_vary_header(response, "Cookie")


def test_exports_and_downloads_are_never_stored(world, client):  # noqa: F811
    client.force_login(world["user"])
    download = client.get(reverse("customer-export", kwargs={"customer_id": world["customer_id"]}))
    assert download.status_code == 200
    assert "no-store" in cache_control(download)
    export = client.get(reverse("dashboard-export", kwargs={"slug": "overview", "fmt": "csv"}))
    assert export.status_code == 200
    assert cache_control(export) == {"private", "no-store"}


def test_a_redirect_to_sign_in_and_anonymous_pages_are_not_marked(client):
    assert "no-store" not in cache_control(client.get("/customers/"))
    assert "no-store" not in cache_control(client.get("/nowhere/"))


def test_a_signed_in_users_error_page_is_private(client):
    client.force_login(UserFactory(is_superuser=True))
    response = client.get("/nowhere/")
    assert response.status_code == 404
    assert cache_control(response) == {"private", "no-store"}

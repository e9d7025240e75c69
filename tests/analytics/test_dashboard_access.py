"""Only CX managers open the dashboards: agents and users without a role get 403, anonymous users
are sent to sign in. Every page and download is checked from both sides."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import TouchpointFactory

pytestmark = pytest.mark.django_db

URLS = [
    ("dashboard-overview", {}),
    ("dashboard-touchpoints", {}),
    ("dashboard-journeys", {}),
    ("dashboard-drivers", {}),
    ("dashboard-comments", {}),
    ("dashboard-export", {"slug": "overview", "fmt": "csv"}),
    ("dashboard-export", {"slug": "comments", "fmt": "xlsx"}),
]


def url_of(name: str, kwargs: dict) -> str:
    return reverse(name, kwargs=kwargs or None)


def signed_in(user) -> Client:
    """A client of its own (the ``*_client`` fixtures share one, signed in as the last asked for)."""
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(("name", "kwargs"), URLS)
def test_a_manager_opens_the_page(manager_client, name, kwargs):
    assert manager_client.get(url_of(name, kwargs)).status_code == 200


@pytest.mark.parametrize(("name", "kwargs"), URLS)
def test_an_agent_is_refused(agent_client, name, kwargs):
    assert agent_client.get(url_of(name, kwargs)).status_code == 403


@pytest.mark.parametrize(("name", "kwargs"), URLS)
def test_a_user_without_a_role_is_refused(outsider_client, name, kwargs):
    assert outsider_client.get(url_of(name, kwargs)).status_code == 403


@pytest.mark.parametrize(("name", "kwargs"), URLS)
def test_an_anonymous_visitor_is_sent_to_sign_in(client, name, kwargs):
    response = client.get(url_of(name, kwargs))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_the_touchpoint_drill_down_is_for_managers_only(manager, agent, outsider):
    touchpoint = TouchpointFactory()
    url = reverse("dashboard-touchpoint-detail", args=[touchpoint.id])
    assert signed_in(manager).get(url).status_code == 200
    assert signed_in(agent).get(url).status_code == 403
    assert signed_in(outsider).get(url).status_code == 403
    assert Client().get(url).status_code == 302


def test_an_unknown_touchpoint_or_download_is_404(manager_client):
    assert manager_client.get(reverse("dashboard-touchpoint-detail", args=[424242])).status_code == 404
    assert manager_client.get("/dashboards/nowhere/export.csv").status_code == 404
    assert manager_client.get("/dashboards/overview/export.pdf").status_code == 404


def test_the_pages_are_read_only(manager_client):
    assert manager_client.post(reverse("dashboard-overview")).status_code == 405


def test_managers_see_the_dashboards_in_the_navigation_and_agents_do_not(manager, agent):
    link = f'href="{reverse("dashboard-overview")}"'
    assert link in signed_in(manager).get(reverse("home")).content.decode()
    assert link not in signed_in(agent).get(reverse("home")).content.decode()


def test_figures_are_drawn_by_the_static_script_from_json_without_inline_script(manager_client):
    html = manager_client.get(reverse("dashboard-overview")).content.decode()
    assert '<script src="/static/vendor/plotly/plotly.min.js" defer></script>' in html
    assert '<script src="/static/js/charts.js" defer></script>' in html
    assert 'type="application/json"' in html
    scripts = html.split("<script")[1:]
    assert all(
        ' src="' in tag.split(">")[0] or 'type="application/json"' in tag.split(">")[0] for tag in scripts
    )
    assert "cdn" not in html.lower()


def test_plotly_js_is_a_static_file_of_the_installed_plotly_package():
    from django.contrib.staticfiles import finders

    found = finders.find("vendor/plotly/plotly.min.js")
    assert found and found.replace("\\", "/").endswith("plotly/package_data/plotly.min.js")

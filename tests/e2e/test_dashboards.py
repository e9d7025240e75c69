"""A CX manager opens every dashboard in Chromium: the figures are drawn by plotly.js, nothing errs.

Demo data (``seed_demo --customers 60 --seed 7``, rollups computed) behind a live server;
each page waits until every figure element holds a drawn Plotly plot, then saves a
screenshot under test-output/screenshots.
"""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from access.roles import ROLES
from demo.services import DEMO_MANAGER, DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PAGES = (
    ("overview", "/dashboards/", "Overview"),
    ("touchpoints", "/dashboards/touchpoints/", "Touchpoints"),
    ("journeys", "/dashboards/journeys/", "Journeys"),
    ("drivers", "/dashboards/drivers/?period=last_365", "Drivers"),
    ("comments", "/dashboards/comments/", "Comments"),
)


def seed(settings, customers: int) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # A transactional test's flush removes the groups the roles migration made.
    for role in ROLES:
        Group.objects.get_or_create(name=role)
    call_command("seed_demo", "--customers", str(customers), "--seed", "7", stdout=io.StringIO())


@pytest.fixture
def demo(settings):
    seed(settings, 60)


@pytest.fixture
def larger_demo(settings):
    """Enough answers (30 pairs per dimension) for the key drivers to be ranked."""
    seed(settings, 150)


def sign_in(page, live_server) -> None:
    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill(DEMO_MANAGER)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")


def figures_drawn(page) -> int:
    """Wait until every figure element holds a drawn plot; return how many there are."""
    expected = page.locator("[data-figure]").count()
    page.wait_for_function(
        "n => document.querySelectorAll('.js-plotly-plot .main-svg').length >= n && "
        "[...document.querySelectorAll('[data-figure]')].every(e => e.classList.contains('js-plotly-plot'))",
        arg=expected,
        timeout=15_000,
    )
    return expected


def test_every_dashboard_draws_its_figures_without_errors(live_server, page, demo, screenshot):
    sign_in(page, live_server)
    page.get_by_role("link", name="Dashboards").click()
    page.wait_for_url(live_server.url + "/dashboards/")
    for name, path, heading in PAGES:
        page.goto(live_server.url + path)
        assert page.get_by_role("heading", level=1, name=heading).is_visible()
        figures = figures_drawn(page)
        if name != "comments":
            assert figures >= 2, name
            # Plot content, not just an empty frame: axes or an empty state's message.
            assert page.locator(
                ".js-plotly-plot .main-svg .cartesianlayer, .js-plotly-plot .annotation"
            ).count()
        assert page.locator("#freshness").inner_text().startswith("Figures as of")
        screenshot(page, f"-{name}")
    assert page.console_errors == []


def test_plotly_is_served_from_the_app_with_the_page_scripts(live_server, page, demo):
    sign_in(page, live_server)
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(live_server.url + "/dashboards/")
    figures_drawn(page)
    scripts = [r.url for r in responses if r.url.endswith(".js")]
    assert any(url.startswith(live_server.url) and "vendor/plotly/plotly" in url for url in scripts)
    assert all(url.startswith(live_server.url) for url in scripts)  # no CDN
    assert page.locator("script:not([src]):not([type='application/json'])").count() == 0  # no inline script


def test_filters_apply_from_the_bar_and_stay_in_the_url(live_server, page, demo, screenshot):
    sign_in(page, live_server)
    page.goto(live_server.url + "/dashboards/touchpoints/")
    page.get_by_label("Period").select_option("last_365")
    page.get_by_label("Stage").select_option("post_sale")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/dashboards/touchpoints/?*")
    assert "period=last_365" in page.url and "stage=post_sale" in page.url
    figures_drawn(page)
    assert set(page.locator("tr[data-stage]").evaluate_all("rows => rows.map(r => r.dataset.stage)")) == {
        "post_sale"
    }
    # The tabs keep the filters; the drill-down opens one touchpoint with them.
    page.get_by_role("link", name="Journeys", exact=True).click()
    page.wait_for_url("**/dashboards/journeys/?*stage=post_sale*")
    figures_drawn(page)
    page.go_back()
    page.locator("tr[data-touchpoint] a").first.click()
    page.wait_for_url("**/dashboards/touchpoints/*/?*")
    figures_drawn(page)
    screenshot(page, "-drill-down")
    assert page.console_errors == []


def test_a_bad_filter_shows_a_form_error(live_server, page, demo):
    sign_in(page, live_server)
    page.goto(live_server.url + "/dashboards/?period=custom&start=2025-03-01&end=2025-01-01")
    assert "is after the end date" in page.get_by_role("alert").inner_text()
    assert page.locator("[data-figure]").count() == 0


def test_drivers_name_the_dimension_to_act_on_first(live_server, page, larger_demo, screenshot):
    sign_in(page, live_server)
    page.goto(live_server.url + "/dashboards/drivers/?period=last_365")
    figures_drawn(page)
    assert page.get_by_role("heading", name="Act first on:").is_visible()
    # The ranked dimensions are drawn as markers (with their error bars), not an empty state.
    assert page.locator("#chart-drivers .scatterlayer .point").count() >= 3
    screenshot(page)
    assert page.console_errors == []
